// `pxos blame IMAGE.png X Y`: who wrote this pixel, and when.
#include "commands.hpp"
#include "terminal.hpp"
#include "base/json_writer.hpp"

#include "builtin_steps.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/roadmap/provenance.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <set>

namespace pxos::cli {

namespace {

// A colour in JSON as everywhere else (diff, steps): [r, g, b, a].
nlohmann::ordered_json rgba_json(RGBA colour)
{
    return nlohmann::ordered_json::array({ colour.r, colour.g, colour.b, colour.a });
}

} // namespace

int run_blame_command(const BlameCommandOptions& options)
{
    auto image = load_png(host_files(), options.image_path, PngLimits::from_caps(options.caps));
    if (!image)
        return report_error(image.error());
    if (options.region.empty() && !image->contains(options.x, options.y))
        return report_error(Error::usage(fmt::format("pixel ({},{}) is outside the {}x{} image (or give --region NAME)",
            options.x, options.y, image->width(), image->height())));

    // The logs: given files, else <image>.pxprov beside the image, else a rebuild.
    std::vector<std::string> paths = options.provenance_paths;
    if (paths.empty()) {
        std::filesystem::path path(options.image_path);
        std::string beside = (path.parent_path() / (path.stem().string() + ".pxprov")).string();
        if (std::filesystem::exists(beside))
            paths.push_back(beside);
    }
    std::vector<ProvenanceLog> logs;
    for (const std::string& path : paths) {
        auto bytes = read_file_bytes(path, options.caps.get(Cap::ProvenanceFile), Cap::ProvenanceFile);
        if (!bytes)
            return report_error(bytes.error());
        auto log = ProvenanceLog::from_bytes(*bytes, path);
        if (!log)
            return report_error(log.error());
        if (log->width() != image->width() || log->height() != image->height())
            return report_error(Error::bad_input(path, fmt::format("provenance of a {}x{} image, not of {} ({}x{})",
                log->width(), log->height(), options.image_path, image->width(), image->height())));
        logs.push_back(std::move(*log));
    }
    if (logs.empty()) {
        if (options.roadmap_path.empty())
            return report_error(Error::usage(fmt::format("no provenance for {}: give --provenance FILE (written by pxos "
                                                         "build/run --provenance) or --roadmap ROADMAP.yaml to rebuild it",
                options.image_path)));
        auto roadmap = load_roadmap(host_files(), options.roadmap_path, steps::builtin_registry(),
            RoadmapLimits::from_caps(options.caps));
        if (!roadmap)
            return report_error(roadmap.error());
        auto log = build_provenance(host_files(), *roadmap, VRAMLimits::from_caps(options.caps),
            CodeLimits::from_caps(options.caps));
        if (!log)
            return report_error(log.error());
        logs.push_back(std::move(*log));
    }

    int width = image->width();
    if (!options.region.empty()) {
        const Region* region = find_region(options.region);
        if (!region)
            return report_error(Error::usage(fmt::format("unknown region '{}'", options.region)));
        // Writers of the region, with how many distinct pixels each touched.
        std::map<std::string, std::set<std::uint32_t>> touched;
        for (const ProvenanceLog& log : logs)
            for (const ProvenanceRecord& record : log.records())
                if (region->rect.contains(int(record.address % std::uint32_t(width)), int(record.address / std::uint32_t(width))))
                    touched[describe_provenance_writer(log.writers()[record.writer], width)].insert(record.address);
        std::vector<std::pair<std::size_t, std::string>> rows;
        for (const auto& [writer, pixels] : touched)
            rows.emplace_back(pixels.size(), writer);
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        if (options.json) {
            nlohmann::ordered_json writers = nlohmann::ordered_json::array();
            for (const auto& [count, writer] : rows)
                writers.push_back({ { "writer", writer }, { "pixels", count } });
            nlohmann::ordered_json out;
            out["schema"] = 1;
            out["region"] = options.region;
            out["at"] = { region->rect.x, region->rect.y };
            out["size"] = { region->rect.width, region->rect.height };
            out["writers"] = std::move(writers);
            std::printf("%s\n", write_json(out, JsonLayout::Indented).c_str());
        } else {
            std::string report = fmt::format("{}: writers of {} ({}x{} at ({},{}))\n", options.image_path, options.region,
                region->rect.width, region->rect.height, region->rect.x, region->rect.y);
            for (const auto& [count, writer] : rows)
                report += fmt::format("{:>10} px  {}\n", count, writer);
            print_report(report);
        }
        return 0;
    }

    std::uint32_t address = std::uint32_t(options.y) * std::uint32_t(width) + std::uint32_t(options.x);
    nlohmann::ordered_json history = nlohmann::ordered_json::array();
    std::string text = fmt::format("{} ({},{}): history, oldest first (new VRAM starts (0,0,0,255))\n", options.image_path,
        options.x, options.y);
    std::uint64_t sequence = 0;
    std::size_t shown = 0;
    std::uint32_t last = RGBA { 0, 0, 0, 255 }.to_word();
    for (std::size_t file = 0; file < logs.size(); ++file)
        for (const ProvenanceRecord& record : logs[file].records()) {
            ++sequence;
            if (record.address != address)
                continue;
            const ProvenanceWriter& writer = logs[file].writers()[record.writer];
            std::string who = describe_provenance_writer(writer, width);
            ++shown;
            if (writer.kind == ProvenanceWriter::Kind::Reader)
                text += fmt::format("#{} {} read {} at event {}\n", shown, who, RGBA::from_word(record.new_word).to_string(),
                    sequence);
            else
                text += fmt::format("#{} {} set {} (was {}) at write {}\n", shown, who,
                    RGBA::from_word(record.new_word).to_string(), RGBA::from_word(record.old_word).to_string(), sequence);
            history.push_back({ { "write", sequence }, { "writer", who },
                { "kind", writer.kind == ProvenanceWriter::Kind::Step ? "step"
                        : writer.kind == ProvenanceWriter::Kind::Reader ? "read" : "process" },
                { "new", rgba_json(RGBA::from_word(record.new_word)) }, { "old", rgba_json(RGBA::from_word(record.old_word)) } });
            last = record.new_word;
        }
    std::uint32_t actual = image->words()[address];
    bool consistent = actual == last;
    if (shown == 0)
        text += "never written: it is the new VRAM's (0,0,0,255)\n";
    if (!consistent)
        text += fmt::format("note: the image's pixel is {}, not the last recorded value: this provenance is of another "
                            "image (or of its build only)\n",
            RGBA::from_word(actual).to_string());
    if (options.json) {
        nlohmann::ordered_json out;
        out["schema"] = 1;
        out["pixel"] = { options.x, options.y };
        out["value"] = rgba_json(RGBA::from_word(actual));
        out["consistent"] = consistent;
        out["history"] = std::move(history);
        std::printf("%s\n", write_json(out, JsonLayout::Indented).c_str());
    } else {
        print_report(text);
    }
    return 0;
}

} // namespace pxos::cli
