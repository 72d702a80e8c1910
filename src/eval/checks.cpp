// The checks that read the image itself: the seed prototype's pixel checks,
// the structure (header, regions, palette), and the kernel's boot and tables.
#include "eval/evaluation.hpp"
#include "pxos/base/text.hpp"

#include "pxos/abi/process.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/isa/isa.hpp"

#include <cstdlib>
#include <set>

namespace pxos {

void Evaluation::check_metadata_initialized(Check& metadata)
{
    SeedFigures& seed = m_result.seed;
    const SimulatedVRAM& image = m_image;
    if (image.contains(10, 2)) {
        RGBA pixel = image.pixel_unchecked(10, 2);
        seed.metadata_initialized = pixel.r || pixel.g || pixel.b;
        metadata.evidence = { { "pixel", point(10, 2) }, { "found", colour(pixel) } };
        if (seed.metadata_initialized)
            pass(metadata, fmt::format("pixel {} is {}: the metadata region is initialised", at(10, 2), pixel.to_string()));
        else
            fail(metadata, fmt::format("pixel {} is {}: expected a non-zero R, G or B (the boot banner)", at(10, 2),
                               pixel.to_string()));
    } else {
        fail(metadata, fmt::format("pixel {} is outside the {}x{} image", at(10, 2), image.width(), image.height()));
    }
}

void Evaluation::check_opcode_palette_sufficient(Check& palette)
{
    SeedFigures& seed = m_result.seed;
    const SimulatedVRAM& image = m_image;
    std::set<std::uint32_t> samples;
    std::vector<std::int64_t> xs;
    for (int i = 0; i < 16; ++i) {
        int x = i * image.width() / 16;
        xs.push_back(x);
        if (image.contains(x, 24))
            samples.insert(image.pixel_unchecked(x, 24).to_word());
    }
    seed.opcode_palette_unique_colors = int(samples.size());
    seed.opcode_palette_sufficient = samples.size() >= 4;
    palette.evidence = { { "row", std::int64_t(24) }, { "xs", xs }, { "unique_colors", std::int64_t(samples.size()) } };
    if (seed.opcode_palette_sufficient)
        pass(palette, fmt::format("{} distinct colours among the 16 samples of row 24 (at least 4 needed)", samples.size()));
    else
        fail(palette, fmt::format("only {} distinct colours among the 16 samples of row 24 at x = 0, {}, ...; at least 4 "
                                  "needed (paint the ISA palette: write_isa_palette)",
                          samples.size(), image.width() / 16));
}

void Evaluation::check_hello_program_exists(Check& hello)
{
    SeedFigures& seed = m_result.seed;
    const SimulatedVRAM& image = m_image;
    int differing = 0;
    for (int y = 232; y < 240; ++y)
        for (int x = 32; x < 64; ++x)
            if (image.contains(x, y)) {
                RGBA pixel = image.pixel_unchecked(x, y);
                differing += !(pixel.r == 20 && pixel.g == 20 && pixel.b == 20);
            }
    seed.hello_program_pixels = differing;
    seed.hello_program_exists = differing > 0;
    hello.evidence = { { "block", std::vector<std::int64_t> { 32, 232, 32, 8 } }, { "pixels", std::int64_t(differing) } };
    if (seed.hello_program_exists)
        pass(hello, fmt::format("{} of the 32x8 block at {} {} from the program area colour",
                        plural(long(differing), "pixel"), at(32, 232), differing == 1 ? "differs" : "differ"));
    else
        fail(hello, fmt::format("every pixel of the 32x8 block at {} is the program area colour (20,20,20): no hello "
                                "program there",
                        at(32, 232)));
}

void Evaluation::check_all_regions_ok(Check& regions)
{
    SeedFigures& seed = m_result.seed;
    const SimulatedVRAM& image = m_image;
    std::vector<std::string> wrong;
    for (RegionId id : { RegionId::Metadata, RegionId::Kernel, RegionId::SyscallTable, RegionId::ProcessTable }) {
        const Region& entry = region(id);
        int x = entry.rect.x + entry.rect.width / 2;
        int y = entry.rect.y + entry.rect.height / 2;
        ++seed.regions_checked;
        if (!image.contains(x, y)) {
            wrong.push_back(fmt::format("{} centre {} is outside the image", entry.name, at(x, y)));
            continue;
        }
        RGBA found = image.pixel_unchecked(x, y);
        RGBA band = *entry.band_color;
        if (std::abs(found.r - band.r) <= 10 && std::abs(found.g - band.g) <= 10 && std::abs(found.b - band.b) <= 10)
            ++seed.regions_ok;
        else
            wrong.push_back(fmt::format("{} centre {} is {}, expected within 10 of {}", entry.name, at(x, y),
                found.to_string(), band.to_string()));
    }
    seed.all_regions_ok = seed.regions_ok == seed.regions_checked;
    regions.evidence = { { "regions_checked", std::int64_t(seed.regions_checked) },
        { "regions_ok", std::int64_t(seed.regions_ok) } };
    if (seed.all_regions_ok)
        pass(regions, "the centres of metadata, kernel, syscall_table and process_table have their band colours");
    else
        fail(regions, fmt::format("{} of 4 regions off: {}", wrong.size(), fmt::join(wrong, "; ")));
}

void Evaluation::check_header(Check& header)
{
    const SimulatedVRAM& image = m_image;
    auto read = read_header(image, m_name);
    header.evidence = { { "pixel", point(0, isa::kHeaderRow) } };
    if (read) {
        m_header = *read;
        pass(header, fmt::format("boot header at {}: magic PXOS, ISA version {}", at(0, isa::kHeaderRow), read->version));
    } else {
        const Diagnostic& problem = read.error().diagnostics().front();
        fail(header, fmt::format("{}: {}", problem.where, problem.message));
    }
}

void Evaluation::check_header_pointers(Check& pointers)
{
    int width = m_image.width();
    if (!m_header) {
        skip(pointers, "skipped: no valid boot header (see structure.header)");
    } else {
        const BootHeader& h = *m_header;
        std::vector<std::string> problems;
        auto inside = [&](std::uint32_t address, std::uint32_t count, RegionId id, std::string_view what) {
            auto [begin, end] = region_rows(id, width);
            if (address < begin || std::uint64_t(address) + count > end)
                problems.push_back(fmt::format("{} {} is not inside the {} region", what, format_address(address, width),
                    region(id).name));
        };
        inside(h.kernel_entry, 1, RegionId::Kernel, "kernel entry");
        inside(h.trap_vector, 1, RegionId::Kernel, "trap vector");
        inside(h.syscall_table, h.syscall_count, RegionId::SyscallTable, "syscall table");
        inside(h.process_table, h.process_slots * h.pcb_words, RegionId::ProcessTable, "process table");
        inside(h.palette, 1, RegionId::OpcodePalette, "palette");
        Rect program = region(RegionId::ProgramArea).rect;
        if (!(h.display.intersected(program) == h.display))
            problems.push_back(fmt::format("display area {}x{} at {} is not inside the program area", h.display.width,
                h.display.height, at(h.display.x, h.display.y)));
        if (h.syscall_count != kSyscalls.size())
            problems.push_back(fmt::format("syscall table has {} entries, expected {}", h.syscall_count, kSyscalls.size()));
        pointers.evidence = { { "kernel_entry", point_evidence(h.kernel_entry, width) },
            { "syscall_table", point_evidence(h.syscall_table, width) },
            { "process_table", point_evidence(h.process_table, width) } };
        if (problems.empty())
            pass(pointers, "every header pointer lies inside its region");
        else
            fail(pointers, fmt::format("{}", fmt::join(problems, "; ")));
    }
}

void Evaluation::check_regions(Check& regions)
{
    const SimulatedVRAM& image = m_image;
    std::vector<std::string> off;
    for (const Region& entry : layout_regions()) {
        if (!entry.band_color)
            continue;
        Rect rect = entry.rect.intersected(image.bounds());
        std::int64_t matching = 0;
        for (int y = rect.y; y < rect.y + rect.height; ++y)
            for (int x = rect.x; x < rect.x + rect.width; ++x)
                matching += image.pixel_unchecked(x, y) == *entry.band_color;
        if (rect.empty() || matching * 2 < entry.rect.area())
            off.push_back(fmt::format("{} ({}x{} at {}): {} of {} pixels are {}", entry.name, entry.rect.width,
                entry.rect.height, at(entry.rect.x, entry.rect.y), matching, entry.rect.area(),
                entry.band_color->to_string()));
    }
    if (off.empty())
        pass(regions, "every region with a band colour is mostly that colour, as the layout table says");
    else
        fail(regions, fmt::format("regions not laid out as the layout table says (at least half their pixels in the band "
                                  "colour): {}",
                          fmt::join(off, "; ")));
}

void Evaluation::check_palette(Check& palette)
{
    const SimulatedVRAM& image = m_image;
    int palette_y = region(RegionId::OpcodePalette).rect.y;
    int mismatches = 0;
    std::string first;
    std::set<std::uint32_t> seen;
    bool unique = true;
    for (const isa::OpcodeInfo& entry : isa::kOpcodes) {
        int x = int(entry.opcode) * isa::kPaletteCellWidth;
        RGBA found = image.contains(x, palette_y) ? image.pixel_unchecked(x, palette_y) : RGBA {};
        unique &= seen.insert(found.to_word()).second;
        if (!(found == entry.color) && mismatches++ == 0)
            first = fmt::format("{}: {} expected {}, found {}", at(x, palette_y), entry.mnemonic, entry.color.to_string(),
                found.to_string());
    }
    palette.evidence = { { "cells", std::int64_t(isa::kOpcodeCount) }, { "mismatches", std::int64_t(mismatches) } };
    if (mismatches == 0 && unique)
        pass(palette, fmt::format("all {} opcode colours present, unique and as the opcode table says",
                          isa::kOpcodeCount));
    else
        fail(palette, fmt::format("{} of {} palette cells differ from the opcode table{}; first {}", mismatches,
                          isa::kOpcodeCount, unique ? "" : " and colours repeat", first));
}

void Evaluation::check_boots(Check& boots)
{
    int width = m_image.width();
    auto machine = Machine::boot(m_image, m_name);
    if (!machine) {
        const Diagnostic& problem = machine.error().diagnostics().front();
        m_boot_error = fmt::format("{}: {}", problem.where, problem.message);
        fail(boots, "the image does not boot: " + m_boot_error);
    } else {
        auto entry = decode(m_image.words(), m_image.pixel_count(), (*machine)->header().kernel_entry,
            (*machine)->palette());
        if (!entry) {
            m_boot_error = "the kernel entry is not an instruction";
            fail(boots, fmt::format("the kernel entry {} is not an instruction of the image's palette",
                            format_address((*machine)->header().kernel_entry, width)));
        } else {
            m_boots = true;
            m_header = (*machine)->header();
            m_palette = (*machine)->palette();
            pass(boots, fmt::format("boots: kernel entry {} starts with {}",
                            format_address((*machine)->header().kernel_entry, width), format_instruction(*entry)));
        }
    }
}

void Evaluation::check_syscall_table(Check& syscalls)
{
    int width = m_image.width();
    if (!m_boots) {
        skip(syscalls, std::string(kSkippedNoBoot));
        return;
    }
    const BootHeader& h = *m_header;
    const Palette& palette = *m_palette;
    const std::uint32_t* words = m_image.words();
    auto [kernel_begin, kernel_end] = region_rows(RegionId::Kernel, width);
    Findings bad;
    for (std::uint32_t n = 0; n < h.syscall_count; ++n) {
        std::uint32_t handler = words[h.syscall_table + n];
        auto name = [n] { return n < kSyscalls.size() ? std::string(kSyscalls[n].name) : std::to_string(n); };
        if (handler < kernel_begin || handler >= kernel_end)
            bad.add([&] {
                return fmt::format("entry {} ({}) at {} points at {}, outside the kernel region", n, name(),
                    format_address(h.syscall_table + n, width), format_address(handler, width));
            });
        else if (!decode(words, m_image.pixel_count(), handler, palette))
            bad.add([&] {
                return fmt::format("entry {} ({}) points at {}, which is not an instruction", n, name(),
                    format_address(handler, width));
            });
    }
    syscalls.evidence = { { "entries", std::int64_t(h.syscall_count) }, { "bad", std::int64_t(bad.count()) } };
    if (bad.empty())
        pass(syscalls, fmt::format("all {} syscall entries point at kernel code", h.syscall_count));
    else
        fail(syscalls, bad.text());
}

void Evaluation::check_process_table(Check& processes)
{
    int width = m_image.width();
    if (!m_boots) {
        skip(processes, std::string(kSkippedNoBoot));
        return;
    }
    // PCBs: in range, inside the program area, not overlapping each other or the display.
    const BootHeader& h = *m_header;
    const std::uint32_t* words = m_image.words();
    Findings problems;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
    int runnable = 0;
    auto [program_begin, program_end] = region_rows(RegionId::ProgramArea, width);
    std::uint32_t display_begin = std::uint32_t(h.display.y) * std::uint32_t(width);
    std::uint32_t display_end = std::uint32_t(h.display.y + h.display.height) * std::uint32_t(width);
    for (std::uint32_t slot = 0; slot < h.process_slots; ++slot) {
        const std::uint32_t* pcb = words + h.process_table + std::size_t(slot) * h.pcb_words;
        std::uint32_t state = pcb[int(isa::PcbField::State)];
        if (state == std::uint32_t(isa::ProcessState::Free))
            continue;
        std::string where = fmt::format("slot {} at {}", slot, format_address(h.process_table + slot * h.pcb_words, width));
        std::uint32_t base = pcb[int(isa::PcbField::Base)], limit = pcb[int(isa::PcbField::Limit)];
        std::uint32_t entry = pcb[int(isa::PcbField::Entry)], stack = pcb[int(isa::PcbField::StackBase)];
        if (state > std::uint32_t(isa::ProcessState::Dormant))
            problems.add([&] { return fmt::format("{}: state {} is not a process state", where, state); });
        if (state == std::uint32_t(isa::ProcessState::Ready))
            ++runnable;
        if (pcb[int(isa::PcbField::Pid)] != abi::pid_of_slot(slot))
            problems.add([&] {
                return fmt::format("{}: pid {} (expected {})", where, pcb[int(isa::PcbField::Pid)], abi::pid_of_slot(slot));
            });
        if (base >= limit || base < program_begin || limit > program_end)
            problems.add([&] { return fmt::format("{}: memory {}..{} is empty or outside the program area", where,
                format_address(base, width), format_address(limit, width)); });
        else if (entry < base || entry >= limit || stack < base || stack > limit)
            problems.add([&] { return fmt::format("{}: entry {} or stack base {} outside its memory", where,
                format_address(entry, width), format_address(stack, width)); });
        if (base < display_end && limit > display_begin)
            problems.add([&] { return fmt::format("{}: memory overlaps the display area", where); });
        for (const auto& [other_base, other_limit] : ranges)
            if (base < other_limit && limit > other_base)
                problems.add([&] { return fmt::format("{}: memory overlaps another process's", where); });
        ranges.emplace_back(base, limit);
    }
    processes.evidence = { { "processes", std::int64_t(ranges.size()) }, { "ready", std::int64_t(runnable) } };
    if (ranges.empty())
        fail(processes, fmt::format("the process table at {} lists no process", format_address(h.process_table, width)));
    else if (runnable == 0)
        fail(processes, "no process is ready to run at boot");
    else if (!problems.empty())
        fail(processes, problems.text());
    else
        pass(processes, fmt::format("{} valid PCBs ({} ready at boot), memories disjoint and inside the program area",
                            ranges.size(), runnable));
}

} // namespace pxos
