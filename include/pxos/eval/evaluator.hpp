// The evaluator: a rubric of checks over an image, in groups (seed,
// structure, kernel, execution, isolation), each with points, pass/fail, a
// message that says what is wrong and where, and evidence. It really boots
// and runs the image, and injects hostile processes into copies of it. The
// improvement loop optimises its score, so every check always appears (a
// check that cannot run scores 0 and says why) and max_score never changes
// between images. The core returns a result; the CLI prints it. The checks
// are the rows of one table, the rubric (pxos/eval/rubric.hpp).
#pragma once

#include "pxos/base/clock.hpp"
#include "pxos/base/executor.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/eval/metrics.hpp"
#include "pxos/image/vram.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace pxos {

using EvidenceValue = std::variant<std::int64_t, std::string, std::vector<std::int64_t>>;

struct Evidence {
    std::string key;
    EvidenceValue value;
};

// A place in the image as evidence: [x, y] (as every JSON place is).
inline EvidenceValue point_evidence(std::uint32_t address, int width)
{
    return std::vector<std::int64_t> { std::int64_t(address % std::uint32_t(width)),
        std::int64_t(address / std::uint32_t(width)) };
}

struct Check {
    std::string id;    // "execution.hello"
    std::string group; // "execution"
    bool passed = false;
    bool skipped = false; // not judged (what it needs is missing): no points, shown as SKIP
    int points = 0;
    int max_points = 1;
    std::string message;
    std::vector<Evidence> evidence;
};

// The seed prototype's figures, under its own JSON keys.
struct SeedFigures {
    bool metadata_initialized = false;
    int opcode_palette_unique_colors = 0;
    bool opcode_palette_sufficient = false;
    int hello_program_pixels = 0;
    bool hello_program_exists = false;
    int regions_checked = 0;
    int regions_ok = 0;
    bool all_regions_ok = false;
};

// The image's own run (the execution group's first boot), for the loop's
// prompt: the console's head and tail and what each process did.
struct ProcessFigures {
    std::uint32_t pid = 0;
    std::string name;        // the process table's name, or "pid N"
    std::string state;       // "exited 0", "faulted: MemoryViolation at (x,y)", "ready", ...
    std::uint64_t steps = 0; // user instructions it ran
    std::uint64_t syscalls = 0;
};

struct RunFigures {
    bool ran = false;
    std::uint64_t steps = 0;
    std::uint64_t syscalls = 0;
    std::uint64_t faults = 0;
    std::int64_t halt_code = -1; // -1: did not halt
    std::string console_head;    // the first lines of the console (at most ~2 KB)
    std::string console_tail;    // the last lines, when more was written
    std::vector<ProcessFigures> processes;
};

struct EvalResult {
    std::string image_name;
    SeedFigures seed;
    std::vector<Check> checks;
    int score = 0;
    int max_score = 0;
    double score_pct = 0;
    bool timed_out = false; // the evaluation reached its time cap: the checks still running failed
    RunFigures run;         // the image's own run
    MetricsResult metrics;  // measured only when every gate passed (the cascade)
};

struct EvalOptions {
    static constexpr std::uint64_t kDefaultMaxSteps = 20'000'000;
    std::uint64_t max_steps = kDefaultMaxSteps; // budget of each run
    std::string only_group;               // empty: every group
    // Wall-clock bound of the whole evaluation, read from `clock` (nullptr:
    // the steady clock) every kDeadlineCheckSteps steps of each run. Past
    // it every run still going stops and its checks fail, saying so.
    std::uint64_t max_seconds = cap_default(Cap::EvalSeconds);
    Clock* clock = nullptr;
    static constexpr std::uint64_t kDeadlineCheckSteps = 1'000'000;
    // Runs the independent runs (the determinism run, the probes) at once;
    // not owned; nullptr: one after the other. The result is the same.
    Executor* executor = nullptr;
    // The cascade's second stage: measure the metrics (pxos/eval/metrics.hpp)
    // when every gate passed. Off: gates only (faster; metrics.skipped says so).
    bool metrics = true;
};

// The groups' names, in order (the rubric's groups).
const std::vector<std::string>& eval_groups();

EvalResult evaluate(const SimulatedVRAM& image, const std::string& image_name, const EvalOptions& options = {});

// JSON: the seed's keys, score, max_score, score_pct, checks (stable
// order), then "gates" {score, max_score, passed} and "metrics" {measured,
// skipped, combined_score, values: [{key, value, unit, direction, weight,
// ratio, baseline, message}], capabilities}. With `baseline` (the
// evaluation of a --baseline image) each value gets "delta" (value minus
// the baseline image's, when both were measured) and "metrics" gets
// "compared_to" {image, combined_score, delta}.
std::string eval_result_to_json(const EvalResult& result, const EvalResult* baseline = nullptr);
// One line per check, then "score/max_score (pct%)"; then the metrics
// table (key, value, unit, ratio, and the delta against `baseline`) and
// combined_score, or why the metrics were skipped.
std::string eval_result_to_text(const EvalResult& result, const EvalResult* baseline = nullptr);

} // namespace pxos
