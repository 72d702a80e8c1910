#include "pxos/vm/reference.hpp"

#include "pxos/vm/trap_entry.hpp"

#include <algorithm>

namespace pxos {

using isa::Opcode;
using isa::Special;
using isa::TrapCause;

ReferenceMachine::ReferenceMachine(SimulatedVRAM image, BootHeader header, Palette palette)
    : m_vram(std::move(image))
    , m_header(header)
    , m_palette(std::move(palette))
{
    m_state.pc = header.kernel_entry;
}

Result<ReferenceMachine> ReferenceMachine::boot(SimulatedVRAM image, const std::string& image_name)
{
    auto boot_image = read_boot_image(image, image_name);
    if (!boot_image)
        return std::move(boot_image).error();
    return ReferenceMachine(std::move(image), boot_image->header, std::move(boot_image->palette));
}

ReferenceMachine::Bounds ReferenceMachine::bounds() const
{
    const std::uint32_t memory_words = std::uint32_t(m_vram.pixel_count());
    if (!m_state.user_mode)
        return { 0, memory_words, memory_words, 0, memory_words };
    // User mode: [UBASE, ULIMIT), of which an instruction may not start in
    // the last kMaxOperands words (so no operand reaches past ULIMIT); the
    // stack from SBASE (clamped into the process's memory) up to ULIMIT.
    const std::uint32_t base = m_state.specials[std::size_t(Special::Ubase)];
    const std::uint32_t limit = m_state.specials[std::size_t(Special::Ulimit)];
    const std::uint32_t span = limit - base;
    const std::uint32_t guard = std::uint32_t(isa::kMaxOperands);
    const std::uint32_t stack_base = std::clamp(m_state.specials[std::size_t(Special::Sbase)], base, limit);
    return { base, span, span > guard ? span - guard : 0, stack_base, limit - stack_base };
}

bool ReferenceMachine::in_display(std::uint32_t address) const
{
    const std::uint32_t width = std::uint32_t(m_vram.width());
    const Rect& display = m_header.display;
    return address < m_vram.pixel_count() && display.contains(int(address % width), int(address / width));
}

bool ReferenceMachine::accessible(const Bounds& bounds, std::uint32_t address) const
{
    return address - bounds.lo < bounds.span || (m_state.user_mode && in_display(address));
}

bool ReferenceMachine::fetchable(const Bounds& bounds, std::uint32_t address) const
{
    return std::uint64_t(address) - bounds.lo < bounds.fetch_span; // below lo wraps far past it
}

std::array<std::uint32_t, isa::kRegisterCount>& ReferenceMachine::bank()
{
    return m_state.user_mode ? m_state.user_registers : m_state.kernel_registers;
}

void ReferenceMachine::store(std::uint32_t address, std::uint32_t word)
{
    m_vram.mutable_words()[address] = word;
}

// Past the console output cap the bytes are counted, not kept.
void ReferenceMachine::write_console(char c)
{
    if (m_state.console_bytes++ < m_record_limits.max_console_bytes)
        m_output += c;
}

// A trap in user mode enters the kernel; in kernel mode it is a panic.
ReferenceMachine::Event ReferenceMachine::raise(TrapCause cause, std::uint32_t pc, std::uint32_t address)
{
    RaisedTrap trap { std::uint32_t(cause), pc, address };
    if (!m_state.user_mode) {
        record_panic(trap, m_state.specials[std::size_t(Special::Pid)], m_state.steps, m_result);
        m_state.halted = true;
        m_state.pc = pc;
        return Event::Panicked;
    }
    m_state.pc = enter_trap(trap, { m_header, m_vram.words(), std::uint32_t(m_vram.pixel_count()), m_state.specials,
                                      m_result, m_record_limits, m_state.steps });
    m_state.user_mode = false;
    m_state.slice_end = 0;
    return Event::Trapped;
}

ReferenceMachine::Event ReferenceMachine::jump(const Bounds& bounds, std::uint32_t target)
{
    if (!fetchable(bounds, target))
        return raise(TrapCause::JumpOutOfBounds, m_state.pc, target); // the jump faults, not its target
    m_state.pc = target;
    return Event::Executed;
}

ReferenceMachine::Event ReferenceMachine::step()
{
    if (m_state.halted)
        return Event::Stopped;
    if (m_state.user_mode && m_state.slice_end && m_state.steps >= m_state.slice_end)
        return raise(TrapCause::Timer, m_state.pc, 0); // the next instruction runs after the kernel's SYSRET
    const Bounds limits = bounds();
    const std::uint32_t pc = m_state.pc;
    // Where the fast interpreter starts running (run(), SYSRET) it checks
    // the pc first: one it may not fetch from traps at once, with no step
    // counted, as if raised by the first word it may fetch (lo).
    bool check_pc = m_check_pc;
    m_check_pc = false;
    if (check_pc && !fetchable(limits, pc)) {
        m_state.pc = limits.lo;
        return raise(TrapCause::JumpOutOfBounds, limits.lo, pc);
    }
    ++m_state.steps; // every instruction counts a step, a faulting one too
    if (!fetchable(limits, pc)) // ran on sequentially past the code it may run
        return raise(TrapCause::JumpOutOfBounds, pc, pc);
    auto instruction = decode(m_vram.words(), m_vram.pixel_count(), pc, m_palette);
    if (!instruction)
        return raise(TrapCause::InvalidOpcode, pc, pc);
    if (instruction->info->privileged && m_state.user_mode)
        return raise(TrapCause::Privileged, pc, pc);
    return execute(*instruction, limits);
}

ReferenceMachine::Event ReferenceMachine::execute(const Instruction& instruction, const Bounds& limits)
{
    std::array<std::uint32_t, isa::kRegisterCount>& r = bank();
    const std::array<std::uint32_t, isa::kMaxOperands>& operand = instruction.operands;
    const std::uint32_t pc = m_state.pc;
    const std::uint32_t next = pc + std::uint32_t(instruction.length());
    const std::uint32_t memory_words = std::uint32_t(m_vram.pixel_count());
    const std::uint32_t* memory = m_vram.words();
    std::uint32_t& sp = r[isa::kStackPointer];
    auto branch = [&](bool taken) { return taken ? jump(limits, operand[2]) : (m_state.pc = next, Event::Executed); };
    auto signed_value = [](std::uint32_t value) { return std::int32_t(value); };

    switch (instruction.info->opcode) {
    case Opcode::NOP: break;
    case Opcode::HALT:
        m_state.halted = true;
        m_result.reason = StopReason::Halted;
        m_result.halt_code = r[0];
        return Event::Halted; // pc stays at the HALT
    case Opcode::LOAD:
    case Opcode::STORE: {
        std::uint32_t address = r[operand[1]] + operand[2];
        if (!accessible(limits, address))
            return raise(TrapCause::MemoryViolation, pc, address);
        if (instruction.info->opcode == Opcode::LOAD)
            r[operand[0]] = memory[address];
        else
            store(address, r[operand[0]]);
        break;
    }
    case Opcode::LOADX:
    case Opcode::STOREX: {
        std::uint32_t address = r[operand[1]] + r[operand[2]];
        if (!accessible(limits, address))
            return raise(TrapCause::MemoryViolation, pc, address);
        if (instruction.info->opcode == Opcode::LOADX)
            r[operand[0]] = memory[address];
        else
            store(address, r[operand[0]]);
        break;
    }
    case Opcode::PGET:
    case Opcode::PSET: {
        // PGET rd, rx, ry; PSET rx, ry, rc.
        bool is_set = instruction.info->opcode == Opcode::PSET;
        std::uint32_t x = r[operand[is_set ? 0 : 1]];
        std::uint32_t y = r[operand[is_set ? 1 : 2]];
        if (x >= std::uint32_t(m_vram.width()) || y >= std::uint32_t(m_vram.height()))
            return raise(TrapCause::MemoryViolation, pc, 0xffffffffu);
        std::uint32_t address = y * std::uint32_t(m_vram.width()) + x;
        if (!accessible(limits, address))
            return raise(TrapCause::MemoryViolation, pc, address);
        if (is_set)
            store(address, r[operand[2]]);
        else
            r[operand[0]] = memory[address];
        break;
    }
    case Opcode::ADD: r[operand[0]] = r[operand[1]] + r[operand[2]]; break;
    case Opcode::SUB: r[operand[0]] = r[operand[1]] - r[operand[2]]; break;
    case Opcode::MUL: r[operand[0]] = r[operand[1]] * r[operand[2]]; break;
    case Opcode::DIV:
    case Opcode::MOD: {
        std::int32_t dividend = signed_value(r[operand[1]]), divisor = signed_value(r[operand[2]]);
        if (divisor == 0)
            return raise(TrapCause::DivideByZero, pc, pc);
        bool is_div = instruction.info->opcode == Opcode::DIV;
        if (divisor == -1) // INT_MIN / -1 wraps instead of overflowing
            r[operand[0]] = is_div ? 0u - std::uint32_t(dividend) : 0u;
        else
            r[operand[0]] = std::uint32_t(is_div ? dividend / divisor : dividend % divisor);
        break;
    }
    case Opcode::AND: r[operand[0]] = r[operand[1]] & r[operand[2]]; break;
    case Opcode::OR: r[operand[0]] = r[operand[1]] | r[operand[2]]; break;
    case Opcode::XOR: r[operand[0]] = r[operand[1]] ^ r[operand[2]]; break;
    case Opcode::NOT: r[operand[0]] = ~r[operand[1]]; break;
    case Opcode::SHL: r[operand[0]] = r[operand[1]] << (r[operand[2]] & 31); break;
    case Opcode::SHR: r[operand[0]] = r[operand[1]] >> (r[operand[2]] & 31); break;
    case Opcode::SAR: r[operand[0]] = std::uint32_t(signed_value(r[operand[1]]) >> (r[operand[2]] & 31)); break;
    case Opcode::SLT: r[operand[0]] = signed_value(r[operand[1]]) < signed_value(r[operand[2]]) ? 1 : 0; break;
    case Opcode::LI: r[operand[0]] = operand[1]; break;
    case Opcode::MOV: r[operand[0]] = r[operand[1]]; break;
    case Opcode::ADDI: r[operand[0]] = r[operand[1]] + operand[2]; break;
    case Opcode::JMP: return jump(limits, operand[0]);
    case Opcode::JMPR: return jump(limits, r[operand[0]]);
    case Opcode::JZ: return r[operand[0]] == 0 ? jump(limits, operand[1]) : (m_state.pc = next, Event::Executed);
    case Opcode::JNZ: return r[operand[0]] != 0 ? jump(limits, operand[1]) : (m_state.pc = next, Event::Executed);
    case Opcode::BEQ: return branch(r[operand[0]] == r[operand[1]]);
    case Opcode::BNE: return branch(r[operand[0]] != r[operand[1]]);
    case Opcode::BLT: return branch(signed_value(r[operand[0]]) < signed_value(r[operand[1]]));
    case Opcode::BGE: return branch(signed_value(r[operand[0]]) >= signed_value(r[operand[1]]));
    case Opcode::BLTU: return branch(r[operand[0]] < r[operand[1]]);
    case Opcode::CALL:
    case Opcode::CALLR: {
        // The return address is pushed before the target is checked: a
        // call to a bad target faults with the push done.
        std::uint32_t target = instruction.info->opcode == Opcode::CALL ? operand[0] : r[operand[0]];
        std::uint32_t below = sp - 1;
        if (below - limits.stack_lo >= limits.stack_span)
            return raise(TrapCause::StackOverflow, pc, below);
        store(below, next);
        sp = below;
        return jump(limits, target);
    }
    case Opcode::RET: {
        std::uint32_t top = sp;
        if (top - limits.stack_lo >= limits.stack_span)
            return raise(TrapCause::StackUnderflow, pc, top);
        sp = top + 1;
        return jump(limits, memory[top]);
    }
    case Opcode::PUSH: {
        std::uint32_t below = sp - 1;
        if (below - limits.stack_lo >= limits.stack_span)
            return raise(TrapCause::StackOverflow, pc, below);
        store(below, r[operand[0]]);
        sp = below;
        break;
    }
    case Opcode::POP: {
        std::uint32_t top = sp;
        if (top - limits.stack_lo >= limits.stack_span)
            return raise(TrapCause::StackUnderflow, pc, top);
        sp = top + 1;
        r[operand[0]] = memory[top]; // POP sp takes the popped word
        break;
    }
    case Opcode::SYSCALL: return raise(TrapCause::Syscall, pc, operand[0]);
    case Opcode::SYSRET: {
        std::uint32_t base = m_state.specials[std::size_t(Special::Ubase)];
        std::uint32_t limit = m_state.specials[std::size_t(Special::Ulimit)];
        if (base >= limit || limit > memory_words)
            return raise(TrapCause::MemoryViolation, pc, limit);
        m_state.user_mode = true;
        m_state.pc = m_state.specials[std::size_t(Special::Epc)];
        std::uint32_t quantum = m_state.specials[std::size_t(Special::Quantum)];
        m_state.slice_end = quantum ? m_state.steps + quantum : 0;
        m_check_pc = true;
        return Event::EnteredUser;
    }
    case Opcode::IN:
        if (operand[1] == isa::kPortConsoleIn) {
            int byte = m_input_source ? m_input_source->next_byte()
                : m_state.input_position < m_input.size()
                ? static_cast<unsigned char>(m_input[std::size_t(m_state.input_position)])
                : ConsoleInput::kEnd;
            if (byte == ConsoleInput::kStop) {
                --m_state.steps; // the IN did not run
                return Event::Interrupted;
            }
            if (byte >= 0)
                ++m_state.input_position;
            r[operand[0]] = byte >= 0 ? std::uint32_t(byte & 0xff) : 0xffffffffu;
        } else {
            r[operand[0]] = 0;
        }
        break;
    case Opcode::OUT:
        if (operand[1] == isa::kPortConsoleOut)
            write_console(char(r[operand[0]] & 0xff));
        break;
    case Opcode::MFS:
        r[operand[0]] = operand[1] == std::uint32_t(Special::Ticks) ? std::uint32_t(m_state.steps)
                                                                   : m_state.specials[operand[1]];
        break;
    case Opcode::MTS:
        if (operand[1] != std::uint32_t(Special::Ticks)) // read-only
            m_state.specials[operand[1]] = r[operand[0]];
        break;
    case Opcode::UGET: r[operand[0]] = m_state.user_registers[r[operand[1]] & 15]; break;
    case Opcode::USET: m_state.user_registers[r[operand[0]] & 15] = r[operand[1]]; break;
    }
    m_state.pc = next;
    return Event::Executed;
}

RunResult ReferenceMachine::run(std::uint64_t max_steps)
{
    m_result.reason = StopReason::BudgetExhausted;
    m_check_pc = true;
    const std::uint64_t budget_end = m_state.steps + max_steps;
    while (!m_state.halted) {
        bool timer_due = m_state.user_mode && m_state.slice_end && m_state.steps >= m_state.slice_end;
        if (!timer_due && m_state.steps >= budget_end)
            break;
        if (step() == Event::Interrupted) {
            m_result.reason = StopReason::Interrupted;
            break;
        }
    }
    m_result.steps = m_state.steps;
    return m_result;
}

} // namespace pxos
