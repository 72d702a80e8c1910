// The heuristic proposer's metric moves: once the gates are full (or nothing
// is left to repair) it changes one lever of the roadmap, a parameter or the
// order of its steps, aiming at a metric of the evaluation
// (pxos/eval/metrics.hpp). ONE table of levers says what each changes and
// which metrics it aims at; docs/LOOP.md's table comes from it, with the
// metrics no lever reaches (only new kernel or program code moves those, so
// the headroom past the heuristic stays plain).
#pragma once

#include "pxos/eval/evaluator.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pxos {

enum class LeverId { QuantumShorter, QuantumLonger, ProcessEarlier };

struct HeuristicLever {
    LeverId id;
    std::string_view name;  // "quantum-shorter": named in the proposal's note
    std::string_view step;  // the step whose parameter or place it changes
    std::string_view param; // its parameter ("" for a move of the step)
    std::string_view change; // one line: what it does to the roadmap
    std::string_view aims;   // the metric keys it aims at, space-separated (rows of metric_table())
    std::string_view costs;  // what it may cost (the trade-off the metrics weigh)
};

std::span<const HeuristicLever> heuristic_levers();

// docs/LOOP.md's table of levers, then the metrics no lever aims at.
std::string heuristic_levers_markdown();

// One lever moved on `roadmap`, chosen from `seed` among the levers the
// roadmap has, a lever whose aimed metric measured below its baseline
// (ratio < 1) weighing twice; the note says what changed and which metrics
// it aims at. nullopt when the roadmap has none of the levers' steps.
std::optional<std::string> move_lever(Roadmap& roadmap, const EvalResult& evaluation, std::uint64_t seed);

} // namespace pxos
