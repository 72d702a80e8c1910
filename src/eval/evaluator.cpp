// The evaluation's frame: the groups run in the rubric's order (rubric.cpp),
// each check added from its row and filled in by its function; then the
// score, then the cascade's second stage (the metrics, metrics_measure.cpp).
// The result as JSON or text: eval_report.cpp.
#include "pxos/eval/evaluator.hpp"

#include "eval/evaluation.hpp"


namespace pxos {

const std::vector<std::string>& eval_groups()
{
    static const std::vector<std::string> groups = [] {
        std::vector<std::string> names;
        for (const RubricGroup& group : rubric_groups())
            names.emplace_back(group.name);
        return names;
    }();
    return groups;
}

void Evaluation::run_group(CheckGroup group)
{
    const RubricGroup& info = rubric_group(group);
    std::optional<std::string> skipped = info.scenario ? (this->*info.scenario)() : std::nullopt;
    for (const RubricCheck& row : rubric()) {
        if (row.group != group)
            continue;
        Check check;
        check.id = std::string(row.id);
        check.group = std::string(info.name);
        check.max_points = row.points;
        if (skipped)
            skip(check, *skipped);
        else
            (this->*row.run)(check);
        m_result.checks.push_back(std::move(check));
    }
}

EvalResult Evaluation::run()
{
    m_result.image_name = m_name;
    m_result.checks.reserve(rubric().size());
    if (wanted(CheckGroup::Seed))
        run_group(CheckGroup::Seed);
    // Later groups build on the structure and the boot, even when filtered out.
    if (wanted(CheckGroup::Structure))
        run_group(CheckGroup::Structure);
    else if (auto read = read_header(m_image, m_name))
        m_header = *read;
    if (wanted(CheckGroup::Kernel) || wanted(CheckGroup::Execution) || wanted(CheckGroup::Isolation)) {
        std::size_t before = m_result.checks.size();
        run_group(CheckGroup::Kernel);
        if (!wanted(CheckGroup::Kernel))
            m_result.checks.resize(before);
    }
    if (wanted(CheckGroup::Execution))
        run_group(CheckGroup::Execution);
    if (wanted(CheckGroup::Isolation))
        run_group(CheckGroup::Isolation);
    for (const Check& check : m_result.checks) {
        m_result.score += check.points;
        m_result.max_score += check.max_points;
    }
    m_result.score_pct = m_result.max_score ? 100.0 * m_result.score / m_result.max_score : 0.0;
    fill_run_figures();
    // The cascade: the costly metrics only once every gate passed.
    MetricsResult& metrics = m_result.metrics;
    if (!m_options.metrics)
        metrics.skipped = "metrics off: gates only";
    else if (!m_options.only_group.empty())
        metrics.skipped = fmt::format("--only {}: the metrics need every gate", m_options.only_group);
    else if (m_result.score != m_result.max_score)
        metrics.skipped = fmt::format("gates {}/{}: the metrics are measured once every gate passes",
            m_result.score, m_result.max_score);
    else if (m_deadline.passed()) {
        m_result.timed_out = true;
        metrics.skipped = "the evaluation reached " + m_deadline.cap() + " before the metrics";
    } else
        run_metrics();
    if (!metrics.measured)
        for (const MetricRow& row : metric_table())
            metrics.values.push_back({ std::string(row.key), false, 0, 0, metrics.skipped });
    return std::move(m_result);
}

EvalResult evaluate(const SimulatedVRAM& image, const std::string& image_name, const EvalOptions& options)
{
    Evaluation evaluation(image, image_name, options);
    return evaluation.run();
}

} // namespace pxos
