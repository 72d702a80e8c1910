// The interpreter: run_chunk, one handler per opcode (and per fused pair),
// dispatched from the decoded slots (slots.hpp), and the helpers the handlers
// call (decoding, invalidation). The run loop around it and traps: machine.cpp.
#include "pxos/vm/machine.hpp"

#include "vm/cpu/slots.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <iterator>
#include <fmt/format.h>

// The interpreter dispatches with computed goto where the compiler has it
// (a GCC/Clang extension): one indirect jump per handler, predicted per
// opcode. Elsewhere, or built with -DPXOS_COMPUTED_GOTO=OFF, the same
// handlers are the cases of a switch (Wren's WREN_COMPUTED_GOTO pattern).
#ifndef PXOS_COMPUTED_GOTO
#if defined(__GNUC__)
#define PXOS_COMPUTED_GOTO 1
#else
#define PXOS_COMPUTED_GOTO 0
#endif
#endif
#if PXOS_COMPUTED_GOTO
#pragma GCC diagnostic ignored "-Wpedantic" // labels as values
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-label" // the handlers' labels serve the table of the other variant
#endif

#if defined(__GNUC__)
#define PXOS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PXOS_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define PXOS_LIKELY(x) (x)
#define PXOS_UNLIKELY(x) (x)
#endif

namespace pxos {

using isa::Opcode;
using isa::Special;
using isa::TrapCause;
using namespace cpu;

// The helpers the handlers call, in this file so that they inline.
bool Machine::display_contains(std::uint32_t address) const
{
    if (address < m_display_begin || address >= m_display_end)
        return false;
    std::uint32_t width = std::uint32_t(m_vram.width());
    std::uint32_t x = address % width;
    return x >= std::uint32_t(m_header.display.x) && x < std::uint32_t(m_header.display.x + m_header.display.width);
}

void Machine::decode_slot(std::uint32_t address, std::uint64_t fetch_end)
{
    Slot& slot = m_slots[address + kSlotPadding];
    m_decoded_blocks[(address + kSlotPadding) >> kSlotBlockShift] = 1;
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
    slot = Slot { op_of(instruction->info->opcode), small[0], small[1], small[2], immediate };

    // Fuse ADDI + conditional branch when the branch may be fetched here too.
    std::uint32_t next = address + kAddiLength;
    if (instruction->info->opcode != Opcode::ADDI || next >= fetch_end)
        return;
    auto branch = decode(m_memory, m_memory_words, next, m_palette);
    if (!branch)
        return;
    std::uint8_t fused = branch->info->opcode == Opcode::JNZ ? kAddiJnz
        : branch->info->opcode == Opcode::BNE                 ? kAddiBne
        : branch->info->opcode == Opcode::BLT                 ? kAddiBlt
                                                              : std::uint8_t(0);
    if (!fused)
        return;
    if (fused == kAddiJnz && branch->operands[0] == instruction->operands[0])
        fused = kAddiJnzSelf;
    decode_slot(next, fetch_end); // the branch's own slot, read by the fused handler
    m_slots[address + kSlotPadding].op = fused;
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

// Past the console output cap the guest's bytes are counted, not kept:
// a guest printing in a loop costs the host nothing but the count.
void Machine::write_console(char c)
{
    if (m_console_bytes++ >= m_record_limits.max_console_bytes)
        return;
    if (m_console)
        m_console->write(c);
    else
        m_output += c;
}

// The interpreter. Hot state lives in locals; the chunk ends after `budget`
// instructions or at anything the outer loop must handle (traps, mode
// switches, halt). Every executed instruction, faulting ones included,
// counts one step.
Machine::Exit Machine::run_chunk(std::uint64_t budget)
{
    // Only the hottest values live in locals (registers); the rest are read
    // from members in the handlers that need them.
#define r m_active
#define user m_user_mode
    const std::uint64_t lo = m_user_mode ? m_specials[std::size_t(Special::Ubase)] : 0;
    m_span = m_user_mode ? m_specials[std::size_t(Special::Ulimit)] - std::uint32_t(lo) : m_memory_words;
    // The stack range: [SBASE, ULIMIT) in user mode (SBASE clamped into the
    // process's memory), all of memory in kernel mode.
    if (m_user_mode) {
        std::uint32_t base = std::clamp(m_specials[std::size_t(Special::Sbase)], std::uint32_t(lo),
            m_specials[std::size_t(Special::Ulimit)]);
        m_stack_lo = base;
        m_stack_span = m_specials[std::size_t(Special::Ulimit)] - base;
    } else {
        m_stack_lo = 0;
        m_stack_span = m_memory_words;
    }
    m_fetch_span = m_user_mode ? (m_span > kFetchGuard ? m_span - kFetchGuard : 0) : m_memory_words;
#define fetch_span m_fetch_span
#define memory m_memory
#define span m_span
#define width std::uint32_t(m_vram.width())
#define height std::uint32_t(m_vram.height())
    // The program counter is kept relative to the first accessible address,
    // so a jump's check is one unsigned compare and the fetch is one load.
    Slot* const slots = m_slots.get() + kSlotPadding + lo;
    // The current instruction is its slot pointer; the pc (relative to lo)
    // is derived from it only in the rare handlers that need it.
    // JUMP(m_pc) below checks m_pc and sets it; computing slots + (pc - lo)
    // here would overflow the pointer when the pc is below lo (UBSan).
    const Slot* s = slots;
#define PC (std::uint64_t(s - slots))
    std::int64_t left = std::int64_t(budget);
    Exit exit = Exit::Budget;
    // User mode: fence the words from fetch_span to ULIMIT (inclusive).
    m_fence_begin = m_fence_end = 0;
    if (m_user_mode) {
        m_fence_begin = std::uint32_t(lo + fetch_span);
        m_fence_end = std::uint32_t(std::min<std::uint64_t>(lo + m_span + 1, m_memory_words + kFenceWords));
        for (std::uint32_t address = m_fence_begin; address < m_fence_end; ++address)
            m_slots[kSlotPadding + address].op = kFence;
        // Fused pairs just below the fence were decoded for another context;
        // decode them again for this one.
        for (std::uint32_t i = 1; i < kLongestFusion && i <= m_fence_begin; ++i)
            m_slots[kSlotPadding + m_fence_begin - i].op = kUndecoded;
    }

#if PXOS_COMPUTED_GOTO
    static void* const kLabels[] = {
        &&op_undecoded,
#define PXOS_LABEL(name, red, green, blue, operands, names, privileged, doc) &&op_##name,
        PXOS_OPCODES(PXOS_LABEL)
#undef PXOS_LABEL
            && op_invalid,
        &&op_fence,
        &&op_addi_jnz,
        &&op_addi_bne,
        &&op_addi_blt,
        &&op_addi_jnz_self,
    };
    static_assert(std::size(kLabels) == std::size_t(kAddiJnzSelf) + 1, "one label per slot op, in slot-op order");
    // Keep the table's address in a register rather than rebuilding it at
    // every dispatch (the empty asm hides its value from the optimizer).
    void* const* labels = kLabels;
    asm("" : "+r"(labels));
    // A handler is its label; a slot is dispatched by its op's label.
#define CASE_SLOT(label, slot_op) label
#define DISPATCH_SLOT() goto* labels[s->op]
#define HANDLERS_BEGIN
#define HANDLERS_END
#else
    // A handler is its case (and its label, for the fused handlers' jump to
    // ADDI); a slot is dispatched by the switch.
#define CASE_SLOT(label, slot_op)                                                                                     \
    case slot_op:                                                                                                     \
        label
#define DISPATCH_SLOT() goto dispatch
#define HANDLERS_BEGIN                                                                                                \
    dispatch:                                                                                                         \
    switch (s->op) {                                                                                                  \
    default: /* no slot holds another op */                                                                           \
        goto op_invalid;
#define HANDLERS_END }
#endif
#define CASE_OP(name) CASE_SLOT(op_##name, op_of(Opcode::name))

    // Data access: own memory, or (user mode) the display area.
#define ACCESSIBLE(address) ((std::uint32_t)((address) - std::uint32_t(lo)) < span || (user && display_contains(address)))
#define FAULT(cause, address)                                                                                         \
    do {                                                                                                              \
        raise(std::uint32_t(cause), std::uint32_t(PC + lo), (address));                                               \
        goto trap;                                                                                                    \
    } while (0)
    // Every handler ends in its own copy of the dispatch (one indirect jump
    // per opcode predicts far better than a shared one).
#define DISPATCH()                                                                                                    \
    do {                                                                                                              \
        if (PXOS_UNLIKELY(--left < 0))                                                                                \
            goto out_of_budget;                                                                                       \
        DISPATCH_SLOT();                                                                                              \
    } while (0)
    // Instruction lengths come from the opcode table, never from the handler.
#define NEXT_BY(length)                                                                                               \
    do {                                                                                                              \
        s += (length);                                                                                                \
        DISPATCH();                                                                                                   \
    } while (0)
#define NEXT_AFTER(name) NEXT_BY(kLength<Opcode::name>)
    // A handler shared by two opcodes: the length of the one in the slot
    // (a constant when both are as long, as CALL/CALLR and PGET/PSET are).
#define LENGTH_OF_EITHER(first, second)                                                                               \
    (s->op == op_of(Opcode::first) ? kLength<Opcode::first> : kLength<Opcode::second>)
#define JUMP(target)                                                                                                  \
    do {                                                                                                              \
        std::uint64_t relative_target = std::uint64_t(target) - lo; /* a target below lo wraps far past fetch_span */ \
        if (PXOS_UNLIKELY(relative_target >= fetch_span)) {                                                           \
            m_bad_jump_relative = relative_target;                                                                    \
            goto fetch_fault;                                                                                         \
        }                                                                                                             \
        s = slots + relative_target;                                                                                  \
        DISPATCH();                                                                                                   \
    } while (0)
    // Data loads (LOAD, LOADX, PGET) go through here for provenance of reads.
#define LOAD_WORD(address)                                                                                            \
    (PXOS_UNLIKELY(m_load_observer != nullptr)                                                                        \
            ? (m_load_observer->on_load(m_specials[std::size_t(Special::Pid)], m_user_mode, std::uint32_t(PC + lo),   \
                   (address), memory[address]),                                                                       \
                memory[address])                                                                                      \
            : memory[address])
#define STORE_WORD(address, value)                                                                                    \
    do {                                                                                                              \
        std::uint32_t stored_word = (value);                                                                          \
        if (PXOS_UNLIKELY(m_store_observer != nullptr))                                                               \
            m_store_observer->on_store(m_specials[std::size_t(Special::Pid)], m_user_mode, std::uint32_t(PC + lo),    \
                (address), memory[address], stored_word);                                                             \
        memory[address] = stored_word;                                                                                \
        m_dirty_blocks[(address) >> kDirtyShift] = 1;                                                                 \
        invalidate(address);                                                                                          \
    } while (0)

    JUMP(m_pc);

out_of_budget:
    left = 0;
    exit = Exit::Budget;
    goto done;
fetch_fault:
    // pc is still the jumping instruction (or the chunk's start, when the
    // chunk itself would start out of bounds).
    FAULT(TrapCause::JumpOutOfBounds, std::uint32_t(m_bad_jump_relative + lo));

    HANDLERS_BEGIN
CASE_SLOT(op_fence, kFence):
    FAULT(TrapCause::JumpOutOfBounds, std::uint32_t(PC + lo));
CASE_SLOT(op_undecoded, kUndecoded):
    if (PXOS_UNLIKELY(PC >= fetch_span))
        FAULT(TrapCause::JumpOutOfBounds, std::uint32_t(PC + lo));
    decode_slot(std::uint32_t(PC + lo), lo + fetch_span);
    DISPATCH_SLOT();
CASE_SLOT(op_invalid, kInvalid):
    FAULT(TrapCause::InvalidOpcode, std::uint32_t(PC + lo));

#define FUSED_ADDI_THEN(condition, branch)                                                                             \
    do {                                                                                                              \
        if (PXOS_UNLIKELY(left == 0)) /* no step left for the branch: run the ADDI alone */                         \
            goto op_ADDI;                                                                                             \
        std::uint32_t value = r[s->b] + s->imm;                                                                       \
        r[s->a] = value;                                                                                              \
        s += kAddiLength;                                                                                             \
        if (condition) {                                                                                              \
            std::uint64_t relative_target = std::uint64_t(s->imm) - lo;                                               \
            if (PXOS_UNLIKELY(relative_target >= fetch_span)) {                                                       \
                --left;                                                                                               \
                m_bad_jump_relative = relative_target;                                                                \
                goto fetch_fault;                                                                                     \
            }                                                                                                         \
            s = slots + relative_target;                                                                              \
            left -= 2;                                                                                                \
            if (PXOS_UNLIKELY(left < 0))                                                                              \
                goto out_of_budget;                                                                                   \
            DISPATCH_SLOT();                                                                                          \
        }                                                                                                             \
        --left;                                                                                                       \
        NEXT_AFTER(branch);                                                                                           \
    } while (0)
CASE_SLOT(op_addi_jnz, kAddiJnz):
    FUSED_ADDI_THEN(r[s->a] != 0, JNZ);
CASE_SLOT(op_addi_jnz_self, kAddiJnzSelf):
    FUSED_ADDI_THEN(value != 0, JNZ);
CASE_SLOT(op_addi_bne, kAddiBne):
    FUSED_ADDI_THEN(r[s->a] != r[s->b], BNE);
CASE_SLOT(op_addi_blt, kAddiBlt):
    FUSED_ADDI_THEN(std::int32_t(r[s->a]) < std::int32_t(r[s->b]), BLT);
#undef FUSED_ADDI_THEN

CASE_OP(NOP):
    NEXT_AFTER(NOP);
CASE_OP(HALT):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    exit = Exit::Halt;
    goto done;
CASE_OP(LOAD): {
    std::uint32_t address = r[s->b] + s->imm;
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    r[s->a] = LOAD_WORD(address);
    NEXT_AFTER(LOAD);
}
CASE_OP(STORE): {
    std::uint32_t address = r[s->b] + s->imm;
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    STORE_WORD(address, r[s->a]);
    NEXT_AFTER(STORE);
}
CASE_OP(ADD):
    r[s->a] = r[s->b] + r[s->c];
    NEXT_AFTER(ADD);
CASE_OP(SUB):
    r[s->a] = r[s->b] - r[s->c];
    NEXT_AFTER(SUB);
CASE_OP(JMP):
    JUMP(s->imm);
CASE_OP(JZ):
    if (r[s->a] == 0) {
        JUMP(s->imm);
    }
    NEXT_AFTER(JZ);
CASE_OP(LI):
    r[s->a] = s->imm;
    NEXT_AFTER(LI);
CASE_OP(MOV):
    r[s->a] = r[s->b];
    NEXT_AFTER(MOV);
CASE_OP(ADDI):
    r[s->a] = r[s->b] + s->imm;
    NEXT_AFTER(ADDI);
CASE_OP(MUL):
    r[s->a] = r[s->b] * r[s->c];
    NEXT_AFTER(MUL);
CASE_OP(DIV): {
    std::int32_t divisor = std::int32_t(r[s->c]);
    std::int32_t dividend = std::int32_t(r[s->b]);
    if (PXOS_UNLIKELY(divisor == 0))
        FAULT(TrapCause::DivideByZero, std::uint32_t(PC + lo));
    r[s->a] = (divisor == -1) ? std::uint32_t(0) - std::uint32_t(dividend) : std::uint32_t(dividend / divisor);
    NEXT_AFTER(DIV);
}
CASE_OP(MOD): {
    std::int32_t divisor = std::int32_t(r[s->c]);
    std::int32_t dividend = std::int32_t(r[s->b]);
    if (PXOS_UNLIKELY(divisor == 0))
        FAULT(TrapCause::DivideByZero, std::uint32_t(PC + lo));
    r[s->a] = (divisor == -1) ? 0 : std::uint32_t(dividend % divisor);
    NEXT_AFTER(MOD);
}
CASE_OP(AND):
    r[s->a] = r[s->b] & r[s->c];
    NEXT_AFTER(AND);
CASE_OP(OR):
    r[s->a] = r[s->b] | r[s->c];
    NEXT_AFTER(OR);
CASE_OP(XOR):
    r[s->a] = r[s->b] ^ r[s->c];
    NEXT_AFTER(XOR);
CASE_OP(NOT):
    r[s->a] = ~r[s->b];
    NEXT_AFTER(NOT);
CASE_OP(SHL):
    r[s->a] = r[s->b] << (r[s->c] & 31);
    NEXT_AFTER(SHL);
CASE_OP(SHR):
    r[s->a] = r[s->b] >> (r[s->c] & 31);
    NEXT_AFTER(SHR);
CASE_OP(SAR):
    r[s->a] = std::uint32_t(std::int32_t(r[s->b]) >> (r[s->c] & 31));
    NEXT_AFTER(SAR);
CASE_OP(JNZ):
    if (PXOS_LIKELY(r[s->a] != 0)) { // loops: usually taken
        JUMP(s->imm);
    }
    NEXT_AFTER(JNZ);
CASE_OP(BEQ):
    if (r[s->a] == r[s->b]) {
        JUMP(s->imm);
    }
    NEXT_AFTER(BEQ);
CASE_OP(BNE):
    if (r[s->a] != r[s->b]) {
        JUMP(s->imm);
    }
    NEXT_AFTER(BNE);
CASE_OP(BLT):
    if (std::int32_t(r[s->a]) < std::int32_t(r[s->b])) {
        JUMP(s->imm);
    }
    NEXT_AFTER(BLT);
CASE_OP(BGE):
    if (std::int32_t(r[s->a]) >= std::int32_t(r[s->b])) {
        JUMP(s->imm);
    }
    NEXT_AFTER(BGE);
CASE_OP(BLTU):
    if (r[s->a] < r[s->b]) {
        JUMP(s->imm);
    }
    NEXT_AFTER(BLTU);
CASE_OP(SLT):
    r[s->a] = std::int32_t(r[s->b]) < std::int32_t(r[s->c]) ? 1 : 0;
    NEXT_AFTER(SLT);
CASE_OP(JMPR):
    JUMP(r[s->a]);
CASE_OP(CALL):
CASE_OP(CALLR): {
    std::uint32_t target = s->op == op_of(Opcode::CALL) ? s->imm : r[s->a];
    std::uint32_t length = LENGTH_OF_EITHER(CALL, CALLR);
    std::uint32_t sp = r[isa::kStackPointer] - 1;
    if (PXOS_UNLIKELY(sp - m_stack_lo >= m_stack_span))
        FAULT(TrapCause::StackOverflow, sp);
    STORE_WORD(sp, std::uint32_t(PC + lo + length));
    r[isa::kStackPointer] = sp;
    JUMP(target);
}
CASE_OP(RET): {
    std::uint32_t sp = r[isa::kStackPointer];
    if (PXOS_UNLIKELY(sp - m_stack_lo >= m_stack_span))
        FAULT(TrapCause::StackUnderflow, sp);
    r[isa::kStackPointer] = sp + 1;
    JUMP(memory[sp]);
}
CASE_OP(PUSH): {
    std::uint32_t sp = r[isa::kStackPointer] - 1;
    if (PXOS_UNLIKELY(sp - m_stack_lo >= m_stack_span))
        FAULT(TrapCause::StackOverflow, sp);
    STORE_WORD(sp, r[s->a]);
    r[isa::kStackPointer] = sp;
    NEXT_AFTER(PUSH);
}
CASE_OP(POP): {
    std::uint32_t sp = r[isa::kStackPointer];
    if (PXOS_UNLIKELY(sp - m_stack_lo >= m_stack_span))
        FAULT(TrapCause::StackUnderflow, sp);
    r[isa::kStackPointer] = sp + 1;
    r[s->a] = memory[sp];
    NEXT_AFTER(POP);
}
CASE_OP(SYSCALL):
    raise(std::uint32_t(TrapCause::Syscall), std::uint32_t(PC + lo), s->imm);
    goto trap;
CASE_OP(SYSRET):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    {
        std::uint32_t base = m_specials[std::size_t(Special::Ubase)];
        std::uint32_t limit = m_specials[std::size_t(Special::Ulimit)];
        if (base >= limit || limit > m_memory_words)
            FAULT(TrapCause::MemoryViolation, limit);
    }
    exit = Exit::ModeSwitch;
    goto done;
CASE_OP(IN):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    if (s->b == isa::kPortConsoleIn) {
        if (PXOS_UNLIKELY(m_input_source != nullptr)) {
            int byte = m_input_source->next_byte();
            if (byte == ConsoleInput::kStop) {
                ++left; // the IN did not run: no step
                exit = Exit::Interrupted;
                goto done;
            }
            if (byte >= 0)
                ++m_input_position;
            r[s->a] = byte >= 0 ? std::uint32_t(byte & 0xff) : 0xffffffffu;
        } else {
            r[s->a] = m_input_position < m_input.size() ? static_cast<unsigned char>(m_input[m_input_position++])
                                                        : 0xffffffffu;
        }
    } else {
        r[s->a] = 0;
    }
    NEXT_AFTER(IN);
CASE_OP(OUT):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    if (s->b == isa::kPortConsoleOut)
        write_console(char(r[s->a] & 0xff));
    NEXT_AFTER(OUT);
CASE_OP(MFS):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    r[s->a] = s->b == std::uint8_t(Special::Ticks) ? std::uint32_t(m_steps + (budget - std::uint64_t(left))) : m_specials[s->b];
    NEXT_AFTER(MFS);
CASE_OP(MTS):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    if (s->b != std::uint8_t(Special::Ticks))
        m_specials[s->b] = r[s->a];
    NEXT_AFTER(MTS);
CASE_OP(UGET):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    r[s->a] = m_inactive[r[s->b] & 15]; // kernel mode: the user's bank is the inactive one
    NEXT_AFTER(UGET);
CASE_OP(USET):
    if (user)
        FAULT(TrapCause::Privileged, std::uint32_t(PC + lo));
    m_inactive[r[s->a] & 15] = r[s->b];
    NEXT_AFTER(USET);
CASE_OP(PGET):
CASE_OP(PSET): {
    bool is_set = s->op == op_of(Opcode::PSET);
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
        r[s->a] = LOAD_WORD(address);
    NEXT_BY(LENGTH_OF_EITHER(PGET, PSET));
}
CASE_OP(LOADX): {
    std::uint32_t address = r[s->b] + r[s->c];
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    r[s->a] = LOAD_WORD(address);
    NEXT_AFTER(LOADX);
}
CASE_OP(STOREX): {
    std::uint32_t address = r[s->b] + r[s->c];
    if (PXOS_UNLIKELY(!ACCESSIBLE(address)))
        FAULT(TrapCause::MemoryViolation, address);
    STORE_WORD(address, r[s->a]);
    NEXT_AFTER(STOREX);
}

    HANDLERS_END
trap:
    exit = user ? Exit::Trap : Exit::Panic;
done:
    for (std::uint32_t address = m_fence_begin; address < m_fence_end; ++address)
        m_slots[kSlotPadding + address].op = kUndecoded;
    m_steps += budget - std::uint64_t(left);
    m_pc = std::uint32_t(PC + lo);
    return exit;

#undef PC
#undef r
#undef fetch_span
#undef user
#undef memory
#undef span
#undef width
#undef height
#undef ACCESSIBLE
#undef FAULT
#undef NEXT_BY
#undef NEXT_AFTER
#undef LENGTH_OF_EITHER
#undef JUMP
#undef DISPATCH
#undef DISPATCH_SLOT
#undef CASE_SLOT
#undef CASE_OP
#undef HANDLERS_BEGIN
#undef HANDLERS_END
#undef STORE_WORD
#undef LOAD_WORD
}

} // namespace pxos
