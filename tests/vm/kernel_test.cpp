// The kernel in pixels, driven through real images: scheduling, syscalls,
// protection, determinism, and hostile images that must never crash the host.
#include "pxos/vm/machine.hpp"

#include "pxos/abi/os.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/vm/run_report.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <random>

using pxos::test::build_os;
using pxos::test::ProgramSpec;
using pxos::isa::TrapCause;

namespace {

struct OsRun {
    pxos::RunResult result;
    std::string output;
    std::vector<pxos::ProcessInfo> processes;
    std::unique_ptr<pxos::Machine> machine;
    pxos::SourceMap source_map;
};

OsRun boot_and_run(const std::vector<ProgramSpec>& programs, std::uint64_t max_steps = 5'000'000,
    const std::string& input = "")
{
    auto image = build_os(programs);
    auto machine = pxos::Machine::boot(std::move(image.vram), "os.png");
    if (!machine.ok())
        FAIL(machine.error().message());
    (*machine)->set_input(input);
    OsRun run;
    run.result = (*machine)->run(max_steps);
    run.output = (*machine)->console_output();
    run.processes = (*machine)->processes();
    run.machine = std::move(*machine);
    run.source_map = std::move(image.source_map);
    return run;
}

const char* kPrintOk = R"(
main:
    LI r1, 1
    LI r2, text
    LI r3, 3
    SYSCALL SYS_WRITE
    LI r1, 0
    SYSCALL SYS_EXIT
text: .string "ok\n"
)";

} // namespace

TEST_CASE("three processes share the machine and the kernel halts cleanly", "[kernel]")
{
    auto run = boot_and_run({ { kPrintOk }, { "main: LI r1, 3\nSYSCALL SYS_EXIT" }, { kPrintOk } });
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.output == "ok\nok\n");
    REQUIRE(run.processes.size() == 3);
    CHECK(run.processes[1].state == std::uint32_t(pxos::isa::ProcessState::Exited));
    CHECK(run.processes[1].exit_code == 3);
    CHECK(run.result.halt_code == 1); // one process exited non-zero
    CHECK(pxos::run_exit_status(run.result) == 1);
    CHECK(run.result.faults.empty());
}

TEST_CASE("each user fault class stops only the faulting process, with its place", "[kernel][faults]")
{
    struct Case {
        const char* program;
        TrapCause cause;
        int line; // source line of the faulting instruction
    };
    const Case cases[] = {
        { "main:\n    LI r1, 0\n    LOAD r2, r1, 0\n", TrapCause::MemoryViolation, 3 },
        { "main:\n    LI r1, 0x20000\n    LI r2, 5\n    STORE r2, r1, 0\n", TrapCause::MemoryViolation, 4 },
        { "main:\n    HALT\n", TrapCause::Privileged, 2 },
        { "main:\n    LI r1, 1\n    OUT r1, PORT_CONSOLE_OUT\n", TrapCause::Privileged, 3 },
        { "main:\n    .word 12345\n", TrapCause::InvalidOpcode, 2 },
        { "main:\n    LI r1, 0\n    DIV r2, r1, r1\n", TrapCause::DivideByZero, 3 },
        { "main:\nrecurse:\n    CALL recurse\n", TrapCause::StackOverflow, 3 },
        { "main:\n    POP r1\n", TrapCause::StackUnderflow, 2 },
        { "main:\n    JMP 0\n", TrapCause::JumpOutOfBounds, 2 },
        { "main:\n    SYSCALL 99\n", TrapCause::BadSyscall, 2 },
        { "main:\n    LI r1, 0\n    LI r2, 0\n    LI r3, 0\n    PSET r1, r2, r3\n", TrapCause::MemoryViolation, 5 },
    };
    for (const Case& c : cases) {
        INFO(c.program);
        auto run = boot_and_run({ { c.program }, { kPrintOk } });
        CHECK(run.result.reason == pxos::StopReason::Halted);
        CHECK(run.output == "ok\n"); // the other process went on
        REQUIRE(run.result.faults.size() == 1);
        const pxos::FaultRecord& fault = run.result.faults[0];
        CHECK(fault.cause == std::uint32_t(c.cause));
        CHECK(fault.pid == 1);
        auto location = run.source_map.find(fault.pc);
        REQUIRE(location.has_value());
        CHECK(location->line == c.line);
        CHECK(run.processes[0].state == std::uint32_t(pxos::isa::ProcessState::Faulted));
        CHECK(run.processes[0].exit_code == std::int32_t(c.cause));
        CHECK(pxos::run_exit_status(run.result) == 3);
    }
}

TEST_CASE("a process may draw into the display area but nowhere else outside its memory", "[kernel]")
{
    auto run = boot_and_run({ { R"(
main:
    LI r1, 5
    LI r2, 400
    LI r3, 0xff0000ff
    PSET r1, r2, r3          ; inside the display (rows 384..511)
    LI r1, 2
    LI r2, 3
    LI r3, 0xff00ff00
    SYSCALL SYS_DRAW         ; display-relative: (2, 387)
    MOV r1, r0
    SYSCALL SYS_EXIT
)" } });
    CHECK(run.result.faults.empty());
    CHECK(run.processes[0].exit_code == 0);
    CHECK(run.machine->vram().pixel_unchecked(5, 400) == pxos::RGBA { 255, 0, 0, 255 });
    CHECK(run.machine->vram().pixel_unchecked(2, 387) == pxos::RGBA { 0, 255, 0, 255 });
}

TEST_CASE("an endless loop is preempted, the others finish, the budget ends the run", "[kernel]")
{
    auto run = boot_and_run({ { "main: JMP main" }, { kPrintOk } }, 200'000);
    CHECK(run.output == "ok\n");
    CHECK(run.result.reason == pxos::StopReason::BudgetExhausted);
    CHECK(run.result.steps == 200'000);
    CHECK(pxos::run_exit_status(run.result) == 4);
}

TEST_CASE("sixteen processes run at once, each with its own pid", "[kernel]")
{
    std::vector<ProgramSpec> programs;
    for (int i = 0; i < 16; ++i)
        programs.push_back({ R"(
main:
    SYSCALL SYS_YIELD
    SYSCALL SYS_GETPID
    MOV r1, r0
    SYSCALL SYS_PRINT_INT
    LI r1, 1
    LI r2, space
    LI r3, 1
    SYSCALL SYS_WRITE
    LI r1, 0
    SYSCALL SYS_EXIT
space: .string " "
)",
            true, 7 });
    auto run = boot_and_run(programs);
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.output == "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 ");
    CHECK(run.processes.size() == 16);
}

TEST_CASE("sleep lets the others run first, ticks advance", "[kernel]")
{
    auto run = boot_and_run({ { R"(
main:
    LI r1, 20000
    SYSCALL SYS_SLEEP
    LI r1, 1
    LI r2, late
    LI r3, 5
    SYSCALL SYS_WRITE
    LI r1, 0
    SYSCALL SYS_EXIT
late: .string "late\n"
)" },
        { R"(
main:
    LI r1, 1
    LI r2, early
    LI r3, 6
    SYSCALL SYS_WRITE
    LI r1, 0
    SYSCALL SYS_EXIT
early: .string "early\n"
)" } });
    CHECK(run.output == "early\nlate\n");
    CHECK(run.result.steps > 20000);
}

TEST_CASE("read returns a line of console input, then 0 at the end", "[kernel]")
{
    auto run = boot_and_run({ { R"(
main:
loop:
    LI r1, 0
    LI r2, buffer
    LI r3, 64
    SYSCALL SYS_READ
    JZ r0, done
    MOV r3, r0
    LI r1, 1
    LI r2, buffer
    SYSCALL SYS_WRITE
    JMP loop
done:
    LI r1, 0
    SYSCALL SYS_EXIT
buffer: .fill 64, 0
)" } },
        1'000'000, "first line\nsecond\n");
    CHECK(run.output == "first line\nsecond\n");
    CHECK(run.result.halt_code == 0);
}

TEST_CASE("a buffer outside the caller's memory makes write return ERR_FAULT", "[kernel]")
{
    auto run = boot_and_run({ { "main:\n    LI r1, 1\n    LI r2, 0\n    LI r3, 4\n    SYSCALL SYS_WRITE\n    MOV r1, r0\n    SYSCALL SYS_EXIT\n" } });
    CHECK(run.output.empty());
    CHECK(run.processes[0].exit_code == int(pxos::abi::OsError::FAULT));
}

TEST_CASE("processes waiting for each other forever end in a deadlock halt", "[kernel]")
{
    auto run = boot_and_run({ { "main:\n    LI r1, 2\n    SYSCALL SYS_WAIT\n" }, { "main:\n    LI r1, 1\n    SYSCALL SYS_WAIT\n" } });
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.result.halt_code == 2);
}

TEST_CASE("the same image gives the same output, pixels and step count", "[kernel][determinism]")
{
    auto first = boot_and_run({ { kPrintOk }, { "main: LI r1, 7\nSYSCALL SYS_PRINT_INT\nLI r1, 0\nSYSCALL SYS_EXIT" } });
    auto second = boot_and_run({ { kPrintOk }, { "main: LI r1, 7\nSYSCALL SYS_PRINT_INT\nLI r1, 0\nSYSCALL SYS_EXIT" } });
    CHECK(first.output == second.output);
    CHECK(first.result.steps == second.result.steps);
    CHECK(first.machine->vram() == second.machine->vram());
}

TEST_CASE("hostile images end within budget and never crash the host", "[kernel][hostile]")
{
    auto good = build_os({ { kPrintOk } });
    std::mt19937 random(1234);

    SECTION("random pixels: not bootable")
    {
        auto noise = pxos::SimulatedVRAM::create(64, 64).value();
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x)
                REQUIRE(noise.write_pixel(x, y, pxos::RGBA::from_word(random())).ok());
        auto machine = pxos::Machine::boot(noise, "noise.png");
        REQUIRE_FALSE(machine.ok());
        CHECK(machine.error().message().rfind("noise.png@(0,4): error: not a bootable pxOS image", 0) == 0);
        CHECK_FALSE(pxos::Machine::boot(pxos::SimulatedVRAM::create(1, 1).value(), "tiny.png").ok());
    }
    SECTION("a palette whose colours are not unique")
    {
        pxos::SimulatedVRAM image = good.vram;
        image.fill_rect(pxos::region(pxos::RegionId::OpcodePalette).rect, pxos::RGBA { 1, 2, 3, 255 });
        auto machine = pxos::Machine::boot(image, "flat.png");
        REQUIRE_FALSE(machine.ok());
        CHECK(machine.error().message()
            == "flat.png@(8,16): error: palette colour (1,2,3,255) of HALT is also the colour of NOP at (0,16); "
               "opcode colours must be unique");
    }
    SECTION("header pointers outside the image")
    {
        pxos::SimulatedVRAM image = good.vram;
        REQUIRE(image.write_pixel(2, 4, pxos::RGBA::from_word(0xffffff00u)).ok());
        auto machine = pxos::Machine::boot(image, "bad.png");
        REQUIRE_FALSE(machine.ok());
        CHECK(machine.error().message().rfind("bad.png@(2,4): error: header kernel entry", 0) == 0);
    }
    SECTION("an all-NOP kernel, random kernels and random processes")
    {
        pxos::SimulatedVRAM nops = good.vram;
        nops.fill_rect(pxos::region(pxos::RegionId::Kernel).rect, pxos::RGBA { 0, 0, 0, 255 });
        auto machine = pxos::Machine::boot(nops, "nops.png");
        REQUIRE(machine.ok());
        auto result = (*machine)->run(1'000'000);
        CHECK(result.steps <= 1'000'000);

        for (int seed = 0; seed < 40; ++seed) {
            pxos::SimulatedVRAM image = good.vram;
            const pxos::Rect target = seed % 2 ? pxos::region(pxos::RegionId::Kernel).rect
                                               : pxos::Rect { 0, 240, 512, 8 };
            // Mostly valid opcodes with random operands, so the code goes somewhere.
            auto palette = pxos::Palette::canonical();
            for (int y = target.y; y < target.y + target.height; ++y)
                for (int x = 0; x < 512; ++x) {
                    std::uint32_t word = random() % 3 == 0
                        ? palette.word_for(pxos::isa::Opcode(random() % pxos::isa::kOpcodeCount))
                        : std::uint32_t(random() % 4 == 0 ? random() : random() % 20);
                    REQUIRE(image.write_pixel(x, y, pxos::RGBA::from_word(word)).ok());
                }
            auto booted = pxos::Machine::boot(image, "random.png");
            REQUIRE(booted.ok());
            auto outcome = (*booted)->run(200'000);
            CHECK(outcome.steps <= 200'000);
        }
    }
}
