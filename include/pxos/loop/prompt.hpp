// The text the loop hands an LLM: the best roadmap so far, its evaluation,
// a reflection (JSON: the failing checks and the last attempts), the build
// steps it may use, the machine, and the reply format the proposer parses
// (pxos/loop/proposer.hpp). Pure text in, text out: the prompt is also the
// reply cache's key, so the same state gives the same prompt byte for byte.
#pragma once

#include "pxos/eval/evaluator.hpp"
#include "pxos/loop/history.hpp"
#include "pxos/loop/sources.hpp"
#include "pxos/roadmap/step_registry.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// The reflection on the best roadmap before `generation` (indented JSON):
// its failing checks and the last five attempts of `history`.
std::string reflection_json(int generation, const EvalResult& best, int best_generation,
    const std::vector<GenerationRecord>& history);

// Everything a generation's prompt is made of (helper "prompt" builds the
// text from it; the loop fills it in). Pure data: the same context gives the
// same prompt byte for byte (the reply cache's key).
struct PromptContext {
    int generation = 0;
    std::string roadmap_text;              // the parent's canonical roadmap
    const EvalResult* evaluation = nullptr; // the parent's (gates, metrics, run figures)
    std::vector<RoadmapSource> sources;    // roadmap_sources() of the parent
    std::vector<GenerationRecord> recent;  // the last attempts (history), newest last
    std::vector<GenerationRecord> top;     // the best candidates so far (archive/islands), best first
    const StepRegistry* registry = nullptr;
    std::size_t budget_bytes = 32 * 1024;  // the whole prompt at most this (--prompt-budget)
    // An agent's region ("kernel", "programs", "layout"; empty: the whole OS):
    // only that region's sources and metrics, and it may change only its steps.
    std::string region;
};

// The first prompt of a proposal.
std::string build_prompt(const std::string& roadmap_text, const EvalResult& evaluation, const std::string& reflection,
    const StepRegistry& registry);

// The prompt of a retry: the first one, then the rejected reply (numbered
// lines, trimmed to a bound, saying so) and its exact errors (bounded too).
std::string retry_prompt(const std::string& base_prompt, std::string_view rejected_reply, const std::string& errors);

} // namespace pxos
