#include "pxos/machine.hpp"

#include <algorithm>
#include <fmt/format.h>

// The interpreter dispatches with computed goto (a GCC/Clang extension):
// one indirect jump per instruction, predicted per opcode.
#pragma GCC diagnostic ignored "-Wpedantic"

#if defined(__GNUC__)
#define PXOS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PXOS_UNLIKELY(x) (x)
#endif

namespace pxos {

using isa::Opcode;
using isa::Special;
using isa::TrapCause;

// One decoded instruction. `op` is the opcode, or kInvalid / kUndecoded.
struct Machine::Slot {
    std::uint8_t op;
    std::uint8_t a, b, c; // registers, special register or port, by signature
    std::uint32_t imm;
};

namespace {

constexpr std::uint8_t kInvalid = isa::kOpcodeCount;
constexpr std::uint8_t kUndecoded = isa::kOpcodeCount + 1;
// Slots before address 0, so invalidating the words that could hold the
// start of an instruction covering `address` needs no bounds check.
constexpr std::uint32_t kSlotPadding = isa::kMaxOperands;
// User code may not start an instruction in the last kMaxOperands words of
// its memory, so no instruction's operands reach past ULIMIT.
constexpr std::uint32_t kFetchGuard = isa::kMaxOperands;

} // namespace

Machine::Machine(SimulatedVRAM image, BootHeader header, Palette palette)
    : m_vram(std::move(image))
    , m_header(header)
    , m_palette(std::move(palette))
{
    m_memory = m_vram.mutable_words();
    m_memory_words = std::uint32_t(m_vram.pixel_count());
    m_slots.assign(std::size_t(m_memory_words) + kSlotPadding, Slot { kUndecoded, 0, 0, 0, 0 });
    std::uint32_t width = std::uint32_t(m_vram.width());
    m_display_begin = std::uint32_t(header.display.y) * width + std::uint32_t(header.display.x);
    m_display_end = std::uint32_t(header.display.y + header.display.height - 1) * width
        + std::uint32_t(header.display.x + header.display.width);
    m_pc = header.kernel_entry;
}

Machine::~Machine() = default;

Result<std::unique_ptr<Machine>> Machine::boot(SimulatedVRAM image, const std::string& image_name)
{
    auto header = read_header(image, image_name);
    if (!header)
        return std::move(header).error();
    auto palette = Palette::read(image, header->palette, int(header->palette_cell_width), int(header->opcode_count),
        image_name);
    if (!palette)
        return std::move(palette).error();
    return std::unique_ptr<Machine>(new Machine(std::move(image), *header, std::move(*palette)));
}

std::uint32_t Machine::special(Special which) const
{
    if (which == Special::Ticks)
        return std::uint32_t(m_steps);
    return m_specials[std::size_t(which)];
}

bool Machine::display_contains(std::uint32_t address) const
{
    if (address < m_display_begin || address >= m_display_end)
        return false;
    std::uint32_t width = std::uint32_t(m_vram.width());
    std::uint32_t x = address % width;
    return x >= std::uint32_t(m_header.display.x) && x < std::uint32_t(m_header.display.x + m_header.display.width);
}

void Machine::decode_slot(std::uint32_t address)
{
    Slot& slot = m_slots[address + kSlotPadding];
    auto instruction = decode(m_memory, m_memory_words, address, m_palette);
    if (!instruction) {
        slot = Slot { kInvalid, 0, 0, 0, 0 };
        return;
    }
    // Register-like operands go to a, b, c in order; the immediate to imm.
    std::uint8_t small[3] = { 0, 0, 0 };
    int next_small = 0;
    std::uint32_t immediate = 0;
    for (int i = 0; i < instruction->info->operand_count(); ++i) {
        if (instruction->info->operand_kind(i) == isa::OperandKind::Immediate)
            immediate = instruction->operands[std::size_t(i)];
        else
            small[next_small++] = std::uint8_t(instruction->operands[std::size_t(i)]);
    }
    slot = Slot { std::uint8_t(instruction->info->opcode), small[0], small[1], small[2], immediate };
}

void Machine::invalidate(std::uint32_t address)
{
    Slot* slot = &m_slots[address + kSlotPadding];
    for (std::uint32_t i = 0; i <= kSlotPadding; ++i)
        (slot - i)->op = kUndecoded;
}

void Machine::raise(std::uint32_t cause, std::uint32_t pc, std::uint32_t address)
{
    m_trap_cause = cause;
    m_trap_pc = pc;
    m_trap_address = address;
}

void Machine::enter_user_mode()
{
    m_user_mode = true;
    m_pc = m_specials[std::size_t(Special::Epc)];
    std::uint32_t quantum = m_specials[std::size_t(Special::Quantum)];
    m_slice_end = quantum ? m_steps + quantum : 0;
}

// The interpreter. Hot state lives in locals; the chunk ends after `budget`
// instructions or at anything the outer loop must handle (traps, mode
// switches, halt). Every executed instruction, faulting ones included,
// counts one step.
Machine::Exit Machine::run_chunk(std::uint64_t budget)
{
    std::uint32_t* const memory = m_memory;
    Slot* const slots = m_slots.data() + kSlotPadding;
    const bool user = m_user_mode;
    std::uint32_t* const r = m_registers[user ? 1 : 0].data();
    const std::uint32_t lo = user ? m_specials[std::size_t(Special::Ubase)] : 0;
    const std::uint32_t span = user ? m_specials[std::size_t(Special::Ulimit)] - lo : m_memory_words;
    const std::uint32_t fetch_span = user ? (span > kFetchGuard ? span - kFetchGuard : 0) : m_memory_words;
    const std::uint32_t width = std::uint32_t(m_vram.width());
    const std::uint32_t height = std::uint32_t(m_vram.height());
    std::uint32_t pc = m_pc;
    std::uint64_t left = budget;
    const Slot* s = nullptr;
    Exit exit = Exit::Budget;

    static void* const kLabels[] = {
#define PXOS_LABEL(name, red, green, blue, operands, privileged, doc) &&op_##name,
        PXOS_OPCODES(PXOS_LABEL)
#undef PXOS_LABEL
            && op_invalid,
        &&op_undecoded,
    };

    // Data access: own memory, or (user mode) the display area.
#define ACCESSIBLE(address) ((std::uint32_t)((address) - lo) < span || (user && display_contains(address)))
#define FAULT(cause, address)                                                                                         \
    do {                                                                                                              \
        raise(std::uint32_t(cause), pc, (address));                                                                   \
        goto trap;                                                                                                    \
    } while (0)
#define NEXT(length)                                                                                                  \
    do {                                                                                                              \
        pc += (length);                                                                                               \
        goto dispatch;                                                                                                \
    } while (0)
#define STORE_WORD(address, value)                                                                                    \
    do {                                                                                                              \
        memory[address] = (value);                                                                                    \
        invalidate(address);                                                                                          \
    } while (0)

dispatch:
    if (PXOS_UNLIKELY(left-- == 0)) {
        left = 0;
        exit = Exit::Budget;
        goto done;
    }
    if (PXOS_UNLIKELY(std::uint32_t(pc - lo) >= fetch_span))
        FAULT(TrapCause::JumpOutOfBounds, pc);
    s = &slots[pc];
    goto* kLabels[s->op];

op_undecoded:
    decode_slot(pc);
    goto* kLabels[s->op];
op_invalid:
    FAULT(TrapCause::InvalidOpcode, pc);

op_NOP:
    NEXT(1);
op_HALT:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    exit = Exit::Halt;
    goto done;
op_LOAD: {
    std::uint32_t address = r[s->b] + s->imm;
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    r[s->a] = memory[address];
    NEXT(4);
}
op_STORE: {
    std::uint32_t address = r[s->b] + s->imm;
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    STORE_WORD(address, r[s->a]);
    NEXT(4);
}
op_ADD:
    r[s->a] = r[s->b] + r[s->c];
    NEXT(4);
op_SUB:
    r[s->a] = r[s->b] - r[s->c];
    NEXT(4);
op_JMP:
    pc = s->imm;
    goto dispatch;
op_JZ:
    if (r[s->a] == 0) {
        pc = s->imm;
        goto dispatch;
    }
    NEXT(3);
op_LI:
    r[s->a] = s->imm;
    NEXT(3);
op_MOV:
    r[s->a] = r[s->b];
    NEXT(3);
op_ADDI:
    r[s->a] = r[s->b] + s->imm;
    NEXT(4);
op_MUL:
    r[s->a] = r[s->b] * r[s->c];
    NEXT(4);
op_DIV: {
    std::int32_t divisor = std::int32_t(r[s->c]);
    std::int32_t dividend = std::int32_t(r[s->b]);
    if (PXOS_UNLIKELY(divisor == 0))
        FAULT(TrapCause::DivideByZero, pc);
    r[s->a] = (divisor == -1) ? std::uint32_t(0) - std::uint32_t(dividend) : std::uint32_t(dividend / divisor);
    NEXT(4);
}
op_MOD: {
    std::int32_t divisor = std::int32_t(r[s->c]);
    std::int32_t dividend = std::int32_t(r[s->b]);
    if (PXOS_UNLIKELY(divisor == 0))
        FAULT(TrapCause::DivideByZero, pc);
    r[s->a] = (divisor == -1) ? 0 : std::uint32_t(dividend % divisor);
    NEXT(4);
}
op_AND:
    r[s->a] = r[s->b] & r[s->c];
    NEXT(4);
op_OR:
    r[s->a] = r[s->b] | r[s->c];
    NEXT(4);
op_XOR:
    r[s->a] = r[s->b] ^ r[s->c];
    NEXT(4);
op_NOT:
    r[s->a] = ~r[s->b];
    NEXT(3);
op_SHL:
    r[s->a] = r[s->b] << (r[s->c] & 31);
    NEXT(4);
op_SHR:
    r[s->a] = r[s->b] >> (r[s->c] & 31);
    NEXT(4);
op_SAR:
    r[s->a] = std::uint32_t(std::int32_t(r[s->b]) >> (r[s->c] & 31));
    NEXT(4);
op_JNZ:
    if (r[s->a] != 0) {
        pc = s->imm;
        goto dispatch;
    }
    NEXT(3);
op_BEQ:
    if (r[s->a] == r[s->b]) {
        pc = s->imm;
        goto dispatch;
    }
    NEXT(4);
op_BNE:
    if (r[s->a] != r[s->b]) {
        pc = s->imm;
        goto dispatch;
    }
    NEXT(4);
op_BLT:
    if (std::int32_t(r[s->a]) < std::int32_t(r[s->b])) {
        pc = s->imm;
        goto dispatch;
    }
    NEXT(4);
op_BGE:
    if (std::int32_t(r[s->a]) >= std::int32_t(r[s->b])) {
        pc = s->imm;
        goto dispatch;
    }
    NEXT(4);
op_BLTU:
    if (r[s->a] < r[s->b]) {
        pc = s->imm;
        goto dispatch;
    }
    NEXT(4);
op_SLT:
    r[s->a] = std::int32_t(r[s->b]) < std::int32_t(r[s->c]) ? 1 : 0;
    NEXT(4);
op_JMPR:
    pc = r[s->a];
    goto dispatch;
op_CALL:
op_CALLR: {
    std::uint32_t target = s->op == std::uint8_t(Opcode::CALL) ? s->imm : r[s->a];
    std::uint32_t length = s->op == std::uint8_t(Opcode::CALL) ? 2 : 2;
    std::uint32_t sp = r[isa::kStackPointer] - 1;
    if (PXOS_UNLIKELY(std::uint32_t(sp - lo) >= span))
        FAULT(TrapCause::StackOverflow, sp);
    STORE_WORD(sp, pc + length);
    r[isa::kStackPointer] = sp;
    pc = target;
    goto dispatch;
}
op_RET: {
    std::uint32_t sp = r[isa::kStackPointer];
    if (PXOS_UNLIKELY(std::uint32_t(sp - lo) >= span))
        FAULT(TrapCause::StackUnderflow, sp);
    r[isa::kStackPointer] = sp + 1;
    pc = memory[sp];
    goto dispatch;
}
op_PUSH: {
    std::uint32_t sp = r[isa::kStackPointer] - 1;
    if (PXOS_UNLIKELY(std::uint32_t(sp - lo) >= span))
        FAULT(TrapCause::StackOverflow, sp);
    STORE_WORD(sp, r[s->a]);
    r[isa::kStackPointer] = sp;
    NEXT(2);
}
op_POP: {
    std::uint32_t sp = r[isa::kStackPointer];
    if (PXOS_UNLIKELY(std::uint32_t(sp - lo) >= span))
        FAULT(TrapCause::StackUnderflow, sp);
    r[isa::kStackPointer] = sp + 1;
    r[s->a] = memory[sp];
    NEXT(2);
}
op_SYSCALL:
    raise(std::uint32_t(TrapCause::Syscall), pc, s->imm);
    goto trap;
op_SYSRET:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    {
        std::uint32_t base = m_specials[std::size_t(Special::Ubase)];
        std::uint32_t limit = m_specials[std::size_t(Special::Ulimit)];
        if (base >= limit || limit > m_memory_words)
            FAULT(TrapCause::MemoryViolation, limit);
    }
    m_steps += budget - left;
    enter_user_mode();
    return Exit::ModeSwitch;
op_IN:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    if (s->b == isa::kPortConsoleIn)
        r[s->a] = m_input_position < m_input.size() ? static_cast<unsigned char>(m_input[m_input_position++])
                                                    : 0xffffffffu;
    else
        r[s->a] = 0;
    NEXT(3);
op_OUT:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    if (s->b == isa::kPortConsoleOut) {
        char c = char(r[s->a] & 0xff);
        if (m_console)
            m_console->write(c);
        else
            m_output += c;
    }
    NEXT(3);
op_MFS:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    r[s->a] = s->b == std::uint8_t(Special::Ticks) ? std::uint32_t(m_steps + (budget - left)) : m_specials[s->b];
    NEXT(3);
op_MTS:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    if (s->b != std::uint8_t(Special::Ticks))
        m_specials[s->b] = r[s->a];
    NEXT(3);
op_UGET:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    r[s->a] = m_registers[1][r[s->b] & 15];
    NEXT(3);
op_USET:
    if (user)
        FAULT(TrapCause::Privileged, pc);
    m_registers[1][r[s->a] & 15] = r[s->b];
    NEXT(3);
op_PGET:
op_PSET: {
    bool is_set = s->op == std::uint8_t(Opcode::PSET);
    std::uint32_t x = r[is_set ? s->a : s->b];
    std::uint32_t y = r[is_set ? s->b : s->c];
    if (PXOS_UNLIKELY(x >= width || y >= height))
        FAULT(TrapCause::MemoryViolation, 0xffffffffu);
    std::uint32_t address = y * width + x;
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    if (is_set)
        STORE_WORD(address, r[s->c]);
    else
        r[s->a] = memory[address];
    NEXT(4);
}
op_LOADX: {
    std::uint32_t address = r[s->b] + r[s->c];
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    r[s->a] = memory[address];
    NEXT(4);
}
op_STOREX: {
    std::uint32_t address = r[s->b] + r[s->c];
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    STORE_WORD(address, r[s->a]);
    NEXT(4);
}

trap:
    exit = user ? Exit::Trap : Exit::Panic;
done:
    m_steps += budget - left;
    m_pc = pc;
    return exit;

#undef ACCESSIBLE
#undef FAULT
#undef NEXT
#undef STORE_WORD
}

RunResult Machine::run(std::uint64_t max_steps)
{
    m_result.reason = StopReason::BudgetExhausted;
    std::uint64_t budget_end = m_steps + max_steps;
    while (!m_halted) {
        if (m_user_mode && m_slice_end && m_steps >= m_slice_end) {
            // Time slice over: trap to the kernel before the next instruction.
            m_specials[std::size_t(Special::Epc)] = m_pc;
            m_specials[std::size_t(Special::Cause)] = std::uint32_t(TrapCause::Timer);
            m_specials[std::size_t(Special::Arg)] = 0;
            m_user_mode = false;
            m_slice_end = 0;
            m_pc = m_header.trap_vector;
            continue;
        }
        if (m_steps >= budget_end) {
            m_result.reason = StopReason::BudgetExhausted;
            break;
        }
        std::uint64_t chunk = budget_end - m_steps;
        if (m_user_mode && m_slice_end)
            chunk = std::min(chunk, m_slice_end - m_steps);

        TraceEvent event {};
        if (m_trace) {
            chunk = 1;
            event.step = m_steps;
            event.pid = m_specials[std::size_t(Special::Pid)];
            event.user_mode = m_user_mode;
            event.pc = m_pc;
            event.instruction = decode(m_memory, m_memory_words, m_pc, m_palette);
            event.before = m_registers[m_user_mode ? 1 : 0];
        }
        bool was_user = m_user_mode;
        Exit exit = run_chunk(chunk);
        if (m_trace) {
            event.after = m_registers[was_user ? 1 : 0];
            m_trace->on_instruction(event);
        }

        switch (exit) {
        case Exit::Budget:
        case Exit::ModeSwitch: break;
        case Exit::Halt:
            m_halted = true;
            m_result.reason = StopReason::Halted;
            m_result.halt_code = m_registers[0][0];
            break;
        case Exit::Panic: {
            FaultRecord record { m_specials[std::size_t(Special::Pid)], m_trap_pc, m_trap_cause, m_trap_address,
                m_steps, true };
            if (m_trap_cause == std::uint32_t(TrapCause::Syscall))
                record.cause = std::uint32_t(TrapCause::BadSyscall);
            m_result.panic = record;
            m_result.reason = StopReason::KernelPanic;
            m_halted = true;
            break;
        }
        case Exit::Trap: {
            std::uint32_t cause = m_trap_cause;
            std::uint32_t target = m_header.trap_vector;
            std::uint32_t resume = m_trap_pc;
            if (cause == std::uint32_t(TrapCause::Syscall)) {
                std::uint32_t number = m_trap_address;
                std::uint32_t handler = number < m_header.syscall_count ? m_memory[m_header.syscall_table + number]
                                                                        : 0xffffffffu;
                if (handler >= m_memory_words) {
                    cause = std::uint32_t(TrapCause::BadSyscall);
                } else {
                    target = handler;
                    resume = m_trap_pc + isa::info(Opcode::SYSCALL).length();
                    ++m_result.syscalls;
                }
            }
            if (isa::is_fault(cause))
                m_result.faults.push_back(
                    { m_specials[std::size_t(Special::Pid)], m_trap_pc, cause, m_trap_address, m_steps, false });
            m_specials[std::size_t(Special::Epc)] = resume;
            m_specials[std::size_t(Special::Cause)] = cause;
            m_specials[std::size_t(Special::Arg)] = m_trap_address;
            m_user_mode = false;
            m_slice_end = 0;
            m_pc = target;
            break;
        }
        }
    }
    m_result.steps = m_steps;
    return m_result;
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
    }
    return "unknown";
}

} // namespace pxos
