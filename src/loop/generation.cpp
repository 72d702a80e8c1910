#include "pxos/loop/generation.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace pxos {

bool better(const Evaluated& a, const Evaluated& b)
{
    if (a.evaluation.score != b.evaluation.score)
        return a.evaluation.score > b.evaluation.score;
    double ca = a.evaluation.metrics.combined_score, cb = b.evaluation.metrics.combined_score;
    if (ca != cb)
        return ca > cb;
    if (a.evaluation.run.faults != b.evaluation.run.faults)
        return a.evaluation.run.faults < b.evaluation.run.faults;
    return a.id < b.id;
}

std::vector<std::string> lost_capabilities(const EvalResult& before, const EvalResult& after)
{
    if (!after.metrics.measured)
        return {};
    std::set<std::string> kept(after.metrics.capabilities.begin(), after.metrics.capabilities.end());
    std::set<std::string> lost;
    for (const std::string& capability : before.metrics.capabilities)
        if (!kept.count(capability))
            lost.insert(capability);
    return { lost.begin(), lost.end() };
}

std::string text_hash(std::string_view canonical)
{
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : canonical) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return fmt::format("{:016x}", hash);
}

GenerationRecord attempt_record(int generation, std::size_t index, const Proposal& proposal)
{
    GenerationRecord attempt;
    attempt.generation = generation;
    attempt.candidate = int(index) + 1;
    attempt.parent = proposal.parent;
    attempt.parent_candidate = proposal.parent_candidate;
    attempt.island = proposal.island;
    attempt.proposer = proposal.proposer;
    attempt.fallback = proposal.fallback;
    attempt.llm_calls = proposal.llm_calls;
    attempt.note = proposal.note;
    attempt.model = proposal.model;
    attempt.rationale = proposal.rationale;
    return attempt;
}

void score_attempt(GenerationRecord& attempt, const Evaluated& candidate, const Evaluated& parent)
{
    const EvalResult& child = candidate.evaluation;
    const EvalResult& from = parent.evaluation;
    attempt.score = child.score;
    attempt.max_score = child.max_score;
    attempt.combined_score = child.metrics.combined_score;
    attempt.faults = int(std::min<std::uint64_t>(child.run.faults, 1u << 30));
    attempt.gate_delta = child.score - from.score;
    attempt.combined_delta = child.metrics.combined_score - from.metrics.combined_score;
    attempt.metric_deltas.clear();
    for (const MetricValue& value : child.metrics.values) {
        if (!value.measured)
            continue;
        for (const MetricValue& before : from.metrics.values)
            if (before.key == value.key && before.measured)
                attempt.metric_deltas.push_back({ value.key, value.value, value.value - before.value });
    }
    attempt.lost = lost_capabilities(from, child);
    attempt.regression = !attempt.lost.empty();
    attempt.text_hash = text_hash(candidate.text);
    if (!candidate.error.empty()) // e.g. an include a proposal may not read: say why it scored 0
        attempt.note += "; it did not build: " + candidate.error;
}

std::string attempt_file_text(const GenerationRecord& attempt, const std::string& folder, const std::string& text)
{
    return fmt::format("# pxos loop generation {} candidate {} (island {}, parent generation {} candidate {}): score "
                       "{}/{}, proposer {}\n# files named here resolve relative to {}\n",
               attempt.generation, attempt.candidate, attempt.island, attempt.parent, attempt.parent_candidate,
               attempt.score, attempt.max_score, attempt.proposer, folder)
        + text;
}

std::optional<std::size_t> choose_attempt(const std::vector<std::shared_ptr<const Evaluated>>& fresh,
    const std::vector<bool>& regression)
{
    std::optional<std::size_t> chosen;
    for (std::size_t f = 0; f < fresh.size(); ++f) {
        bool kept = !regression[f];
        if (!chosen || (kept && regression[*chosen]) || (kept == !regression[*chosen] && better(*fresh[f], *fresh[*chosen])))
            chosen = f;
    }
    return chosen;
}

GenerationRecord carried_on(GenerationRecord record, const Evaluated& best)
{
    record.candidate = 0;
    record.parent = best.id.generation;
    record.parent_candidate = best.id.candidate;
    record.proposer = "duplicate";
    record.score = best.evaluation.score;
    record.max_score = best.evaluation.max_score;
    record.combined_score = best.evaluation.metrics.combined_score;
    record.faults = int(std::min<std::uint64_t>(best.evaluation.run.faults, 1u << 30));
    record.gate_delta = 0;
    record.combined_delta = 0;
    record.metric_deltas.clear();
    record.regression = false;
    record.lost.clear();
    record.outcome = "carried on";
    record.reason = "no valid new proposal";
    record.note += "; no valid proposal, the best roadmap carries on (same as an earlier generation)";
    return record;
}

} // namespace pxos
