// An evaluation's result as JSON and as text: the gates (the rubric's
// checks, under the seed's keys as they always were), then the metrics of
// the cascade's second stage, with their deltas against a --baseline
// image's evaluation when one is given.
#include "pxos/eval/evaluator.hpp"

#include "base/json_writer.hpp"

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pxos {

namespace {

nlohmann::ordered_json evidence_json(const std::vector<Evidence>& evidence)
{
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const Evidence& item : evidence) {
        if (auto* integer = std::get_if<std::int64_t>(&item.value))
            object[item.key] = *integer;
        else if (auto* text = std::get_if<std::string>(&item.value))
            object[item.key] = *text;
        else
            object[item.key] = std::get<std::vector<std::int64_t>>(item.value);
    }
    return object;
}

// A whole number as an integer, anything else rounded to 6 decimals: the
// same value always gives the same text.
nlohmann::ordered_json number(double value)
{
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15)
        return std::int64_t(value);
    if (!std::isfinite(value))
        return 0;
    return std::round(value * 1e6) / 1e6;
}

const MetricValue* find_value(const MetricsResult& metrics, std::string_view key)
{
    for (const MetricValue& value : metrics.values)
        if (value.key == key)
            return &value;
    return nullptr;
}

// The value's change against the baseline image's, when both were measured.
std::optional<double> delta_of(const MetricValue& value, const EvalResult* baseline)
{
    if (!baseline || !value.measured)
        return std::nullopt;
    const MetricValue* other = find_value(baseline->metrics, value.key);
    if (!other || !other->measured)
        return std::nullopt;
    return value.value - other->value;
}

std::string_view direction_name(MetricDirection direction)
{
    return direction == MetricDirection::Higher ? "higher" : "lower";
}

// 123 or 123.5: what the text table shows of a value.
std::string short_number(double value)
{
    if (value == std::floor(value) && std::fabs(value) < 9.0e15)
        return fmt::format("{}", std::int64_t(value));
    return fmt::format("{:.2f}", value);
}

nlohmann::ordered_json metrics_json(const EvalResult& result, const EvalResult* baseline)
{
    const MetricsResult& metrics = result.metrics;
    nlohmann::ordered_json root;
    root["measured"] = metrics.measured;
    root["skipped"] = metrics.skipped;
    root["combined_score"] = number(metrics.combined_score);
    nlohmann::ordered_json values = nlohmann::ordered_json::array();
    for (const MetricRow& row : metric_table()) {
        const MetricValue* value = find_value(metrics, row.key);
        nlohmann::ordered_json entry;
        entry["key"] = row.key;
        entry["value"] = value && value->measured ? number(value->value) : nlohmann::ordered_json(nullptr);
        entry["unit"] = row.unit;
        entry["direction"] = direction_name(row.direction);
        entry["weight"] = number(row.weight);
        entry["ratio"] = number(value ? value->ratio : 0.0);
        entry["baseline"] = number(row.baseline);
        entry["message"] = value ? value->message : std::string();
        if (baseline) {
            std::optional<double> delta = value ? delta_of(*value, baseline) : std::nullopt;
            entry["delta"] = delta ? number(*delta) : nlohmann::ordered_json(nullptr);
        }
        values.push_back(std::move(entry));
    }
    root["values"] = std::move(values);
    root["capabilities"] = metrics.capabilities;
    if (baseline) {
        nlohmann::ordered_json compared;
        compared["image"] = baseline->image_name;
        compared["combined_score"] = number(baseline->metrics.combined_score);
        compared["delta"] = number(metrics.combined_score - baseline->metrics.combined_score);
        root["compared_to"] = std::move(compared);
    }
    return root;
}

} // namespace

std::string eval_result_to_json(const EvalResult& result, const EvalResult* baseline)
{
    nlohmann::ordered_json root;
    root["schema"] = 1;
    root["metadata_initialized"] = result.seed.metadata_initialized;
    root["opcode_palette_unique_colors"] = result.seed.opcode_palette_unique_colors;
    root["opcode_palette_sufficient"] = result.seed.opcode_palette_sufficient;
    root["hello_program_pixels"] = result.seed.hello_program_pixels;
    root["hello_program_exists"] = result.seed.hello_program_exists;
    root["regions_checked"] = result.seed.regions_checked;
    root["regions_ok"] = result.seed.regions_ok;
    root["all_regions_ok"] = result.seed.all_regions_ok;
    root["score"] = result.score;
    root["max_score"] = result.max_score;
    root["score_pct"] = std::round(result.score_pct * 100.0) / 100.0;
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const Check& check : result.checks) {
        nlohmann::ordered_json entry;
        entry["id"] = check.id;
        entry["group"] = check.group;
        entry["passed"] = check.passed;
        if (check.skipped) // only then, as timed_out
            entry["skipped"] = true;
        entry["points"] = check.points;
        entry["max_points"] = check.max_points;
        entry["message"] = check.message;
        entry["evidence"] = evidence_json(check.evidence);
        checks.push_back(std::move(entry));
    }
    root["checks"] = std::move(checks);
    if (result.timed_out) // only then: the JSON of an evaluation that finished has no such key
        root["timed_out"] = true;
    nlohmann::ordered_json gates;
    gates["score"] = result.score;
    gates["max_score"] = result.max_score;
    gates["passed"] = result.max_score > 0 && result.score == result.max_score;
    root["gates"] = std::move(gates);
    root["metrics"] = metrics_json(result, baseline);
    return write_json(root, JsonLayout::Indented) + "\n";
}

std::string eval_result_to_text(const EvalResult& result, const EvalResult* baseline)
{
    std::string text;
    for (const Check& check : result.checks)
        text += fmt::format("[{}] {:<32} {}/{}  {}\n", check.passed ? "PASS" : check.skipped ? "SKIP" : "FAIL", check.id, check.points,
            check.max_points, check.message);
    text += fmt::format("score {}/{} ({:.1f}%)\n", result.score, result.max_score, result.score_pct);
    const MetricsResult& metrics = result.metrics;
    if (!metrics.measured) {
        text += fmt::format("metrics skipped: {}\n", metrics.skipped);
        return text;
    }
    text += fmt::format("\n{:<20} {:>12} {:<14} {:>7}{}\n", "metric", "value", "unit", "ratio",
        baseline ? fmt::format(" {:>12}", "delta") : std::string());
    for (const MetricRow& row : metric_table()) {
        const MetricValue* value = find_value(metrics, row.key);
        if (!value)
            continue;
        std::string delta;
        if (baseline) {
            std::optional<double> change = delta_of(*value, baseline);
            delta = fmt::format(" {:>12}", change ? (*change > 0 ? "+" : "") + short_number(*change) : "-");
        }
        text += fmt::format("{:<20} {:>12} {:<14} {:>7.3f}{}", row.key,
            value->measured ? short_number(value->value) : "-", row.unit, value->ratio, delta);
        text += value->measured ? "\n" : fmt::format("  {}\n", value->message);
    }
    text += fmt::format("combined_score {:.3f}", metrics.combined_score);
    if (baseline)
        text += fmt::format(" ({:+.3f} against {})", metrics.combined_score - baseline->metrics.combined_score,
            baseline->image_name);
    return text + "\n";
}

} // namespace pxos
