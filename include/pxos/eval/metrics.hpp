// The evaluator's metrics: ONE table (src/eval/metrics.cpp) of what an
// image is measured on once its gates (the rubric, pxos/eval/rubric.hpp)
// all pass, with no ceiling: each row's key, what it measures, its
// direction, unit, weight in combined_score, the value the default image
// of issue 15's start measured (its baseline), what a model is rewarded for
// when it moves it, and the OS region whose agent it concerns. Evaluation
// is a cascade: the cheap gates first, the costly metrics only when every
// gate passed. combined_score = sum(weight * ratio) / sum(weight), where
// ratio = value / baseline for a Higher metric and baseline / value for a
// Lower one, so the default image scores 1.0 and a better OS goes above it
// without a cap. JSON, `pxos eval`'s table and docs/EVAL.md's metric
// section all come from this table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

enum class MetricId {
    UsertestsPassed,  // usertests (the evaluator's own copy) typed into the image's shell: tests passed
    ScenariosPassed,  // the scenario suite (roadmaps/scenarios/): scenarios passed
    SyscallRoundTrip, // user instructions + kernel instructions per getpid round trip
    ContextSwitch,    // instructions per switch between two yielding processes
    PipeWord,         // instructions per word moved through a pipe
    WorkloadSteps,    // total steps of the fixed workload (a shell session)
    FairnessMaxWait,  // longest time a ready process waited for the processor, in steps
    KernelWords,      // words of the kernel's code and data
    RobustnessProbes, // hostile probes survived (bad pointers, spawn without end, store writes)
};

enum class MetricDirection { Higher, Lower };

// Which part of the OS a metric concerns: the agent of that region is told it
// (loop --agent REGION=CMD).
enum class OsRegion { Kernel, Programs, Any };
std::string_view os_region_name(OsRegion region); // "kernel", "programs", "any"

struct MetricRow {
    MetricId id;
    std::string_view key;      // "syscall_round_trip": JSON key, table row, --baseline delta
    std::string_view what;     // one line: what it measures and how
    MetricDirection direction;
    std::string_view unit;     // "tests", "instructions", "steps", "words"
    double weight;             // in combined_score
    double baseline;           // the default image's value at issue 15's start (ratio 1.0)
    std::string_view rewards;  // one line for the prompt: what moves it the right way
    OsRegion region;
};

std::span<const MetricRow> metric_table();
const MetricRow* find_metric(std::string_view key);

struct MetricValue {
    std::string key;
    bool measured = false;
    double value = 0;
    double ratio = 0;      // against the baseline, better > 1 (0 when not measured)
    std::string message;   // what was measured, or why it could not be
};

struct MetricsResult {
    bool measured = false;             // the cascade reached the metrics
    std::string skipped;               // why not (a gate failed, the deadline passed)
    std::vector<MetricValue> values;   // metric_table() order, every row
    double combined_score = 0;         // 0 when not measured
    // What the image can do, by name, to find a candidate that lost what
    // its parent had: "usertests.NAME", "scenario.ID", "robustness.ID".
    std::vector<std::string> capabilities;
    std::uint64_t steps = 0;           // instructions the metrics' runs took together
};

// combined_score of measured values (metric_table() order).
double combined_score(const std::vector<MetricValue>& values);
// A value's ratio against its row's baseline (better > 1).
double metric_ratio(const MetricRow& row, double value);

// docs/EVAL.md's metric section (`pxos eval --markdown` prints it after the rubric).
std::string metrics_markdown();

} // namespace pxos
