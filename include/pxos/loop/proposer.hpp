// Proposers for the improvement loop: from the best roadmap so far and its
// evaluation, a next roadmap. The heuristic proposer repairs failing checks
// with the step registry (offline, deterministic for a seed). The LLM's
// replies are read by pxos/loop/reply.hpp; every proposal is validated here
// like any roadmap (file:line:col errors that are fed back to the LLM).
#pragma once

#include "pxos/eval/evaluator.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <cstdint>
#include <string>

namespace pxos {

struct HeuristicProposal {
    std::string roadmap_yaml; // canonical
    std::string note;         // what it changed and why
};

// Adds the steps that failing checks ask for, in a working order; when
// nothing fails, mutates a parameter (deterministically from `seed`).
HeuristicProposal propose_heuristic(const Roadmap& best, const EvalResult& evaluation, const StepRegistry& registry,
    std::uint64_t seed);

// Parses and validates a proposed roadmap: registry and schema, VRAM limits,
// and every file it names must stay inside `folder` (or be builtin:).
Result<Roadmap> validate_proposal(FileSystem& files, std::string_view text, const std::string& name,
    const std::string& folder, const StepRegistry& registry, const RoadmapLimits& limits);

} // namespace pxos
