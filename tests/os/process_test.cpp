// The kernel's processes (roadmaps/kernel/proc.pxasm, exec.pxasm, pipe.pxasm)
// driven through real images: wait and reaping, kill, sbrk, what the boot
// gives the build's processes, and the calls that need partitions.
#include "pxos/abi/process.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/vm/machine.hpp"
#include "fs_support.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

using pxos::isa::PcbField;
using pxos::isa::ProcessState;
using pxos::test::build_os;
using pxos::test::ProgramSpec;

namespace {

using OsRun = pxos::test::FsRun;

OsRun run_image(pxos::SimulatedVRAM vram, std::uint64_t max_steps, const std::string& input = "")
{
    return pxos::test::run_fs_image(std::move(vram), max_steps, input, "os.png");
}

OsRun boot_and_run(const std::vector<ProgramSpec>& programs, std::uint64_t max_steps = 5'000'000)
{
    return run_image(build_os(programs).vram, max_steps);
}

// Word `field` of slot `slot`'s PCB after the run.
std::uint32_t pcb_word(const OsRun& run, std::uint32_t slot, int field)
{
    const pxos::SimulatedVRAM& vram = run.machine->vram();
    std::uint32_t table = std::uint32_t(pxos::region(pxos::RegionId::ProcessTable).rect.y) * std::uint32_t(vram.width());
    return vram.words()[table + (slot << pxos::isa::kPcbShift) + std::uint32_t(field)];
}

} // namespace

TEST_CASE("wait returns the code of a process that is not a child and leaves it in the table", "[os][wait]")
{
    auto run = boot_and_run({ { R"(
main:
    LI r1, 2
    SYSCALL SYS_WAIT          ; pid 2 exits with 7
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 2
    SYSCALL SYS_WAIT          ; not reaped (not our child): 7 again
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    SYSCALL SYS_WAIT          ; itself: ERR_INVAL
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 9
    SYSCALL SYS_WAIT          ; a free slot: ERR_SRCH
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 0
    SYSCALL SYS_WAIT          ; pid 0 (no slot): ERR_SRCH
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 0
    SYSCALL SYS_EXIT
)" },
        { "main:\n    SYSCALL SYS_YIELD\n    LI r1, 7\n    SYSCALL SYS_EXIT\n" } });
    CHECK(run.output == "77-13-15-15");
    REQUIRE(run.processes.size() == 2);
    CHECK(run.processes[1].state == std::uint32_t(ProcessState::Exited));
    CHECK(run.processes[1].exit_code == 7);
    CHECK(run.result.halt_code == 1); // pid 2's 7 stays in the table
}

TEST_CASE("kill ends a running, ready or sleeping process as exit(-1), and a process may kill itself", "[os][kill]")
{
    auto run = boot_and_run({ { R"(
main:
    SYSCALL SYS_YIELD         ; pid 2 starts its endless loop, pid 3 sleeps
    LI r1, 2
    SYSCALL SYS_KILL
    MOV r1, r0
    SYSCALL SYS_PRINT_INT     ; 0
    LI r1, 2
    SYSCALL SYS_WAIT
    MOV r1, r0
    SYSCALL SYS_PRINT_INT     ; -1
    LI r1, 3
    SYSCALL SYS_KILL
    MOV r1, r0
    SYSCALL SYS_PRINT_INT     ; 0
    LI r1, 2
    SYSCALL SYS_KILL          ; ended already: ERR_SRCH
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 12
    SYSCALL SYS_KILL          ; a free slot: ERR_SRCH
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 100
    SYSCALL SYS_KILL          ; no such slot: ERR_SRCH
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    SYSCALL SYS_KILL          ; itself: does not return
    LI r1, 99
    SYSCALL SYS_PRINT_INT
    LI r1, 0
    SYSCALL SYS_EXIT
)" },
        { "main:\n    JMP main\n" }, { "main:\n    LI r1, 100000000\n    SYSCALL SYS_SLEEP\n    LI r1, 0\n    SYSCALL SYS_EXIT\n" } });
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.output == "0-10-15-15-15");
    REQUIRE(run.processes.size() == 3);
    for (const pxos::ProcessInfo& process : run.processes) {
        INFO(process.pid);
        CHECK(process.state == std::uint32_t(ProcessState::Exited));
        CHECK(process.exit_code == -1);
    }
    CHECK(run.result.steps < 1'000'000); // the sleeper did not sleep its time out
}

TEST_CASE("a process the build placed has descriptors 0, 1, 2 on the console and an empty heap", "[os][sbrk]")
{
    // Memory rows 240..247 (the first process's), its stack the top 256 words.
    const std::uint32_t stack_base = 248 * 512 - 256;
    auto run = boot_and_run({ { R"(
main:
    LI r1, 0
    SYSCALL SYS_SBRK          ; the break: the stack's base
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    SYSCALL SYS_SBRK          ; into the stack: ERR_NOMEM
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, -1
    SYSCALL SYS_SBRK          ; below the heap's start: ERR_NOMEM
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 0x7fffffff
    SYSCALL SYS_SLEEP
)" } },
        200'000);
    CHECK(run.output == std::to_string(stack_base) + "-16-16");
    CHECK(pcb_word(run, 0, int(PcbField::Break)) == stack_base);
    CHECK(pcb_word(run, 0, int(PcbField::Files) + 0) == 1); // CONSOLE_FD_VALUE
    CHECK(pcb_word(run, 0, int(PcbField::Files) + 1) == 1);
    CHECK(pcb_word(run, 0, int(PcbField::Files) + 2) == 1);
    CHECK(pcb_word(run, 0, int(PcbField::Files) + 3) == 0);
}

TEST_CASE("spawn and exec answer ERR_NOMEM in an image without process partitions", "[os][spawn]")
{
    auto run = boot_and_run({ { R"(
main:
    LI r1, path
    LI r2, 0
    SYSCALL SYS_SPAWN
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, path
    LI r2, 0
    SYSCALL SYS_EXEC
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 0
    SYSCALL SYS_EXIT
path: .stringz "/bin/sh"
)" } });
    CHECK(run.output == "-16-16");
    CHECK(run.result.halt_code == 0);
}
