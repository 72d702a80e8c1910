#include "pxos/loop/generation.hpp"

#include <algorithm>

namespace pxos {

bool better(const Evaluated& a, const Evaluated& b)
{
    if (a.evaluation.score != b.evaluation.score)
        return a.evaluation.score > b.evaluation.score;
    return a.text.size() < b.text.size();
}

std::shared_ptr<const Evaluated> Population::evaluated(const std::string& text) const
{
    auto known = m_evaluated.find(text);
    return known == m_evaluated.end() ? nullptr : known->second;
}

void Population::remember(std::shared_ptr<const Evaluated> evaluated)
{
    std::string text = evaluated->text;
    m_evaluated[text] = std::move(evaluated);
}

void Population::restore_best(int generation, std::shared_ptr<const Evaluated> best)
{
    m_best_generation = generation;
    m_best = best;
    remember(std::move(best));
}

void Population::keep(int generation, std::shared_ptr<const Evaluated> chosen, GenerationRecord& record)
{
    m_seen.insert(chosen->text);
    if (!m_evaluated.count(chosen->text))
        m_evaluated[chosen->text] = chosen;
    record.score = chosen->evaluation.score;
    record.max_score = chosen->evaluation.max_score;
    if (!m_best || better(*chosen, *m_best)) {
        m_best_generation = generation;
        m_best = std::move(chosen);
    }
    record.best_generation = m_best_generation;
    record.best_score = m_best->evaluation.score;
}

Triage triage(const std::vector<std::optional<std::string>>& canonical, const Population& population)
{
    Triage result;
    for (std::size_t i = 0; i < canonical.size(); ++i) {
        if (!canonical[i])
            continue;
        if (auto known = population.evaluated(*canonical[i])) {
            result.known.push_back({ i, std::move(known) }); // a duplicate: not evaluated twice
            continue;
        }
        bool repeated = std::any_of(result.fresh.begin(), result.fresh.end(),
            [&](std::size_t f) { return canonical[f] == canonical[i]; });
        if (repeated)
            continue;
        result.fresh.push_back(i);
    }
    return result;
}

Selection select_proposal(int generation, std::vector<Proposal> proposals, const std::vector<Scored>& scored,
    const Population& population)
{
    Selection selection;
    GenerationRecord& record = selection.record;
    record.generation = generation;
    record.parent = population.best_generation();
    std::vector<Scored> results = scored;
    if (results.empty()) {
        // Every proposal was invalid: carry the best forward, saying so.
        results.push_back({ 0, population.best() });
        proposals[0].note += "; no valid proposal, the best roadmap carries on";
    }
    std::size_t best_index = 0;
    for (std::size_t i = 1; i < results.size(); ++i)
        if (better(*results[i].evaluated, *results[best_index].evaluated))
            best_index = i;
    selection.chosen = results[best_index].evaluated;
    const Evaluated& chosen = *selection.chosen;
    const Proposal& proposal = proposals[results[best_index].proposal];
    record.proposer = population.seen(chosen.text) ? "duplicate" : proposal.proposer;
    record.fallback = proposal.fallback;
    record.model = proposal.model;
    for (const Proposal& p : proposals)
        record.llm_calls += p.llm_calls;
    record.note = proposal.note;
    if (record.proposer == "duplicate")
        record.note += " (same as an earlier generation)";
    if (!chosen.error.empty()) // e.g. an include a proposal may not read: say why it scored 0
        record.note += "; it did not build: " + chosen.error;
    return selection;
}

} // namespace pxos
