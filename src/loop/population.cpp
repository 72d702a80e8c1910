#include "pxos/loop/population.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace pxos {

namespace {

// splitmix64: one well-mixed number per (seed, generation, proposal).
std::uint64_t mix(std::uint64_t seed, std::uint64_t generation, std::uint64_t index)
{
    std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + generation * 0xBF58476D1CE4E5B9ull + index * 0x94D049BB133111EBull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::string ranking(const Evaluated& e)
{
    return fmt::format("gates {}/{}, combined_score {:.4f}, {}", e.evaluation.score, e.evaluation.max_score,
        e.evaluation.metrics.combined_score, plural(long(e.evaluation.run.faults), "fault"));
}

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& name : names)
        out += (out.empty() ? "" : ", ") + name;
    return out;
}

} // namespace

std::string candidate_name(CandidateId id)
{
    return fmt::format("generation {} candidate {}", id.generation, id.candidate);
}

Population::Population(PopulationOptions options)
    : m_options(std::move(options))
{
    m_options.islands = std::max(1, m_options.islands);
}

void Population::start(const Elite& given)
{
    m_islands.assign(std::size_t(m_options.islands), given);
    m_best = given;
    if (auto cell = cell_of(given.evaluated->evaluation))
        m_archive[*cell] = given;
    mark_known(text_hash(given.evaluated->text), given.id());
}

std::vector<ParentChoice> Population::choose_parents(int generation, int per_island) const
{
    std::vector<const Elite*> elites;
    for (const auto& [cell, elite] : m_archive)
        elites.push_back(&elite);
    std::vector<ParentChoice> parents;
    for (int island = 0; island < m_options.islands; ++island)
        for (int c = 0; c < std::max(1, per_island); ++c) {
            std::uint64_t roll = mix(m_options.seed, std::uint64_t(generation),
                std::uint64_t(island) * std::uint64_t(per_island) + std::uint64_t(c));
            ParentChoice choice;
            choice.island = island;
            choice.parent = m_islands[std::size_t(island)];
            if (!elites.empty() && roll % 4 == 0) {
                const Elite& elite = *elites[(roll >> 8) % elites.size()];
                choice.from_archive = elite.id() != choice.parent.id();
                choice.parent = elite;
            }
            parents.push_back(std::move(choice));
        }
    return parents;
}

std::optional<CandidateId> Population::known(const std::string& hash) const
{
    auto found = m_known.find(hash);
    if (found == m_known.end())
        return std::nullopt;
    return found->second;
}

void Population::mark_known(const std::string& hash, CandidateId id)
{
    m_known.emplace(hash, id);
}

bool Population::beats(const Evaluated& candidate, const Elite& incumbent, std::string* why) const
{
    const Evaluated& other = *incumbent.evaluated;
    if (!better(candidate, other)) {
        if (why)
            *why = fmt::format("{} ranks higher ({} against {})", candidate_name(other.id), ranking(other),
                ranking(candidate));
        return false;
    }
    std::vector<std::string> lacks = lost_capabilities(other.evaluation, candidate.evaluation);
    if (!lacks.empty()) {
        if (why)
            *why = fmt::format("it ranks above {} but cannot do what that one can: {}", candidate_name(other.id),
                joined(lacks));
        return false;
    }
    return true;
}

void Population::admit(std::shared_ptr<const Evaluated> candidate, GenerationRecord& record)
{
    std::optional<Cell> cell = cell_of(candidate->evaluation);
    record.has_cell = cell.has_value();
    if (cell) {
        record.cell_x = cell->x;
        record.cell_y = cell->y;
    }
    if (record.regression) {
        record.outcome = "regression";
        record.reason = "it lost what its parent could do: " + joined(record.lost);
        return;
    }
    std::size_t island = std::size_t(std::clamp(record.island, 0, m_options.islands - 1));
    std::string why;
    bool island_best = beats(*candidate, m_islands[island], &why);
    bool elite = false;
    if (cell) {
        auto incumbent = m_archive.find(*cell);
        elite = incumbent == m_archive.end() || beats(*candidate, incumbent->second, nullptr);
    }
    bool new_best = island_best && beats(*candidate, m_best, nullptr);
    Elite kept { candidate, record };
    if (island_best)
        m_islands[island] = kept;
    if (elite)
        m_archive[*cell] = kept;
    if (new_best)
        m_best = kept;
    if (new_best) {
        record.outcome = "best";
        record.reason.clear();
    } else if (island_best) {
        record.outcome = "island best";
        record.reason = fmt::format("the best of island {}, not of all: {} ranks higher", island,
            candidate_name(m_best.id()));
    } else if (elite) {
        record.outcome = "archive";
        record.reason = fmt::format("the elite of archive cell ({}, {}); on island {}: {}", cell->x, cell->y, island,
            why);
    } else {
        record.outcome = candidate->error.empty() ? "lower" : "unbuilt";
        record.reason = fmt::format("on island {}: {}", island, why);
    }
    // The stored copy says what it became too.
    if (island_best)
        m_islands[island].record = record;
    if (elite)
        m_archive[*cell].record = record;
    if (new_best)
        m_best.record = record;
}

std::vector<std::string> Population::migrate(int generation)
{
    std::vector<std::string> moved;
    int count = m_options.islands;
    if (count < 2 || m_options.migrate_every <= 0 || generation % m_options.migrate_every != 0)
        return moved;
    std::vector<Elite> before = m_islands; // every island sends what it had before any arrived
    for (int from = 0; from < count; ++from) {
        int to = (from + 1) % count;
        const Elite& migrant = before[std::size_t(from)];
        if (migrant.id() == m_islands[std::size_t(to)].id() || !beats(*migrant.evaluated, m_islands[std::size_t(to)], nullptr))
            continue;
        m_islands[std::size_t(to)] = migrant;
        moved.push_back(fmt::format("island {} -> {}: {}", from, to, candidate_name(migrant.id())));
        if (beats(*migrant.evaluated, m_best, nullptr))
            m_best = migrant;
    }
    return moved;
}

void Population::describe(GenerationRecord& line) const
{
    line.islands.clear();
    for (const Elite& island : m_islands)
        line.islands.push_back({ island.id(), island.evaluated->evaluation.metrics.combined_score,
            island.evaluated->evaluation.score });
    line.archive.clear();
    for (const auto& [cell, elite] : m_archive)
        line.archive.push_back({ cell.x, cell.y, elite.id(), elite.evaluated->evaluation.metrics.combined_score,
            elite.evaluated->evaluation.score });
    line.archive_features = { m_options.features[0], m_options.features[1] };
    line.archive_bins = m_options.archive_bins;
    line.best_generation = m_best.id().generation;
    line.best_candidate = m_best.id().candidate;
    line.best_score = m_best.evaluated->evaluation.score;
    line.best_combined_score = m_best.evaluated->evaluation.metrics.combined_score;
}

std::vector<Elite> Population::top(std::size_t count) const
{
    std::vector<Elite> all;
    std::set<CandidateId> taken;
    auto add = [&](const Elite& elite) {
        if (elite.evaluated && taken.insert(elite.id()).second)
            all.push_back(elite);
    };
    for (const Elite& island : m_islands)
        add(island);
    for (const auto& [cell, elite] : m_archive)
        add(elite);
    std::sort(all.begin(), all.end(), [](const Elite& a, const Elite& b) { return better(*a.evaluated, *b.evaluated); });
    if (all.size() > count)
        all.resize(count);
    return all;
}

void Population::restore(std::vector<Elite> islands, std::map<Cell, Elite> archive, Elite best)
{
    m_islands = std::move(islands);
    m_islands.resize(std::size_t(m_options.islands), best); // a loop resumed with more islands: they start from the best
    m_archive = std::move(archive);
    m_best = std::move(best);
}

} // namespace pxos
