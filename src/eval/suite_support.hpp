// What the scenario suite and the robustness probes share (private to
// src/eval): a machine run on in chunks within a step bound and the
// evaluation's deadline, and the host's check of an after-image's store.
#pragma once

#include "eval/evaluation.hpp"

#include <cstdint>
#include <string>

namespace pxos {

// Runs `machine` on until it halts, panics or is interrupted, or its step
// count reaches `until_steps`, checking the deadline between chunks.
// Returns false when the deadline stopped it.
bool run_until(Machine& machine, std::uint64_t until_steps, Deadline& deadline, RunResult& result);

// Stops the machine at its first read of the console (the IN does not run).
class StopAtFirstRead final : public ConsoleInput {
public:
    int next_byte() override { return kStop; }
};

// What is wrong with the store of an after-image (store::check, after
// recovering a call the run cut off), one "; "-separated text; empty when
// nothing is, or when the image has no store and `before` had none either.
std::string store_problems(const SimulatedVRAM& after, const SimulatedVRAM& before, const std::string& name);

// A console text shortened for a message: its last `keep` bytes, with
// control characters escaped ("...\\n$ ").
std::string output_tail(const std::string& output, std::size_t keep = 60);

// The failures a SuiteOutcome keeps by name.
inline constexpr std::size_t kSuiteFailuresKept = 8;

} // namespace pxos
