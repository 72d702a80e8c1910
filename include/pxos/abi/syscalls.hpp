// The kernel's system calls: ONE table of (name, number, arguments, doc).
// User code says `SYSCALL SYS_WRITE` (the SYS_* symbols take the number
// column); the kernel step fills the syscall table region from the kernel's
// `sys_<name>` labels in row order. A static_assert below keeps each number
// equal to its row, so the two cannot drift apart. The table of
// docs/PXASM.md is generated from it (`pxos abi --markdown`).
// Arguments go in r1..r3, the result comes back in r0.
#pragma once

#include <array>
#include <string_view>

namespace pxos {

#define PXOS_SYSCALLS(X)                                                                                              \
    X(exit, 0, "r1 = exit code", "end this process")                                                                  \
    X(write, 1, "r1 = address, r2 = length", "write length words (one character each) to the console; r0 = count")   \
    X(read, 2, "r1 = address, r2 = capacity", "read a line (up to capacity characters) from console input; r0 = count, 0 at end") \
    X(yield, 3, "", "give up the rest of the time slice")                                                             \
    X(getpid, 4, "", "r0 = this process's id")                                                                        \
    X(spawn, 5, "r1 = slot", "start the dormant program in process slot r1; r0 = its pid, or -1")                     \
    X(wait, 6, "r1 = pid", "block until process r1 ends; r0 = its exit code (-1 if it faulted or does not exist)")    \
    X(draw, 7, "r1 = x, r2 = y, r3 = colour", "set a pixel of the display area (coordinates relative to it); r0 = 0, or -1 outside") \
    X(sleep, 8, "r1 = ticks", "sleep for at least r1 instructions of machine time")                                   \
    X(ticks, 9, "", "r0 = instructions executed since boot (low 32 bits)")                                           \
    X(print_int, 10, "r1 = value", "write r1 as a signed decimal number to the console")

struct SyscallInfo {
    std::string_view name;
    int number;
    std::string_view arguments;
    std::string_view doc;
};

inline constexpr std::array kSyscalls {
#define PXOS_SYSCALL_INFO(name, number, arguments, doc) SyscallInfo { #name, number, arguments, doc },
    PXOS_SYSCALLS(PXOS_SYSCALL_INFO)
#undef PXOS_SYSCALL_INFO
};

// The rows in order: Syscall::write is row 1 of the table.
enum class Syscall : int {
#define PXOS_SYSCALL_ENUM(name, number, arguments, doc) name,
    PXOS_SYSCALLS(PXOS_SYSCALL_ENUM)
#undef PXOS_SYSCALL_ENUM
};
#define PXOS_SYSCALL_ROW(name, number, arguments, doc)                                                               \
    static_assert(int(Syscall::name) == number, "PXOS_SYSCALLS: the number of sys_" #name " is not its row");
PXOS_SYSCALLS(PXOS_SYSCALL_ROW)
#undef PXOS_SYSCALL_ROW

} // namespace pxos
