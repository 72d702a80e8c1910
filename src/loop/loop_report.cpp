// report.html: one self-contained page (no network) showing a loop at a
// glance: the score per generation as an inline SVG chart, the best of each
// island per generation and the MAP-Elites archive as SVG pictures, every
// attempt with its deltas and why it lost (report_charts.cpp), then each
// generation's image (scaled up, pixels crisp), score, note and the diff of
// its roadmap from its parent's.
#include "pxos/loop/loop.hpp"

#include "pxos/base/file_system.hpp"
#include "pxos/loop/text_diff.hpp"
#include "pxos/base/text.hpp"
#include "report_charts.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pxos {

namespace {

std::string base64(const std::vector<std::uint8_t>& bytes)
{
    static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t chunk = std::uint32_t(bytes[i]) << 16;
        if (i + 1 < bytes.size())
            chunk |= std::uint32_t(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size())
            chunk |= bytes[i + 2];
        out += kTable[(chunk >> 18) & 63];
        out += kTable[(chunk >> 12) & 63];
        out += i + 1 < bytes.size() ? kTable[(chunk >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? kTable[chunk & 63] : '=';
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    for (std::string_view line : split_lines(text))
        if (line.rfind("# ", 0) != 0) // the generation header comments
            lines.emplace_back(line);
    return lines;
}

} // namespace

Result<void> write_loop_report(FileSystem& files, const std::string& out_dir)
{
    namespace fs = std::filesystem;
    auto log = files.read_file_text((fs::path(out_dir) / "loop.jsonl").string(), 64u << 20);
    if (!log)
        return std::move(log).error();
    std::vector<nlohmann::json> records;
    std::istringstream stream(*log);
    std::string line;
    while (std::getline(stream, line)) {
        try {
            if (!line.empty())
                records.push_back(nlohmann::json::parse(line));
        } catch (const nlohmann::json::exception&) {
            break; // a torn last line
        }
    }
    auto read = [&](const std::string& name) -> std::string {
        if (name.empty())
            return {};
        auto text = files.read_file_text((fs::path(out_dir) / name).string(), 16u << 20);
        return text ? *text : std::string();
    };

    int max_score = 1;
    for (const auto& record : records)
        max_score = std::max(max_score, record.value("max_score", 1));
    // The chart: score (dots) and best so far (line) per generation.
    const int width = 640, height = 200, margin = 30;
    std::size_t count = std::max<std::size_t>(records.size(), 2);
    auto x_of = [&](std::size_t index) { return margin + double(index) * (width - 2 * margin) / double(count - 1); };
    auto y_of = [&](int score) { return height - margin - double(score) * (height - 2 * margin) / max_score; };
    std::string svg = fmt::format("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' "
                                  "style='background:#111'>",
        width, height);
    svg += fmt::format("<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' stroke='#555'/>", margin, y_of(0), width - margin);
    svg += fmt::format("<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' stroke='#555' stroke-dasharray='4'/>", margin,
        y_of(max_score), width - margin);
    svg += fmt::format("<text x='4' y='{}' fill='#aaa' font-size='11'>{}</text>", y_of(max_score) + 4, max_score);
    svg += fmt::format("<text x='4' y='{}' fill='#aaa' font-size='11'>0</text>", y_of(0) + 4);
    std::string best_path;
    for (std::size_t i = 0; i < records.size(); ++i) {
        int score = records[i].value("score", 0), best = records[i].value("best_score", 0);
        best_path += fmt::format("{}{:.1f},{:.1f}", i ? " L" : "M", x_of(i), y_of(best));
        svg += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='4' fill='#4fc3f7'><title>generation {}: {}/{}</title>"
                           "</circle>",
            x_of(i), y_of(score), records[i].value("generation", 0), score, max_score);
        svg += fmt::format("<text x='{:.1f}' y='{}' fill='#aaa' font-size='10' text-anchor='middle'>{}</text>", x_of(i),
            height - 10, records[i].value("generation", 0));
    }
    if (!best_path.empty())
        svg += fmt::format("<path d='{}' fill='none' stroke='#8bc34a' stroke-width='2'/>", best_path);
    svg += "</svg>";

    std::string html = "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>pxos loop report</title><style>"
                       "body{font-family:sans-serif;background:#1b1b1b;color:#ddd;margin:24px}"
                       "img{image-rendering:pixelated;image-rendering:crisp-edges;border:1px solid #444}"
                       ".gen{display:flex;gap:24px;border-top:1px solid #333;padding:16px 0}"
                       "pre{background:#111;padding:8px;font-size:12px;overflow:auto;max-height:360px}"
                       ".add{color:#8bc34a}.del{color:#ef5350}.best{color:#ffd54f}"
                       "table.attempts{border-collapse:collapse;font-size:12px;margin:8px 0}"
                       ".attempts td,.attempts th{border:1px solid #333;padding:3px 6px;vertical-align:top;text-align:left}"
                       ".attempts pre{max-height:200px}</style></head><body>\n";
    int best_generation = records.empty() ? 0 : records.back().value("best_generation", 0);
    html += fmt::format("<h1>pxos loop</h1><p>{}; best: generation {} with {}/{}. "
                        "<span style='color:#4fc3f7'>&#9679;</span> score, "
                        "<span style='color:#8bc34a'>&#9473;</span> best so far.</p>\n",
        plural(long(records.size()), "generation"), best_generation, records.empty() ? 0 : records.back().value("best_score", 0), max_score);
    html += svg + "\n";
    html += "<h2>Islands</h2><p>The best of each island after each generation.</p>\n" + island_curves_svg(records) + "\n";
    html += "<h2>Archive</h2><p>MAP-Elites cells after the last generation, coloured by their elite's "
            "combined_score (hover for the elite).</p>\n"
        + (records.empty() ? std::string() : archive_svg(records.back())) + "\n";
    html += "<h2>Attempts</h2>\n" + attempts_table(records, read) + "\n";
    for (const auto& record : records) {
        int generation = record.value("generation", 0);
        int parent = record.value("parent", 0);
        std::string image = read(record.value("image", ""));
        html += "<div class='gen'><div>";
        if (!image.empty())
            html += fmt::format("<img width='384' height='384' alt='generation {}' src='data:image/png;base64,{}'>",
                generation, base64(std::vector<std::uint8_t>(image.begin(), image.end())));
        html += "</div><div style='flex:1'>";
        std::string diff = record.value("diff", "");
        std::string diff_link = diff.empty() ? std::string()
                                             : fmt::format(" &middot; <a style='color:#4fc3f7' href='{}'>image diff from "
                                                           "parent</a>",
                                                 escape_html(diff));
        html += fmt::format("<h2>generation {}{}</h2><p>score <b>{}/{}</b> &middot; proposer {}{} &middot; "
                            "parent {}{}</p><p>{}</p>",
            generation, generation == best_generation ? " <span class='best'>(best)</span>" : "",
            record.value("score", 0), record.value("max_score", 0), escape_html(record.value("proposer", "")),
            record.value("fallback", false) ? " (fallback)" : "", parent, diff_link, escape_html(record.value("note", "")));
        std::string roadmap = read(record.value("roadmap", ""));
        // The parent's roadmap: its attempt's file (a loop from before the attempts: its generation's).
        std::string parent_roadmap;
        int parent_candidate = record.value("parent_candidate", 1);
        for (const auto& other : records) {
            if (other.value("generation", 0) != parent)
                continue;
            std::string file = other.value("roadmap", "");
            for (const auto& attempt : other.value("attempts", nlohmann::json::array()))
                if (attempt.value("candidate", 0) == parent_candidate)
                    file = attempt.value("roadmap", file);
            parent_roadmap = read(file);
        }
        html += "<pre>";
        for (const std::string& change : diff_lines(lines_of(parent_roadmap), lines_of(roadmap))) {
            std::string css = change[0] == '+' ? "add" : change[0] == '-' ? "del" : "";
            html += css.empty() ? escape_html(change) + "\n"
                                : fmt::format("<span class='{}'>{}</span>\n", css, escape_html(change));
        }
        html += "</pre></div></div>\n";
    }
    html += "</body></html>\n";
    return files.write_file_atomic((fs::path(out_dir) / "report.html").string(), html);
}

} // namespace pxos
