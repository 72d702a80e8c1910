// The kernel's system calls: ONE table of (name, number, arguments, doc).
// User code says `SYSCALL SYS_WRITE` (the SYS_* symbols take the number
// column); the kernel step fills the syscall table region from the kernel's
// `sys_<name>` labels in row order. A static_assert below keeps each number
// equal to its row, so the two cannot drift apart. The table of
// docs/PXASM.md is generated from it (`pxos abi --markdown`).
// Arguments go in r1..r3, the result comes back in r0; a negative result
// is an error code of PXOS_ERRORS (ERR_*, abi/errors.hpp). The kernel
// changes no other user register. docs/OS.md says what each call does.
#pragma once

#include <array>
#include <string_view>

namespace pxos {

#define PXOS_SYSCALLS(X)                                                                                              \
    X(exit, 0, "r1 = exit code", "end this process: its descriptors close, a waiter gets the code")                  \
    X(write, 1, "r1 = fd, r2 = address, r3 = length", "write up to length words (at most IO_MAX) to a console, file or pipe; r0 = words written, or ERR_*") \
    X(read, 2, "r1 = fd, r2 = address, r3 = capacity", "read up to capacity words (at most IO_MAX; the console stops after a newline); r0 = words read, 0 at the end, or ERR_*") \
    X(yield, 3, "", "give up the rest of the time slice")                                                             \
    X(getpid, 4, "", "r0 = this process's id")                                                                        \
    X(spawn, 5, "r1 = path, r2 = argv", "start a new process from a program file; it inherits the descriptors and the working directory; r0 = its pid, or ERR_*") \
    X(wait, 6, "r1 = pid", "block until process r1 ends; r0 = its exit code (-1 if it faulted), or ERR_*")             \
    X(draw, 7, "r1 = x, r2 = y, r3 = colour", "set a pixel of the display area (coordinates relative to it); r0 = 0, or -1 outside") \
    X(sleep, 8, "r1 = ticks", "sleep for at least r1 instructions of machine time")                                   \
    X(ticks, 9, "", "r0 = instructions executed since boot (low 32 bits)")                                           \
    X(print_int, 10, "r1 = value", "write r1 as a signed decimal number to descriptor 1")                            \
    X(open, 11, "r1 = path, r2 = flags (O_*)", "open a file or directory; r0 = the lowest free descriptor, or ERR_*") \
    X(close, 12, "r1 = fd", "close a descriptor; r0 = 0, or ERR_*")                                                    \
    X(dup, 13, "r1 = fd", "r0 = a new descriptor (the lowest free) for the same open file, or ERR_*")                 \
    X(pipe, 14, "r1 = address of 2 words", "make a pipe: word 0 gets its read descriptor, word 1 its write descriptor; r0 = 0, or ERR_*") \
    X(fstat, 15, "r1 = fd, r2 = address of STAT_WORDS words", "describe an open file (STAT_*); r0 = 0, or ERR_*")   \
    X(mkdir, 16, "r1 = path", "make a directory; r0 = 0, or ERR_*")                                                    \
    X(chdir, 17, "r1 = path", "change the working directory; r0 = 0, or ERR_*")                                        \
    X(unlink, 18, "r1 = path", "remove a name (a file, or an empty directory); r0 = 0, or ERR_*")                    \
    X(link, 19, "r1 = existing path, r2 = new path", "give a file a second name; r0 = 0, or ERR_*")                   \
    X(readdir, 20, "r1 = fd, r2 = address of DIRENT_WORDS words", "the next entry of an open directory; r0 = 1, 0 at the end, or ERR_*") \
    X(exec, 21, "r1 = path, r2 = argv", "replace this process's program by a program file (descriptors stay open); returns only with ERR_*") \
    X(kill, 22, "r1 = pid", "end process r1 as if it called exit(-1); r0 = 0, or ERR_*")                              \
    X(sbrk, 23, "r1 = words", "grow (or shrink) the heap; r0 = the old break, or ERR_NOMEM")                          \
    X(seek, 24, "r1 = fd, r2 = offset", "set a file descriptor's offset (in words); r0 = 0, or ERR_*")

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
