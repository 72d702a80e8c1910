// The improvement loop: build -> eval -> reflect -> propose, generation
// after generation, with elitism (proposals start from the best roadmap so
// far, so the best score never goes down). Proposers: an LLM command, the
// offline heuristic, or the seed's copy. Every file is written atomically
// and loop.jsonl gets one complete line per finished generation, so a loop
// killed at any moment resumes after its last complete generation. LLM
// replies are cached by prompt hash for --replay. The core runs the loop;
// the CLI prints its progress through a LoopObserver. The loop composes
// small parts that are tested alone: Prompt (the text an LLM gets),
// ReplyCache (its replies by prompt), Generation (the pure choice of what is
// kept) and History (loop.jsonl).
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/asm/assembly_cache.hpp"
#include "pxos/base/clock.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/base/executor.hpp"
#include "pxos/eval/evaluator.hpp"
#include "pxos/loop/history.hpp"
#include "pxos/loop/llm_command.hpp"
#include "pxos/loop/models.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/roadmap/step_registry.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pxos {

enum class ProposerKind { Llm, Heuristic, Copy };
std::string_view proposer_name(ProposerKind kind);

struct LoopOptions {
    std::string roadmap_path;
    int generations = 5;
    std::string out_dir = "artifacts/loop";
    ProposerKind proposer = ProposerKind::Heuristic;
    int retries = 2;         // extra LLM attempts per proposal
    int candidates = 1;      // proposals per generation
    int jobs = 1;            // proposals built and evaluated at once
    std::uint64_t seed = 1;
    bool resume = false;
    bool replay = false;     // LLM replies from the cache only
    int max_llm_calls = -1;  // -1: no cap
    double max_seconds = 0;  // 0: no cap
    bool until_max = false;
    std::size_t prompt_budget = 32 * 1024; // bytes of an LLM prompt, at most (--prompt-budget)
    // The population (pxos/loop/population.hpp): islands, each proposing
    // `candidates` per generation, their migration, the archive's bins.
    int islands = 1;
    int migrate_every = 5;
    int archive_bins = 4;
    EvalOptions eval; // its executor runs each evaluation's own runs
    // Builds and evaluates the proposals (jobs at a time) and encodes the
    // PNGs; not owned; nullptr: one after the other. The result is the same.
    Executor* executor = nullptr;
    RoadmapLimits limits;
    CodeLimits code_limits; // pxasm the roadmaps' steps assemble
    // Every file the loop reads, writes and locks (the out-dir, the roadmaps
    // and what they name); not owned, required.
    FileSystem* files = nullptr;
    // Remembers assemblies across the generations' builds (not owned; null:
    // run_loop keeps one of its own for the run).
    AssemblyCache* assemblies = nullptr;
};

struct LoopSummary {
    std::vector<GenerationRecord> generations; // this run's (after --resume: the new ones)
    int best_generation = 0;
    int best_candidate = 0;
    int best_score = 0;
    double best_combined_score = 0;
    int max_score = 0;
    std::string stop_reason;
    std::string best_roadmap_file;
    // Each --llm-cmd model's (then each agent's) candidates over the whole
    // history (resumed generations too) and how many improved on their parent.
    std::vector<ModelStats> models;
};

// What the loop is doing now, for a progress line: building or evaluating
// a candidate, or asking a model (an LLM call, which may take minutes).
struct LoopPhase {
    enum class Kind { Building, Evaluating, Asking };
    Kind kind = Kind::Building;
    int generation = 0;
    int island = 0;    // 0-based, as in loop.jsonl
    int candidate = 1; // within the generation, from 1
    std::string model; // Asking: the model's (or the agent's region's) name
};

// `pxos loop --json`'s last line (compact, no newline): {"schema": 1,
// "stop_reason", "best_generation", "best_candidate", "best_score",
// "max_score", "best_combined_score", "best_roadmap": its file's path}.
std::string loop_summary_line(const LoopSummary& summary);

class LoopObserver {
public:
    virtual ~LoopObserver() = default;
    // The out-dir is locked and the loop begins.
    virtual void started() { }
    // A phase begins. Called from the threads that build and evaluate the
    // candidates too (--jobs), so an observer that keeps state locks it.
    virtual void phase(const LoopPhase&) { }
    virtual void generation_done(const GenerationRecord&, double /*milliseconds*/) { }
    virtual void note(const std::string&) { }
    // The LLM (or every agent) gave no usable proposal for the candidate
    // (`why`: the last failure) and the heuristic proposed instead.
    virtual void fell_back(int /*generation*/, int /*candidate*/, const std::string& /*why*/) { }
};

// The LLM proposals come from `llms`: the agents when there are any (one
// proposal per candidate made of every agent's change), else one of the
// models per call, picked by the bandit (pxos/loop/models.hpp).
Result<LoopSummary> run_loop(const LoopOptions& options, const StepRegistry& registry, const LlmClients& llms,
    LoopObserver& observer, Clock& clock);
// One model, "llm" (none when `llm` is null).
Result<LoopSummary> run_loop(const LoopOptions& options, const StepRegistry& registry, LlmClient* llm,
    LoopObserver& observer, Clock& clock);

// report.html in the out-dir, from its loop.jsonl and generation files.
Result<void> write_loop_report(FileSystem& files, const std::string& out_dir);

} // namespace pxos
