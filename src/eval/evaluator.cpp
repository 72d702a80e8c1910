// The evaluation's frame: the groups run in the rubric's order (rubric.cpp),
// each check added from its row and filled in by its function; then the
// score, and the result as JSON or text.
#include "pxos/eval/evaluator.hpp"

#include "base/json_writer.hpp"
#include "eval/evaluation.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

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
            fail(check, *skipped);
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
    return std::move(m_result);
}

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

} // namespace

EvalResult evaluate(const SimulatedVRAM& image, const std::string& image_name, const EvalOptions& options)
{
    Evaluation evaluation(image, image_name, options);
    return evaluation.run();
}

std::string eval_result_to_json(const EvalResult& result)
{
    nlohmann::ordered_json root;
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
        entry["points"] = check.points;
        entry["max_points"] = check.max_points;
        entry["message"] = check.message;
        entry["evidence"] = evidence_json(check.evidence);
        checks.push_back(std::move(entry));
    }
    root["checks"] = std::move(checks);
    if (result.timed_out) // only then: the JSON of an evaluation that finished stays as it was
        root["timed_out"] = true;
    return write_json(root, JsonLayout::Indented) + "\n";
}

std::string eval_result_to_text(const EvalResult& result)
{
    std::string text;
    for (const Check& check : result.checks)
        text += fmt::format("[{}] {:<32} {}/{}  {}\n", check.passed ? "PASS" : "FAIL", check.id, check.points,
            check.max_points, check.message);
    text += fmt::format("score {}/{} ({:.1f}%)\n", result.score, result.max_score, result.score_pct);
    return text;
}

} // namespace pxos
