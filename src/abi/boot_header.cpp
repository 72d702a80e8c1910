#include "pxos/abi/boot_header.hpp"

#include "pxos/image/layout.hpp"
#include "pxos/isa/decoder.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace pxos {

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
    header.store_base = field(isa::HeaderField::StoreBase);
    header.store_words = field(isa::HeaderField::StoreWords);
    header.memory_base = field(isa::HeaderField::MemoryBase);
    header.partition_words = field(isa::HeaderField::PartitionWords);

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
    if (header.pcb_words < std::uint32_t(isa::kPcbWords) || header.process_slots > 1024)
        return Error::bad_input(where(isa::HeaderField::PcbWords),
            fmt::format("header says {} process slots of {} words; expected at most 1024 slots of at least {} words",
                header.process_slots, header.pcb_words, isa::kPcbWords));
    PXOS_TRY(check_pointer(isa::HeaderField::ProcessTable, header.process_table,
        std::uint64_t(header.process_slots) * header.pcb_words, "process table"));
    PXOS_TRY(check_pointer(isa::HeaderField::TrapVector, header.trap_vector, 1, "trap vector"));
    PXOS_TRY(check_pointer(isa::HeaderField::Palette, header.palette, 1, "palette"));
    if (header.store_base != 0)
        PXOS_TRY(check_pointer(isa::HeaderField::StoreBase, header.store_base, header.store_words, "file store"));
    if (header.memory_base != 0)
        PXOS_TRY(check_pointer(isa::HeaderField::MemoryBase, header.memory_base,
            std::uint64_t(header.process_slots) * header.partition_words, "process partitions"));
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
    std::uint32_t words[isa::kHeaderWords] = {};
    auto field = [&](isa::HeaderField which) -> std::uint32_t& { return words[int(which)]; };
    field(isa::HeaderField::Magic) = isa::kMagic;
    field(isa::HeaderField::Version) = header.version;
    field(isa::HeaderField::KernelEntry) = header.kernel_entry;
    field(isa::HeaderField::SyscallTable) = header.syscall_table;
    field(isa::HeaderField::SyscallCount) = header.syscall_count;
    field(isa::HeaderField::ProcessTable) = header.process_table;
    field(isa::HeaderField::ProcessSlots) = header.process_slots;
    field(isa::HeaderField::PcbWords) = header.pcb_words;
    field(isa::HeaderField::DisplayX) = std::uint32_t(header.display.x);
    field(isa::HeaderField::DisplayY) = std::uint32_t(header.display.y);
    field(isa::HeaderField::DisplayWidth) = std::uint32_t(header.display.width);
    field(isa::HeaderField::DisplayHeight) = std::uint32_t(header.display.height);
    field(isa::HeaderField::TrapVector) = header.trap_vector;
    field(isa::HeaderField::Palette) = header.palette;
    field(isa::HeaderField::PaletteCellWidth) = header.palette_cell_width;
    field(isa::HeaderField::OpcodeCount) = header.opcode_count;
    field(isa::HeaderField::StoreBase) = header.store_base;
    field(isa::HeaderField::StoreWords) = header.store_words;
    field(isa::HeaderField::MemoryBase) = header.memory_base;
    field(isa::HeaderField::PartitionWords) = header.partition_words;
    for (int i = 0; i < isa::kHeaderWords && i < vram.width(); ++i)
        (void)vram.write_pixel(i, isa::kHeaderRow, RGBA::from_word(words[i]));
}

} // namespace pxos
