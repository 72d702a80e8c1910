// One generation of the loop as a pure step, no I/O: which proposals need a
// build (each roadmap is evaluated once, keyed by its canonical text), which
// evaluated proposal is chosen (higher score, then the shorter roadmap; the
// first of equals), and what the loop keeps: the best so far only ever gets
// better (elitism), so proposals always start from it. The loop builds,
// evaluates and writes around these.
#pragma once

#include "pxos/eval/evaluator.hpp"
#include "pxos/image/vram.hpp"
#include "pxos/loop/history.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pxos {

// A roadmap built and evaluated.
struct Evaluated {
    Roadmap roadmap;
    std::string text; // canonical
    std::optional<SimulatedVRAM> image;
    EvalResult evaluation;
    std::string error; // the build failed (the proposal still counts, with score 0)
};

// Whether `a` beats `b`: a higher score, or the same with a shorter text.
bool better(const Evaluated& a, const Evaluated& b);

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
};

// What the loop carries from one generation to the next.
class Population {
public:
    // The best roadmap so far (null before the first generation).
    std::shared_ptr<const Evaluated> best() const { return m_best; }
    int best_generation() const { return m_best_generation; }
    // The evaluation of a canonical text evaluated before, or null.
    std::shared_ptr<const Evaluated> evaluated(const std::string& text) const;
    void remember(std::shared_ptr<const Evaluated> evaluated);
    // Whether a generation chose this canonical text before.
    bool seen(const std::string& text) const { return m_seen.count(text) > 0; }
    void mark_seen(const std::string& text) { m_seen.insert(text); }
    // On resume: the best generation's roadmap, evaluated again.
    void restore_best(int generation, std::shared_ptr<const Evaluated> best);
    // Keeps the generation's chosen roadmap: seen and remembered, the best
    // when it beats the best so far; fills the record's scores.
    void keep(int generation, std::shared_ptr<const Evaluated> chosen, GenerationRecord& record);

private:
    std::shared_ptr<const Evaluated> m_best;
    int m_best_generation = 0;
    std::set<std::string> m_seen;
    std::map<std::string, std::shared_ptr<const Evaluated>> m_evaluated; // canonical text -> its evaluation
};

// A proposal's evaluation (a duplicate's is the earlier one's).
struct Scored {
    std::size_t proposal = 0;
    std::shared_ptr<const Evaluated> evaluated;
};

struct Triage {
    std::vector<Scored> known;      // evaluated before: not built again
    std::vector<std::size_t> fresh; // to build and evaluate, in proposal order
};

// Sorts a generation's proposals by their canonical texts (std::nullopt:
// invalid, left out): known ones are scored at once, the first of each new
// text is to be evaluated, later repeats of it within the generation drop.
Triage triage(const std::vector<std::optional<std::string>>& canonical, const Population& population);

struct Selection {
    std::shared_ptr<const Evaluated> chosen;
    GenerationRecord record; // generation, parent, proposer, fallback, llm_calls, note
};

// Chooses among the scored proposals (the known ones first, then the fresh,
// as the loop scores them): the best one, the first of equals. With none
// (every proposal was invalid) the best so far carries on, saying so on the
// first proposal's note. `proposals` holds at least one; `population` has a
// best.
Selection select_proposal(int generation, std::vector<Proposal> proposals, const std::vector<Scored>& scored,
    const Population& population);

} // namespace pxos
