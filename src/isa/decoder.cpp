#include "pxos/isa/decoder.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace pxos {

Palette Palette::canonical()
{
    Palette palette;
    for (const isa::OpcodeInfo& entry : isa::kOpcodes) {
        palette.m_opcodes.emplace(entry.color.to_word(), entry.opcode);
        palette.m_words[std::size_t(entry.opcode)] = entry.color.to_word();
    }
    return palette;
}

Result<Palette> Palette::read(const SimulatedVRAM& vram, std::uint32_t palette_address, int cell_width, int count,
    const std::string& image_name)
{
    int width = vram.width();
    int x0 = int(palette_address % std::uint32_t(width));
    int y0 = int(palette_address / std::uint32_t(width));
    if (count < 1 || count > isa::kOpcodeCount || cell_width < 1)
        return Error::bad_input(image_name, fmt::format("palette of {} opcodes with cell width {} is invalid (1..{} "
                                                        "opcodes, cell width >= 1)",
                                                count, cell_width, isa::kOpcodeCount));
    Palette palette;
    std::unordered_map<std::uint32_t, int> first_x;
    for (int i = 0; i < count; ++i) {
        int x = x0 + i * cell_width;
        if (!vram.contains(x, y0))
            return Error::bad_input(fmt::format("{}@({},{})", image_name, x, y0),
                fmt::format("palette entry {} ({}) lies outside the {}x{} image", i, isa::kOpcodes[std::size_t(i)].mnemonic,
                    vram.width(), vram.height()));
        std::uint32_t word = vram.words()[std::size_t(y0) * std::size_t(width) + std::size_t(x)];
        auto [existing, inserted] = first_x.emplace(word, x);
        if (!inserted)
            return Error::bad_input(fmt::format("{}@({},{})", image_name, x, y0),
                fmt::format("palette colour {} of {} is also the colour of {} at ({},{}); opcode colours must be unique",
                    RGBA::from_word(word).to_string(), isa::kOpcodes[std::size_t(i)].mnemonic,
                    isa::kOpcodes[std::size_t((existing->second - x0) / cell_width)].mnemonic, existing->second, y0));
        palette.m_opcodes.emplace(word, isa::Opcode(i));
        palette.m_words[std::size_t(i)] = word;
    }
    return palette;
}

std::optional<Instruction> decode(const std::uint32_t* memory, std::size_t memory_words, std::uint32_t address,
    const Palette& palette)
{
    if (address >= memory_words)
        return std::nullopt;
    auto opcode = palette.lookup(memory[address]);
    if (!opcode)
        return std::nullopt;
    Instruction instruction;
    instruction.info = &isa::info(*opcode);
    if (std::size_t(address) + std::size_t(instruction.info->length()) > memory_words)
        return std::nullopt;
    for (int i = 0; i < instruction.info->operand_count(); ++i) {
        std::uint32_t value = memory[address + 1 + std::uint32_t(i)];
        switch (instruction.info->operand_kind(i)) {
        case isa::OperandKind::Register:
            if (value >= std::uint32_t(isa::kRegisterCount))
                return std::nullopt;
            break;
        case isa::OperandKind::Special:
            if (value >= isa::kSpecials.size())
                return std::nullopt;
            break;
        case isa::OperandKind::Port:
            if (value >= isa::kPortCount)
                return std::nullopt;
            break;
        case isa::OperandKind::Immediate: break;
        }
        instruction.operands[std::size_t(i)] = value;
    }
    return instruction;
}

namespace {

std::string format_immediate(std::uint32_t value)
{
    std::int32_t signed_value = std::int32_t(value);
    if (signed_value >= -65536 && signed_value <= 65536)
        return std::to_string(signed_value);
    return fmt::format("0x{:08x}", value);
}

} // namespace

std::string format_instruction(const Instruction& instruction)
{
    std::string text(instruction.info->mnemonic);
    for (int i = 0; i < instruction.info->operand_count(); ++i) {
        text += i ? ", " : " ";
        std::uint32_t value = instruction.operands[std::size_t(i)];
        switch (instruction.info->operand_kind(i)) {
        case isa::OperandKind::Register: text += value == isa::kStackPointer ? "sp" : fmt::format("r{}", value); break;
        case isa::OperandKind::Special: text += isa::kSpecials[value].name; break;
        case isa::OperandKind::Port: text += std::to_string(value); break;
        case isa::OperandKind::Immediate: text += format_immediate(value); break;
        }
    }
    return text;
}

std::string format_address(std::uint32_t address, int width)
{
    return fmt::format("({},{})", address % std::uint32_t(width), address / std::uint32_t(width));
}

std::vector<DisassembledWord> disassembly(const SimulatedVRAM& vram, std::uint32_t start, std::uint32_t count,
    const Palette& palette)
{
    std::uint64_t end = std::min<std::uint64_t>(std::uint64_t(start) + count, vram.pixel_count());
    std::vector<DisassembledWord> lines;
    for (std::uint32_t address = start; address < end;) {
        auto instruction = decode(vram.words(), std::size_t(end), address, palette);
        DisassembledWord line { address, 1, {} };
        if (instruction) {
            line.text = format_instruction(*instruction);
            line.length = instruction->length();
        } else {
            line.text = fmt::format(".word 0x{:08x}", vram.words()[address]);
        }
        address += std::uint32_t(line.length);
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string disassemble(const SimulatedVRAM& vram, std::uint32_t start, std::uint32_t count, const Palette& palette)
{
    int width = vram.width();
    std::string text = fmt::format(".org {}, {}\n", start % std::uint32_t(width), start / std::uint32_t(width));
    for (const DisassembledWord& word : disassembly(vram, start, count, palette)) {
        std::string line = "    " + word.text;
        if (line.size() < 32)
            line.resize(32, ' ');
        text += line + fmt::format(" ; {}\n", format_address(word.address, width));
    }
    return text;
}

} // namespace pxos
