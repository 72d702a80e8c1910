// The text the loop hands an LLM, built from a PromptContext: the task and
// what to optimise, the parent roadmap with its steps numbered, the pxasm
// sources it uses with line numbers (named as patches name them), its run,
// its metrics and gates, the last attempts and the top candidates, a pxasm
// cheat sheet generated from the ISA and ABI tables, the step registry as a
// compact table, and the reply format. The main design decision: a byte
// budget. The parts are trimmed least useful first (registry details, old
// attempts, the console's middle, then sources beyond the kernel's top
// file, which rotate by generation so a loop sees them all) and the prompt
// says what it left out and how big that was. Pure text in, text out: the
// prompt is also the reply cache's key, so the same context gives the same
// prompt byte for byte.
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
    // The parent's metrics minus its own parent's (its record's metric_deltas; empty: unknown).
    std::vector<MetricDelta> parent_deltas;
    std::string sources_error; // why roadmap_sources() failed, said in the prompt; empty when it did not
};

// The prompt of a proposal: at most context.budget_bytes bytes.
std::string build_prompt(const PromptContext& context);

// The pxasm cheat sheet, generated from the ISA and ABI tables (opcodes with
// their operands, encoding, registers, system calls, errors), with each
// calling convention the sources state ("; Calling convention" comments)
// and an example program. `example`: with it or without.
enum class CheatSheetExample { With, Without };
std::string pxasm_cheat_sheet(const std::vector<RoadmapSource>& sources, CheatSheetExample example);

// The step registry as a compact table, one line a step and one a parameter
// (type, range, default), at a level of detail.
enum class RegistryDetail { Docs, Params, Names };
std::string step_registry_table(const StepRegistry& registry, RegistryDetail detail,
    const std::string& region = {});


// The prompt of a retry: the first one, then the rejected reply (numbered
// lines, trimmed to a bound, saying so) and its exact errors (bounded too).
std::string retry_prompt(const std::string& base_prompt, std::string_view rejected_reply, const std::string& errors);

} // namespace pxos
