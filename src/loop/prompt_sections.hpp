// The sections of the loop's prompt, each rendered at a level of detail the
// budget chooses (src/loop/prompt.cpp puts them together and trims them).
// Every function is pure: the same context and level give the same text.
#pragma once

#include "pxos/loop/prompt.hpp"

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace pxos::prompt {

inline constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();

// The roadmap's step names in order ("init_background", ...), read from its
// canonical text's `steps:` list.
std::vector<std::string> step_names(const std::string& roadmap_text);

// The region of a source: its step's (step_region()), or by its parameter
// when the step is not in `steps`.
std::string source_region(const RoadmapSource& source, const std::vector<std::string>& steps);

// Whether a metric row concerns `region` (empty: every row does).
bool metric_in_region(const MetricRow& row, const std::string& region);

std::string task_section(const PromptContext& context, const std::vector<std::string>& steps);
std::string roadmap_section(const PromptContext& context, const std::vector<std::string>& steps);

// A source with line numbers ("  12| text"), its first `lines` lines.
std::string numbered_source(const RoadmapSource& source, std::size_t lines);
std::size_t line_count(const std::string& text);
// What a source's header comment says of it: its first sentence and the
// routines it lists, for a source shown by name only.
std::string source_summary(const RoadmapSource& source);

// The run's figures, with at most `console_lines` lines of the console's head
// and of its tail (kAll: as the evaluation kept them).
std::string run_section(const EvalResult& evaluation, std::size_t console_lines);
std::string metrics_section(const PromptContext& context);
std::string gates_section(const EvalResult& evaluation);
// The last `keep` of `records` (oldest first), under `title`.
std::string records_section(const std::string& title, const std::vector<GenerationRecord>& records,
    std::size_t keep, bool newest_last);

} // namespace pxos::prompt
