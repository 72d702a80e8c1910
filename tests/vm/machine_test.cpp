#include "pxos/vm/machine.hpp"

#include "pxos/image/png_io.hpp"
#include "pxos/vm/run_report.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <set>

using pxos::test::build_os;
using pxos::test::run_snippet;

namespace {

struct OpcodeCase {
    const char* name;
    const char* snippet;
    std::uint32_t expected_r0;
    std::vector<std::string_view> covers;
};

// One or more small kernel-mode programs per opcode; r0 holds the answer.
const std::vector<OpcodeCase>& opcode_cases()
{
    static const std::vector<OpcodeCase> cases = {
        { "NOP does nothing", "NOP\nLI r0, 5\nNOP", 5, { "NOP", "LI" } },
        { "HALT stops at once", "LI r0, 7\nHALT\nLI r0, 9", 7, { "HALT" } },
        { "STORE then LOAD with offsets", "LI r1, 100\nLI r2, 77\nSTORE r2, r1, 5\nLOAD r0, r1, 5", 77,
            { "LOAD", "STORE" } },
        { "ADD", "LI r1, 3\nLI r2, 4\nADD r0, r1, r2", 7, { "ADD" } },
        { "SUB wraps below zero", "LI r1, 3\nLI r2, 5\nSUB r0, r1, r2", 0xfffffffeu, { "SUB" } },
        { "JMP skips", "JMP skip\nLI r0, 1\nskip: LI r0, 2", 2, { "JMP" } },
        { "JZ taken on zero", "LI r1, 0\nLI r0, 1\nJZ r1, done\nLI r0, 2\ndone:", 1, { "JZ" } },
        { "JZ not taken otherwise", "LI r1, 3\nLI r0, 1\nJZ r1, done\nLI r0, 2\ndone:", 2, { "JZ" } },
        { "MOV", "LI r1, 9\nMOV r0, r1", 9, { "MOV" } },
        { "ADDI with a negative immediate", "LI r1, 10\nADDI r0, r1, -3", 7, { "ADDI" } },
        { "MUL keeps the low 32 bits", "LI r1, 0x10000\nMUL r0, r1, r1\nLI r2, 6\nLI r3, 7\nMUL r4, r2, r3\nADD r0, r0, r4",
            42, { "MUL" } },
        { "DIV rounds toward zero", "LI r1, -7\nLI r2, 2\nDIV r0, r1, r2", std::uint32_t(-3), { "DIV" } },
        { "DIV of INT_MIN by -1 is INT_MIN", "LI r1, 0x80000000\nLI r2, -1\nDIV r0, r1, r2", 0x80000000u, { "DIV" } },
        { "MOD keeps the dividend's sign", "LI r1, -7\nLI r2, 2\nMOD r0, r1, r2", std::uint32_t(-1), { "MOD" } },
        { "AND", "LI r1, 12\nLI r2, 10\nAND r0, r1, r2", 8, { "AND" } },
        { "OR", "LI r1, 12\nLI r2, 10\nOR r0, r1, r2", 14, { "OR" } },
        { "XOR", "LI r1, 12\nLI r2, 10\nXOR r0, r1, r2", 6, { "XOR" } },
        { "NOT", "LI r1, 0\nNOT r0, r1", 0xffffffffu, { "NOT" } },
        { "SHL uses the low 5 bits of the count", "LI r1, 1\nLI r2, 35\nSHL r0, r1, r2", 8, { "SHL" } },
        { "SHR is logical", "LI r1, 0x80000000\nLI r2, 31\nSHR r0, r1, r2", 1, { "SHR" } },
        { "SAR is arithmetic", "LI r1, 0x80000000\nLI r2, 31\nSAR r0, r1, r2", 0xffffffffu, { "SAR" } },
        { "JNZ taken on non-zero", "LI r1, 1\nLI r0, 1\nJNZ r1, done\nLI r0, 2\ndone:", 1, { "JNZ" } },
        { "BEQ and BNE", "LI r1, 4\nLI r2, 4\nLI r0, 0\nBEQ r1, r2, equal\nLI r0, 100\nequal: BNE r1, r2, end\nADDI r0, r0, 1\nend:",
            1, { "BEQ", "BNE" } },
        { "BLT and BGE are signed", "LI r1, -1\nLI r2, 1\nLI r0, 0\nBLT r1, r2, less\nLI r0, 100\nless: BGE r1, r2, end\nADDI r0, r0, 1\nend:",
            1, { "BLT", "BGE" } },
        { "BLTU is unsigned", "LI r1, -1\nLI r2, 1\nLI r0, 1\nBLTU r1, r2, end\nLI r0, 2\nend:", 2, { "BLTU" } },
        { "SLT is signed", "LI r1, -1\nLI r2, 1\nSLT r0, r1, r2", 1, { "SLT" } },
        { "JMPR jumps to a register", "LI r1, target\nJMPR r1\nLI r0, 1\nHALT\ntarget: LI r0, 2", 2, { "JMPR" } },
        { "CALL and RET", "LI sp, 65536\nLI r0, 1\nCALL f\nADDI r0, r0, 10\nJMP end\nf: ADDI r0, r0, 100\nRET\nend:", 111,
            { "CALL", "RET" } },
        { "CALLR", "LI sp, 65536\nLI r1, f\nCALLR r1\nJMP end\nf: LI r0, 5\nRET\nend:", 5, { "CALLR" } },
        { "PUSH and POP are last in, first out",
            "LI sp, 65536\nLI r1, 1\nLI r2, 2\nPUSH r1\nPUSH r2\nPOP r0\nPOP r3\nSHL r0, r0, r3", 4, { "PUSH", "POP" } },
        { "MTS and MFS", "LI r1, 123\nMTS r1, QUANTUM\nMFS r0, QUANTUM", 123, { "MTS", "MFS" } },
        { "TICKS counts instructions", "NOP\nNOP\nMFS r0, TICKS", 3, { "MFS" } },
        { "USET and UGET reach the user's registers", "LI r1, 3\nLI r2, 99\nUSET r1, r2\nUGET r0, r1", 99,
            { "USET", "UGET" } },
        { "PSET and PGET address pixels by x, y",
            "LI r1, 10\nLI r2, 300\nLI r3, 0x12345678\nPSET r1, r2, r3\nPGET r0, r1, r2", 0x12345678u,
            { "PSET", "PGET" } },
        { "STOREX and LOADX index by a register", "LI r1, 1000\nLI r2, 5\nLI r3, 66\nSTOREX r3, r1, r2\nLOADX r0, r1, r2",
            66, { "STOREX", "LOADX" } },
        { "IN reads -1 without input", "IN r0, PORT_CONSOLE_IN", 0xffffffffu, { "IN" } },
        { "OUT writes to the console", "LI r1, 'A'\nOUT r1, PORT_CONSOLE_OUT\nLI r0, 1", 1, { "OUT" } },
    };
    return cases;
}

} // namespace

TEST_CASE("every opcode does what its table row says, in kernel mode", "[machine][isa]")
{
    std::set<std::string_view> covered = { "SYSCALL", "SYSRET" }; // exercised by the kernel tests below
    for (const OpcodeCase& c : opcode_cases()) {
        INFO(c.name);
        auto run = run_snippet(c.snippet);
        CHECK(run.result.reason == pxos::StopReason::Halted);
        CHECK(run.registers[0] == c.expected_r0);
        covered.insert(c.covers.begin(), c.covers.end());
    }
    for (const auto& entry : pxos::isa::kOpcodes) {
        INFO(entry.mnemonic);
        CHECK(covered.count(entry.mnemonic) == 1);
    }
}

TEST_CASE("OUT and IN talk to the host console", "[machine]")
{
    auto run = run_snippet("LI r1, 'h'\nOUT r1, PORT_CONSOLE_OUT\nLI r1, 'i'\nOUT r1, PORT_CONSOLE_OUT");
    CHECK(run.machine->console_output() == "hi");
}

TEST_CASE("kernel faults stop the machine with a panic naming the place", "[machine][faults]")
{
    auto load = run_snippet("LI r1, -1\nLOAD r0, r1, 0");
    REQUIRE(load.result.reason == pxos::StopReason::KernelPanic);
    CHECK(load.result.panic->cause == std::uint32_t(pxos::isa::TrapCause::MemoryViolation));
    CHECK(load.result.panic->pc == 32 * 512 + 3);
    CHECK(pxos::run_exit_status(load.result) == 5);
    CHECK(run_snippet("LI r1, 0\nDIV r0, r1, r1").result.panic->cause
        == std::uint32_t(pxos::isa::TrapCause::DivideByZero));
    CHECK(run_snippet("SYSCALL 0").result.panic->cause == std::uint32_t(pxos::isa::TrapCause::BadSyscall));
    CHECK(run_snippet(".word 12345").result.panic->cause == std::uint32_t(pxos::isa::TrapCause::InvalidOpcode));
    CHECK(run_snippet("LI sp, 0\nPUSH r1").result.panic->cause == std::uint32_t(pxos::isa::TrapCause::StackOverflow));
}

TEST_CASE("the step budget ends any run, and a run can be continued", "[machine]")
{
    auto run = run_snippet("loop: JMP loop", 1000);
    CHECK(run.result.reason == pxos::StopReason::BudgetExhausted);
    CHECK(run.result.steps == 1000);
    CHECK(pxos::run_exit_status(run.result) == 4);
    auto more = run.machine->run(500);
    CHECK(more.steps == 1500);
}

namespace {

// Rewrites its own code: the LI at `patched` runs with 7, is changed to 42
// and runs again; the NOP at `stop` becomes a HALT before it is reached.
const char* const kSelfModifying = R"(
    LI r5, 0
patched:
    LI r3, 7
    JNZ r5, done
    LI r5, 1
    LI r1, patched + 2
    LI r2, 42
    STORE r2, r1, 0
    JMP patched
done:
    LI r0, 1
    LI r1, stop
    LI r2, halt_colour
    LOAD r2, r2, 0
    STORE r2, r1, 0
stop:
    NOP
    LI r0, 2
    HALT
halt_colour:
    .color 255, 0, 0
)";

} // namespace

TEST_CASE("self-modifying code runs the new pixels, even where decoded before", "[machine]")
{
    // The LI at `patched` runs once with 7, is rewritten to 42, and runs again.
    auto run = run_snippet(kSelfModifying);
    CHECK(run.result.reason == pxos::StopReason::Halted);
    CHECK(run.registers[3] == 42);
    CHECK(run.registers[0] == 1);
}

namespace {

class CountingTrace final : public pxos::TraceSink {
public:
    void on_instruction(const pxos::TraceEvent&) override { ++count; }
    int count = 0;
};

} // namespace

TEST_CASE("fused ADDI + branch pairs stop exactly at the budget and match single-stepping", "[machine][fusion]")
{
    const char* loop = R"(
    LI r1, 6
    LI r2, 0
    LI r3, 3
loop:
    ADDI r1, r1, -1        ; ADDI + JNZ on the same register
    ADDI r2, r2, 1
    JNZ r1, loop
inner:
    ADDI r3, r3, 1         ; ADDI + BNE: r3 counts 3 -> 6
    BNE r3, r2, inner
again:
    ADDI r4, r4, 2         ; ADDI + BLT: r4 counts 0 -> 6
    BLT r4, r2, again
)";
    auto full = run_snippet(loop);
    REQUIRE(full.result.reason == pxos::StopReason::Halted);
    for (std::uint64_t budget = 1; budget <= full.result.steps; ++budget) {
        INFO("budget " << budget);
        auto fast = run_snippet(loop, budget);
        // The same budget, one instruction at a time (a trace forces single steps).
        auto image_run = run_snippet(loop, 0);
        CountingTrace trace;
        image_run.machine->set_trace(&trace);
        auto slow = image_run.machine->run(budget);
        CHECK(fast.result.steps == budget);
        CHECK(slow.steps == budget);
        CHECK(fast.machine->pc() == image_run.machine->pc());
        CHECK(fast.registers == image_run.machine->registers(false));
    }
}

TEST_CASE("rewriting the branch of a fused pair takes effect", "[machine][fusion]")
{
    // The pair runs fused once, then the JNZ's target is patched to `out`.
    auto run = run_snippet(R"(
    LI r1, 3
    LI r5, 0
loop:
    ADDI r1, r1, -1
branch:
    JNZ r1, loop
    JNZ r5, done
    LI r5, 1
    LI r1, 3
    LI r6, branch + 2
    LI r7, out
    STORE r7, r6, 0
    JMP loop
out:
    LI r0, 99
    HALT
done:
    LI r0, 1
)");
    CHECK(run.registers[0] == 99);
    CHECK(run.registers[1] == 2);
}


TEST_CASE("reset_to undoes a run's stores, its decoded code included, and the run goes as a fresh copy's",
    "[machine][clone]")
{
    auto prefix = run_snippet(kSelfModifying, 1); // LI r5 ran; the patched LI is next
    REQUIRE(prefix.result.reason == pxos::StopReason::BudgetExhausted);
    pxos::Machine& origin = *prefix.machine;
    auto fresh = origin.clone();
    pxos::RunResult expected = fresh->run(100000);
    REQUIRE(expected.reason == pxos::StopReason::Halted);
    REQUIRE(fresh->registers(false)[3] == 42);

    auto copy = origin.clone();
    REQUIRE(copy->run(100000).steps == expected.steps); // it patched both code words, decoded as patched
    REQUIRE(pxos::first_difference(origin.vram(), copy->vram()));
    REQUIRE(copy->reset_to(origin)); // only the words it stored to are compared
    CHECK_FALSE(pxos::first_difference(origin.vram(), copy->vram()));
    CHECK_FALSE(pxos::first_difference(origin.state(), copy->state()));
    // The LI decoded with 42 was dropped: it runs with 7 again.
    copy->run(1);
    CHECK(copy->registers(false)[3] == 7);
    pxos::RunResult again = copy->run(100000);
    CHECK(again.reason == expected.reason);
    CHECK(again.steps == expected.steps);
    CHECK(copy->registers(false) == fresh->registers(false));
    CHECK_FALSE(pxos::first_difference(fresh->vram(), copy->vram()));
}

TEST_CASE("reset_to a machine that ran after the copy was made, or to another copy, compares all of memory",
    "[machine][clone]")
{
    auto prefix = run_snippet(kSelfModifying, 1);
    pxos::Machine& origin = *prefix.machine;
    auto unchanged = origin.clone();  // never runs: stored nothing
    auto sibling = origin.clone();
    auto other_copy = origin.clone();
    REQUIRE(other_copy->run(100000).reason == pxos::StopReason::Halted);

    // Reset to a sibling that ran: this copy's own record (nothing stored) says nothing about it.
    REQUIRE(sibling->reset_to(*other_copy));
    CHECK_FALSE(pxos::first_difference(other_copy->vram(), sibling->vram()));
    CHECK_FALSE(pxos::first_difference(other_copy->state(), sibling->state()));

    // The origin runs on after the copy was made: its code words change under the copy.
    REQUIRE(origin.run(100000).reason == pxos::StopReason::Halted);
    REQUIRE(pxos::first_difference(origin.vram(), unchanged->vram()));
    REQUIRE(unchanged->reset_to(origin));
    CHECK_FALSE(pxos::first_difference(origin.vram(), unchanged->vram()));
    CHECK_FALSE(pxos::first_difference(origin.state(), unchanged->state()));
    CHECK(unchanged->halted());
}
