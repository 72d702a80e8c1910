// One generation of the loop as pure steps, no I/O: how two candidates rank
// (gates, then combined_score, then fewer faults, then the earlier one:
// never the text's length), what a candidate lost that its parent could do
// (a regression), which proposals need a build (each canonical roadmap is
// evaluated once in the whole loop, keyed by its hash), and the record of
// each attempt against its parent. The population (islands and the
// MAP-Elites archive, pxos/loop/population.hpp) keeps what wins; the loop
// builds, evaluates and writes around these.
#pragma once

#include "pxos/eval/evaluator.hpp"
#include "pxos/image/vram.hpp"
#include "pxos/loop/history.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// A roadmap built and evaluated.
struct Evaluated {
    Roadmap roadmap;
    std::string text; // canonical
    std::optional<SimulatedVRAM> image;
    EvalResult evaluation;
    std::string error; // the build failed (the proposal still counts, with score 0)
    CandidateId id;    // which candidate of the loop it is (the tie-break: the earlier wins)
};

// Whether `a` ranks above `b`: more gates (score), then a higher
// combined_score, then fewer faults, then the earlier candidate. A strict
// total order over distinct candidates; a candidate never beats itself.
bool better(const Evaluated& a, const Evaluated& b);

// The capabilities (MetricsResult::capabilities) `before` has and `after`
// lacks, sorted. Nothing when `after`'s metrics were not measured (its gates
// failed: that is a lower score, not a lost capability).
std::vector<std::string> lost_capabilities(const EvalResult& before, const EvalResult& after);

// A proposer's roadmap and what it says about it.
struct Proposal {
    std::string text;
    std::string proposer;
    bool fallback = false;
    int llm_calls = 0;
    std::string note;
    std::string rationale; // the reply's `rationale:` (kept in the history)
    std::string model;     // the --llm-cmd name (or agents "kernel+programs") that proposed it
    int parent = 0;        // the generation it started from
    int island = 0;        // the island it belongs to (0-based)
    int parent_candidate = 0; // with `parent`: the candidate it started from
};

// FNV-1a 64 of a canonical roadmap, 16 hex digits: a duplicate's key.
std::string text_hash(std::string_view canonical);

// Which of a generation's proposals to build: the first of each canonical
// text that was never evaluated in the loop (`known` says where it was);
// the others are duplicates (of an earlier candidate, or of an earlier
// proposal of this generation) or invalid (std::nullopt).
struct Triage {
    std::vector<std::size_t> fresh; // to build and evaluate, in proposal order
    struct Duplicate {
        std::size_t proposal = 0;
        CandidateId of;
    };
    std::vector<Duplicate> duplicates;
};
template <typename Known> // std::optional<CandidateId>(const std::string& hash)
Triage triage(int generation, const std::vector<std::optional<std::string>>& canonical, const Known& known)
{
    Triage result;
    for (std::size_t i = 0; i < canonical.size(); ++i) {
        if (!canonical[i])
            continue;
        if (std::optional<CandidateId> earlier = known(text_hash(*canonical[i]))) {
            result.duplicates.push_back({ i, *earlier });
            continue;
        }
        bool repeated = false;
        for (std::size_t f : result.fresh)
            if (canonical[f] == canonical[i]) {
                result.duplicates.push_back({ i, CandidateId { generation, int(f) + 1 } });
                repeated = true;
                break;
            }
        if (!repeated)
            result.fresh.push_back(i);
    }
    return result;
}

// The attempt record of proposal `index` (0-based: candidate index + 1) of
// `generation`: who proposed it, from which parent, on which island.
GenerationRecord attempt_record(int generation, std::size_t index, const Proposal& proposal);

// Fills an attempt's scores against its parent's: gates, combined_score,
// faults, their deltas, the metric deltas, the lost capabilities (a
// regression), its hash, and why it did not build.
void score_attempt(GenerationRecord& attempt, const Evaluated& candidate, const Evaluated& parent);

// An attempt's roadmap file: a header (generation, candidate, island,
// parent, score, proposer, the folder its files resolve in), then its text.
std::string attempt_file_text(const GenerationRecord& attempt, const std::string& folder, const std::string& text);

// The generation's choice among its fresh evaluations (`regression[i]`:
// whether fresh[i] lost a capability): the best that lost nothing, else the
// best; std::nullopt when there are none.
std::optional<std::size_t> choose_attempt(const std::vector<std::shared_ptr<const Evaluated>>& fresh,
    const std::vector<bool>& regression);

// A generation's line when no proposal was new and valid: `best` carries
// on ("duplicate", outcome "carried on"), the first attempt's note saying so.
GenerationRecord carried_on(GenerationRecord first_attempt, const Evaluated& best);

} // namespace pxos
