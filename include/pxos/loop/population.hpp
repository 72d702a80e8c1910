// What the loop carries from one generation to the next: islands, each with
// its own best, and a MAP-Elites archive, each cell of two feature metrics
// holding its best candidate. Pure (no I/O), deterministic under the seed.
//
// - A candidate is admitted where it beats the incumbent: it ranks higher
//   (better(), pxos/loop/generation.hpp) and lacks no capability the
//   incumbent has. A regression (it lost a capability its parent had) is
//   admitted nowhere, so it never becomes a best.
// - The best of all islands (what --until-max, the summary and the best
//   roadmap report) changes only to an island best that beats it, so it
//   never goes down.
// - Every `migrate_every` generations each island's best is offered to the
//   next island (a ring), admitted there when it beats that island's best.
// - Parents: each proposal of island k starts from island k's best, or, one
//   time in four (by the seed), from an elite of the archive.
// - The archive's cells: bin = floor(log2(max(value, 1)) * archive_bins) of
//   each feature (archive_bins bins per doubling: no ceiling, no range to
//   guess); a candidate whose metrics were not measured has no cell.
#pragma once

#include "pxos/loop/generation.hpp"
#include "pxos/loop/history.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pxos {

struct PopulationOptions {
    int islands = 1;       // --islands K
    int migrate_every = 5; // --migrate-every M (0: never)
    int archive_bins = 4;  // --archive-bins B: bins per doubling of a feature
    std::array<std::string, 2> features { "kernel_words", "workload_steps" }; // metric keys (metrics.hpp)
    std::uint64_t seed = 1;
};

// A candidate the population keeps, with its attempt record.
struct Elite {
    std::shared_ptr<const Evaluated> evaluated;
    GenerationRecord record;
    CandidateId id() const { return evaluated ? evaluated->id : CandidateId {}; }
};

struct Cell {
    int x = 0;
    int y = 0;
    auto operator<=>(const Cell&) const = default;
};

// Where a proposal starts.
struct ParentChoice {
    int island = 0;
    Elite parent;
    bool from_archive = false;
};

class Population {
public:
    explicit Population(PopulationOptions options = {});

    const PopulationOptions& options() const { return m_options; }
    bool started() const { return m_best.evaluated != nullptr; }
    // The best of all islands (valid once started).
    const Elite& best() const { return m_best; }
    const std::vector<Elite>& islands() const { return m_islands; }
    const std::map<Cell, Elite>& archive() const { return m_archive; }

    // The cell of an evaluation, when both feature metrics were measured.
    std::optional<Cell> cell_of(const EvalResult& evaluation) const;

    // Generation 1: the given roadmap is every island's best (and in the
    // archive when it has a cell).
    void start(const Elite& given);

    // The parents of a generation's proposals: `per_island` for each island,
    // island after island (proposal index = island * per_island + c).
    std::vector<ParentChoice> choose_parents(int generation, int per_island) const;

    // Duplicates: the candidate a canonical text's hash was first evaluated as.
    std::optional<CandidateId> known(const std::string& hash) const;
    void mark_known(const std::string& hash, CandidateId id);

    // Offers an evaluated attempt (record.island set, scored against its
    // parent) to its island, the archive and the best; fills the record's
    // outcome, reason and cell.
    void admit(std::shared_ptr<const Evaluated> candidate, GenerationRecord& record);

    // After `generation`: the migration when it is due; what moved, in words.
    std::vector<std::string> migrate(int generation);

    // The generation line's population fields: islands, archive, best.
    void describe(GenerationRecord& line) const;

    // The distinct candidates kept (islands and archive), best first, at most `count`.
    std::vector<Elite> top(std::size_t count) const;

    // On resume: the population after the last complete generation.
    void restore(std::vector<Elite> islands, std::map<Cell, Elite> archive, Elite best);

private:
    bool beats(const Evaluated& candidate, const Elite& incumbent, std::string* why) const;

    PopulationOptions m_options;
    std::vector<Elite> m_islands;
    std::map<Cell, Elite> m_archive;
    Elite m_best;
    std::map<std::string, CandidateId> m_known; // canonical text hash -> its first candidate
};

// "generation 4 candidate 2"
std::string candidate_name(CandidateId id);

} // namespace pxos
