// The fast interpreter from outside: booting it, and reading its state, its
// processes and why it stopped. The hot loop is in interpreter.cpp.
#include "pxos/vm/machine.hpp"

namespace pxos {

Result<std::unique_ptr<Machine>> Machine::boot(SimulatedVRAM image, const std::string& image_name)
{
    auto boot_image = read_boot_image(image, image_name);
    if (!boot_image)
        return std::move(boot_image).error();
    return std::unique_ptr<Machine>(new Machine(std::move(image), boot_image->header, std::move(boot_image->palette)));
}

std::uint32_t Machine::special(isa::Special which) const
{
    if (which == isa::Special::Ticks)
        return std::uint32_t(m_steps);
    return m_specials[std::size_t(which)];
}

MachineState Machine::state() const
{
    MachineState state;
    state.kernel_registers = registers(false);
    state.user_registers = registers(true);
    state.specials = m_specials;
    state.pc = m_pc;
    state.user_mode = m_user_mode;
    state.halted = m_halted;
    state.steps = m_steps;
    state.slice_end = m_slice_end;
    state.input_position = m_input_position;
    state.console_bytes = m_console_bytes;
    return state;
}

std::vector<ProcessInfo> Machine::processes() const
{
    std::vector<ProcessInfo> list;
    for (std::uint32_t slot = 0; slot < m_header.process_slots; ++slot) {
        const std::uint32_t* pcb = m_memory + m_header.process_table + std::size_t(slot) * m_header.pcb_words;
        std::uint32_t state = pcb[int(isa::PcbField::State)];
        if (state == std::uint32_t(isa::ProcessState::Free))
            continue;
        list.push_back({ slot, pcb[int(isa::PcbField::Pid)], state, pcb[int(isa::PcbField::Pc)],
            pcb[int(isa::PcbField::Base)], pcb[int(isa::PcbField::Limit)],
            std::int32_t(pcb[int(isa::PcbField::ExitCode)]) });
    }
    return list;
}

std::string_view stop_reason_name(StopReason reason)
{
    switch (reason) {
    case StopReason::Halted: return "halted";
    case StopReason::BudgetExhausted: return "budget_exhausted";
    case StopReason::KernelPanic: return "kernel_panic";
    case StopReason::Interrupted: return "interrupted";
    }
    return "unknown";
}

} // namespace pxos
