#include "pxos/vm/debugger.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace {

pxos::Debugger debugger_for(const std::vector<pxos::test::ProgramSpec>& programs)
{
    auto image = pxos::test::build_os(programs);
    auto machine = pxos::Machine::boot(std::move(image.vram), "os.png");
    REQUIRE(machine.ok());
    return pxos::Debugger(std::move(*machine), std::move(image.source_map), 1'000'000);
}

const char* kCounter = R"(
main:
    LI r5, 0
loop:
    ADDI r5, r5, 1
    CALL bump
    LI r6, 3
    BLT r5, r6, loop
    MOV r1, r5
    SYSCALL SYS_EXIT
bump:
    ADDI r7, r7, 10
    RET
)";

} // namespace

TEST_CASE("debugger: breakpoints on labels, stepping, next over CALL, registers", "[debugger]")
{
    auto debugger = debugger_for({ { kCounter } });
    CHECK(debugger.execute("break main") == "breakpoint at (0,240)\n");
    CHECK(debugger.execute("continue").rfind("breakpoint at (0,240)\npid 1 (0,240) LI r5, 0", 0) == 0);
    CHECK(debugger.execute("step 2").rfind("pid 1 (7,240) CALL 0x0001e015", 0) == 0);
    // next runs the whole call and stops after it, in the same process.
    CHECK(debugger.execute("next").rfind("pid 1 (9,240) LI r6, 3", 0) == 0);
    CHECK(debugger.execute("regs").find("r5=1 r6=0 r7=10") != std::string::npos);
    CHECK(debugger.execute("break bump") == "breakpoint at (21,240)\n");
    CHECK(debugger.execute("continue").rfind("breakpoint at (21,240)\npid 1 (21,240) ADDI r7, r7, 10", 0) == 0);
    CHECK(debugger.execute("set r7=100") == "r7=100\n");
    CHECK(debugger.execute("delete") == "deleted every breakpoint and watch\n");
    CHECK(debugger.execute("continue").find("halted with code 1\n") != std::string::npos);
    CHECK(debugger.execute("ps") == "pid 1 exited   pc (21,240) memory (0,240)..(0,248) exit 3\n");
    CHECK(debugger.execute("break nowhere") == "no label 'nowhere' (labels come from the image's source map)\n");
    CHECK(debugger.execute("frobnicate").rfind("unknown command 'frobnicate'", 0) == 0);
    debugger.execute("quit");
    CHECK(debugger.done());
}

TEST_CASE("debugger: watchpoints, syscall and fault breaks, across processes", "[debugger]")
{
    auto debugger = debugger_for({ { "main:\n    LI r1, 5\n    LI r2, 400\n    LI r3, 0xff00ff00\n    PSET r1, r2, r3\n"
                                     "    LI r1, 0\n    SYSCALL SYS_EXIT\n" },
        { "main:\n    LI r1, 0\n    DIV r1, r1, r1\n" } });
    CHECK(debugger.execute("watch 5,400") == "watching (5,400)\n");
    CHECK(debugger.execute("continue").rfind("watch (5,400): (20,20,20,255) -> (0,255,0,255)\npid 1 (13,240) LI r1, 0", 0)
        == 0);
    CHECK(debugger.execute("break syscall 0") == "break on syscall 0\n");
    CHECK(debugger.execute("continue").rfind("syscall 0 at (16,240)\npid 1 (16,240) SYSCALL 0", 0) == 0);
    CHECK(debugger.execute("break fault") == "break on faults\n");
    std::string fault = debugger.execute("continue");
    CHECK(fault.rfind("fault: pid 2 at (3,248) test.yaml:", 0) == 0);
    CHECK(fault.find("DivideByZero") != std::string::npos);
    CHECK(debugger.execute("ps").find("pid 2 running") != std::string::npos); // the kernel has not recorded it yet
    CHECK(debugger.execute("mem 5,400 1") == "(5,400)     0xff00ff00   -16711936 (0,255,0,255)\n");
    CHECK(debugger.execute("disasm 0,240 2") == "   (0,240)     LI r1, 5\n   (3,240)     LI r2, 400\n");
}
