// `pxos eval IMAGE.png [OUT.json] [--json] [--min-score N|N%] [--only GROUP] [--baseline IMAGE]`,
// `pxos eval --markdown`
#include "commands.hpp"
#include "std_streams.hpp"
#include "terminal.hpp"

#include "pxos/eval/evaluator.hpp"
#include "pxos/eval/metrics.hpp"
#include "pxos/eval/rubric.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>

namespace pxos::cli {

namespace {

struct Threshold {
    double value = 0;
    bool percent = false;
};

Result<Threshold> parse_threshold(std::string text)
{
    Threshold threshold;
    if (!text.empty() && text.back() == '%') {
        threshold.percent = true;
        text.pop_back();
    }
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), threshold.value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || threshold.value < 0)
        return Error::usage(fmt::format("--min-score '{}' must be a number of points or a percentage such as 90%", text));
    return threshold;
}

// The most points the evaluation can give: the rubric's, or its group's with --only.
int rubric_max_score(const std::string& only_group)
{
    int points = 0;
    for (const RubricCheck& row : rubric())
        if (only_group.empty() || rubric_group(row.group).name == only_group)
            points += row.points;
    return points;
}

// A threshold no evaluation can reach is a mistake on the command line.
Result<void> check_reachable(const Threshold& threshold, const std::string& text, const std::string& only_group)
{
    if (threshold.percent && threshold.value > 100)
        return Error::usage(fmt::format("--min-score {} is over 100%", text));
    int max_score = rubric_max_score(only_group);
    if (!threshold.percent && threshold.value > max_score)
        return Error::usage(fmt::format("--min-score {} is over the maximum score, {}{}", text, max_score,
            only_group.empty() ? "" : " (--only " + only_group + ")"));
    return {};
}

} // namespace

int run_eval_command(const EvalCommandOptions& options)
{
    if (options.markdown) {
        std::fputs((rubric_markdown() + "\n" + metrics_markdown()).c_str(), stdout);
        return 0;
    }
    std::optional<Threshold> threshold;
    if (!options.min_score.empty()) {
        auto parsed = parse_threshold(options.min_score);
        if (!parsed)
            return report_error(parsed.error());
        threshold = *parsed;
    }
    if (!options.only_group.empty()) {
        const auto& groups = eval_groups();
        if (std::find(groups.begin(), groups.end(), options.only_group) == groups.end())
            return report_error(Error::usage(fmt::format("--only '{}' is not a group (groups: {})", options.only_group,
                fmt::join(groups, ", "))));
    }
    if (threshold)
        if (auto reachable = check_reachable(*threshold, options.min_score, options.only_group); !reachable)
            return report_error(reachable.error());
    std::vector<std::string> inputs { options.image_path };
    if (!options.baseline_path.empty())
        inputs.push_back(options.baseline_path);
    if (!options.output_path.empty())
        if (auto checked = check_output_target(options.output_path, inputs, OutputKind::Text); !checked)
            return report_error(checked.error());

    auto image = load_png(host_files(), options.image_path, PngLimits::from_caps(options.caps));
    if (!image)
        return report_error(image.error());
    EvalOptions eval_options;
    eval_options.max_steps = options.caps.get(Cap::StepBudget);
    eval_options.max_seconds = options.caps.get(Cap::EvalSeconds);
    eval_options.only_group = options.only_group;
    ThreadExecutor executor;
    eval_options.executor = &executor;
    EvalResult result = evaluate(*image, options.image_path, eval_options);
    std::optional<EvalResult> baseline;
    if (!options.baseline_path.empty()) {
        auto other = load_png(host_files(), options.baseline_path, PngLimits::from_caps(options.caps));
        if (!other)
            return report_error(other.error());
        baseline = evaluate(*other, options.baseline_path, eval_options);
    }
    const EvalResult* compared = baseline ? &*baseline : nullptr;

    if (result.timed_out)
        std::fprintf(stderr, "pxos eval: %s: stopped: the evaluation reached %s; the checks still running failed\n",
            options.image_path.c_str(), cap_text(Cap::EvalSeconds, eval_options.max_seconds).c_str());
    std::string json = eval_result_to_json(result, compared);
    // OUTPUT `-` is the JSON on stdout (once): the summary then goes to stderr.
    const bool json_to_stdout = is_std_stream(options.output_path);
    if (options.json && !json_to_stdout)
        std::fputs(json.c_str(), stdout);
    else if (!options.json && !json_to_stdout)
        print_report(eval_result_to_text(result, compared));
    else if (!options.json)
        std::fputs(escape_for_terminal(eval_result_to_text(result, compared), TerminalLayout::KeepLines).c_str(), stderr);
    if (!options.output_path.empty()) {
        StagedOutputs outputs(host_files(), inputs);
        if (auto written = outputs.write(options.output_path, json); !written)
            return report_error(written.error());
        if (auto committed = outputs.commit(); !committed)
            return report_error(committed.error());
    }
    if (threshold) {
        double achieved = threshold->percent ? result.score_pct : double(result.score);
        if (achieved < threshold->value) {
            std::fprintf(stderr, "pxos eval: score %d/%d (%.1f%%) is below --min-score %s\n", result.score,
                result.max_score, result.score_pct, options.min_score.c_str());
            return 1;
        }
    }
    return 0;
}

} // namespace pxos::cli
