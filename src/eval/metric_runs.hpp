// The metrics' runs (private to src/eval): what metrics.cpp's measurement
// (helper "metrics") calls into the scenario suite and the robustness probes
// (helper "scenarios"). Each runs copies of the image, within `max_steps`
// per run and the evaluation's deadline, never changing `image`.
#pragma once

#include "eval/evaluation.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace pxos {

struct SuiteOutcome {
    int passed = 0;
    int total = 0;
    std::vector<std::string> passed_ids; // capabilities: "scenario.ID" / "robustness.ID"
    std::vector<std::string> failures;   // "ID: what differed" (the first few)
    std::uint64_t steps = 0;             // instructions of every run together
};

// The scenario suite (roadmaps/scenarios/, compiled into the binary): each
// scenario boots a copy of the image, types its console input into it and
// compares the output and pixels it expects; with `boot` (the image's boot
// up to its first console read, as the gates' run kept it), from there
// instead of booting its own. (src/eval/scenario_suite.cpp)
SuiteOutcome run_scenario_suite(const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps,
    Deadline& deadline, Executor* executor, const BootPrefix* boot = nullptr);

// The hostile probes of the robustness metric: bad pointers into system
// calls, spawn without end, writes at the store; each passes when the
// kernel goes on and the rest of the OS is intact. (src/eval/robustness.cpp)
SuiteOutcome run_robustness_probes(const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps,
    Deadline& deadline, Executor* executor);

} // namespace pxos
