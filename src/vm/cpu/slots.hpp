// The fast interpreter's decoded slots: one per word of memory, what
// machine.cpp (construction, decoding, invalidation, the run loop) and
// interpreter.cpp (run_chunk, the opcode handlers) share. Private to
// src/vm/cpu.
#pragma once

#include "pxos/isa/isa.hpp"
#include "pxos/vm/machine.hpp"

#include <algorithm>
#include <cstdint>

namespace pxos {

// One decoded instruction. `op` indexes the dispatch table: kUndecoded (0,
// so freshly zeroed memory needs no initialisation), an opcode + 1,
// kInvalid, kFence, or a fused pair.
struct Machine::Slot {
    std::uint8_t op;
    std::uint8_t a, b, c; // registers, special register or port, by signature
    std::uint32_t imm;
};

namespace cpu {

using isa::Opcode;


inline constexpr std::uint8_t kUndecoded = 0;
inline constexpr std::uint8_t op_of(Opcode opcode)
{
    return std::uint8_t(std::uint8_t(opcode) + 1);
}
inline constexpr std::uint8_t kInvalid = isa::kOpcodeCount + 1;
// Marks the words just past what user code may execute (and the word past
// the end of memory), so sequential execution needs no bounds check: running
// into a fence faults. Jumps check their target instead.
inline constexpr std::uint8_t kFence = isa::kOpcodeCount + 2;
static_assert(isa::kOpcodeCount + 7 < 256, "slot ops fit a byte");
// Superinstructions: an ADDI directly followed by a conditional branch (the
// usual loop closer) decodes into one slot that runs both. They still count
// two steps, stop exactly between the two when the budget says so, and the
// branch keeps its own slot for code that jumps straight to it.
inline constexpr std::uint8_t kAddiJnz = isa::kOpcodeCount + 3;
inline constexpr std::uint8_t kAddiBne = isa::kOpcodeCount + 4;
inline constexpr std::uint8_t kAddiBlt = isa::kOpcodeCount + 5;
inline constexpr std::uint8_t kAddiJnzSelf = isa::kOpcodeCount + 6; // JNZ tests the register the ADDI wrote
// An instruction's length in slots (one per pixel), from the opcode table:
// a compile-time constant in every handler.
template <Opcode opcode>
inline constexpr std::uint32_t kLength = std::uint32_t(isa::info(opcode).length());
inline constexpr std::uint32_t kAddiLength = kLength<Opcode::ADDI>;
inline constexpr std::uint32_t kLongestFusion
    = kAddiLength + std::max({ kLength<Opcode::JNZ>, kLength<Opcode::BNE>, kLength<Opcode::BLT> });
inline constexpr std::uint32_t kFenceWords = isa::kMaxOperands + 1;
// A write to `address` invalidates every slot whose instruction (or fused
// pair) could cover it: the kLongestFusion - 1 slots before it and its own.
// Padding slots before address 0 make that loop need no bounds check.
inline constexpr std::uint32_t kSlotPadding = kLongestFusion - 1;
// User code may not start an instruction in the last kMaxOperands words of
// its memory, so no instruction's operands reach past ULIMIT.
inline constexpr std::uint32_t kFetchGuard = isa::kMaxOperands;
// Blocks of slots (4 KiB of them) for the pool's clearing, and of words
// for reset_to's record of the words a run stored to.
inline constexpr std::uint32_t kSlotBlockShift = 9;
inline constexpr std::uint32_t kDirtyShift = 8;


} // namespace cpu
} // namespace pxos
