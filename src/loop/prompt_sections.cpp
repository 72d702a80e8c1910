#include "prompt_sections.hpp"

#include "pxos/eval/rubric.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace pxos::prompt {

namespace {

constexpr std::size_t kNoteBytes = 240; // of an attempt's note, reason or rationale

std::string clipped(const std::string& text)
{
    std::string line = text.substr(0, text.find('\n'));
    return line.size() > kNoteBytes ? line.substr(0, kNoteBytes - 3) + "..." : line;
}

// A number as a person reads it: integers without a fraction, others to 4
// significant digits (the same double always gives the same text).
std::string number(double value)
{
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15)
        return fmt::format("{}", std::int64_t(value));
    return fmt::format("{:.4g}", value);
}

std::string signed_number(double value)
{
    return (value > 0 ? "+" : "") + number(value);
}

const MetricValue* find_value(const EvalResult* evaluation, std::string_view key)
{
    if (!evaluation)
        return nullptr;
    for (const MetricValue& value : evaluation->metrics.values)
        if (value.key == key)
            return &value;
    return nullptr;
}

} // namespace

std::vector<std::string> step_names(const std::string& roadmap_text)
{
    std::vector<std::string> names;
    bool in_steps = false;
    std::size_t indent = std::string::npos;
    for (std::string_view line : split_lines(roadmap_text)) {
        std::size_t first = line.find_first_not_of(' ');
        if (first == std::string_view::npos || line[first] == '#')
            continue;
        if (!in_steps) {
            in_steps = line == "steps:";
            continue;
        }
        if (first == 0 && line[0] != '-')
            break; // the next top-level key
        if (line.substr(first, 2) != "- " || (indent != std::string::npos && first != indent))
            continue;
        indent = first;
        std::string_view item = line.substr(first + 2);
        if (item.substr(0, 6) == "step: ")
            item.remove_prefix(6);
        std::size_t end = item.find_first_of(" #{");
        names.emplace_back(item.substr(0, end));
    }
    return names;
}

std::string source_region(const RoadmapSource& source, const std::vector<std::string>& steps)
{
    if (source.step >= 1 && std::size_t(source.step) <= steps.size())
        return step_region(steps[std::size_t(source.step - 1)]);
    return source.param.rfind("kernel", 0) == 0 ? "kernel" : "programs";
}

bool metric_in_region(const MetricRow& row, const std::string& region)
{
    return region.empty() || row.region == OsRegion::Any || os_region_name(row.region) == region;
}

std::string task_section(const PromptContext& context, const std::vector<std::string>& steps)
{
    const EvalResult& evaluation = *context.evaluation;
    std::string text = fmt::format(
        "## Task\nYou are improving pxOS, an operating system that lives in the pixels of an image. A roadmap (YAML) "
        "lists the build steps that paint the image; the kernel and the programs are pxasm sources the steps "
        "assemble (shown below with line numbers). The evaluator boots and runs the image. First the gates: {} "
        "points of rubric checks, which must all pass. With the gates full, candidates rank by combined_score: the "
        "weighted mean of the metrics' ratios to the default OS (1.0 is the default OS; higher is better, with no "
        "ceiling), then by fewer faults; a candidate that loses a capability its parent had (a usertest, a "
        "scenario, a probe) is a regression and never wins. This is generation {}; the parent below scores {}/{}",
        evaluation.max_score, context.generation, evaluation.score, evaluation.max_score);
    if (evaluation.metrics.measured)
        text += fmt::format(", combined_score {:.4f}", evaluation.metrics.combined_score);
    text += ".\n";
    if (evaluation.score < evaluation.max_score) {
        text += "Now: make the failing gates pass (## Gates says what each needs).\n";
    } else {
        // The weakest metrics of the region: where a change pays most.
        std::vector<std::pair<double, std::string_view>> weakest;
        for (const MetricRow& row : metric_table())
            if (const MetricValue* value = find_value(&evaluation, row.key);
                value && value->measured && metric_in_region(row, context.region))
                weakest.emplace_back(value->ratio, row.key);
        std::stable_sort(weakest.begin(), weakest.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
        text += "Now: raise combined_score without losing a gate or a capability";
        for (std::size_t i = 0; i < weakest.size() && i < 3; ++i)
            text += fmt::format("{}{} (ratio {:.3f})", i ? ", " : "; the weakest metrics: ", weakest[i].second,
                weakest[i].first);
        text += ".\n";
    }
    if (!context.region.empty()) {
        std::string mine;
        for (std::size_t i = 0; i < steps.size(); ++i)
            if (step_region(steps[i]) == context.region)
                mine += fmt::format("{}{} ({})", mine.empty() ? "" : ", ", i + 1, steps[i]);
        text += fmt::format("You are the agent of the {} region: you may change only its steps ({}) and their "
                            "sources; you are shown only its sources and metrics.\n",
            context.region, mine.empty() ? "none yet" : mine);
    }
    return text + "\n";
}

std::string roadmap_section(const PromptContext& context, const std::vector<std::string>& steps)
{
    std::string text = "## The parent roadmap (steps numbered as edits number them)\n```yaml\n";
    bool in_steps = false;
    std::size_t step = 0;
    std::size_t indent = std::string::npos;
    std::size_t elided_indent = std::string::npos; // within an inline source's block scalar
    for (std::string_view line : split_lines(context.roadmap_text)) {
        std::string out(line);
        std::size_t first = line.find_first_not_of(' ');
        if (elided_indent != std::string::npos) {
            if (first == std::string_view::npos || first > elided_indent)
                continue;
            elided_indent = std::string::npos;
        }
        // An inline source (a patched file is inlined) is shown once, with
        // line numbers, under Sources: here only its place.
        if (in_steps && first != std::string_view::npos) {
            std::string_view key = line.substr(first, line.find(':', first) - first);
            if ((key == "kernel_source" || key == "program_source") && line.find(':', first) != std::string_view::npos) {
                text += fmt::format("{}{}: ...   # elided: the source \"step {}: {}\" under Sources\n",
                    std::string(first, ' '), key, step, key);
                std::string_view value = line.substr(line.find(':', first) + 1);
                std::size_t start = value.find_first_not_of(' ');
                if (start != std::string_view::npos && (value[start] == '|' || value[start] == '>'))
                    elided_indent = first;
                continue;
            }
        }
        if (!in_steps) {
            in_steps = line == "steps:";
        } else if (first != std::string_view::npos && line[first] != '#') {
            if (first == 0 && line[0] != '-')
                in_steps = false;
            else if (line.substr(first, 2) == "- " && (indent == std::string::npos || first == indent)) {
                indent = first;
                ++step;
                out += fmt::format("   # step {}", step);
                if (!context.region.empty() && step <= steps.size() && step_region(steps[step - 1]) == context.region)
                    out += fmt::format(" ({}: yours)", context.region);
            }
        }
        text += out + "\n";
    }
    return text + "```\n\n";
}

std::size_t line_count(const std::string& text)
{
    return split_lines(text).size();
}

std::string numbered_source(const RoadmapSource& source, std::size_t lines)
{
    std::vector<std::string_view> all = split_lines(source.text);
    std::size_t width = fmt::format("{}", all.size()).size();
    std::string text;
    for (std::size_t i = 0; i < all.size() && i < lines; ++i)
        text += fmt::format("{:>{}}| {}\n", i + 1, width, all[i]);
    return text;
}

std::string source_summary(const RoadmapSource& source)
{
    std::string sentence;
    std::vector<std::string> routines;
    for (std::string_view line : split_lines(source.text)) {
        if (line.empty() || line[0] != ';')
            break; // the header comment ends
        line.remove_prefix(1);
        std::size_t first = line.find_first_not_of(' ');
        if (first == std::string_view::npos)
            continue;
        // A routine the header offers: an indented name, then two spaces or the line's end.
        std::string_view rest = line.substr(first);
        std::size_t name_end = rest.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_");
        if (first >= 2 && first <= 4 && name_end > 0 && name_end != 0
            && (name_end == std::string_view::npos || rest.substr(name_end, 2) == "  "))
            routines.emplace_back(rest.substr(0, name_end));
        else if (sentence.find(". ") == std::string::npos && sentence.size() < 160 && first <= 1)
            sentence += (sentence.empty() ? "" : " ") + std::string(rest);
    }
    if (!routines.empty()) {
        // What the file offers other files is what a model looks for in it.
        std::string text = "routines ";
        for (std::size_t i = 0; i < routines.size() && i < 12; ++i)
            text += (i ? ", " : "") + routines[i];
        return text + (routines.size() > 12 ? ", ..." : "");
    }
    if (std::size_t stop = sentence.find(". "); stop != std::string::npos)
        sentence.resize(stop + 1);
    if (sentence.size() > 80)
        sentence = sentence.substr(0, 77) + "...";
    return sentence;
}

std::string run_section(const EvalResult& evaluation, std::size_t console_lines)
{
    const RunFigures& run = evaluation.run;
    std::string text = "## The parent's run\n";
    if (!run.ran)
        return text + "It did not run (## Gates says why).\n\n";
    text += fmt::format("{} steps, {} system calls, {} faults, {}.\n", run.steps, run.syscalls, run.faults,
        run.halt_code < 0 ? std::string("did not halt") : fmt::format("halted with {}", run.halt_code));
    auto excerpt = [&](const std::string& console, bool head) {
        std::vector<std::string_view> lines = split_lines(console);
        std::size_t keep = std::min(lines.size(), console_lines);
        std::size_t from = head ? 0 : lines.size() - keep;
        std::string shown;
        for (std::size_t i = from; i < from + keep; ++i)
            shown += std::string(lines[i]) + "\n";
        return std::make_pair(shown, lines.size() - keep);
    };
    auto [head, head_left] = excerpt(run.console_head, true);
    auto [tail, tail_left] = excerpt(run.console_tail, false);
    if (!head.empty())
        text += fmt::format("Console, first lines{}:\n```\n{}```\n",
            head_left ? fmt::format(" ({} more left out)", head_left) : "", head);
    if (!tail.empty())
        text += fmt::format("Console, last lines{}:\n```\n{}```\n",
            tail_left ? fmt::format(" ({} earlier left out)", tail_left) : "", tail);
    if (head.empty() && tail.empty() && (head_left || tail_left))
        text += fmt::format("Console: its {} lines are left out.\n", head_left + tail_left);
    if (!run.processes.empty()) {
        text += "| pid | name | state | steps | system calls |\n|---|---|---|---|---|\n";
        for (const ProcessFigures& process : run.processes)
            text += fmt::format("| {} | {} | {} | {} | {} |\n", process.pid, process.name, process.state, process.steps,
                process.syscalls);
    }
    return text + "\n";
}

std::string metrics_section(const PromptContext& context)
{
    const MetricsResult& metrics = context.evaluation->metrics;
    std::string text = "## Metrics (measured once every gate passes; combined_score = sum(weight * ratio) / "
                       "sum(weight), ratio > 1 is better than the default OS)\n";
    if (!metrics.measured)
        text += fmt::format("Not measured for the parent: {}.\n", metrics.skipped.empty() ? "no reason given"
                                                                                          : metrics.skipped);
    else
        text += fmt::format("combined_score {:.4f}\n", metrics.combined_score);
    bool deltas = !context.parent_deltas.empty();
    text += deltas ? "| metric | value | ratio | vs its parent | better | weight | rewards |\n|---|---|---|---|---|---|---|\n"
                   : "| metric | value | ratio | better | weight | rewards |\n|---|---|---|---|---|---|\n";
    for (const MetricRow& row : metric_table()) {
        if (!metric_in_region(row, context.region))
            continue;
        const MetricValue* value = find_value(context.evaluation, row.key);
        bool measured = value && value->measured;
        std::string shown = measured ? fmt::format("{} {}", number(value->value), row.unit) : "-";
        std::string ratio = measured ? fmt::format("{:.3f}", value->ratio) : "-";
        std::string direction = row.direction == MetricDirection::Higher ? "higher" : "lower";
        if (deltas) {
            auto found = std::find_if(context.parent_deltas.begin(), context.parent_deltas.end(),
                [&](const MetricDelta& delta) { return delta.key == row.key; });
            std::string delta = found == context.parent_deltas.end() ? "-" : signed_number(found->delta);
            text += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", row.key, shown, ratio, delta, direction,
                number(row.weight), row.rewards);
        } else {
            text += fmt::format("| {} | {} | {} | {} | {} | {} |\n", row.key, shown, ratio, direction,
                number(row.weight), row.rewards);
        }
    }
    return text + "\n";
}

std::string gates_section(const EvalResult& evaluation)
{
    std::string text = fmt::format("## Gates: {}/{}\n", evaluation.score, evaluation.max_score);
    std::size_t failing = 0;
    for (const Check& check : evaluation.checks) {
        if (check.passed)
            continue;
        ++failing;
        text += fmt::format("- {} ({} points) fails: {}", check.id, check.max_points, check.message);
        if (const RubricCheck* row = find_rubric_check(check.id)) {
            text += fmt::format(" Passes when {}.", rubric_check_text(*row));
            if (!row->repair.step.empty())
                text += fmt::format(" Repair: step {}{}.", row->repair.step,
                    row->repair.program.empty() ? std::string() : fmt::format(" with {}", row->repair.program));
        }
        text += "\n";
    }
    if (!failing)
        text += fmt::format("Every one of the {} checks passes.\n", evaluation.checks.size());
    if (evaluation.timed_out)
        text += "The evaluation reached its time cap: the checks still running failed.\n";
    return text + "\n";
}

std::string records_section(const std::string& title, const std::vector<GenerationRecord>& records,
    std::size_t keep, bool newest_last)
{
    if (records.empty() || keep == 0)
        return {};
    std::size_t shown = std::min(keep, records.size());
    std::size_t first = newest_last ? records.size() - shown : 0;
    std::string text = fmt::format("## {}", title);
    if (shown < records.size())
        text += fmt::format(" ({} of {}; the others are left out)", shown, records.size());
    text += "\n";
    for (std::size_t i = first; i < first + shown; ++i) {
        const GenerationRecord& record = records[i];
        std::string who = record.model.empty() ? record.proposer : record.proposer + " " + record.model;
        if (record.fallback)
            who += ", after the LLM failed";
        std::string line = fmt::format("- generation {} candidate {} (island {}, from generation {} candidate {}, {}): "
                                       "gates {}/{}",
            record.generation, record.candidate, record.island, record.parent, record.parent_candidate, who,
            record.score, record.max_score);
        if (record.combined_score > 0)
            line += fmt::format(", combined_score {:.4f} ({:+.4f})", record.combined_score, record.combined_delta);
        std::string outcome = record.outcome.empty()
            ? (record.best_generation == record.generation ? std::string("best")
                                                            : fmt::format("lost to generation {}", record.best_generation))
            : record.outcome;
        line += fmt::format("; {}", outcome);
        if (!record.reason.empty())
            line += ": " + clipped(record.reason);
        line += ".";
        if (!record.rationale.empty())
            line += " Rationale: " + clipped(record.rationale);
        else if (!record.note.empty())
            line += " " + clipped(record.note);
        text += line + "\n";
    }
    return text + "\n";
}

} // namespace pxos::prompt
