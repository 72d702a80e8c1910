// Runs the real pxos binary: exit codes, stdout, stderr and files written
// (and not written).
#include "pxos/eval/rubric.hpp"
#include "pxos/eval/metrics.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/png_io.hpp"

#include "test_support.hpp"
#include "tmux_server.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <csignal>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;
using pxos::test::TmuxServer;
using pxos::test::tmux_available;
using pxos::test::wait_for_file;
using pxos::test::pause_ms;

namespace {

std::string quoted(const std::string& text)
{
    return "'" + text + "'";
}

std::string seed_roadmap()
{
    return quoted(pxos::test::source_path("roadmaps/seed_stage1.yaml"));
}

} // namespace

TEST_CASE("pxos build writes the PNG and prints its path", "[cli]")
{
    ScratchDirectory scratch;
    auto result = run_pxos("build " + seed_roadmap() + " -q", scratch.path());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "artifacts/vram_os_stage1.png\n");
    CHECK(result.err.empty());
    auto image = pxos::load_png(pxos::test::files(), scratch.file("artifacts/vram_os_stage1.png"));
    REQUIRE(image.ok());
    CHECK(image->width() == 512);
    CHECK(image->pixel_unchecked(10, 2) == pxos::RGBA { 0, 255, 0, 255 });
    CHECK(scratch.list() == std::vector<std::string> { "artifacts" });
}

TEST_CASE("pxos build logs each step on stderr and writes a JSON report", "[cli]")
{
    ScratchDirectory scratch;
    auto result = run_pxos("build " + seed_roadmap() + " -o out.png --report report.json", scratch.path());
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == "out.png\n");
    CHECK(result.err.find("[1/5] init_background") != std::string::npos);
    CHECK(result.err.find("[5/5] write_hello_program") != std::string::npos);
    CHECK(result.err.find("; wrote out.png (512x512) in ") != std::string::npos);
    auto report = nlohmann::json::parse(pxos::test::read_text(scratch.file("report.json")));
    CHECK(report["roadmap"] == "pxOS Stage 1");
    CHECK(report["width"] == 512);
    REQUIRE(report["steps"].size() == 5);
    CHECK(report["steps"][0]["pixels_written"] == 512 * 512);
    CHECK(report["steps"][4]["context_keys_set"] == nlohmann::json::array({ "hello_program_x", "hello_program_written" }));
}

TEST_CASE("pxos build without output.png_path writes artifacts/<roadmap stem>.png", "[cli]")
{
    ScratchDirectory scratch;
    scratch.write("mine.yaml", "metadata: {vram_width: 8, vram_height: 8}\nsteps: [{step: init_background}]\n");
    auto result = run_pxos("build mine.yaml", scratch.path());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "artifacts/mine.png\n");
    CHECK(pxos::load_png(pxos::test::files(), scratch.file("artifacts/mine.png")).ok());
}

TEST_CASE("save_intermediate writes one PNG after each step", "[cli]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "metadata: {vram_width: 16, vram_height: 16}\n"
                            "steps: [{step: init_background}, {step: write_boot_banner, name: 'the banner'}]\n"
                            "output: {png_path: out/final.png, save_intermediate: true}\n");
    auto result = run_pxos("build r.yaml -q", scratch.path());
    REQUIRE(result.exit_code == 0);
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(scratch.path() / "out"))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string> { "final.png", "final.step01.init_background.png",
                       "final.step02.the_banner.png" });
    auto first = pxos::load_png(pxos::test::files(), scratch.file("out/final.step01.init_background.png"));
    REQUIRE(first.ok());
    CHECK(first->pixel_unchecked(0, 0) == pxos::RGBA { 10, 10, 10, 255 });
}

TEST_CASE("a bad roadmap exits 65 with every error on stderr and writes nothing", "[cli][malformed]")
{
    ScratchDirectory scratch;
    scratch.write("bad.yaml", "steps:\n  - step: layout_region\n  - step: init_background\n    params: {background_color: [1]}\n"
                              "output: {png_path: out.png}\n");
    scratch.write("out.png", "precious");
    auto result = run_pxos("build bad.yaml --report report.json", scratch.path());
    CHECK(result.exit_code == 65);
    CHECK(result.out.empty());
    CHECK(result.err
        == "bad.yaml:2:11: error: unknown step 'layout_region'; did you mean 'layout_regions'?\n"
           "bad.yaml:4:32: error: parameter 'background_color' of step 'init_background' must be a colour: a list of 3 "
           "or 4 integers 0-255 (or \"#rrggbb[aa]\"), found a list of 1 items\n");
    CHECK(pxos::test::read_text(scratch.file("out.png")) == "precious");
    CHECK(scratch.list() == std::vector<std::string> { "bad.yaml", "out.png" });
}

TEST_CASE("pxos build refuses missing roadmaps and directory outputs with exit 65", "[cli][malformed]")
{
    ScratchDirectory scratch;
    auto missing = run_pxos("build nope.yaml", scratch.path());
    CHECK(missing.exit_code == 65);
    CHECK(missing.err == "nope.yaml: error: cannot open: No such file or directory\n");

    std::filesystem::create_directory(scratch.path() / "dir");
    auto directory = run_pxos("build " + seed_roadmap() + " -o dir", scratch.path());
    CHECK(directory.exit_code == 65);
    CHECK(directory.err == "dir: error: output path is a directory, expected a file name\n");
    auto report_directory = run_pxos("build " + seed_roadmap() + " -o x.png --report dir", scratch.path());
    CHECK(report_directory.exit_code == 65);
    CHECK(scratch.list() == std::vector<std::string> { "dir" });

    auto syntax = run_pxos("build " + quoted(pxos::test::source_path("tests/inputs/malformed/unclosed_list.yaml")),
        scratch.path());
    CHECK(syntax.exit_code == 65);
    CHECK(syntax.err.find("unclosed_list.yaml:4:1: error: YAML syntax: end of sequence flow not found") != std::string::npos);
}

TEST_CASE("a VRAM over the memory cap names the flag that raises it", "[cli][malformed]")
{
    ScratchDirectory scratch;
    scratch.write("big.yaml", "metadata: {vram_width: 16384, vram_height: 8193}\nsteps: [{step: layout_regions}]\n");
    auto result = run_pxos("build big.yaml", scratch.path());
    CHECK(result.exit_code == 65);
    CHECK(result.err
        == "big.yaml:1:24: error: VRAM size 16384x8193 needs 513 MiB, over the VRAM memory cap of 256 MiB (raise it with "
            "--max-vram-mib, up to 1024 MiB)\n");
    auto bad_flag = run_pxos("build big.yaml --max-vram-mib 5000", scratch.path());
    CHECK(bad_flag.exit_code == 2);
}

TEST_CASE("usage errors exit 2, help and version exit 0", "[cli]")
{
    ScratchDirectory scratch;
    auto unknown = run_pxos("biuld x.yaml", scratch.path());
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err
        == "pxos: error: unknown command 'biuld'; did you mean 'build'?\nRun 'pxos help' for the list of commands.\n");
    auto nothing = run_pxos("", scratch.path()); // the command list, as `pxos help` prints it
    CHECK(nothing.exit_code == 0);
    CHECK(nothing.out == run_pxos("help", scratch.path()).out);
    auto no_roadmap = run_pxos("build", scratch.path());
    CHECK(no_roadmap.exit_code == 2);
    CHECK(no_roadmap.err.find("roadmap is required") != std::string::npos);
    auto bad_option = run_pxos("build x.yaml --frobnicate", scratch.path());
    CHECK(bad_option.exit_code == 2);

    auto help = run_pxos("--help", scratch.path());
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("build") != std::string::npos);
    CHECK(help.out.find("steps") != std::string::npos);
    auto build_help = run_pxos("build --help", scratch.path());
    CHECK(build_help.exit_code == 0);
    CHECK(build_help.out.find("--report") != std::string::npos);
    auto version = run_pxos("--version", scratch.path());
    CHECK(version.exit_code == 0);
    CHECK(version.out == std::string("pxos ") + PXOS_VERSION + "\n");
    CHECK(scratch.list().empty());
}

TEST_CASE("pxos steps lists the registry as text and JSON", "[cli]")
{
    ScratchDirectory scratch;
    auto text = run_pxos("steps", scratch.path());
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("init_background  (pxos.steps.layout; alias step_init_background)\n") == 0);
    CHECK(text.out.find("    - hello_program_x (integer, -65536..65536, default 32): x of the first block\n")
        != std::string::npos);
    auto json = run_pxos("steps --json", scratch.path());
    CHECK(json.exit_code == 0);
    auto parsed = nlohmann::json::parse(json.out);
    CHECK(parsed["schema"] == 1);
    CHECK(parsed["steps"].size() >= 5);
    auto markdown = run_pxos("steps --markdown", scratch.path());
    CHECK(markdown.exit_code == 0);
    INFO("regenerate the table with: pxos steps --markdown");
    CHECK(pxos::test::read_text(pxos::test::source_path("docs/ROADMAP_FORMAT.md")).find(markdown.out) != std::string::npos);
}

TEST_CASE("pxos run boots the default image: three processes, exit 0, the drawing saved", "[cli][run]")
{
    ScratchDirectory scratch;
    auto built = run_pxos("build " + quoted(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml")) + " -q -o os.png",
        scratch.path());
    REQUIRE(built.exit_code == 0);
    CHECK(scratch.list() == std::vector<std::string> { "os.png", "os.srcmap.json" });

    auto run = run_pxos("run os.png --out after.png", scratch.path());
    CHECK(run.exit_code == 0);
    // Then init starts /bin/sh, which sees the end of its (empty) input at
    // once: its prompt and a newline.
    CHECK(run.out
        == "Hello from pxOS!\nPrimes below 100: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97 \n"
           "draw: painted a 128x128 pattern into the display\n$ \n");
    CHECK(run.err.find("os.png: halted with code 0 after ") == 0);
    auto after = pxos::load_png(pxos::test::files(), scratch.file("after.png"));
    REQUIRE(after.ok());
    CHECK(after->pixel_unchecked(1, 385) == pxos::RGBA { 0, 1, 2, 255 }); // the pattern at (1,1) of the display
    auto before = pxos::load_png(pxos::test::files(), scratch.file("os.png"));
    CHECK(before->pixel_unchecked(1, 385) == pxos::RGBA { 20, 20, 20, 255 });

    auto again = run_pxos("run os.png --out again.png", scratch.path());
    CHECK(again.out == run.out);
    CHECK(pxos::test::read_bytes(scratch.file("again.png")) == pxos::test::read_bytes(scratch.file("after.png")));
}

TEST_CASE("pxos run --json summarises processes, faults and steps", "[cli][run]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                            "  - step: install_kernel\n    params: {kernel_file: '"
            + pxos::test::source_path("roadmaps/kernel.pxasm")
            + "'}\n  - step: add_process\n    params: {program_file: bad.pxasm}\n");
    scratch.write("bad.pxasm", "main:\n    LI r1, 0\n    DIV r1, r1, r1\n");
    REQUIRE(run_pxos("build r.yaml -q -o os.png", scratch.path()).exit_code == 0);
    auto run = run_pxos("run os.png --json", scratch.path());
    CHECK(run.exit_code == 3);
    auto json = nlohmann::json::parse(run.out);
    CHECK(json["stop"] == "halted");
    CHECK(json["exit_status"] == 3);
    REQUIRE(json["faults"].size() == 1);
    CHECK(json["faults"][0]["cause"] == "DivideByZero");
    CHECK(json["faults"][0]["pid"] == 1);
    CHECK(json["faults"][0]["source"] == "bad.pxasm:3");
    CHECK(json["faults"][0]["pc"] == nlohmann::json::array({ 3, 240 }));
    CHECK(json["processes"][0]["state"] == "faulted");
    CHECK(json["processes"][0]["fault"] == "DivideByZero");
    CHECK(run.err.find("os.png: fault: pid 1 at (3,240) bad.pxasm:3: DivideByZero (DIV or MOD by zero)")
        != std::string::npos);
}

TEST_CASE("pxos run --trace prints each instruction, budgets and bad images have their exit codes", "[cli][run]")
{
    ScratchDirectory scratch;
    auto built = run_pxos("build " + quoted(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml")) + " -q -o os.png",
        scratch.path());
    REQUIRE(built.exit_code == 0);
    auto traced = run_pxos("run os.png --trace --max-steps 3", scratch.path());
    CHECK(traced.exit_code == 4);
    CHECK(traced.err.find("         0 pid 0 K (0,32)      LI r14, 0                ") == 0);
    // The first instruction's line: the one after `kernel_entry:`.
    std::string kernel = pxos::test::read_text(pxos::test::source_path("roadmaps/kernel.pxasm"));
    int entry_line = int(std::count(kernel.begin(), kernel.begin() + std::ptrdiff_t(kernel.find("kernel_entry:")), '\n')) + 2;
    CHECK(traced.err.find("roadmaps/kernel.pxasm:" + std::to_string(entry_line) + "\n") != std::string::npos);
    CHECK(traced.err.find("         1 pid 0 K (3,32)      LI sp, 65536             sp=65536") != std::string::npos);
    CHECK(traced.err.find("the run reached the step budget cap of 3 steps (raise it with --max-steps, up to 1000000000000 steps)") != std::string::npos);

    auto seed = run_pxos("build " + seed_roadmap() + " -q -o seed.png", scratch.path());
    REQUIRE(seed.exit_code == 0);
    auto not_bootable = run_pxos("run seed.png", scratch.path());
    CHECK(not_bootable.exit_code == 65);
    CHECK(not_bootable.err
        == "seed.png@(0,4): error: not a bootable pxOS image: no header magic 'PXOS' (found (64,128,192,255))\n");
    auto missing = run_pxos("run nope.png", scratch.path());
    CHECK(missing.exit_code == 65);
}

TEST_CASE("pxos asm and disasm round-trip, pxos ops prints the table", "[cli][asm]")
{
    ScratchDirectory scratch;
    scratch.write("p.pxasm", "start:\n    LI r1, 0x12345678\n    ADD r1, r1, r2\n    JMP start\n    .word 7\n");
    auto assembled = run_pxos("asm p.pxasm -o p.png --width 16", scratch.path());
    REQUIRE(assembled.exit_code == 0);
    CHECK(assembled.err == "assembled 10 words into p.png (16x1)\n");
    auto disassembled = run_pxos("disasm p.png --at 0,0 --count 12", scratch.path());
    REQUIRE(disassembled.exit_code == 0);
    CHECK(disassembled.out.find("    LI r1, 0x12345678") != std::string::npos);
    scratch.write("round.pxasm", disassembled.out);
    REQUIRE(run_pxos("asm round.pxasm -o round.png --width 16", scratch.path()).exit_code == 0);
    CHECK(pxos::load_png(pxos::test::files(), scratch.file("round.png")).value() == pxos::load_png(pxos::test::files(), scratch.file("p.png")).value());

    scratch.write("bad.pxasm", "    ADDD r1, r2, r3\n");
    auto bad = run_pxos("asm bad.pxasm -o bad.png", scratch.path());
    CHECK(bad.exit_code == 65);
    CHECK(bad.err == "bad.pxasm:1:5: error: unknown instruction 'ADDD'; did you mean 'ADD'?\n");
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "bad.png"));

    auto ops = run_pxos("ops", scratch.path());
    CHECK(ops.exit_code == 0);
    CHECK(ops.out.find(" 1  HALT") != std::string::npos);
    auto markdown = run_pxos("ops --markdown", scratch.path());
    CHECK(markdown.out == pxos::isa::reference_markdown());
}

TEST_CASE("pxos run --input feeds the console, --out refuses a directory before running", "[cli][run]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                            "  - step: install_kernel\n    params: {kernel_file: '"
            + pxos::test::source_path("roadmaps/kernel.pxasm") + "'}\n  - step: add_process\n    params: {program_file: '"
            + pxos::test::source_path("tests/programs/echo.pxasm") + "'}\n");
    REQUIRE(run_pxos("build r.yaml -q -o os.png", scratch.path()).exit_code == 0);
    scratch.write("in.txt", "shout\n");
    auto run = run_pxos("run os.png -q --input in.txt", scratch.path());
    CHECK(run.exit_code == 0);
    CHECK(run.out == "SHOUT\n");
    std::filesystem::create_directory(scratch.path() / "dir");
    auto refused = run_pxos("run os.png --out dir", scratch.path());
    CHECK(refused.exit_code == 65);
    CHECK(refused.out.empty());
}

TEST_CASE("pxos eval prints the rubric, writes OUT.json, and --min-score gates", "[cli][eval]")
{
    ScratchDirectory scratch;
    REQUIRE(pxos::test::build_with_pxos("roadmaps/ROADMAP_VRAM_OS.yaml", "os.png", scratch.path()) == 0);
    REQUIRE(run_pxos("build " + seed_roadmap() + " -q -o seed.png", scratch.path()).exit_code == 0);

    auto full = run_pxos("eval os.png out.json --min-score 100%", scratch.path());
    CHECK(full.exit_code == 0);
    CHECK(full.out.find("[PASS] seed.metadata_initialized ") == 0);
    CHECK(full.out.find("score 22/22 (100.0%)\n") != std::string::npos);
    auto written = nlohmann::json::parse(pxos::test::read_text(scratch.file("out.json")));
    CHECK(written["score"] == 22);
    CHECK(written["checks"].size() == 20);
    // The gates, then the metrics and combined_score; --baseline adds the deltas.
    CHECK(full.out.find("score 22/22 (100.0%)\n\nmetric ") != std::string::npos);
    CHECK(full.out.find("\ncombined_score 1.000\n") != std::string::npos);
    CHECK(written["metrics"]["combined_score"] == 1);
    auto compared = run_pxos("eval os.png --baseline seed.png --json", scratch.path());
    CHECK(compared.exit_code == 0);
    auto deltas = nlohmann::json::parse(compared.out);
    CHECK(deltas["metrics"]["compared_to"]["image"] == "seed.png");
    CHECK(deltas["metrics"]["compared_to"]["delta"] == 1); // the seed image passes no gate: no metrics
    CHECK(deltas["metrics"]["values"][0]["delta"].is_null());
    auto same = run_pxos("eval os.png --baseline os.png", scratch.path());
    CHECK(same.out.find("\nusertests_passed ") != std::string::npos);
    CHECK(same.out.find("combined_score 1.000 (+0.000 against os.png)\n") != std::string::npos);
    CHECK(run_pxos("eval os.png --baseline missing.png", scratch.path()).exit_code == 65);

    auto json = run_pxos("eval seed.png --json", scratch.path());
    CHECK(json.exit_code == 0);
    auto parsed = nlohmann::json::parse(json.out);
    CHECK(parsed["score"] == 5);
    CHECK(parsed["max_score"] == 22);
    CHECK(parsed["all_regions_ok"] == true);

    auto below = run_pxos("eval seed.png --min-score 50%", scratch.path());
    CHECK(below.exit_code == 1);
    CHECK(below.err == "pxos eval: score 5/22 (22.7%) is below --min-score 50%\n");
    CHECK(run_pxos("eval seed.png --min-score 5", scratch.path()).exit_code == 0);
    CHECK(run_pxos("eval seed.png --min-score 6", scratch.path()).exit_code == 1);
    CHECK(run_pxos("eval seed.png --only seed --min-score 100%", scratch.path()).exit_code == 0);

    auto bad_threshold = run_pxos("eval seed.png --min-score lots", scratch.path());
    CHECK(bad_threshold.exit_code == 2);
    CHECK(bad_threshold.err
        == "pxos: error: --min-score 'lots' must be a number of points or a percentage such as 90%\n");
    auto bad_group = run_pxos("eval seed.png --only speed", scratch.path());
    CHECK(bad_group.exit_code == 2);
    CHECK(bad_group.err
        == "pxos: error: --only 'speed' is not a group (groups: seed, structure, kernel, execution, isolation)\n");

    scratch.write("text.png", "not a png at all");
    auto not_png = run_pxos("eval text.png", scratch.path());
    CHECK(not_png.exit_code == 65);
    CHECK(not_png.err == "text.png: error: not a PNG file (the 8-byte PNG signature is missing)\n");
    auto bomb = run_pxos("eval " + quoted(pxos::test::source_path("tests/inputs/malformed/idat_declares_1gib.png")),
        scratch.path());
    CHECK(bomb.exit_code == 65);
    CHECK(run_pxos("eval missing.png", scratch.path()).exit_code == 65);
}

TEST_CASE("pxos eval --markdown prints the rubric's and the metrics' tables, with no image", "[cli][eval][rubric]")
{
    ScratchDirectory scratch;
    auto markdown = run_pxos("eval --markdown", scratch.path());
    CHECK(markdown.exit_code == 0);
    CHECK(markdown.out == pxos::rubric_markdown() + "\n" + pxos::metrics_markdown());
    CHECK(markdown.err.empty());
    CHECK(scratch.list().empty());

    auto with_image = run_pxos("eval os.png --markdown", scratch.path());
    CHECK(with_image.exit_code == 2);
    CHECK(with_image.out.empty());
    CHECK(with_image.err == "pxos: error: image excludes --markdown\nRun 'pxos help eval' for its options.\n");
    auto without = run_pxos("eval", scratch.path());
    CHECK(without.exit_code == 2);
    CHECK(without.err == "pxos: error: image is required\nRun 'pxos help eval' for its options.\n");
    auto help = run_pxos("eval --help", scratch.path());
    help.out = std::regex_replace(help.out, std::regex("\n +"), " "); // help wraps at 80 columns
    CHECK(help.out.find("Print the rubric's and the metrics' tables (those of docs/EVAL.md) instead of evaluating an image")
        != std::string::npos);
}

TEST_CASE("pxos loop survives kill -9 and resumes without losing or repeating a generation", "[cli][loop]")
{
    ScratchDirectory scratch;
    std::string roadmap = quoted(pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml"));
    // Kill the loop mid-run, at a moment that depends on the machine.
    std::string command = "'" + std::string(PXOS_BINARY) + "' loop " + roadmap
        + " 40 --proposer heuristic --out-dir out -q & pid=$!; sleep 0.4; kill -9 $pid; wait $pid; true";
    REQUIRE(std::system(("cd '" + scratch.path().string() + "' && " + command).c_str()) == 0);
    auto resumed = run_pxos("loop " + roadmap + " 40 --proposer heuristic --out-dir out --resume -q", scratch.path());
    CHECK(resumed.exit_code == 0);
    CHECK(resumed.out == "out/ROADMAP_MINIMAL.gen002.yaml\n");
    std::istringstream lines(pxos::test::read_text(scratch.file("out/loop.jsonl")));
    std::string line;
    int expected = 1;
    while (std::getline(lines, line)) {
        auto record = nlohmann::json::parse(line);
        CHECK(record["generation"] == expected++);
    }
    CHECK(expected == 41);

    auto again = run_pxos("loop " + roadmap + " 3 --out-dir out", scratch.path());
    CHECK(again.exit_code == 65);
    CHECK(again.err.find("this out-dir already holds a loop; use --resume") != std::string::npos);

    std::filesystem::remove(scratch.path() / "out/report.html");
    auto report = run_pxos("loop --render-report out", scratch.path());
    CHECK(report.exit_code == 0);
    CHECK(report.out == "out/report.html\n");
    CHECK(std::filesystem::exists(scratch.path() / "out/report.html"));
    std::filesystem::remove(scratch.path() / "out/report.html");
    CHECK(run_pxos("loop --report out", scratch.path()).out == "out/report.html\n"); // its old name
    CHECK(std::filesystem::exists(scratch.path() / "out/report.html"));
    CHECK(run_pxos("loop --help", scratch.path()).out.find("--report ") == std::string::npos); // not shown

    auto usage = run_pxos("loop " + roadmap, scratch.path());
    CHECK(usage.exit_code == 2);
    auto no_command = run_pxos("loop " + roadmap + " 2 --proposer llm --out-dir other", scratch.path());
    CHECK(no_command.exit_code == 2);
    CHECK(no_command.err == "pxos: error: --proposer llm needs a command: --llm-cmd 'CMD' or PXOS_LLM_CMD\n");
}

TEST_CASE("pxos loop takes the LLM command from PXOS_LLM_CMD and prints one line per generation", "[cli][loop]")
{
    ScratchDirectory scratch;
    std::string roadmap = quoted(pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml"));
    std::string fake = pxos::test::source_path("tests/fake_llm/edits.sh");
    auto result = run_pxos("loop " + roadmap + " 2 --out-dir out", scratch.path());
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("proposer heuristic") != std::string::npos);
    ScratchDirectory second;
    std::string command = "cd '" + second.path().string() + "' && PXOS_LLM_CMD=\"sh '" + fake + "'\" '" + PXOS_BINARY
        + "' loop " + roadmap + " 2 --out-dir out 2>err.txt >out.txt";
    REQUIRE(std::system(command.c_str()) == 0);
    std::string err = pxos::test::read_text(second.file("err.txt"));
    CHECK(err.find("proposer llm") != std::string::npos);
    CHECK(err.find("gen 002  score 22/22  best 22/22 (gen 002)  llm") != std::string::npos);
}

TEST_CASE("pxos diff exits like cmp, pxos render writes the picture, frames come numbered in order", "[cli][render]")
{
    ScratchDirectory scratch;
    std::string roadmap = quoted(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    auto built = run_pxos("build " + roadmap + " -q -o os.png --frames frames", scratch.path());
    REQUIRE(built.exit_code == 0);
    std::vector<std::string> frames;
    for (const auto& entry : std::filesystem::directory_iterator(scratch.path() / "frames"))
        frames.push_back(entry.path().filename().string());
    std::sort(frames.begin(), frames.end());
    REQUIRE(frames.size() == 23);
    CHECK(frames.front() == "frame_0001_init_background.png");
    CHECK(frames.back() == "frame_0023_add_process.png");

    auto ran = run_pxos("run os.png -q --out after.png --frames run_frames --every 200000", scratch.path());
    CHECK(ran.exit_code == 0);
    CHECK(std::filesystem::exists(scratch.path() / "run_frames/frame_000000.png"));
    CHECK(std::filesystem::exists(scratch.path() / "run_frames/frame_000004.png"));
    CHECK(pxos::load_png(pxos::test::files(), scratch.file("run_frames/frame_000005.png")).value()
        == pxos::load_png(pxos::test::files(), scratch.file("after.png")).value());

    auto same = run_pxos("diff os.png os.png", scratch.path());
    CHECK(same.exit_code == 0);
    CHECK(same.out == "the pixels are equal\n");
    auto different = run_pxos("diff os.png after.png -o d.png --scale 1 --json", scratch.path());
    CHECK(different.exit_code == 1);
    auto json = nlohmann::json::parse(different.out);
    CHECK(json["equal"] == false);
    // The drawing in the program area, and the shell's partition (init
    // starts /bin/sh in a free slot's memory) in process_memory.
    std::map<std::string, int> changed;
    for (const auto& region : json["regions"])
        changed[region["region"].get<std::string>()] = region["changed_pixels"].get<int>();
    CHECK(changed["program_area"] == 16384);
    CHECK(changed["process_memory"] == 8192);
    CHECK(json["regions"].back()["region"] == "process_memory");
    CHECK(pxos::load_png(pxos::test::files(), scratch.file("d.png")).ok());
    CHECK(run_pxos("diff os.png missing.png", scratch.path()).exit_code == 2);

    auto rendered = run_pxos("render after.png -o big.png --scale 3 --labels", scratch.path());
    CHECK(rendered.exit_code == 0);
    auto picture = pxos::load_png(pxos::test::files(), scratch.file("big.png"));
    REQUIRE(picture.ok());
    CHECK(picture->width() == 1536);
    CHECK(run_pxos("render after.png -o x.png --scale 99", scratch.path()).exit_code == 2);
}

TEST_CASE("pxos blame tells a pixel's history from the build's and the run's provenance", "[cli][blame]")
{
    ScratchDirectory scratch;
    std::string roadmap = quoted(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    REQUIRE(run_pxos("build " + roadmap + " -q -o os.png --provenance os.pxprov", scratch.path()).exit_code == 0);
    REQUIRE(run_pxos("run os.png -q --out after.png --provenance run.pxprov", scratch.path()).exit_code == 0);
    auto palette = run_pxos("blame os.png 8 16", scratch.path()); // os.pxprov is found beside os.png
    CHECK(palette.exit_code == 0);
    CHECK(palette.out.find("#3 write_isa_palette (step 4) set (255,0,0,255) (was (10,10,10,255))") != std::string::npos);
    auto drawn = run_pxos("blame after.png 1 385 --provenance os.pxprov --provenance run.pxprov --json", scratch.path());
    CHECK(drawn.exit_code == 0);
    auto json = nlohmann::json::parse(drawn.out);
    CHECK(json["schema"] == 1);
    CHECK(json["pixel"] == nlohmann::json::array({ 1, 385 }));
    CHECK(json["value"] == nlohmann::json::array({ 0, 1, 2, 255 }));
    CHECK(json["history"].back()["new"] == nlohmann::json::array({ 0, 1, 2, 255 }));
    CHECK(json["history"].back()["old"].size() == 4);
    CHECK(json["consistent"] == true);
    CHECK(json["history"].back()["writer"].get<std::string>().find("roadmaps/kernel.pxasm:") != std::string::npos);
    CHECK(json["history"].back()["writer"].get<std::string>().find("for pid 3") != std::string::npos);
    auto region = run_pxos("blame after.png 0 0 --region program_area --provenance os.pxprov --provenance run.pxprov",
        scratch.path());
    CHECK(region.out.find("  4096 px  draw (step 22)") != std::string::npos);
    auto region_json = nlohmann::json::parse(run_pxos("blame after.png --region program_area --provenance os.pxprov "
                                                      "--provenance run.pxprov --json",
        scratch.path())
                                                 .out);
    CHECK(region_json["schema"] == 1);
    CHECK(region_json["at"] == nlohmann::json::array({ 0, 224 }));
    CHECK(region_json["writers"][0]["pixels"].get<int>() > 0);
    auto rebuilt = run_pxos("blame os.png 10 2 --roadmap " + roadmap, ScratchDirectory().path());
    CHECK(rebuilt.exit_code == 65); // os.png is not in that folder
    auto stale = run_pxos("blame after.png 1 385 --provenance os.pxprov", scratch.path());
    CHECK(stale.out.find("note: the image's pixel is (0,1,2,255), not the last recorded value") != std::string::npos);
    std::filesystem::remove(scratch.path() / "os.pxprov");
    auto none = run_pxos("blame os.png 1 1", scratch.path());
    CHECK(none.exit_code == 2);
    CHECK(none.err.find("give --provenance FILE") != std::string::npos);
    auto from_roadmap = run_pxos("blame os.png 10 2 --roadmap " + roadmap, scratch.path());
    CHECK(from_roadmap.exit_code == 0);
    CHECK(from_roadmap.out.find("write_boot_banner (step 3)") != std::string::npos);
}

TEST_CASE("pxos debug --commands prints the same transcript every time", "[cli][debugger]")
{
    ScratchDirectory scratch;
    REQUIRE(pxos::test::build_with_pxos("roadmaps/ROADMAP_VRAM_OS.yaml", "os.png", scratch.path()) == 0);
    scratch.write("script.txt", "# a comment\nbreak 3:main\ncontinue\nregs\nwatch 0,384\ncontinue\nps\nwhere\nquit\n");
    auto first = run_pxos("debug os.png --commands script.txt", scratch.path());
    auto second = run_pxos("debug os.png --commands script.txt", scratch.path());
    CHECK(first.exit_code == 0);
    CHECK(first.out == second.out);
    CHECK(first.out.rfind("kernel (0,32) LI r14, 0 step 0  ", 0) == 0);
    CHECK(first.out.find("(pxdb) break 3:main\nbreakpoint at (0,256)\n(pxdb) continue\nbreakpoint at (0,256)\npid 3 (0,256)")
        != std::string::npos);
    CHECK(first.out.find("watch (0,384): (20,20,20,255) -> (0,0,0,255)") != std::string::npos);
    CHECK(first.out.find("pid 1 exited   pc") != std::string::npos);
}

TEST_CASE("pxos run --trace-json with filters, and --provenance-reads", "[cli][trace]")
{
    ScratchDirectory scratch;
    REQUIRE(pxos::test::build_with_pxos("roadmaps/ROADMAP_VRAM_OS.yaml", "os.png", scratch.path()) == 0);
    // The step of primes' third instruction depends on what the kernel does
    // first: the whole trace of pid 2 says which it is.
    auto whole = run_pxos("run os.png -q --trace-json --trace-pid 2 --max-steps 100000", scratch.path());
    std::istringstream whole_lines(whole.err);
    std::string line;
    for (int i = 0; i < 3; ++i)
        std::getline(whole_lines, line);
    const std::uint64_t step = nlohmann::json::parse(line)["step"].get<std::uint64_t>();
    auto traced = run_pxos(fmt::format("run os.png -q --trace-json --trace-pid 2 --trace-from {} --max-steps {}", step,
                               step + 2),
        scratch.path());
    CHECK(traced.exit_code == 4);
    std::istringstream lines(traced.err);
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    auto event = nlohmann::json::parse(first);
    CHECK(event["step"] == step);
    CHECK(event["pid"] == 2);
    CHECK(event["mode"] == "user");
    CHECK(event["pc"] == nlohmann::json::array({ 6, 248 }));
    CHECK(event["instruction"] == "LI r3, 18");
    CHECK(event["changed"]["r3"] == 18);
    CHECK(event["source"].get<std::string>().find("programs/primes.pxasm:7") != std::string::npos);
    CHECK(nlohmann::json::parse(second)["step"] == step + 1);
    auto region = run_pxos("run os.png -q --trace --trace-region kernel --max-steps 5", scratch.path());
    CHECK(region.err.find(" K (0,32) ") != std::string::npos);
    CHECK(run_pxos("run os.png --trace --trace-region nowhere", scratch.path()).exit_code == 2);

    REQUIRE(run_pxos("run os.png -q --out after.png --provenance reads.pxprov --provenance-reads", scratch.path()).exit_code == 0);
    auto blame = run_pxos("blame after.png 16 240 --provenance reads.pxprov", scratch.path());
    // 'H' of the hello line, read by the console write's LOADX in file.pxasm.
    const std::string kernel_file = pxos::test::read_text(pxos::test::source_path("roadmaps/kernel/file.pxasm"));
    const std::size_t loop = kernel_file.find("fd_write_console_loop:");
    REQUIRE(loop != std::string::npos);
    const std::size_t loadx = kernel_file.find("LOADX", loop);
    const auto loadx_line = 1 + std::count(kernel_file.begin(), kernel_file.begin() + std::ptrdiff_t(loadx), '\n');
    CHECK(blame.out.find("read by kernel at (") != std::string::npos);
    CHECK(blame.out.find(fmt::format("kernel/file.pxasm:{} for pid 1 read (72,0,0,0)", loadx_line)) != std::string::npos);
}

TEST_CASE("a killed run leaves no temporary file behind and the next run removes a killed one's, and Ctrl-C writes what it did", "[cli][provenance]")
{
    ScratchDirectory scratch;
    scratch.write("spin.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                               "  - step: install_kernel\n  - step: add_process\n    params:\n      program_source: |\n"
                               "        main:\n            LI r2, buffer\n        again:\n            STORE r1, r2, 0\n"
                               "            ADDI r1, r1, 1\n            JMP again\n        buffer:\n            .word 0\n");
    REQUIRE(run_pxos("build spin.yaml -q -o spin.png", scratch.path()).exit_code == 0);
    // SIGINT is a Ctrl-C: the run stops cleanly, exits 130 and writes its files (below).
    for (int signal : { SIGINT, SIGTERM, SIGKILL }) {
        INFO("signal " << signal);
        std::string image = scratch.file("spin.png"), log = scratch.file("spin.pxprov");
        std::vector<std::string> arguments = { PXOS_BINARY, "run", image, "-q", "--max-steps", "1000000000000",
            "--provenance", log };
        std::vector<char*> argv;
        for (std::string& argument : arguments)
            argv.push_back(argument.data());
        argv.push_back(nullptr);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            execv(argv[0], argv.data());
            _exit(127);
        }
        // Wait until the run is streaming (its temporary file exists), then interrupt it.
        bool streaming = false;
        for (int i = 0; i < 500 && !streaming; ++i) {
            for (const std::string& name : scratch.list())
                streaming = streaming || name == ".spin.pxprov.tmp";
            if (!streaming)
                usleep(10'000);
        }
        CHECK(streaming);
        kill(pid, signal);
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        if (signal == SIGINT) {
            CHECK(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 130);
            CHECK(scratch.list() == std::vector<std::string> { "spin.png", "spin.pxprov", "spin.srcmap.json", "spin.yaml" });
            std::filesystem::remove(log);
            continue;
        }
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == signal);
        if (signal == SIGKILL) // no handler runs: the next write of that file removes what is left
            CHECK(scratch.list().size() == 4);
        else
            CHECK(scratch.list() == std::vector<std::string> { "spin.png", "spin.srcmap.json", "spin.yaml" });
    }
    REQUIRE(run_pxos("run spin.png -q --max-steps 1000 --provenance spin.pxprov", scratch.path()).exit_code == 4);
    CHECK(scratch.list() == std::vector<std::string> { "spin.png", "spin.pxprov", "spin.srcmap.json", "spin.yaml" });
}
