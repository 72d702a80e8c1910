#include "pxos/abi/process.hpp"

#include "pxos/isa/isa.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace pxos::isa {

std::string_view process_state_name(std::uint32_t state)
{
    // Lower-case copies of the table's symbols, made once.
    static const std::array<std::string, abi::kProcessStates.size()> kNames = [] {
        std::array<std::string, abi::kProcessStates.size()> names;
        for (std::size_t i = 0; i < names.size(); ++i) {
            names[i] = std::string(abi::kProcessStates[i].symbol);
            std::transform(names[i].begin(), names[i].end(), names[i].begin(),
                [](unsigned char c) { return char(std::tolower(c)); });
        }
        return names;
    }();
    return state < kNames.size() ? std::string_view(kNames[state]) : "invalid";
}

} // namespace pxos::isa

namespace pxos {

Result<void> write_pcb(SimulatedVRAM& vram, std::uint32_t process_table, const ProcessSpec& spec)
{
    std::uint32_t pcb[isa::kPcbWords] = {};
    pcb[int(isa::PcbField::State)] = std::uint32_t(spec.state);
    pcb[int(isa::PcbField::Pid)] = abi::pid_of_slot(spec.slot);
    pcb[int(isa::PcbField::Pc)] = spec.entry;
    pcb[int(isa::PcbField::Base)] = spec.base;
    pcb[int(isa::PcbField::Limit)] = spec.limit;
    pcb[int(isa::PcbField::Entry)] = spec.entry;
    pcb[int(isa::PcbField::StackBase)] = spec.stack_base;
    pcb[int(isa::PcbField::Registers) + isa::kStackPointer] = spec.limit;
    std::uint32_t width = std::uint32_t(vram.width());
    std::uint32_t address = process_table + (spec.slot << isa::kPcbShift);
    for (std::uint32_t i = 0; i < std::uint32_t(isa::kPcbWords); ++i)
        PXOS_TRY(vram.write_pixel(int((address + i) % width), int((address + i) / width), RGBA::from_word(pcb[i])));
    return {};
}

} // namespace pxos

namespace pxos::abi {

ProcessSpec process_in_rows(std::uint32_t slot, isa::ProcessState state, int width, std::uint32_t first_row,
    std::uint32_t rows, std::uint32_t stack_words)
{
    ProcessSpec spec;
    spec.slot = slot;
    spec.state = state;
    spec.base = first_row * std::uint32_t(width);
    spec.limit = spec.base + rows * std::uint32_t(width);
    spec.entry = spec.base;
    spec.stack_base = spec.limit - stack_words;
    return spec;
}

Result<void> place_process(SimulatedVRAM& vram, std::uint32_t process_table, const ProcessSpec& spec,
    const std::function<Result<void>(SimulatedVRAM&)>& write_code)
{
    std::uint32_t width = std::uint32_t(vram.width());
    vram.fill_rect(Rect { 0, int(spec.base / width), int(width), int((spec.limit - spec.base) / width) },
        RGBA::from_word(0));
    PXOS_TRY(write_code(vram));
    return write_pcb(vram, process_table, spec);
}

} // namespace pxos::abi
