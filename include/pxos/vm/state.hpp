// The pixel machine's architectural state as one plain struct: what a
// program can observe or change besides memory (both register banks, the
// special registers, pc, mode, the step count, the time slice, how far the
// console input has been read and how many bytes went to the console). Both
// interpreters hold or expose it (the fast one as a snapshot, since its hot
// loop keeps the running bank in place), so a differential test compares two
// machines with `==` and says what differs with first_difference(). Memory
// is the VRAM and is compared as pixels, naming the first that differs.
#pragma once

#include "pxos/image/vram.hpp"
#include "pxos/isa/isa.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace pxos {

struct MachineState {
    std::array<std::uint32_t, isa::kRegisterCount> kernel_registers {};
    std::array<std::uint32_t, isa::kRegisterCount> user_registers {};
    // As MTS wrote them. TICKS is not stored (MFS reads the step count), so
    // its entry stays 0.
    std::array<std::uint32_t, isa::kSpecials.size()> specials {};
    std::uint32_t pc = 0;
    bool user_mode = false;
    bool halted = false;
    std::uint64_t steps = 0;     // instructions executed since boot, faulting ones included
    std::uint64_t slice_end = 0; // user mode: the step at which the time slice ends (0: no preemption)
    std::uint64_t input_position = 0; // console input bytes read
    std::uint64_t console_bytes = 0;  // console output bytes written, kept or not

    bool operator==(const MachineState&) const = default;
};

// The first field in which `actual` differs from `expected`, as
// "r3 of the kernel bank: 5 vs 7" (expected first), or nullopt when equal.
std::optional<std::string> first_difference(const MachineState& expected, const MachineState& actual);

// The first pixel (row-major) in which `actual` differs from `expected`, as
// "pixel (10,20): (1,2,3,255) vs (1,2,4,255)", or the sizes when they differ.
std::optional<std::string> first_difference(const SimulatedVRAM& expected, const SimulatedVRAM& actual);

} // namespace pxos
