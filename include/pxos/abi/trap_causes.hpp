// Why the kernel was entered: ONE table (PXOS_TRAP_CAUSES) of (name, value,
// doc). The machine puts the value in CAUSE; the enum, the names in fault
// reports, the pxasm symbols TRAP_<name> and the table of docs/ISA.md all
// expand it. Faults are 16 and up, so a kernel tells a fault from a timer
// or a system call with one compare.
//
// The names keep the namespace they had before the ABI was a layer of its
// own (isa::TrapCause), so their many call sites did not change.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pxos::isa {

// X(name, value, doc)
#define PXOS_TRAP_CAUSES(X)                                                                                           \
    X(Syscall, 1, "SYSCALL instruction")                                                                              \
    X(Timer, 2, "the time slice (QUANTUM) ran out")                                                                   \
    X(InvalidOpcode, 16, "the pixel at pc is not an opcode colour of the palette, or is cut off")                    \
    X(Privileged, 17, "privileged instruction in user mode")                                                         \
    X(MemoryViolation, 18, "access outside the process's memory and the display area")                               \
    X(JumpOutOfBounds, 19, "pc left the process's memory")                                                           \
    X(DivideByZero, 20, "DIV or MOD by zero")                                                                        \
    X(StackOverflow, 21, "PUSH or CALL below the process's stack (SBASE)")                                           \
    X(StackUnderflow, 22, "POP or RET above the process's memory")                                                   \
    X(BadSyscall, 23, "SYSCALL number outside the syscall table")

enum class TrapCause : std::uint32_t {
#define PXOS_TRAP_ENUM(name, value, doc) name = value,
    PXOS_TRAP_CAUSES(PXOS_TRAP_ENUM)
#undef PXOS_TRAP_ENUM
};
std::string_view trap_cause_name(std::uint32_t cause);
std::string_view trap_cause_doc(std::uint32_t cause);
inline constexpr std::uint32_t kFirstFault = 16;
inline constexpr bool is_fault(std::uint32_t cause)
{
    return cause >= kFirstFault;
}

} // namespace pxos::isa

namespace pxos::abi {

struct TrapCauseInfo {
    isa::TrapCause cause;
    std::string_view name;
    std::string_view doc;
};

inline constexpr std::array kTrapCauses {
#define PXOS_TRAP_INFO(name, value, doc) TrapCauseInfo { isa::TrapCause::name, #name, doc },
    PXOS_TRAP_CAUSES(PXOS_TRAP_INFO)
#undef PXOS_TRAP_INFO
};

} // namespace pxos::abi
