// `pxos run` on a program (pxasm, a program file, a plain `pxos asm`
// image): it boots as a process under the default kernel, its console
// input piped stdin; and `-` as stdin or stdout for run and the commands
// that read or write a file.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sys/wait.h>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

std::string quoted(const std::string& text)
{
    return "'" + text + "'";
}

// `pxos ARGUMENTS` in the scratch folder with a shell's stdin (a pipe
// before, a redirection after), stdout and stderr to files.
pxos::test::CommandResult run_shell(const std::string& before, const std::string& arguments, const std::string& after,
    const ScratchDirectory& scratch)
{
    std::string command = "cd " + quoted(scratch.path().string()) + " && " + before + " " + quoted(PXOS_BINARY) + " "
        + arguments + " " + after + " > out.txt 2> err.txt";
    int status = std::system(command.c_str());
    return { WIFEXITED(status) ? WEXITSTATUS(status) : -1, pxos::test::read_text(scratch.file("out.txt")),
        pxos::test::read_text(scratch.file("err.txt")) };
}

std::string echo_source()
{
    return pxos::test::source_path("tests/programs/echo.pxasm");
}

// The `"steps": N,` line of a --json summary.
std::string steps_line(const std::string& json)
{
    auto at = json.find("\"steps\":");
    return at == std::string::npos ? std::string() : json.substr(at, json.find('\n', at) - at);
}

} // namespace

TEST_CASE("printf 'hi\\n' | pxos run echo.pxasm prints what the program echoes, from any folder",
    "[cli][run][run_program]")
{
    ScratchDirectory scratch;
    auto run = run_shell("printf 'hi\\n' |", "run " + quoted(echo_source()), "", scratch);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "HI\n");
    CHECK(run.err == echo_source() + ": halted with code 0 after 4075 steps (4 syscalls, 0 faults)\n");
    // From the source tree, by a relative name.
    std::string command = "cd " + quoted(pxos::test::source_path("")) + " && printf 'hi\\n' | " + quoted(PXOS_BINARY)
        + " run tests/programs/echo.pxasm -q > " + quoted(scratch.file("relative.txt")) + " 2>&1";
    CHECK(std::system(command.c_str()) == 0);
    CHECK(pxos::test::read_text(scratch.file("relative.txt")) == "HI\n");
}

TEST_CASE("pxos run boots a program file and a plain pxos asm image as its source does", "[cli][run][run_program]")
{
    ScratchDirectory scratch;
    scratch.write("in.txt", "abc\nxyz\n");
    REQUIRE(run_pxos("asm --program " + quoted(echo_source()) + " -o echo.pxex", scratch.path()).exit_code == 0);
    REQUIRE(run_pxos("asm " + quoted(echo_source()) + " -o echo.png", scratch.path()).exit_code == 0);
    auto source = run_pxos("run " + quoted(echo_source()) + " --input in.txt --json", scratch.path());
    CHECK(source.exit_code == 0);
    CHECK(source.out.find("\"console\": \"ABC\\nXYZ\\n\"") != std::string::npos);
    // The summary's shape: a schema version, places as [x, y].
    CHECK(source.out.rfind("{\n  \"schema\": 1,\n  \"stop\": \"halted\",", 0) == 0);
    CHECK(source.out.find("\"base\": [\n") != std::string::npos);
    for (const char* image : { "echo.pxex", "echo.png" }) {
        INFO(image);
        auto run = run_pxos(std::string("run ") + image + " --input in.txt --json", scratch.path());
        CHECK(run.exit_code == 0);
        CHECK(run.out.find("\"console\": \"ABC\\nXYZ\\n\"") != std::string::npos);
        CHECK(steps_line(run.out) == steps_line(source.out));
        CHECK_FALSE(steps_line(run.out).empty());
    }
    // The plain image's source changed since: its pixels are not that source's any more.
    scratch.write("mine.pxasm", "main:\n    LI r1, 0\n    SYSCALL SYS_EXIT\n");
    REQUIRE(run_pxos("asm mine.pxasm -o mine.png", scratch.path()).exit_code == 0);
    scratch.write("mine.pxasm", "main:\n    LI r1, 1\n    SYSCALL SYS_EXIT\n");
    auto changed = run_pxos("run mine.png", scratch.path());
    CHECK(changed.exit_code == 65);
    CHECK(changed.err
        == "mine.png: error: not a bootable image, and not what its source mine.pxasm assembles to now (changed "
           "since, or assembled with --origin): run the source itself (pxos run mine.pxasm)\n");
    // The exit code is the program's, through the kernel's halt code.
    auto exits = run_pxos("run mine.pxasm -q", scratch.path());
    CHECK(exits.exit_code == 1);
}

TEST_CASE("pxos run prog.pxasm reports the program's errors at file:line:col as pxos asm does",
    "[cli][run][run_program]")
{
    ScratchDirectory scratch;
    scratch.write("bad.pxasm", "main:\n    LI r1, 0\n    FROB r1\n");
    auto assembled = run_pxos("asm bad.pxasm -o bad.png", scratch.path());
    auto run = run_pxos("run bad.pxasm", scratch.path());
    CHECK(run.exit_code == assembled.exit_code);
    CHECK(run.exit_code == 65);
    CHECK(run.err == assembled.err);
    CHECK(run.err.rfind("bad.pxasm:3:5: error: ", 0) == 0);
}

TEST_CASE("pxos run - boots a PNG from stdin, --input - reads stdin, -o - writes the PNG to stdout",
    "[cli][run][streams]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                            "  - step: install_kernel\n  - step: add_process\n    params: {program_file: '"
            + echo_source() + "'}\n");
    REQUIRE(run_pxos("build r.yaml -q -o os.png", scratch.path()).exit_code == 0);
    scratch.write("in.txt", "from a file\n");
    auto from_stdin = run_shell("", "run - --input in.txt", "< os.png", scratch);
    CHECK(from_stdin.exit_code == 0);
    CHECK(from_stdin.out == "FROM A FILE\n");
    CHECK(from_stdin.err.rfind("stdin: halted with code 0 after ", 0) == 0);
    auto dash_input = run_shell("printf 'dash\\n' |", "run os.png -q --input -", "", scratch);
    CHECK(dash_input.out == "DASH\n");
    auto both = run_shell("", "run - --input -", "< os.png", scratch);
    CHECK(both.exit_code == 2);
    CHECK(both.err == "pxos: error: the image and --input cannot both be stdin ('-'): give one of them a file\n");

    // -o -: the PNG alone on stdout (the console on stderr), the same bytes as -o FILE.
    REQUIRE(run_pxos("run os.png -q --input in.txt -o after.png", scratch.path()).exit_code == 0);
    auto to_stdout = run_shell("", "run os.png -q --input in.txt -o -", "", scratch);
    CHECK(to_stdout.exit_code == 0);
    CHECK(to_stdout.err == "FROM A FILE\n");
    CHECK(to_stdout.out == pxos::test::read_text(scratch.file("after.png")));
    // The old name of -o still works.
    REQUIRE(run_pxos("run os.png -q --input in.txt --out old.png", scratch.path()).exit_code == 0);
    CHECK(pxos::test::read_text(scratch.file("old.png")) == pxos::test::read_text(scratch.file("after.png")));
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "-"));
}

TEST_CASE("'-' is stdout for build -o and --report, eval's OUTPUT, render, asm and diff -o, never a file named -",
    "[cli][streams]")
{
    ScratchDirectory scratch;
    std::string roadmap = quoted(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    REQUIRE(run_pxos("build " + roadmap + " -q -o os.png --report report.json", scratch.path()).exit_code == 0);
    auto build = run_pxos("build " + roadmap + " -q -o -", scratch.path());
    CHECK(build.exit_code == 0);
    CHECK(build.out == pxos::test::read_text(scratch.file("os.png")));
    auto report = run_pxos("build " + roadmap + " -q -o again.png --report -", scratch.path());
    CHECK(report.exit_code == 0);
    CHECK(report.out.rfind("{\n  \"roadmap\": \"pxOS\",", 0) == 0);
    auto both = run_pxos("build " + roadmap + " -q -o - --report -", scratch.path());
    CHECK(both.exit_code == 2);

    auto eval = run_pxos("eval os.png - --only seed", scratch.path());
    CHECK(eval.exit_code == 0);
    CHECK(eval.out.rfind("{", 0) == 0);
    CHECK(eval.out.find("\"score\"") != std::string::npos);
    auto eval_file = run_pxos("eval os.png eval.json --only seed", scratch.path());
    CHECK(eval.out == pxos::test::read_text(scratch.file("eval.json")));

    REQUIRE(run_pxos("render os.png -o render.png", scratch.path()).exit_code == 0);
    auto render = run_pxos("render os.png -o -", scratch.path());
    CHECK(render.exit_code == 0);
    CHECK(render.out == pxos::test::read_text(scratch.file("render.png")));

    REQUIRE(run_pxos("asm " + quoted(echo_source()) + " --program -o echo.pxex", scratch.path()).exit_code == 0);
    auto assembled = run_pxos("asm " + quoted(echo_source()) + " --program -o -", scratch.path());
    CHECK(assembled.exit_code == 0);
    CHECK(assembled.out == pxos::test::read_text(scratch.file("echo.pxex")));
    CHECK(assembled.err == "assembled a program file of 126 words (109 code words, 9 relocations) into stdout\n");

    REQUIRE(run_pxos("diff os.png render.png -o diff.png", scratch.path()).exit_code == 1);
    auto diff = run_pxos("diff os.png render.png -o -", scratch.path());
    CHECK(diff.exit_code == 1);
    CHECK(diff.out == pxos::test::read_text(scratch.file("diff.png")));
    CHECK_FALSE(diff.err.empty()); // the report, off stdout
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "-"));
}
