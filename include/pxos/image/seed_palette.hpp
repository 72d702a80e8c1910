// The seed prototype's eight opcodes and their colours, in the seed's order.
// FIXME: the pixel-machine issue replaces this with the full opcode table
// (isa.hpp); until then this is the only place that knows these colours.
#pragma once

#include "pxos/image/vram.hpp"

#include <array>
#include <string_view>

namespace pxos {

struct SeedOpcode {
    std::string_view mnemonic;
    RGBA color;
};

inline constexpr std::array<SeedOpcode, 8> kSeedOpcodes { {
    { "NOP", { 0, 0, 0, 255 } },
    { "HALT", { 255, 0, 0, 255 } },
    { "LOAD", { 0, 255, 0, 255 } },
    { "STORE", { 0, 0, 255, 255 } },
    { "ADD", { 255, 255, 0, 255 } },
    { "SUB", { 255, 0, 255, 255 } },
    { "JMP", { 0, 255, 255, 255 } },
    { "JZ", { 128, 128, 128, 255 } },
} };

inline constexpr RGBA seed_opcode_color(std::string_view mnemonic)
{
    for (const SeedOpcode& opcode : kSeedOpcodes)
        if (opcode.mnemonic == mnemonic)
            return opcode.color;
    return RGBA {};
}

} // namespace pxos
