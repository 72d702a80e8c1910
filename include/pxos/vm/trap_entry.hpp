// Entering the kernel: what a trap does to the machine, written once and
// called by both interpreters (the fast one in vm/cpu/ and the reference),
// so that their syscalls, faults and timer agree by construction and a
// difference the differential test finds lies in an instruction. Each
// interpreter switches to the kernel bank its own way (the fast one swaps
// banks in place), so that part stays with the caller.
#pragma once

#include "pxos/isa/decoder.hpp"
#include "pxos/vm/machine.hpp"

#include <array>
#include <cstdint>

namespace pxos {

// A trap as an instruction raised it, or the timer between two.
struct RaisedTrap {
    std::uint32_t cause = 0;   // an isa::TrapCause
    std::uint32_t pc = 0;      // the instruction that raised it (the timer: the next one to run)
    std::uint32_t address = 0; // the syscall number, the address involved, or the pc
};

// What entering the kernel reads and changes.
struct TrapContext {
    const BootHeader& header;
    const std::uint32_t* memory;
    std::uint32_t memory_words;
    std::array<std::uint32_t, isa::kSpecials.size()>& specials;
    RunResult& result;
    const RunRecordLimits& limits;
    std::uint64_t steps; // the step count when the trap was raised
};

// A trap raised in user mode. A syscall goes to its handler in the
// header's syscall table and resumes after the SYSCALL; a number past the
// table, or a handler past memory, becomes BadSyscall. Every other cause
// goes to the trap vector and resumes at the trapping pc. Sets EPC, CAUSE
// and ARG, records a fault or counts a syscall in `result`, and returns the
// kernel pc to go on at; the caller switches to kernel mode and ends the
// time slice.
std::uint32_t enter_trap(const RaisedTrap& trap, const TrapContext& context);

// A trap raised in kernel mode is a panic (a SYSCALL there is a
// BadSyscall): records it in `result`; the caller stops the machine.
void record_panic(const RaisedTrap& trap, std::uint32_t pid, std::uint64_t steps, RunResult& result);

} // namespace pxos
