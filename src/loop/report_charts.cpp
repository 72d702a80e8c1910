#include "report_charts.hpp"
#include "base/json_writer.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

namespace pxos {

namespace {

// Distinct, colour-blind-friendly line colours, one per island (repeating).
constexpr const char* kIslandColours[] = { "#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176",
    "#4db6ac", "#f06292" };

// A heat colour for t in [0, 1]: dark blue -> teal -> yellow.
std::string heat(double t)
{
    t = std::clamp(t, 0.0, 1.0);
    int r = int(std::lround(30 + t * 225)), g = int(std::lround(40 + t * 190)), b = int(std::lround(120 - t * 80));
    return fmt::format("#{:02x}{:02x}{:02x}", r, g, b);
}

std::string id_of(const nlohmann::json& value)
{
    return fmt::format("{}.{}", value.value("generation", 0), value.value("candidate", 0));
}

std::string signed_number(double value, int digits)
{
    return fmt::format("{}{:.{}f}", value > 0 ? "+" : "", value, digits);
}

} // namespace

// Decimals enough to tell apart labels `step` apart (at least 3, at most 8).
int label_digits(double step)
{
    if (!(step > 0))
        return 3;
    return std::clamp(int(std::ceil(-std::log10(step))), 3, 8);
}

std::string escape_html(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string island_curves_svg(const std::vector<nlohmann::json>& records)
{
    // Per island, per generation: its best's combined_score (gates when no metrics were measured).
    std::size_t islands = 0;
    bool combined = false;
    for (const auto& record : records) {
        if (record.contains("islands")) {
            islands = std::max(islands, record["islands"].size());
            for (const auto& island : record["islands"])
                combined = combined || island.value("combined_score", 0.0) > 0;
        }
    }
    if (islands == 0)
        return "<p>No islands recorded (a loop from before the population).</p>";
    auto value_of = [&](const nlohmann::json& island) {
        return combined ? island.value("combined_score", 0.0) : double(island.value("score", 0));
    };
    double low = 1e300, high = -1e300;
    for (const auto& record : records)
        for (const auto& island : record.value("islands", nlohmann::json::array())) {
            low = std::min(low, value_of(island));
            high = std::max(high, value_of(island));
        }
    if (high - low < 1e-9) {
        low -= 0.5;
        high += 0.5;
    }
    const int width = 640, height = 220, left = 56, right = 16, top = 16, bottom = 36;
    std::size_t count = std::max<std::size_t>(records.size(), 2);
    auto x_of = [&](std::size_t i) { return left + double(i) * (width - left - right) / double(count - 1); };
    auto y_of = [&](double v) { return top + (high - v) * (height - top - bottom) / (high - low); };
    std::string svg = fmt::format("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' "
                                  "style='background:#111' role='img' aria-label='best per island'>",
        width, height);
    // As many decimals as the tick step needs for five different labels
    // (combined scores of a climbing loop differ in the third or fourth).
    int digits = combined ? label_digits((high - low) / 4) : 0;
    for (int tick = 0; tick <= 4; ++tick) {
        double v = low + (high - low) * tick / 4;
        svg += fmt::format("<line x1='{}' y1='{:.1f}' x2='{}' y2='{:.1f}' stroke='#333'/>", left, y_of(v), width - right,
            y_of(v));
        svg += fmt::format("<text x='{}' y='{:.1f}' fill='#aaa' font-size='10' text-anchor='end'>{:.{}f}</text>",
            left - 4, y_of(v) + 3, v, digits);
    }
    for (std::size_t i = 0; i < records.size(); ++i)
        if (records.size() <= 40 || i % (records.size() / 20 + 1) == 0)
            svg += fmt::format("<text x='{:.1f}' y='{}' fill='#aaa' font-size='10' text-anchor='middle'>{}</text>",
                x_of(i), height - bottom + 14, records[i].value("generation", 0));
    svg += fmt::format("<text x='{}' y='{}' fill='#aaa' font-size='11' text-anchor='middle'>generation</text>",
        (left + width - right) / 2, height - 4);
    svg += fmt::format("<text x='12' y='{}' fill='#aaa' font-size='11' text-anchor='middle' "
                       "transform='rotate(-90 12 {})'>{}</text>",
        (top + height - bottom) / 2, (top + height - bottom) / 2, combined ? "best combined_score" : "best gates");
    for (std::size_t k = 0; k < islands; ++k) {
        std::string path;
        const char* colour = kIslandColours[k % std::size(kIslandColours)];
        for (std::size_t i = 0; i < records.size(); ++i) {
            const auto& list = records[i].value("islands", nlohmann::json::array());
            if (k >= list.size())
                continue;
            // Islands that hold the same value are drawn a pixel apart, so each line shows.
            double y = y_of(value_of(list[k])) + double(k) * 1.5;
            path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", x_of(i), y);
            svg += fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='2.5' fill='{}'><title>island {} after generation {}: "
                               "{} ({})</title></circle>",
                x_of(i), y, colour, k, records[i].value("generation", 0), id_of(list[k]), value_of(list[k]));
        }
        svg += fmt::format("<path d='{}' fill='none' stroke='{}' stroke-width='2' opacity='0.9'/>", path, colour);
        svg += fmt::format("<rect x='{}' y='{}' width='10' height='10' fill='{}'/><text x='{}' y='{}' fill='#ddd' "
                           "font-size='11'>island {}</text>",
            left + 8 + int(k) * 70, top + 2, colour, left + 22 + int(k) * 70, top + 11, k);
    }
    return svg + "</svg>";
}

std::string archive_svg(const nlohmann::json& last)
{
    const auto& cells = last.value("archive", nlohmann::json::array());
    if (cells.empty())
        return "<p>The archive is empty: no candidate's metrics were measured yet (the cascade measures them once "
               "every gate passes).</p>";
    std::vector<std::string> features = last.value("archive_features", std::vector<std::string> {});
    if (features.size() < 2)
        features = { "feature 1", "feature 2" };
    int bins = std::max(1, last.value("archive_bins", 1));
    int x0 = 1 << 30, x1 = -(1 << 30), y0 = 1 << 30, y1 = -(1 << 30);
    double low = 1e300, high = -1e300;
    for (const auto& cell : cells) {
        int x = cell["cell"][0], y = cell["cell"][1];
        x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        low = std::min(low, cell.value("combined_score", 0.0));
        high = std::max(high, cell.value("combined_score", 0.0));
    }
    // A margin of one empty bin around the cells.
    --x0, ++x1, --y0, ++y1;
    const int columns = x1 - x0 + 1, rows = y1 - y0 + 1;
    const int size = std::clamp(480 / std::max(columns, rows), 8, 48);
    const int left = 90, top = 16, bottom = 56, legend = 70;
    const int width = left + columns * size + legend, height = top + rows * size + bottom;
    auto value_at = [&](int bin) { return std::pow(2.0, double(bin) / bins); }; // a bin's lower edge
    std::string svg = fmt::format("<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' "
                                  "style='background:#111' role='img' aria-label='archive'>",
        width, height);
    for (int c = 0; c < columns; ++c)
        for (int r = 0; r < rows; ++r)
            svg += fmt::format("<rect x='{}' y='{}' width='{}' height='{}' fill='#1d1d1d' stroke='#2a2a2a'/>",
                left + c * size, top + r * size, size, size);
    for (const auto& cell : cells) {
        int x = cell["cell"][0], y = cell["cell"][1];
        double score = cell.value("combined_score", 0.0);
        double t = high - low < 1e-12 ? 1.0 : (score - low) / (high - low);
        // Higher bins of the second feature are drawn higher up, as on a plot.
        int row = y1 - y;
        svg += fmt::format("<rect x='{}' y='{}' width='{}' height='{}' fill='{}' stroke='#000'><title>cell ({}, {}): "
                           "{} {:.0f}-{:.0f}, {} {:.0f}-{:.0f}; elite {} with combined_score {:.4f}, gates {}</title>"
                           "</rect>",
            left + (x - x0) * size, top + row * size, size, size, heat(t), x, y, features[0], value_at(x),
            value_at(x + 1), features[1], value_at(y), value_at(y + 1), id_of(cell), score, cell.value("score", 0));
    }
    // Axes: a label every few bins, each the value at the bin's lower edge.
    int step = std::max(1, 40 / size);
    for (int c = 0; c < columns; c += step)
        svg += fmt::format("<text x='{}' y='{}' fill='#aaa' font-size='10' text-anchor='middle'>{:.0f}</text>",
            left + c * size, top + rows * size + 12, value_at(x0 + c));
    for (int r = 0; r < rows; r += step)
        svg += fmt::format("<text x='{}' y='{}' fill='#aaa' font-size='10' text-anchor='end'>{:.0f}</text>", left - 4,
            top + (r + 1) * size, value_at(y1 - r));
    svg += fmt::format("<text x='{}' y='{}' fill='#ddd' font-size='12' text-anchor='middle'>{} (log scale, {} bins per "
                       "doubling)</text>",
        left + columns * size / 2, height - 18, escape_html(features[0]), bins);
    svg += fmt::format("<text x='14' y='{0}' fill='#ddd' font-size='12' text-anchor='middle' "
                       "transform='rotate(-90 14 {0})'>{1}</text>",
        top + rows * size / 2, escape_html(features[1]));
    // The colour scale.
    int lx = left + columns * size + 20;
    for (int i = 0; i < 10; ++i)
        svg += fmt::format("<rect x='{}' y='{}' width='14' height='{}' fill='{}'/>", lx, top + (9 - i) * 12, 12,
            heat(i / 9.0));
    int digits = label_digits(high - low);
    svg += fmt::format("<text x='{}' y='{}' fill='#aaa' font-size='10'>{:.{}f}</text>", lx + 18, top + 10, high, digits);
    svg += fmt::format("<text x='{}' y='{}' fill='#aaa' font-size='10'>{:.{}f}</text>", lx + 18, top + 120, low, digits);
    svg += fmt::format("<text x='{}' y='{}' fill='#aaa' font-size='10'>combined</text>", lx - 4, top + 136);
    return svg + "</svg>";
}

std::string attempts_table(const std::vector<nlohmann::json>& records,
    const std::function<std::string(const std::string&)>& read)
{
    std::string html = "<table class='attempts'><tr><th>attempt</th><th>island</th><th>parent</th><th>proposer</th>"
                       "<th>gates</th><th>combined</th><th>faults</th><th>metric deltas</th><th>outcome</th>"
                       "<th>reason / note</th></tr>\n";
    for (const auto& record : records) {
        const auto& attempts = record.value("attempts", nlohmann::json::array());
        for (const auto& attempt : attempts) {
            std::string deltas;
            for (const auto& delta : attempt.value("metric_deltas", nlohmann::json::array()))
                if (double d = delta.value("delta", 0.0); d != 0)
                    deltas += fmt::format("{}{} {}", deltas.empty() ? "" : ", ", delta.value("key", ""),
                        signed_number(d, std::abs(d) >= 10 ? 0 : 2));
            std::string outcome = attempt.value("outcome", "");
            std::string css = outcome == "best" ? "best" : outcome == "regression" ? "del" : "";
            std::string reason = attempt.value("reason", "");
            if (!attempt.value("lost", nlohmann::json::array()).empty())
                reason += " [lost: " + write_json(attempt["lost"], JsonLayout::Compact) + "]";
            std::string model = attempt.value("model", "");
            std::string diff = attempt.value("text_diff", "");
            if (diff.empty() && !attempt.value("text_diff_file", "").empty())
                diff = read(attempt.value("text_diff_file", ""));
            std::string rationale = attempt.value("rationale", "");
            // A duplicate was not evaluated again: it has no figures of its own (the reason names the earlier one).
            bool evaluated = outcome != "duplicate";
            std::string gates = evaluated ? fmt::format("{} ({})", attempt.value("score", 0),
                                                signed_number(attempt.value("gate_delta", 0), 0))
                                          : "&mdash;";
            std::string combined = evaluated ? fmt::format("{:.4f} ({})", attempt.value("combined_score", 0.0),
                                                   signed_number(attempt.value("combined_delta", 0.0), 4))
                                             : "&mdash;";
            html += fmt::format("<tr><td>{}.{}</td><td>{}</td><td>{}.{}</td><td>{}{}</td><td>{}</td>"
                                "<td>{}</td><td>{}</td><td>{}</td><td class='{}'>{}</td><td>{}{}{}{}</td></tr>\n",
                attempt.value("generation", 0), attempt.value("candidate", 0), attempt.value("island", 0),
                attempt.value("parent", 0), attempt.value("parent_candidate", 0),
                escape_html(attempt.value("proposer", "")), model.empty() ? "" : " (" + escape_html(model) + ")",
                gates, combined, evaluated ? std::to_string(attempt.value("faults", 0)) : std::string("&mdash;"), escape_html(deltas), css, escape_html(outcome), escape_html(reason),
                reason.empty() ? "" : "<br>", "<small>" + escape_html(attempt.value("note", "")) + "</small>",
                (rationale.empty() ? "" : "<br><i>rationale: " + escape_html(rationale) + "</i>")
                    + (diff.empty() ? "" : "<details><summary>roadmap diff</summary><pre>" + escape_html(diff) + "</pre></details>"));
        }
    }
    return html + "</table>\n";
}

} // namespace pxos
