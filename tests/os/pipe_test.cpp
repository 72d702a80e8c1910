// Pipes (roadmaps/kernel/pipe.pxasm) inside one process the build placed:
// words come out in order, a write puts in what fits, the end of file when
// no writer is left, ERR_PIPE when no reader is left, a deadlock when a
// process blocks on a pipe nobody else can write, and the error paths of
// pipe(). Pipes between spawned processes are in spawn_test.cpp.
#include "pxos/vm/machine.hpp"
#include "fs_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

using pxos::test::build_os;
using pxos::test::ProgramSpec;

namespace {

using OsRun = pxos::test::FsRun;

OsRun boot_and_run(const std::string& program, std::uint64_t max_steps = 5'000'000)
{
    return pxos::test::run_fs_image(build_os({ { program, true, 16 } }).vram, max_steps, "", "os.png");
}

// Prints r0 and a space (uses r1-r3).
const char* kPrintHelpers = R"(
print_r0:
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    LI r2, space
    LI r3, 1
    SYSCALL SYS_WRITE
    RET
space: .string " "
fds: .word 0, 0
buffer: .fill 600, 0
)";

} // namespace

TEST_CASE("a pipe gives back its words in order, then the end of file once the write end is closed", "[os][pipe]")
{
    auto run = boot_and_run(std::string(R"(
main:
    LI r1, fds
    SYSCALL SYS_PIPE
    CALL print_r0             ; 0
    LOAD r0, r14, fds         ; (r14 is 0 in user code too: never set)
    CALL print_r0             ; 3: the lowest free descriptors
    LI r4, fds
    LOAD r0, r4, 1
    CALL print_r0             ; 4
    LI r4, fds
    LOAD r1, r4, 1
    LI r2, text
    LI r3, 5
    SYSCALL SYS_WRITE
    CALL print_r0             ; 5
    LI r1, 3
    LI r2, buffer
    LI r3, 3
    SYSCALL SYS_READ          ; "abc"
    CALL print_r0             ; 3
    LI r1, 1
    LI r2, buffer
    LI r3, 3
    SYSCALL SYS_WRITE
    LI r1, 4
    SYSCALL SYS_CLOSE         ; no writer left
    LI r1, 3
    LI r2, buffer
    LI r3, 100
    SYSCALL SYS_READ          ; what is left: "de"
    CALL print_r0             ; 2
    LI r1, 3
    LI r2, buffer
    LI r3, 100
    SYSCALL SYS_READ          ; the end
    CALL print_r0             ; 0
    LI r1, 0
    SYSCALL SYS_EXIT
text: .string "abcde"
)") + kPrintHelpers);
    CHECK(run.output == "0 3 4 5 3 abc2 0 ");
    CHECK(run.result.halt_code == 0);
}

TEST_CASE("a pipe write puts in what fits and ERR_PIPE once no reader is left", "[os][pipe]")
{
    auto run = boot_and_run(std::string(R"(
main:
    LI r1, fds
    SYSCALL SYS_PIPE
    LI r1, 4
    LI r2, buffer
    LI r3, 600                ; more than OS_PIPE_WORDS
    SYSCALL SYS_WRITE
    CALL print_r0             ; 512
    LI r1, 3
    LI r2, buffer
    LI r3, 100
    SYSCALL SYS_READ
    CALL print_r0             ; 100
    LI r1, 4
    LI r2, buffer
    LI r3, 600
    SYSCALL SYS_WRITE
    CALL print_r0             ; 100: the room the read made (the ring wraps)
    LI r1, 3
    SYSCALL SYS_CLOSE         ; no reader left
    LI r1, 4
    LI r2, buffer
    LI r3, 1
    SYSCALL SYS_WRITE
    CALL print_r0             ; ERR_PIPE
    LI r1, 0
    SYSCALL SYS_EXIT
)") + kPrintHelpers);
    CHECK(run.output == "512 100 100 -11 ");
}

TEST_CASE("the ring buffer keeps the words' order across its end", "[os][pipe]")
{
    auto run = boot_and_run(std::string(R"(
main:
    LI r1, fds
    SYSCALL SYS_PIPE
    LI r5, 0                  ; round
round:
    LI r1, 4
    LI r2, buffer
    LI r3, 500
    SYSCALL SYS_WRITE         ; 500 words: the ring wraps from round 2 on
    LI r1, 3
    LI r2, buffer + 500
    LI r3, 100
    SYSCALL SYS_READ          ; not all of it: the rest stays
    LI r1, 3
    LI r2, buffer + 500
    LI r3, 400
    SYSCALL SYS_READ
    ADDI r5, r5, 1
    LI r6, 3
    BLT r5, r6, round
    LI r1, buffer + 899       ; the last word read: buffer[499]
    LOAD r0, r1, 0
    CALL print_r0
    LI r1, 0
    SYSCALL SYS_EXIT
)") + std::string(kPrintHelpers).replace(std::string(kPrintHelpers).find("buffer: .fill 600, 0"), 20,
                                         "buffer: .fill 499, 7\n    .word 42\n    .fill 400, 0"));
    CHECK(run.output == "42 ");
}

TEST_CASE("reading an empty pipe whose only writer is the reader itself blocks forever: a deadlock halt", "[os][pipe]")
{
    auto run = boot_and_run(std::string(R"(
main:
    LI r1, fds
    SYSCALL SYS_PIPE
    LI r1, 3
    LI r2, buffer
    LI r3, 1
    SYSCALL SYS_READ
    LI r1, 0
    SYSCALL SYS_EXIT
)") + kPrintHelpers);
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.result.halt_code == 2);
    REQUIRE(run.processes.size() == 1);
    CHECK(run.processes[0].state == std::uint32_t(pxos::isa::ProcessState::Blocked));
}

TEST_CASE("pipe answers ERR_FAULT, ERR_MFILE and ERR_NFILE and keeps nothing of a failed call", "[os][pipe]")
{
    auto run = boot_and_run(std::string(R"(
main:
    LI r1, 0
    SYSCALL SYS_PIPE          ; outside the process
    CALL print_r0             ; ERR_FAULT
    LI r1, buffer + 599       ; the second word lies past the buffer: still inside memory
    SYSCALL SYS_PIPE
    CALL print_r0             ; 0 (fds 3, 4)
    LI r1, 3
    SYSCALL SYS_CLOSE
    LI r1, 4
    SYSCALL SYS_CLOSE
    LI r5, 0                  ; six pipes: descriptors 3..14
six:
    LI r1, fds
    SYSCALL SYS_PIPE
    ADDI r5, r5, 1
    LI r6, 6
    BLT r5, r6, six
    LI r1, fds
    SYSCALL SYS_PIPE          ; one descriptor left: ERR_MFILE
    CALL print_r0
    LI r1, 15
    SYSCALL SYS_CLOSE         ; descriptor 15 was never given out
    CALL print_r0             ; ERR_BADF
    LI r5, 3                  ; close 3..14: the six pipes are free again
close_all:
    MOV r1, r5
    SYSCALL SYS_CLOSE
    ADDI r5, r5, 1
    LI r6, 15
    BLT r5, r6, close_all
    LI r5, 0                  ; eight pipes, each with its write end only
eight:
    LI r1, fds
    SYSCALL SYS_PIPE
    LOAD r1, r14, fds
    SYSCALL SYS_CLOSE
    ADDI r5, r5, 1
    LI r6, 8
    BLT r5, r6, eight
    LI r1, fds
    SYSCALL SYS_PIPE          ; a ninth: the pipe table is full
    CALL print_r0             ; ERR_NFILE
    LI r1, 0
    SYSCALL SYS_EXIT
)") + kPrintHelpers);
    CHECK(run.output == "-3 0 -9 -2 -10 ");
}
