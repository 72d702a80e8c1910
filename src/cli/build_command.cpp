// `pxos build ROADMAP.yaml [-o OUT.png] [--report OUT.json]`
#include "commands.hpp"
#include "screen.hpp"
#include "std_streams.hpp"
#include "terminal.hpp"

#include "builtin_steps.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/roadmap/provenance.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <cstdio>
#include <filesystem>
#include <spdlog/spdlog.h>

namespace pxos::cli {

namespace {

// artifacts/<roadmap stem>.png
std::string default_output_path(const std::string& roadmap_path)
{
    return (std::filesystem::path("artifacts") / std::filesystem::path(roadmap_path).stem()).string() + ".png";
}

// OUT.png -> OUT.step03.write_boot_banner.png
std::string intermediate_path(const std::string& output_path, std::size_t index, const std::string& label)
{
    std::filesystem::path path(output_path);
    std::string safe_label;
    for (char c : label)
        safe_label += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') ? c : '_';
    std::string name = fmt::format("{}.step{:02}.{}.png", path.stem().string(), index + 1, safe_label);
    return (path.parent_path() / name).string();
}

// Repaints the live view as steps write pixels (rate-limited by the view).
class LiveWrites final : public WriteObserver {
public:
    explicit LiveWrites(LiveView& view) : m_view(view) { }
    void did_write(const SimulatedVRAM& vram, const Rect&) override { m_view.show(vram, nullptr); }

private:
    LiveView& m_view;
};

// The PNG to write: -o, else the roadmap's output.png_path (which may name
// only a place inside the roadmap's folder or artifacts/), else artifacts/<stem>.png.
Result<std::string> choose_output_path(const BuildCommandOptions& options, const Roadmap& roadmap)
{
    if (!options.output_path.empty())
        return options.output_path;
    const std::string& own = roadmap.output.png_path;
    if (own.empty())
        return default_output_path(options.roadmap_path);
    std::string folder = std::filesystem::path(options.roadmap_path).parent_path().string();
    if (!is_path_inside(own, folder.empty() ? "." : folder) && !is_path_inside(own, "artifacts"))
        return Error::bad_input(roadmap.output.png_path_location,
            fmt::format("output.png_path '{}' is outside the roadmap's folder and artifacts/; give -o to write there",
                own));
    return own;
}

// A file's folder must be there already: a mistyped -o does not grow a tree
// of folders. artifacts/ (build's default output folder) and the folders in
// it are the exception: build creates them, as it creates the folder a
// roadmap's own output.png_path names (inside the roadmap's folder or
// artifacts/: the roadmap's author chose it).
Result<void> check_folder_exists(const std::string& path, std::string_view option)
{
    std::string parent = std::filesystem::path(path).parent_path().string();
    if (parent.empty())
        return {};
    FileKind kind = host_files().kind_of(parent);
    if (kind == FileKind::Directory)
        return {};
    if (kind == FileKind::Missing && (parent == "artifacts" || is_path_inside(parent, "artifacts")))
        return {};
    return Error::io(path, fmt::format("{}: the folder '{}' {}", option, parent,
        kind == FileKind::Missing ? "does not exist (only artifacts/ is created)" : "is not a folder"));
}

class BuildProgress final : public BuildObserver {
public:
    BuildProgress(std::string output_path, bool save_intermediate, std::string frames_dir, LiveView& view,
        BuildProvenanceRecorder* provenance, StagedOutputs& outputs, Executor& executor)
        : m_output_path(std::move(output_path))
        , m_save_intermediate(save_intermediate)
        , m_frames_dir(std::move(frames_dir))
        , m_view(view)
        , m_provenance(provenance)
        , m_outputs(outputs)
        , m_executor(executor)
    {
    }

    void step_started(std::size_t index, std::size_t count, const StepCall& call) override
    {
        m_count = count;
        if (m_provenance)
            m_provenance->begin_step(std::uint32_t(index + 1), call.label);
        spdlog::debug("[{}/{}] {} ({}) ...", index + 1, count, call.label, call.definition->name);
    }

    Result<void> step_finished(const StepReport& report, const SimulatedVRAM& vram) override
    {
        m_view.show(vram, nullptr, true);
        spdlog::info("[{}/{}] {:<24} {:>9.3f} ms {:>10} px", report.index + 1, m_count, report.label,
            report.duration_ms, report.pixels_written);
        if (!m_frames_dir.empty()) {
            // frame_0001_init_background.png, ...: plays in order.
            std::string frame = (std::filesystem::path(m_frames_dir)
                / fmt::format("frame_{:04}_{}.png", report.index + 1, report.step))
                                    .string();
            PXOS_TRY(stage_png(m_outputs, frame, vram, m_executor));
        }
        if (!m_save_intermediate)
            return {};
        std::string path = intermediate_path(m_output_path, report.index, report.label);
        PXOS_TRY(stage_png(m_outputs, path, vram, m_executor));
        spdlog::debug("      staged {}", path);
        return {};
    }

private:
    std::string m_output_path;
    bool m_save_intermediate;
    std::string m_frames_dir;
    LiveView& m_view;
    BuildProvenanceRecorder* m_provenance;
    StagedOutputs& m_outputs;
    Executor& m_executor;
    std::size_t m_count = 0;
};

} // namespace

int run_build_command(const BuildCommandOptions& options)
{
    setup_logging(options.verbosity);

    auto roadmap = load_roadmap(host_files(), options.roadmap_path, steps::builtin_registry(),
        RoadmapLimits::from_caps(options.caps));
    if (!roadmap)
        return report_error(roadmap.error());
    report_diagnostics(roadmap->warnings);

    auto chosen = choose_output_path(options, *roadmap);
    if (!chosen)
        return report_error(chosen.error());
    const std::string output_path = *chosen;
    // Everything the build writes is staged here and appears only when all of it has succeeded.
    StagedOutputs outputs(host_files(), { options.roadmap_path });
    const std::string inputs[] = { options.roadmap_path };
    if (is_std_stream(options.provenance_path))
        return report_error(Error::usage("--provenance is written as the build goes: give it a file, not '-'"));
    if (is_std_stream(output_path) && is_std_stream(options.report_path))
        return report_error(Error::usage("-o - and --report - both write to stdout: give one of them a file"));
    if (options.json && is_std_stream(output_path))
        return report_error(Error::usage("--json and -o - both write to stdout: give -o a file"));
    const std::pair<const std::string*, std::string_view> outputs_of[] = { { &options.output_path, "-o" },
        { &options.report_path, "--report" }, { &options.provenance_path, "--provenance" },
        { &options.frames_dir, "--frames" } };
    for (const auto& [path, option] : outputs_of)
        if (!path->empty() && !is_std_stream(*path))
            if (auto there = check_folder_exists(*path, option); !there)
                return report_error(there.error());
    for (const std::string* path : { &output_path, &options.report_path, &options.provenance_path }) {
        if (path->empty())
            continue;
        OutputKind kind = path == &options.report_path ? OutputKind::Text : OutputKind::Binary;
        if (auto checked = check_output_target(*path, inputs, kind); !checked)
            return report_error(checked.error());
    }

    spdlog::info("building '{}' ({}x{}, {}) from {}", roadmap->metadata.name, roadmap->metadata.vram_width,
        roadmap->metadata.vram_height, plural(long(roadmap->steps.size()), "step"), options.roadmap_path);
    LiveView view(options.view);
    if (view.active())
        setup_logging(Verbosity::Quiet); // the screen is the progress
    ProvenanceLog provenance(roadmap->metadata.vram_width, roadmap->metadata.vram_height);
    if (!options.provenance_path.empty())
        if (auto streaming = provenance.stream_to(host_files(), options.provenance_path); !streaming)
            return report_error(streaming.error());
    BuildProvenanceRecorder recorder(provenance);
    ThreadExecutor executor;
    BuildProgress progress(output_path, roadmap->output.save_intermediate, options.frames_dir, view,
        options.provenance_path.empty() ? nullptr : &recorder, outputs, executor);
    LiveWrites live_writes(view);
    BuildOptions build_options;
    build_options.limits = VRAMLimits::from_caps(options.caps);
    build_options.code_limits = CodeLimits::from_caps(options.caps);
    build_options.files = &host_files();
    build_options.observer = &progress;
    if (view.active())
        build_options.write_observer = &live_writes;
    if (!options.provenance_path.empty())
        build_options.write_observer = &recorder; // (the live view then repaints per step)
    auto built = build_roadmap(*roadmap, build_options);
    if (!built)
        return report_error(built.error());
    view.finish(built->vram, nullptr, !options.no_wait);

    for (const std::string& source : built->source_map.files()) // the pxasm files it read are inputs too
        outputs.add_input(source);

    SteadyClock clock;
    double save_started = clock.now_ms();
    if (auto saved = stage_png(outputs, output_path, built->vram, executor); !saved)
        return report_error(saved.error());
    double save_ms = clock.now_ms() - save_started;
    if (!options.provenance_path.empty())
        if (auto staged = provenance.stage_file(outputs, options.provenance_path); !staged)
            return report_error(staged.error());
    // Pixel code in the image: write where it came from, for run and debug.
    if (!built->source_map.empty() && !is_std_stream(output_path)) {
        std::string map_path = source_map_path_for(output_path);
        if (auto written = outputs.write(map_path, built->source_map.to_json()); !written)
            return report_error(written.error());
        spdlog::debug("source map: {}", map_path);
    }
    if (!options.report_path.empty())
        if (auto written = outputs.write(options.report_path, build_report_to_json(built->report)); !written)
            return report_error(written.error());
    if (auto committed = outputs.commit(); !committed)
        return report_error(committed.error());
    if (!options.provenance_path.empty())
        spdlog::info("provenance: {} by {} in {}", plural(long(provenance.record_count()), "write"),
            plural(long(provenance.writers().size()), "writer"), options.provenance_path);

    spdlog::info("built in {:.3f} ms; wrote {} ({}x{}) in {:.3f} ms", built->report.total_ms, output_path,
        built->vram.width(), built->vram.height(), save_ms);
    if (options.json)
        std::fputs(build_summary_to_json(built->report, output_path).c_str(), stdout);
    else
        print_written_path(output_path);
    return 0;
}

} // namespace pxos::cli
