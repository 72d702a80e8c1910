// Proposers for the improvement loop: from the best roadmap so far and its
// evaluation, a next roadmap. The heuristic proposer repairs failing checks
// with the step registry (offline, deterministic for a seed); the LLM
// proposer's replies are parsed here too: a whole roadmap or a list of
// edits, taken from the last fenced yaml block, then validated like any
// roadmap (file:line:col errors that are fed back to the LLM).
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

// The YAML text an LLM reply proposes: `<think>` sections dropped, the last
// fenced block taken (else the whole reply); a whole roadmap is returned as
// is, an edit list (`edits:`) is applied to `base`. The reply is one YAML
// document within `limits` counted as its aliases expand it (the edits are
// applied to a tree that shares aliased nodes; the text written out copies
// them).
Result<std::string> roadmap_text_from_reply(std::string_view reply, const Roadmap& base,
    const YamlLimits& limits = {});

// Parses and validates a proposed roadmap: registry and schema, VRAM limits,
// and every file it names must stay inside `folder` (or be builtin:).
Result<Roadmap> validate_proposal(FileSystem& files, std::string_view text, const std::string& name,
    const std::string& folder, const StepRegistry& registry, const RoadmapLimits& limits);

} // namespace pxos
