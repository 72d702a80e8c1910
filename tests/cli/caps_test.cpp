// Every cap in the caps table (pxos/limits.hpp), through the real binary:
// going over it gives a message that names the cap and the flag that raises
// it, and giving that flag a higher value lets the same input through. A cap
// added to the table without a case here fails the test.
#include "pxos/base/limits.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <functional>
#include <map>

using pxos::Cap;
using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

std::string quoted(const std::string& text)
{
    return "'" + text + "'";
}

struct CapCase {
    std::function<void(const ScratchDirectory&)> setup;
    std::string over;   // a command line that goes over the cap
    int over_exit;      // its exit code
    std::string raised; // the same with the flag raised
    int raised_exit;
};

// A 1024x1024 image of noise: a PNG of about 4 MiB (noise does not compress).
void write_noise_png(const ScratchDirectory& scratch, const std::string& name)
{
    std::vector<std::uint32_t> words(1024 * 1024);
    std::uint32_t state = 12345;
    for (std::uint32_t& word : words) {
        state = state * 1664525u + 1013904223u;
        word = state | 0xff000000u;
    }
    auto vram = pxos::SimulatedVRAM::from_words(1024, 1024, std::move(words));
    REQUIRE(vram.ok());
    pxos::ThreadExecutor executor;
    REQUIRE(pxos::save_png(pxos::test::files(), scratch.file(name), *vram, executor).ok());
}

std::string padding(std::size_t bytes)
{
    std::string text;
    while (text.size() < bytes)
        text += "; padding padding padding padding padding padding padding padding padding\n";
    return text;
}

std::string yaml_padding(std::size_t bytes)
{
    std::string text = padding(bytes);
    for (std::size_t at = 0; at < text.size(); at = text.find('\n', at) + 1)
        text[at] = '#';
    return text;
}

const std::string kOsRoadmap = quoted(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));

std::map<Cap, CapCase> cap_cases()
{
    std::map<Cap, CapCase> cases;
    cases[Cap::VramMemory] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("big.yaml", "metadata: {vram_width: 1024, vram_height: 1024}\nsteps:\n  - step: init_background\n");
        },
        "build big.yaml -q -o big.png --max-vram-mib 2", 65, "build big.yaml -q -o big.png --max-vram-mib 4", 0
    };
    cases[Cap::PngFile] = { [](const ScratchDirectory& scratch) { write_noise_png(scratch, "noise.png"); },
        "view noise.png --once --max-png-mib 2", 65, "view noise.png --once --max-png-mib 8", 0 };
    cases[Cap::RoadmapFile] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("long.yaml", yaml_padding(1100000) + "steps:\n  - step: init_background\n");
        },
        "build long.yaml -q -o long.png", 65, "build long.yaml -q -o long.png --max-roadmap-mib 2", 0
    };
    cases[Cap::RoadmapSteps] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("two.yaml", "steps:\n  - step: init_background\n  - step: init_background\n");
        },
        "build two.yaml -q -o two.png --max-roadmap-steps 1", 65, "build two.yaml -q -o two.png --max-roadmap-steps 2", 0
    };
    cases[Cap::SourceFile] = {
        [](const ScratchDirectory& scratch) { scratch.write("long.pxasm", padding(1100000) + "    HALT\n"); },
        "asm long.pxasm -o long.png --max-source-mib 1", 65, "asm long.pxasm -o long.png --max-source-mib 2", 0
    };
    cases[Cap::ProgramWords] = {
        [](const ScratchDirectory& scratch) { scratch.write("fill.pxasm", "    .fill 100, 7\n"); },
        "asm fill.pxasm -o fill.png --max-program-words 99", 65, "asm fill.pxasm -o fill.png --max-program-words 100", 0
    };
    cases[Cap::StepBudget] = {
        [](const ScratchDirectory& scratch) {
            REQUIRE(run_pxos("build " + kOsRoadmap + " -q -o os.png", scratch.path()).exit_code == 0);
        },
        "run os.png --max-steps 1000", 4, "run os.png --max-steps 100000000", 0
    };
    cases[Cap::LlmReply] = {
        [](const ScratchDirectory&) { },
        "loop " + kOsRoadmap + " 2 -q --out-dir out --llm-cmd "
            + quoted("sh " + pxos::test::source_path("tests/fake_llm/huge.sh")) + " --retries 0",
        0,
        "loop " + kOsRoadmap + " 2 -q --out-dir out2 --llm-cmd "
            + quoted("sh " + pxos::test::source_path("tests/fake_llm/huge.sh")) + " --retries 0 --max-reply-mib 8",
        0
    };
    cases[Cap::ProvenanceFile] = {
        [](const ScratchDirectory& scratch) {
            REQUIRE(run_pxos("build " + kOsRoadmap + " -q -o os.png --provenance os.pxprov", scratch.path()).exit_code == 0);
        },
        "blame os.png 10 2 --max-provenance-mib 1", 65, "blame os.png 10 2 --max-provenance-mib 64", 0
    };
    cases[Cap::InputFile] = {
        [](const ScratchDirectory& scratch) {
            REQUIRE(run_pxos("build " + kOsRoadmap + " -q -o os.png", scratch.path()).exit_code == 0);
            // The shell reads its first line and exits: the rest is never read.
            scratch.write("input.txt", "exit\n" + padding(1100000));
        },
        "run os.png --input input.txt --max-input-mib 1", 65, "run os.png --input input.txt --max-input-mib 2", 0
    };
    cases[Cap::SourceIncludes] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("lib.pxasm", "; nothing\n");
            scratch.write("main.pxasm", ".include \"lib.pxasm\"\n.include \"lib.pxasm\"\n.include \"lib.pxasm\"\n    HALT\n");
        },
        "asm main.pxasm -o main.png --max-includes 2", 65, "asm main.pxasm -o main.png --max-includes 3", 0
    };
    cases[Cap::AssembledSource] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("lib.pxasm", padding(600000));
            scratch.write("main.pxasm", ".include \"lib.pxasm\"\n.include \"lib.pxasm\"\n    HALT\n");
        },
        "asm main.pxasm -o main.png --max-assembled-source-mib 1", 65,
        "asm main.pxasm -o main.png --max-assembled-source-mib 2", 0
    };
    cases[Cap::YamlNodes] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("alias.yaml", "steps:\n  - {step: init_background, params: {background_color: &c [1, 2, 3]}}\n"
                                        "  - {step: init_background, params: {background_color: *c}}\n");
        },
        "build alias.yaml -q -o alias.png --max-yaml-nodes 10", 65,
        "build alias.yaml -q -o alias.png --max-yaml-nodes 1000", 0
    };
    cases[Cap::YamlBytes] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("alias.yaml", "steps:\n  - step: init_background\n    description: &d " + std::string(600000, 'x')
                    + "\n  - step: init_background\n    description: *d\n");
        },
        "build alias.yaml -q -o alias.png --max-yaml-mib 1", 65, "build alias.yaml -q -o alias.png --max-yaml-mib 2", 0
    };
    cases[Cap::YamlDepth] = {
        [](const ScratchDirectory& scratch) {
            // map > steps list > step map > params map > colour list
            scratch.write("deep.yaml", "steps:\n  - {step: init_background, params: {background_color: [1, 2, 3]}}\n");
        },
        "build deep.yaml -q -o deep.png --max-yaml-depth 4", 65, "build deep.yaml -q -o deep.png --max-yaml-depth 5", 0
    };
    cases[Cap::BuildPixels] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("twice.yaml", "metadata: {vram_width: 1024, vram_height: 1024}\nsteps:\n"
                                        "  - step: init_background\n  - step: init_background\n");
        },
        "build twice.yaml -q -o twice.png --max-build-pixels 1048576", 65,
        "build twice.yaml -q -o twice.png --max-build-pixels 2097152", 0

    };
    cases[Cap::FaultRecords] = {
        [](const ScratchDirectory& scratch) {
            std::string faulter = "  - step: add_process\n    params:\n      program_source: \"main:\\n    LOAD r1, r0, 0\\n\"\n";
            scratch.write("faults.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                                         "  - step: install_kernel\n" + faulter + faulter + faulter);
            REQUIRE(run_pxos("build faults.yaml -q -o faults.png", scratch.path()).exit_code == 0);
        },
        "run faults.png --max-fault-records 2", 3, "run faults.png --max-fault-records 3", 3
    };
    cases[Cap::ConsoleOutput] = {
        [](const ScratchDirectory& scratch) {
            // 1.5 MiB of console output, then HALT.
            std::string kernel = "kernel_entry:\n    LI r1, 'x'\n    LI r2, 1572864\nagain:\n    OUT r1, PORT_CONSOLE_OUT\n"
                                 "    ADDI r2, r2, -1\n    JNZ r2, again\n    LI r0, 0\ntrap_handler:\n";
            for (const pxos::SyscallInfo& call : pxos::kSyscalls)
                kernel += "sys_" + std::string(call.name) + ":\n";
            kernel += "    HALT\n";
            scratch.write("kernel.pxasm", kernel);
            scratch.write("console.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n"
                                          "  - step: write_isa_palette\n  - step: install_kernel\n    params: {kernel_file: kernel.pxasm}\n");
            REQUIRE(run_pxos("build console.yaml -q -o console.png", scratch.path()).exit_code == 0);
        },
        "run console.png --max-console-mib 1", 0, "run console.png --max-console-mib 2", 0
    };
    cases[Cap::TraceLines] = {
        [](const ScratchDirectory& scratch) {
            // A kernel of ten instructions and a HALT.
            std::string kernel = "kernel_entry:\n";
            for (int i = 0; i < 10; ++i)
                kernel += "    NOP\n";
            kernel += "trap_handler:\n";
            for (const pxos::SyscallInfo& call : pxos::kSyscalls)
                kernel += "sys_" + std::string(call.name) + ":\n";
            scratch.write("kernel.pxasm", kernel + "    HALT\n");
            scratch.write("short.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n"
                                        "  - step: write_isa_palette\n  - step: install_kernel\n    params: {kernel_file: kernel.pxasm}\n");
            REQUIRE(run_pxos("build short.yaml -q -o short.png", scratch.path()).exit_code == 0);
        },
        "run short.png --trace --max-trace-lines 5", 0, "run short.png --trace --max-trace-lines 11", 0
    };
    cases[Cap::EvalSeconds] = {
        [](const ScratchDirectory& scratch) {
            scratch.write("loops.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                                        "  - step: install_kernel\n  - step: add_process\n    params: {program_source: \"main: JMP main\"}\n");
            REQUIRE(run_pxos("build loops.yaml -q -o loops.png", scratch.path()).exit_code == 0);
        },
        // An endless loop with an endless budget reaches a 1 s cap; the raised cap lets a shorter budget finish.
        "eval loops.png --max-steps 1000000000000 --max-eval-seconds 1", 0, "eval loops.png --max-steps 100000 --max-eval-seconds 600", 0
    };
    return cases;
}

} // namespace

TEST_CASE("every cap names the flag that raises it, and the flag does raise it", "[cli][caps]")
{
    auto cases = cap_cases();
    for (const pxos::CapInfo& info : pxos::kCaps) {
        std::string flag(info.flag);
        INFO("cap " << info.name << " (" << flag << ")");
        REQUIRE(cases.count(info.cap) == 1);
        const CapCase& test = cases.at(info.cap);
        ScratchDirectory scratch;
        test.setup(scratch);

        auto over = run_pxos(test.over, scratch.path());
        INFO("pxos " << test.over << "\nstderr: " << over.err);
        CHECK(over.exit_code == test.over_exit);
        CHECK(over.err.find("the " + std::string(info.name) + " cap of ") != std::string::npos);
        CHECK(over.err.find("raise it with " + flag + ", up to ") != std::string::npos);

        auto raised = run_pxos(test.raised, scratch.path());
        INFO("pxos " << test.raised << "\nstderr: " << raised.err);
        CHECK(raised.exit_code == test.raised_exit);
        CHECK(raised.err.find(" cap of ") == std::string::npos);
    }
}

TEST_CASE("cap flags refuse values outside 1 up to the table's maximum", "[cli][caps]")
{
    ScratchDirectory scratch;
    auto zero = run_pxos("build nothing.yaml --max-roadmap-mib 0", scratch.path());
    CHECK(zero.exit_code == 2);
    CHECK(zero.err.find("--max-roadmap-mib") != std::string::npos);
    auto huge = run_pxos("build nothing.yaml --max-vram-mib 1025", scratch.path());
    CHECK(huge.exit_code == 2);
    CHECK(huge.err.find("--max-vram-mib") != std::string::npos);
}

TEST_CASE("pxos limits lists every cap, docs/LIMITS.md holds its table", "[cli][caps][docs]")
{
    ScratchDirectory scratch;
    auto markdown = run_pxos("limits --markdown", scratch.path());
    REQUIRE(markdown.exit_code == 0);
    std::string doc = pxos::test::read_text(pxos::test::source_path("docs/LIMITS.md"));
    INFO("regenerate the table with: pxos limits --markdown");
    CHECK(doc.find(markdown.out) != std::string::npos);

    auto json = run_pxos("limits --json", scratch.path());
    REQUIRE(json.exit_code == 0);
    auto document = nlohmann::json::parse(json.out);
    CHECK(document["schema"] == 1);
    auto caps = document["caps"];
    REQUIRE(caps.size() == pxos::kCaps.size());
    for (std::size_t i = 0; i < caps.size(); ++i) {
        CHECK(caps[i]["flag"] == std::string(pxos::kCaps[i].flag));
        CHECK(caps[i]["default"] == pxos::kCaps[i].default_units);
        CHECK(!caps[i]["commands"].empty()); // every cap's flag is on some command
    }
    // The flag really is on each command listed: its --help shows it.
    for (const auto& command : caps[0]["commands"]) {
        auto help = run_pxos(command.get<std::string>() + " --help", scratch.path());
        CHECK(help.out.find("--max-vram-mib") != std::string::npos);
    }
}
