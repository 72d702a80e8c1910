// Reading pixel code: the palette (colour -> opcode, as the image says) and
// instruction decoding. The machine, the disassembler, the evaluator and the
// debugger all decode through here, from the one opcode table. (The boot
// header that says where the palette is belongs to the ABI:
// pxos/abi/boot_header.hpp.)
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/vram.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <unordered_map>

namespace pxos {

class Palette {
public:
    // The table's own colours.
    static Palette canonical();
    // Reads `count` entries from the image's palette region (entry i at
    // (x0 + i * cell_width, y0)); refuses duplicate colours, naming both pixels.
    static Result<Palette> read(const SimulatedVRAM& vram, std::uint32_t palette_address, int cell_width, int count,
        const std::string& image_name);

    std::optional<isa::Opcode> lookup(std::uint32_t word) const
    {
        auto found = m_opcodes.find(word);
        if (found == m_opcodes.end())
            return std::nullopt;
        return found->second;
    }
    // The colour word that means `opcode` here (0 when the palette lacks it).
    std::uint32_t word_for(isa::Opcode opcode) const { return m_words[std::size_t(opcode)]; }
    int size() const { return int(m_opcodes.size()); }

private:
    std::unordered_map<std::uint32_t, isa::Opcode> m_opcodes;
    std::array<std::uint32_t, isa::kOpcodeCount> m_words {};
};

struct Instruction {
    const isa::OpcodeInfo* info = nullptr;
    std::array<std::uint32_t, isa::kMaxOperands> operands {};
    int length() const { return info->length(); }
};

// Decodes the instruction starting at `address`; nullopt when the pixel is
// not an opcode of the palette, an operand is invalid (register > 15, ...)
// or the instruction runs past the end of memory.
std::optional<Instruction> decode(const std::uint32_t* memory, std::size_t memory_words, std::uint32_t address,
    const Palette& palette);

// "ADD r1, r2, r3"; immediates in decimal (signed) or hex when large.
std::string format_instruction(const Instruction& instruction);

// "(x,y)" for an address in a VRAM of this width.
std::string format_address(std::uint32_t address, int width);

// One instruction (or a `.word` where none decodes) of a disassembly.
struct DisassembledWord {
    std::uint32_t address = 0;
    int length = 1; // words
    std::string text; // "LI r1, 1", ".word 0x0000002a"
};
std::vector<DisassembledWord> disassembly(const SimulatedVRAM& vram, std::uint32_t start, std::uint32_t count,
    const Palette& palette);

// pxasm text for `count` words from `start`: instructions where they decode,
// `.word` otherwise. Assembling the text gives back the same pixels.
std::string disassemble(const SimulatedVRAM& vram, std::uint32_t start, std::uint32_t count, const Palette& palette);

} // namespace pxos
