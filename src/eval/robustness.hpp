// The robustness probes' table and verdict (private to src/eval; the metric
// run is run_robustness_probes in metric_runs.hpp). Exposed for the tests,
// which judge a run whose damage is real.
#pragma once

#include "eval/evaluation.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pxos {

struct RobustnessProbe {
    // Errors: each of its calls must return an error (it then exits 0; a
    // call that succeeds exits with the call's number), or it faults.
    // Fault: it must fault.
    enum class Expect { Errors, Fault };
    std::string id;   // "robustness.ID"
    std::string what; // one line
    std::string source;
    Expect expect = Expect::Errors;
    // Words that must be as in the image after the run (besides those every
    // probe guards: the kernel's first words, the syscall table, the words
    // past the probe's memory and the image's last words).
    std::uint32_t guarded_begin = 0, guarded_end = 0;
    std::string guarded_name;
    // A run goes on this long after the probe ended (the others keep
    // running: the kernel goes on), within kMaxSteps in all.
    static constexpr std::uint64_t kMarginSteps = 10'000;
    static constexpr std::uint64_t kMaxSteps = 2'000'000;
};

// The probes for an image with this header and size.
std::vector<RobustnessProbe> robustness_probes(const BootHeader& header, int width, std::uint32_t memory_words);

// What one probe's run left.
struct RobustnessRun {
    std::uint32_t pid = 0;  // the probe's
    std::uint32_t base = 0; // where it was placed
    std::uint64_t steps = 0;
    bool halted = false;
    std::optional<FaultRecord> panic;
    std::vector<ProcessInfo> processes;
    std::string output;
    const SimulatedVRAM* after = nullptr; // the after-image (not owned)
    std::vector<std::uint32_t> original_pids; // the image's own processes
};

// What is wrong with the run (the kernel stopped, the probe's call
// succeeded, another process was hurt, the hello line, the store's check,
// the kernel's words), or nothing when the probe passed.
std::optional<std::string> robustness_verdict(const RobustnessProbe& probe, const RobustnessRun& run,
    const SimulatedVRAM& image, const std::string& name);

} // namespace pxos
