#include "pxos/isa/decoder.hpp"

#include "pxos/image/layout.hpp"

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

Result<BootHeader> read_header(const SimulatedVRAM& vram, const std::string& image_name)
{
    int width = vram.width();
    if (width < isa::kHeaderWords || vram.height() <= isa::kHeaderRow)
        return Error::bad_input(image_name, fmt::format("not a pxOS image: {}x{} is too small to hold the header",
                                                width, vram.height()));
    const std::uint32_t* words = vram.words() + header_address(width);
    auto field = [&](isa::HeaderField which) { return words[int(which)]; };
    auto where = [&](isa::HeaderField which) {
        return fmt::format("{}@({},{})", image_name, int(which), isa::kHeaderRow);
    };
    if (field(isa::HeaderField::Magic) != isa::kMagic)
        return Error::bad_input(where(isa::HeaderField::Magic),
            fmt::format("not a bootable pxOS image: no header magic 'PXOS' (found {})",
                RGBA::from_word(field(isa::HeaderField::Magic)).to_string()));
    BootHeader header;
    header.version = field(isa::HeaderField::Version);
    if (header.version != isa::kVersion)
        return Error::bad_input(where(isa::HeaderField::Version),
            fmt::format("ISA version {} is not supported (this pxos runs version {})", header.version, isa::kVersion));
    header.kernel_entry = field(isa::HeaderField::KernelEntry);
    header.syscall_table = field(isa::HeaderField::SyscallTable);
    header.syscall_count = field(isa::HeaderField::SyscallCount);
    header.process_table = field(isa::HeaderField::ProcessTable);
    header.process_slots = field(isa::HeaderField::ProcessSlots);
    header.pcb_words = field(isa::HeaderField::PcbWords);
    header.display = Rect { int(field(isa::HeaderField::DisplayX)), int(field(isa::HeaderField::DisplayY)),
        int(field(isa::HeaderField::DisplayWidth)), int(field(isa::HeaderField::DisplayHeight)) };
    header.trap_vector = field(isa::HeaderField::TrapVector);
    header.palette = field(isa::HeaderField::Palette);
    header.palette_cell_width = field(isa::HeaderField::PaletteCellWidth);
    header.opcode_count = field(isa::HeaderField::OpcodeCount);

    std::uint64_t memory = vram.pixel_count();
    auto check_pointer = [&](isa::HeaderField which, std::uint64_t address, std::uint64_t extent,
                             std::string_view what) -> Result<void> {
        if (address + extent > memory)
            return Error::bad_input(where(which), fmt::format("header {} {} (+{}) lies outside the {}x{} image", what,
                                                      format_address(std::uint32_t(address), width), extent, width,
                                                      vram.height()));
        return {};
    };
    PXOS_TRY(check_pointer(isa::HeaderField::KernelEntry, header.kernel_entry, 1, "kernel entry"));
    PXOS_TRY(check_pointer(isa::HeaderField::SyscallTable, header.syscall_table, header.syscall_count, "syscall table"));
    if (header.pcb_words < 32 || header.process_slots > 1024)
        return Error::bad_input(where(isa::HeaderField::PcbWords),
            fmt::format("header says {} process slots of {} words; expected at most 1024 slots of at least 32 words",
                header.process_slots, header.pcb_words));
    PXOS_TRY(check_pointer(isa::HeaderField::ProcessTable, header.process_table,
        std::uint64_t(header.process_slots) * header.pcb_words, "process table"));
    PXOS_TRY(check_pointer(isa::HeaderField::TrapVector, header.trap_vector, 1, "trap vector"));
    PXOS_TRY(check_pointer(isa::HeaderField::Palette, header.palette, 1, "palette"));
    Rect display = header.display.intersected(vram.bounds());
    if (header.display.empty() || !(display == header.display))
        return Error::bad_input(where(isa::HeaderField::DisplayX),
            fmt::format("header display area {}x{} at ({},{}) is empty or outside the image", header.display.width,
                header.display.height, header.display.x, header.display.y));
    return header;
}

namespace {

// Whether the words [begin, end) (row-major in a VRAM of this width) meet
// the rectangle.
bool span_meets_rect(std::uint64_t begin, std::uint64_t end, const Rect& rect, int width)
{
    if (begin >= end || rect.empty())
        return false;
    const std::uint64_t w = std::uint64_t(width);
    const std::uint64_t first_row = begin / w, last_row = (end - 1) / w;
    const std::uint64_t top = std::max<std::uint64_t>(first_row, std::uint64_t(rect.y));
    const std::uint64_t bottom = std::min<std::uint64_t>(last_row, std::uint64_t(rect.y) + std::uint64_t(rect.height) - 1);
    if (top > bottom)
        return false;
    if (bottom - top >= 2) // the row after `top` is covered whole
        return true;
    for (std::uint64_t row : { top, bottom }) {
        std::uint64_t from = row == first_row ? begin % w : 0;
        std::uint64_t to = row == last_row ? (end - 1) % w : w - 1;
        if (from < std::uint64_t(rect.x) + std::uint64_t(rect.width) && to >= std::uint64_t(rect.x))
            return true;
    }
    return false;
}

} // namespace

std::optional<std::string> display_overlap(const BootHeader& header, int width, int height,
    const std::uint32_t* memory)
{
    const Rect& display = header.display;
    std::string area = fmt::format("the display area {}x{} at ({},{})", display.width, display.height, display.x,
        display.y);
    const Rect bounds { 0, 0, width, height };
    for (const Region& entry : layout_regions()) {
        Rect owned = entry.rect.intersected(bounds);
        if (entry.owner != Ownership::Kernel || owned.empty() || display.intersected(owned).empty())
            continue;
        return fmt::format("{} overlaps the {} region ({}x{} at ({},{})), which the kernel owns: a user process could "
                           "rewrite it",
            area, entry.name, owned.width, owned.height, owned.x, owned.y);
    }
    struct Span {
        std::string_view what;
        std::uint64_t begin, end;
    };
    const Span spans[] = {
        { "boot header", header_address(width), std::uint64_t(header_address(width)) + isa::kHeaderWords },
        { "opcode palette", header.palette,
            std::uint64_t(header.palette) + std::uint64_t(header.palette_cell_width) * (header.opcode_count ? header.opcode_count - 1 : 0) + 1 },
        { "syscall table", header.syscall_table, std::uint64_t(header.syscall_table) + header.syscall_count },
        { "process table", header.process_table,
            std::uint64_t(header.process_table) + std::uint64_t(header.process_slots) * header.pcb_words },
        { "kernel entry", header.kernel_entry, std::uint64_t(header.kernel_entry) + 1 },
        { "trap vector", header.trap_vector, std::uint64_t(header.trap_vector) + 1 },
    };
    const std::uint64_t words = std::uint64_t(width) * std::uint64_t(height);
    auto overlap = [&](const Span& span) -> std::optional<std::string> {
        if (!span_meets_rect(span.begin, std::min(span.end, words), display, width))
            return std::nullopt;
        return fmt::format("{} overlaps the {} ({}..{}), which the kernel owns: a user process could rewrite it", area,
            span.what, format_address(std::uint32_t(span.begin), width),
            format_address(std::uint32_t(std::min(span.end, words) - 1), width));
    };
    for (const Span& span : spans)
        if (auto found = overlap(span))
            return found;
    // The handlers one at a time: a hostile header's table may be as long as the image.
    if (memory)
        for (std::uint64_t n = 0; n < header.syscall_count && header.syscall_table + n < words; ++n)
            if (auto found = overlap({ "syscall handler", memory[header.syscall_table + n],
                    std::uint64_t(memory[header.syscall_table + n]) + 1 }))
                return found;
    return std::nullopt;
}

void write_header(SimulatedVRAM& vram, const BootHeader& header)
{
    std::uint32_t words[isa::kHeaderWords] = {
        isa::kMagic,
        header.version,
        header.kernel_entry,
        header.syscall_table,
        header.syscall_count,
        header.process_table,
        header.process_slots,
        header.pcb_words,
        std::uint32_t(header.display.x),
        std::uint32_t(header.display.y),
        std::uint32_t(header.display.width),
        std::uint32_t(header.display.height),
        header.trap_vector,
        header.palette,
        header.palette_cell_width,
        header.opcode_count,
    };
    for (int i = 0; i < isa::kHeaderWords && i < vram.width(); ++i)
        (void)vram.write_pixel(i, isa::kHeaderRow, RGBA::from_word(words[i]));
}

Result<void> write_pcb(SimulatedVRAM& vram, std::uint32_t process_table, const ProcessSpec& spec)
{
    std::uint32_t pcb[isa::kPcbWords] = {};
    pcb[int(isa::PcbField::State)] = std::uint32_t(spec.state);
    pcb[int(isa::PcbField::Pid)] = spec.slot + 1;
    pcb[int(isa::PcbField::Pc)] = spec.entry;
    pcb[int(isa::PcbField::Base)] = spec.base;
    pcb[int(isa::PcbField::Limit)] = spec.limit;
    pcb[int(isa::PcbField::Entry)] = spec.entry;
    pcb[int(isa::PcbField::StackBase)] = spec.stack_base;
    pcb[int(isa::PcbField::Registers) + isa::kStackPointer] = spec.limit;
    std::uint32_t width = std::uint32_t(vram.width());
    std::uint32_t address = process_table + spec.slot * std::uint32_t(isa::kPcbWords);
    for (std::uint32_t i = 0; i < std::uint32_t(isa::kPcbWords); ++i)
        PXOS_TRY(vram.write_pixel(int((address + i) % width), int((address + i) / width), RGBA::from_word(pcb[i])));
    return {};
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

std::string disassemble(const SimulatedVRAM& vram, std::uint32_t start, std::uint32_t count, const Palette& palette)
{
    int width = vram.width();
    std::uint64_t end = std::min<std::uint64_t>(std::uint64_t(start) + count, vram.pixel_count());
    std::string text = fmt::format(".org {}, {}\n", start % std::uint32_t(width), start / std::uint32_t(width));
    std::uint32_t address = start;
    while (address < end) {
        auto instruction = decode(vram.words(), std::size_t(end), address, palette);
        std::string line;
        int length = 1;
        if (instruction) {
            line = "    " + format_instruction(*instruction);
            length = instruction->length();
        } else {
            line = fmt::format("    .word 0x{:08x}", vram.words()[address]);
        }
        if (line.size() < 32)
            line.resize(32, ' ');
        text += line + fmt::format(" ; {}\n", format_address(address, width));
        address += std::uint32_t(length);
    }
    return text;
}

} // namespace pxos
