// usertests (roadmaps/user/usertests.pxasm, /bin/usertests in the default
// image's store) run on the real kernel, and what the store keeps: every
// test `ok`, `pxos fs check` clean afterwards, runs cut off by the step
// budget at 200 points inside file-writing calls (each leaves a store the
// check passes, and the kernel's recovery at the next boot leaves it
// consistent), and files that outlive a run in the --out image.
//
// The images are the default roadmap with one change: its `init` process
// (which waits for the demo, then runs /bin/sh) is replaced by one that
// waits for the demo, then runs `/bin/usertests ARGS` and exits with its
// code. So nothing here depends on the shell, and the rest of the image
// (kernel, store, programs) is exactly the default one.
#include "builtin_steps.hpp"
#include "pxos/abi/store.hpp"
#include "pxos/base/executor.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/store/store.hpp"
#include "pxos/vm/machine.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace {

using pxos::test::source_path;

const std::string kInitParams = "params: { program_file: programs/init.pxasm }";
constexpr std::uint64_t kRunBudget = 2'000'000'000;
constexpr std::uint64_t kRebootBudget = 20'000'000;

// An init that waits for pids 1..3 (the demo), spawns /bin/usertests with
// argv = usertests ARGS..., waits for it and exits with its exit code (or
// the spawn's error).
std::string runner_init(const std::vector<std::string>& args)
{
    std::string source = "main:\n";
    for (int pid = 1; pid <= 3; ++pid)
        source += "    LI r1, " + std::to_string(pid) + "\n    SYSCALL SYS_WAIT\n";
    source += "    LI r1, path\n    LI r2, argv\n    SYSCALL SYS_SPAWN\n    LI r3, 0\n    BLT r0, r3, done\n"
              "    MOV r1, r0\n    SYSCALL SYS_WAIT\ndone:\n    MOV r1, r0\n    SYSCALL SYS_EXIT\n"
              "path: .stringz \"/bin/usertests\"\narg0: .stringz \"usertests\"\n";
    std::string argv = "argv: .word arg0";
    for (std::size_t i = 0; i < args.size(); ++i) {
        source += "arg" + std::to_string(i + 1) + ": .stringz \"" + args[i] + "\"\n";
        argv += ", arg" + std::to_string(i + 1);
    }
    return source + argv + ", 0\n";
}

// The default image with init replaced by runner_init(args).
pxos::SimulatedVRAM usertests_image(const std::vector<std::string>& args)
{
    const std::string path = source_path("roadmaps/ROADMAP_VRAM_OS.yaml");
    std::string text = pxos::test::read_text(path);
    auto at = text.find(kInitParams);
    REQUIRE(at != std::string::npos);
    std::string replacement = "params:\n      program_source: |\n";
    std::istringstream lines(runner_init(args));
    for (std::string line; std::getline(lines, line);)
        replacement += "        " + line + "\n";
    text.replace(at, kInitParams.size(), replacement);
    auto roadmap = pxos::parse_roadmap(text, path, pxos::steps::builtin_registry());
    if (!roadmap.ok())
        FAIL(roadmap.error().message());
    pxos::BuildOptions options;
    options.files = &pxos::test::files();
    auto built = pxos::build_roadmap(*roadmap, options);
    if (!built.ok())
        FAIL(built.error().message());
    return std::move(built->vram);
}

std::unique_ptr<pxos::Machine> boot(pxos::SimulatedVRAM vram)
{
    auto machine = pxos::Machine::boot(std::move(vram), "os.png");
    if (!machine.ok())
        FAIL(machine.error().message());
    return std::move(*machine);
}

std::vector<std::uint32_t> store_words(const pxos::SimulatedVRAM& vram)
{
    auto store = pxos::store::read_store(vram, "os.png");
    if (!store.ok())
        FAIL(store.error().message());
    return std::move(store->words);
}

// `pxos fs check`'s problems with the store of `vram` (it recovers a copy
// first when a call was cut off), one line each.
std::string store_problems(const pxos::SimulatedVRAM& vram)
{
    std::string lines;
    for (const pxos::store::Problem& problem : pxos::store::check(store_words(vram)).problems)
        lines += problem.line() + "\n";
    return lines;
}

std::uint32_t log_count(const pxos::SimulatedVRAM& vram)
{
    return store_words(vram).at(std::size_t(pxos::abi::store::Superblock::LOG_COUNT));
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// Marks a run chunk in which the kernel wrote a word of the store.
class StoreWrites final : public pxos::StoreObserver {
public:
    StoreWrites(std::uint32_t base, std::uint32_t words) : m_begin(base), m_end(base + words) { }
    void on_store(std::uint32_t, bool, std::uint32_t, std::uint32_t address, std::uint32_t, std::uint32_t) override
    {
        if (address >= m_begin && address < m_end)
            written = true;
    }
    bool written = false;

private:
    std::uint32_t m_begin, m_end;
};

} // namespace

TEST_CASE("usertests passes every test of every system call on the default image", "[usertests]")
{
    auto machine = boot(usertests_image({}));
    auto result = machine->run(kRunBudget);
    const std::string& output = machine->console_output();
    INFO(output);
    REQUIRE(result.reason == pxos::StopReason::Halted);

    int ok = 0;
    std::string summary;
    for (const std::string& line : lines_of(output)) {
        if (line.rfind("ok ", 0) == 0)
            ++ok;
        else if (line.rfind("usertests: ", 0) == 0)
            summary = line;
        CHECK(line.rfind("FAIL ", 0) != 0);
    }
    CHECK(ok >= 40);
    CHECK(summary == "usertests: " + std::to_string(ok) + " passed, 0 failed");
    CHECK(result.halt_code == 0); // init exits with usertests' code, the demo with 0
    CHECK(store_problems(machine->vram()) == "");
    CHECK(log_count(machine->vram()) == 0);
}

// From the shell usertests starts with the shell's saved descriptors (3
// and 4) open: it closes what it inherited before its first test.
TEST_CASE("usertests typed into the default image's shell passes every test", "[usertests][shell]")
{
    auto image = pxos::test::build_roadmap_file(source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    auto machine = boot(std::move(image.vram));
    machine->set_input("usertests\n");
    auto result = machine->run(kRunBudget);
    const std::string& output = machine->console_output();
    INFO(output);
    REQUIRE(result.reason == pxos::StopReason::Halted);
    REQUIRE(output.find("$ usertests\n") != std::string::npos);
    int ok = 0;
    for (const std::string& line : lines_of(output.substr(output.find("$ usertests\n")))) {
        ok += line.rfind("ok ", 0) == 0;
        CHECK(line.rfind("FAIL ", 0) != 0);
    }
    CHECK(ok >= 40);
    CHECK(output.find("usertests: " + std::to_string(ok) + " passed, 0 failed\n$ ") != std::string::npos);
    CHECK(store_problems(machine->vram()) == "");
}

TEST_CASE("a run cut off at 200 points inside file-writing calls leaves a store fs check passes, and the next boot "
          "recovers it",
    "[usertests][crash]")
{
    const auto image = usertests_image({ "S" });
    const pxos::BootHeader header = boot(image)->header();
    REQUIRE(header.store_base != 0);

    // The reference run, in chunks: the chunks in which a store word changed.
    constexpr std::uint64_t kChunk = 97;
    std::vector<std::uint64_t> writing; // steps at the start of such a chunk
    {
        auto machine = boot(image);
        StoreWrites writes(header.store_base, header.store_words);
        machine->set_store_observer(&writes);
        pxos::RunResult result;
        do {
            writes.written = false;
            std::uint64_t before = machine->steps();
            result = machine->run(kChunk);
            if (writes.written)
                writing.push_back(before);
        } while (result.reason == pxos::StopReason::BudgetExhausted && machine->steps() < kRunBudget);
        INFO(machine->console_output());
        REQUIRE(result.reason == pxos::StopReason::Halted);
        CHECK(result.halt_code == 0); // the workload's every call did what it should
        CHECK(store_problems(machine->vram()) == "");
        REQUIRE(writing.size() >= 200);
    }

    int inside_a_call = 0; // cut-off stores with undo entries to recover
    for (int point = 0; point < 200; ++point) {
        // spread over the writing chunks, at a different place inside each
        std::uint64_t budget = writing[std::size_t(point) * writing.size() / 200] + 1 + std::uint64_t(point * 31) % kChunk;
        INFO("cut off after " << budget << " steps");
        auto machine = boot(image);
        auto result = machine->run(budget);
        REQUIRE(result.reason == pxos::StopReason::BudgetExhausted);
        CHECK(store_problems(machine->vram()) == "");
        if (log_count(machine->vram()) != 0)
            ++inside_a_call;

        // Boot the cut-off image: when the kernel first enters user mode
        // its recovery has run, and the store is consistent as it is.
        auto again = boot(machine->vram());
        std::uint64_t boot_steps = 0;
        while (!again->user_mode() && !again->halted() && boot_steps < 10'000'000) {
            again->run(1);
            ++boot_steps;
        }
        CHECK(log_count(again->vram()) == 0);
        CHECK(store_problems(again->vram()) == "");
        if (point % 20 == 0) {
            // and running on from there leaves a consistent store too
            again->run(kRebootBudget);
            CHECK(store_problems(again->vram()) == "");
        }
    }
    // most points cut a call off in the middle (the rest fall between calls)
    CHECK(inside_a_call >= 100);
}

// Booting the --out image is a reboot (the kernel's proc_reboot): the
// processes the build placed start again, init starts the shell, the store
// keeps what the first run wrote.
TEST_CASE("a file written in one run is in the --out image, and the next boot reads it",
    "[usertests][persist]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::SerialExecutor executor;
    REQUIRE(pxos::save_png(pxos::test::files(), scratch.file("os.png"), usertests_image({ "P" }), executor).ok());

    auto first = pxos::test::run_pxos("run os.png --out after.png", scratch.path());
    INFO(first.err);
    CHECK(first.exit_code == 0);
    CHECK(first.out.find("written\n") != std::string::npos);

    auto second = pxos::test::run_pxos("run after.png", scratch.path());
    INFO(second.err);
    CHECK(second.exit_code == 0);
    CHECK(second.out.find("persisted across boots\n") != std::string::npos);
    CHECK(second.out.find("written\n") == std::string::npos);

    // and the host reads the same words out of the image
    auto after = pxos::load_png(pxos::test::files(), scratch.file("after.png"));
    REQUIRE(after.ok());
    auto words = store_words(*after);
    auto store = pxos::store::Store::open(words, "after.png");
    REQUIRE(store.ok());
    auto text = store->read_file("/persist.txt");
    REQUIRE(text.ok());
    CHECK(std::string(text->begin(), text->end()) == "persisted across boots\n");
    CHECK(store_problems(*after) == "");
}

TEST_CASE("pxos fs put, then a run, then pxos fs get gives back the same bytes", "[usertests][persist]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::SerialExecutor executor;
    REQUIRE(pxos::save_png(pxos::test::files(), scratch.file("os.png"), usertests_image({ "P" }), executor).ok());
    std::string bytes;
    for (int i = 0; i < 700; ++i)
        bytes += char(i * 7 % 256);
    scratch.write("data.bin", bytes);

    REQUIRE(pxos::test::run_pxos("fs os.png put data.bin /data.bin", scratch.path()).exit_code == 0);
    auto run = pxos::test::run_pxos("run os.png --out after.png", scratch.path());
    INFO(run.err);
    CHECK(run.exit_code == 0);
    REQUIRE(pxos::test::run_pxos("fs after.png get /data.bin back.bin", scratch.path()).exit_code == 0);
    CHECK(pxos::test::read_text(scratch.file("back.bin")) == bytes);
    CHECK(pxos::test::run_pxos("fs after.png check", scratch.path()).exit_code == 0);
}
