// Hostile guests (issue 12): guests that flood (faults, console) stay
// bounded in the machine and the evaluator; the image contract (the display
// area never overlaps what the kernel owns) is held by the build, the boot
// and an isolation probe; and the small ones: the BadSyscall message, a
// saturated SYS_SLEEP, the debugger's ranges.
#include "pxos/vm/debugger.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/eval/evaluator.hpp"
#include "pxos/vm/machine.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/vm/run_report.hpp"
#include "pxos/abi/syscalls.hpp"
#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using pxos::test::build_os;
using pxos::test::ProgramSpec;

namespace {

pxos::test::OsImage trap_flood_image()
{
    return pxos::test::build_roadmap_file(pxos::test::source_path("tests/inputs/guests/trap_flood.yaml"));
}

std::unique_ptr<pxos::Machine> boot(pxos::SimulatedVRAM image)
{
    auto machine = pxos::Machine::boot(std::move(image), "os.png");
    if (!machine.ok())
        FAIL(machine.error().message());
    return std::move(*machine);
}

// A kernel that prints 'x' forever, in kernel mode (two steps a byte).
const char* kConsoleFloodRoadmap = R"(steps:
  - step: init_background
  - step: layout_regions
  - step: write_isa_palette
  - step: install_kernel
    params:
      kernel_source: |
        kernel_entry:
            LI r1, 'x'
        again:
            OUT r1, PORT_CONSOLE_OUT
            JMP again
        trap_handler:
        sys_exit:
        sys_write:
        sys_read:
        sys_yield:
        sys_getpid:
        sys_spawn:
        sys_wait:
        sys_draw:
        sys_sleep:
        sys_ticks:
        sys_print_int:
        sys_nosys:
            HALT
)";

class CountingConsole final : public pxos::ConsoleSink {
public:
    void write(char) override { ++bytes; }
    std::uint64_t bytes = 0;
};

std::string roadmap_with_display(int x, int y, int width, int height)
{
    return "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
           "  - step: install_kernel\n    params:\n      display_x: "
        + std::to_string(x) + "\n      display_y: " + std::to_string(y) + "\n      display_width: "
        + std::to_string(width) + "\n      display_height: " + std::to_string(height) + "\n";
}

std::string build_error(const std::string& yaml)
{
    auto roadmap = pxos::parse_roadmap(yaml, "display.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    REQUIRE(!built.ok());
    return built.error().diagnostics().front().format();
}

void set_header_word(pxos::SimulatedVRAM& image, pxos::isa::HeaderField field, std::uint32_t word)
{
    image.mutable_words()[pxos::header_address(image.width()) + std::uint32_t(field)] = word;
}

} // namespace

TEST_CASE("a trap-flooding guest's run keeps the first faults and counts the rest", "[guests][machine]")
{
    auto machine = boot(trap_flood_image().vram);
    machine->set_record_limits({ 10, pxos::cap_default(pxos::Cap::ConsoleOutput) });
    pxos::RunResult result = machine->run(100'000);
    CHECK(result.reason == pxos::StopReason::BudgetExhausted);
    CHECK(result.faults.size() == 10);
    CHECK(result.fault_count > 49'000); // every other step
    CHECK(result.faults_not_kept() == result.fault_count - 10);
    REQUIRE(result.latest_fault);
    CHECK(result.latest_fault->step > result.faults.back().step);
    CHECK(pxos::run_exit_status(result) == 4);
    CHECK(pxos::not_kept_text(result.faults_not_kept(), "faults", pxos::Cap::FaultRecords, 10)
        == std::to_string(result.faults_not_kept())
            + " more faults, counted but not kept: over the fault records cap of 10 faults (raise it with "
              "--max-fault-records, up to 10000000 faults)");

    // A continued run goes on counting; the kept ones stay the first ten.
    std::uint64_t first_step = result.faults.front().step;
    pxos::RunResult more = machine->run(100'000);
    CHECK(more.faults.size() == 10);
    CHECK(more.faults.front().step == first_step);
    CHECK(more.fault_count > 2 * 49'000);
}

TEST_CASE("the fault records cap defaults to the caps table's", "[guests][machine]")
{
    auto machine = boot(trap_flood_image().vram);
    pxos::RunResult result = machine->run(1'000'000);
    CHECK(result.faults.size() == pxos::cap_default(pxos::Cap::FaultRecords));
    CHECK(result.fault_count > 490'000);
}

TEST_CASE("console output past the console output cap is counted, neither kept nor given to the sink", "[guests][machine]")
{
    pxos::test::OsImage image = pxos::test::build_roadmap_text(kConsoleFloodRoadmap);
    auto kept = boot(image.vram);
    kept->set_record_limits({ 1000, 100 });
    kept->run(10'001);
    CHECK(kept->console_output() == std::string(100, 'x'));
    CHECK(kept->console_bytes_not_kept() == 5'000 - 100);

    auto streamed = boot(image.vram);
    CountingConsole console;
    streamed->set_console(&console);
    streamed->set_record_limits({ 1000, 100 });
    streamed->run(10'001);
    CHECK(console.bytes == 100);
    CHECK(streamed->console_output().empty());
    CHECK(streamed->console_bytes_not_kept() == 5'000 - 100);
}

TEST_CASE("the evaluator scores a trap-flooding image within its bounds", "[guests][eval]")
{
    pxos::EvalOptions options;
    options.max_steps = 200'000;
    pxos::EvalResult result = pxos::evaluate(trap_flood_image().vram, "flood.png", options);
    CHECK(!result.timed_out);
    CHECK(result.max_score == 22);
    CHECK(result.score < result.max_score);
    const pxos::Check& faults = pxos::test::check_of(result, "execution.no_faults");
    CHECK(!faults.passed);
    // Eight faults named, then how many more.
    CHECK(std::count(faults.message.begin(), faults.message.end(), ';') == 8);
    CHECK(faults.message.find("; and ") != std::string::npos);
    CHECK(faults.message.substr(faults.message.size() - 5) == " more");
    CHECK(std::get<std::int64_t>(faults.evidence.front().value) > 99'000);
}

TEST_CASE("an evaluation past its time cap fails the checks still running, and still scores", "[guests][eval]")
{
    pxos::FakeClock clock(1e9); // every reading is 1e9 ms later: the cap passes at the first check
    pxos::EvalOptions options;
    options.max_seconds = 1;
    options.clock = &clock;
    pxos::EvalResult result = pxos::evaluate(build_os({ { "main: JMP main" } }).vram, "slow.png", options);
    CHECK(result.timed_out);
    CHECK(pxos::test::check_of(result, "kernel.boots").passed);
    for (const char* id : { "execution.clean_exit", "execution.hello", "execution.no_faults", "execution.deterministic" })
        CHECK(pxos::test::check_of(result, id).message
            == "skipped: the run was stopped at step 0: the evaluation reached the evaluation time cap of 1 seconds "
               "(raise it with --max-eval-seconds, up to 86400 seconds)");
    CHECK(pxos::test::check_of(result, "isolation.kernel_write").message
        == "skipped: the image's own run was stopped at step 0: the evaluation reached the evaluation time cap of 1 "
           "seconds (raise it with --max-eval-seconds, up to 86400 seconds)");
    CHECK(result.score > 0);
    CHECK(pxos::eval_result_to_json(result).find("\"timed_out\": true") != std::string::npos);
}

TEST_CASE("install_kernel refuses a display area over a kernel-owned region, naming the step and the overlap", "[guests][build]")
{
    CHECK(build_error(roadmap_with_display(0, 128, 512, 128))
        == "display.yaml:5:5: error: step 4 'install_kernel': the display area 512x128 at (0,128) overlaps the syscall_table region (512x32 at "
           "(0,128)), which the kernel owns: a user process could rewrite it");
    CHECK(build_error(roadmap_with_display(0, 0, 512, 8))
        == "display.yaml:5:5: error: step 4 'install_kernel': the display area 512x8 at (0,0) overlaps the metadata region (512x16 at (0,0)), "
           "which the kernel owns: a user process could rewrite it");
    CHECK(build_error(roadmap_with_display(500, 220, 12, 10))
        == "display.yaml:5:5: error: step 4 'install_kernel': the display area 12x10 at (500,220) overlaps the process_table region (512x64 at "
           "(0,160)), which the kernel owns: a user process could rewrite it");
    // Just below the process table: allowed.
    auto roadmap = pxos::parse_roadmap(roadmap_with_display(500, 224, 12, 10), "display.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    CHECK(pxos::build_roadmap(*roadmap, pxos::test::on_disk()).ok());
}

TEST_CASE("the machine refuses to boot an image whose header puts the display over what the kernel owns", "[guests][machine]")
{
    pxos::SimulatedVRAM image = build_os({ { "main: JMP main" } }).vram;
    CHECK(pxos::Machine::boot(image, "os.png").ok());

    pxos::SimulatedVRAM over_table = image;
    set_header_word(over_table, pxos::isa::HeaderField::DisplayY, 128);
    auto refused = pxos::Machine::boot(over_table, "os.png");
    REQUIRE(!refused.ok());
    CHECK(refused.error().kind() == pxos::ErrorKind::BadInput);
    CHECK(refused.error().diagnostics().front().format()
        == "os.png@(8,4): error: not bootable: the display area 512x128 at (0,128) overlaps the syscall_table region "
           "(512x32 at (0,128)), which the kernel owns: a user process could rewrite it");

    // A syscall handler the header's table points into the display area.
    pxos::SimulatedVRAM handler_in_display = image;
    const pxos::BootHeader header = pxos::read_header(image, "os.png").value();
    handler_in_display.mutable_words()[header.syscall_table + 3] = 400 * 512 + 7;
    auto handler = pxos::Machine::boot(handler_in_display, "os.png");
    REQUIRE(!handler.ok());
    CHECK(handler.error().diagnostics().front().format()
        == "os.png@(8,4): error: not bootable: the display area 512x128 at (0,384) overlaps the syscall handler "
           "((7,400)..(7,400)), which the kernel owns: a user process could rewrite it");
}

TEST_CASE("the display overlap check reads word spans across rows exactly", "[guests][machine]")
{
    pxos::BootHeader header = pxos::read_header(build_os({}).vram, "os.png").value();
    CHECK(!pxos::display_overlap(header, 512, 512));
    // A process table that wraps from the end of row 300 into row 301, under a display at x 100..109 of row 301.
    header.display = { 100, 301, 10, 1 };
    header.process_table = 300 * 512 + 500;
    header.process_slots = 1;
    header.pcb_words = 113; // up to (100,301)
    CHECK(*pxos::display_overlap(header, 512, 512)
        == "the display area 10x1 at (100,301) overlaps the process table ((500,300)..(100,301)), which the kernel "
           "owns: a user process could rewrite it");
    header.pcb_words = 112; // up to (99,301): just short of the display
    CHECK(!pxos::display_overlap(header, 512, 512));
    // From the end of row 299 to the start of row 303: row 301 is covered whole.
    header.process_table = 299 * 512 + 510;
    header.pcb_words = 3 * 512 + 4;
    CHECK(pxos::display_overlap(header, 512, 512));
}

TEST_CASE("the syscall-table probe passes the real kernel and fails one whose SYS_DRAW writes anywhere", "[guests][eval]")
{
    pxos::EvalOptions options;
    options.only_group = "isolation";
    auto image = build_os({ { "main:\n    LI r1, 0\n    SYSCALL SYS_EXIT" } });
    pxos::EvalResult real = pxos::evaluate(image.vram, "os.png", options);
    const pxos::Check& passed = pxos::test::check_of(real, "isolation.syscall_table_write");
    CHECK(passed.passed);
    CHECK(passed.message.rfind("the syscall-table-write probe (pid 2 at ", 0) == 0);

    // The same kernel without SYS_DRAW's bounds checks.
    std::string kernel = pxos::test::read_text(pxos::test::source_path("roadmaps/kernel.pxasm"));
    for (const char* check : { "    BLTU r2, r5, draw_x_ok\n    JMP return_error\n", "    BLTU r3, r5, draw_y_ok\n    JMP return_error\n" }) {
        auto at = kernel.find(check);
        REQUIRE(at != std::string::npos);
        kernel.erase(at, std::string(check).size());
    }
    pxos::test::ScratchDirectory scratch;
    std::string path = scratch.write_kernel("careless_kernel.pxasm", kernel);
    std::string yaml = "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                       "  - step: install_kernel\n    params:\n      kernel_file: '"
        + path + "'\n  - step: add_process\n    params:\n      program_source: |\n        main:\n"
                 "            LI r1, 0\n            SYSCALL SYS_EXIT\n";
    auto careless = pxos::test::build_roadmap_text(yaml);
    pxos::EvalResult result = pxos::evaluate(careless.vram, "os.png", options);
    const pxos::Check& failed = pxos::test::check_of(result, "isolation.syscall_table_write");
    CHECK(!failed.passed);
    CHECK(failed.message == "syscall-table-write probe: the probe changed the syscall table at (0,128)");
}

TEST_CASE("a BadSyscall fault names the syscall number, not a pixel", "[guests][kernel]")
{
    auto machine = boot(build_os({ { "main:\n    SYSCALL 0xffffffff\n" } }).vram);
    pxos::RunResult result = machine->run(1'000'000);
    REQUIRE(result.faults.size() == 1);
    CHECK(pxos::describe_fault(result.faults.front(), 512, nullptr)
        == "pid 1 at (0,240): BadSyscall (SYSCALL number outside the syscall table), bad syscall 4294967295");
}

TEST_CASE("SYS_SLEEP of 2^31 ticks or more saturates instead of returning at once", "[guests][kernel]")
{
    for (const char* ticks : { "0xffffffff", "0x80000000" }) {
        INFO("SYS_SLEEP " << ticks);
        std::string program = std::string("main:\n    LI r1, ") + ticks
            + "\n    SYSCALL SYS_SLEEP\n    LI r1, 1\n    LI r2, text\n    LI r3, 4\n    SYSCALL SYS_WRITE\n    LI r1, 0\n"
              "    SYSCALL SYS_EXIT\ntext: .string \"woke\"\n";
        auto machine = boot(build_os({ { program } }).vram);
        pxos::RunResult result = machine->run(2'000'000);
        CHECK(result.reason == pxos::StopReason::BudgetExhausted);
        CHECK(machine->console_output().empty());
        REQUIRE(machine->processes().size() == 1);
        CHECK(machine->processes().front().state == std::uint32_t(pxos::isa::ProcessState::Sleeping));
    }
    // A short sleep still wakes.
    auto machine = boot(build_os({ { "main:\n    LI r1, 1000\n    SYSCALL SYS_SLEEP\n    LI r1, 0\n    SYSCALL SYS_EXIT\n" } }).vram);
    CHECK(machine->run(2'000'000).reason == pxos::StopReason::Halted);
}

TEST_CASE("the debugger refuses values out of range, naming the value and the range", "[guests][debugger]")
{
    pxos::Debugger debugger(boot(build_os({ { "main: JMP main" } }).vram), pxos::SourceMap {}, 1'000'000);
    struct Refusal {
        const char* command;
        const char* message;
    };
    for (const Refusal& refusal : {
             Refusal { "set r1=99999999999999", "value '99999999999999' is out of range (expected -2147483648..4294967295)\n" },
             Refusal { "set r1=-2147483649", "value '-2147483649' is out of range (expected -2147483648..4294967295)\n" },
             Refusal { "set r99999999999999999999=1", "set rN=VALUE (N 0..15, or sp)\n" },
             Refusal { "set r65536=1", "set rN=VALUE (N 0..15, or sp)\n" },
             Refusal { "mem 0,0 300", "count '300' is out of range (expected 1..256)\n" },
             Refusal { "mem 0,0 0", "count '0' is out of range (expected 1..256)\n" },
             Refusal { "mem 0,0 x", "count 'x' is not a number (expected 1..256)\n" },
             Refusal { "mem 0,600", "'0,600' is not a pixel X,Y inside the 512x512 image: y '600' is out of range (expected 0..511)\n" },
             Refusal { "break 4294967296,0",
                 "'4294967296,0' is not a pixel X,Y inside the 512x512 image: x '4294967296' is out of range (expected "
                 "0..511)\n" },
             Refusal { "break syscall 4294967296", "syscall number '4294967296' is out of range (expected 0..4294967295)\n" },
             Refusal { "step 0", "step count '0' is out of range (expected 1..1000000)\n" },
             Refusal { "step 1000001", "step count '1000001' is out of range (expected 1..1000000)\n" },
         }) {
        INFO(refusal.command);
        CHECK(debugger.execute(refusal.command) == refusal.message);
        CHECK(debugger.failed());
    }
    CHECK(debugger.execute("set r1=4294967295") == "r1=-1\n");
    CHECK(!debugger.failed());
    CHECK(debugger.execute("set r2=-2147483648") == "r2=-2147483648\n");
    CHECK(debugger.execute("regs").find("r1=-1 r2=-2147483648") != std::string::npos);
    CHECK(debugger.execute("mem 511,511 1").rfind("(511,511)", 0) == 0);
}

TEST_CASE("a check wrong in thousands of places names eight of them and counts the rest", "[guests][eval]")
{
    pxos::SimulatedVRAM image = build_os({ { "main:\n    LI r1, 0\n    SYSCALL SYS_EXIT" } }).vram;
    set_header_word(image, pxos::isa::HeaderField::SyscallCount, 4000); // entries past the table are the band colour
    pxos::EvalOptions options;
    options.only_group = "kernel";
    pxos::EvalResult result = pxos::evaluate(image, "os.png", options);
    const pxos::Check& table = pxos::test::check_of(result, "kernel.syscall_table");
    CHECK(!table.passed);
    const std::size_t calls = pxos::kSyscalls.size();
    CHECK(table.message.rfind(fmt::format("entry {0} ({0}) at ({0},128) points at ", calls), 0) == 0);
    CHECK(std::count(table.message.begin(), table.message.end(), ';') == 8);
    CHECK(table.message.substr(table.message.size() - 15) == fmt::format("; and {} more", 4000 - calls - 8));
    CHECK(std::get<std::int64_t>(table.evidence.back().value) == std::int64_t(4000 - calls));
}
