// report.html's pictures and tables of the population, from loop.jsonl's
// lines: the best of each island per generation (an SVG line chart), the
// MAP-Elites archive (an SVG heat map of its cells' combined_score, the
// axes labelled by the two feature metrics), and every attempt with its
// deltas and the reason it lost.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

std::string escape_html(std::string_view text);

std::string island_curves_svg(const std::vector<nlohmann::json>& records);
std::string archive_svg(const nlohmann::json& last_record);
// `read` gives a file of the out-dir by its relative name (empty when missing).
std::string attempts_table(const std::vector<nlohmann::json>& records,
    const std::function<std::string(const std::string&)>& read);

} // namespace pxos
