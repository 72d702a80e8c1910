// The text the loop hands an LLM: the best roadmap so far, its evaluation,
// a reflection (JSON: the failing checks and the last attempts), the build
// steps it may use, the machine, and the reply format the proposer parses
// (pxos/loop/proposer.hpp). Pure text in, text out: the prompt is also the
// reply cache's key, so the same state gives the same prompt byte for byte.
#pragma once

#include "pxos/eval/evaluator.hpp"
#include "pxos/loop/history.hpp"
#include "pxos/roadmap/step_registry.hpp"

#include <string>
#include <vector>

namespace pxos {

// The reflection on the best roadmap before `generation` (indented JSON):
// its failing checks and the last five attempts of `history`.
std::string reflection_json(int generation, const EvalResult& best, int best_generation,
    const std::vector<GenerationRecord>& history);

// The first prompt of a proposal.
std::string build_prompt(const std::string& roadmap_text, const EvalResult& evaluation, const std::string& reflection,
    const StepRegistry& registry);

// The prompt of a retry: the first one, then the exact errors of the rejected reply.
std::string retry_prompt(const std::string& base_prompt, const std::string& errors);

} // namespace pxos
