// `pxos run`'s console input: stdin piped or redirected (or `--input -`)
// feeds the guest, read as it asks; on a terminal the run is interactive
// (keystrokes as typed, no echo, Ctrl-D the end, Ctrl-C a summary and exit
// 130, the terminal restored), driven in tmux.
#include "pxos/abi/syscalls.hpp"
#include "test_support.hpp"
#include "tmux_server.hpp"

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

// A bare kernel (no processes) of `body` that ends at `end:`, with the
// trap handler and system call labels an image needs.
void write_kernel_image(const ScratchDirectory& scratch, const std::string& name, const std::string& body)
{
    std::string kernel = "kernel_entry:\n" + body + "end:\n    LI r0, 0\ntrap_handler:\n";
    for (const pxos::SyscallInfo& call : pxos::kSyscalls)
        kernel += "sys_" + std::string(call.name) + ":\n";
    scratch.write(name + ".pxasm", kernel + "    HALT\n");
    scratch.write(name + ".yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n"
                                  "  - step: write_isa_palette\n  - step: install_kernel\n    params: {kernel_file: "
            + name + ".pxasm}\n");
    REQUIRE(run_pxos("build " + name + ".yaml -q -o " + name + ".png", scratch.path()).exit_code == 0);
}

// Prints '>' (no newline), then each byte it reads upper-cased, to the end of input.
const char* const kShoutKernel = "    LI r1, '>'\n    OUT r1, PORT_CONSOLE_OUT\n    LI r2, -1\n    LI r3, 'a'\n"
                                 "    LI r4, 'z' + 1\nloop:\n    IN r1, PORT_CONSOLE_IN\n    BEQ r1, r2, end\n"
                                 "    BLT r1, r3, keep\n    BGE r1, r4, keep\n    ADDI r1, r1, -32\nkeep:\n"
                                 "    OUT r1, PORT_CONSOLE_OUT\n    JMP loop\n";

// Prints '>' and computes forever (reads nothing).
const char* const kSpinKernel = "    LI r1, '>'\n    OUT r1, PORT_CONSOLE_OUT\nspin:\n    JMP spin\n";

// Runs `pxos ARGUMENTS` in `cwd` with a shell's `stdin` redirection or pipe
// ("< in.txt", "printf hi |" before the command).
pxos::test::CommandResult run_with_stdin(const std::string& before, const std::string& arguments,
    const std::string& after, const ScratchDirectory& scratch)
{
    std::string command = "cd " + quoted(scratch.path().string()) + " && " + before + " " + quoted(PXOS_BINARY) + " "
        + arguments + " " + after + " > out.txt 2> err.txt";
    int status = std::system(command.c_str());
    return { WIFEXITED(status) ? WEXITSTATUS(status) : -1, pxos::test::read_text(scratch.file("out.txt")),
        pxos::test::read_text(scratch.file("err.txt")) };
}

} // namespace

TEST_CASE("pxos run feeds the guest piped or redirected stdin, read as the guest asks", "[cli][run][console_input]")
{
    ScratchDirectory scratch;
    write_kernel_image(scratch, "shout", kShoutKernel);
    auto piped = run_with_stdin("printf 'hi there\\nok' |", "run shout.png -q", "", scratch);
    CHECK(piped.exit_code == 0);
    CHECK(piped.out == ">HI THERE\nOK");
    CHECK(piped.err == "");

    scratch.write("in.txt", "from a file\n");
    auto redirected = run_with_stdin("", "run shout.png -q", "< in.txt", scratch);
    CHECK(redirected.exit_code == 0);
    CHECK(redirected.out == ">FROM A FILE\n");
    // --input - is stdin too; --input FILE still wins over stdin.
    auto dash = run_with_stdin("printf 'dash' |", "run shout.png -q --input -", "", scratch);
    CHECK(dash.out == ">DASH");
    auto file = run_with_stdin("printf 'not this' |", "run shout.png -q --input in.txt", "", scratch);
    CHECK(file.out == ">FROM A FILE\n");
    // The same input gives the same run: steps included.
    auto first = run_with_stdin("", "run shout.png --json", "< in.txt", scratch);
    auto second = run_with_stdin("", "run shout.png --json --input in.txt", "", scratch);
    CHECK(first.exit_code == 0);
    CHECK(first.out == second.out);
    CHECK(first.out.find("\"steps\": 87,") != std::string::npos); // 5, 7 a letter, 5 a space or newline, 4
    // A guest that never reads never waits for stdin (the pipe's writer sleeps on).
    write_kernel_image(scratch, "quiet", "    LI r1, 'q'\n    OUT r1, PORT_CONSOLE_OUT\n");
    auto quiet = run_with_stdin("sleep 30 |", "run quiet.png -q", "", scratch);
    CHECK(quiet.out == "q");
}

TEST_CASE("pxos run stops a guest reading stdin past the input cap, naming the cap", "[cli][run][console_input][caps]")
{
    ScratchDirectory scratch;
    write_kernel_image(scratch, "shout", kShoutKernel);
    auto over = run_with_stdin("head -c 1048577 /dev/zero |", "run shout.png -q --max-input-mib 1", "", scratch);
    CHECK(over.exit_code == 65);
    CHECK(over.err
        == "stdin: error: console input is over the input file cap of 1 MiB (raise it with --max-input-mib, up to "
           "1024 MiB)\n");
    auto at_cap = run_with_stdin("head -c 1048576 /dev/zero |", "run shout.png -q --max-input-mib 1", "", scratch);
    CHECK(at_cap.exit_code == 0);
    CHECK(at_cap.out.size() == 1 + 1048576);
}

TEST_CASE("pxos run feeds the real kernel's console read from a pipe", "[cli][run][console_input]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                            "  - step: install_kernel\n    params: {kernel_file: '"
            + pxos::test::source_path("roadmaps/kernel.pxasm") + "'}\n  - step: add_process\n    params: {program_file: '"
            + pxos::test::source_path("tests/programs/echo.pxasm") + "'}\n");
    REQUIRE(run_pxos("build r.yaml -q -o os.png", scratch.path()).exit_code == 0);
    auto run = run_with_stdin("printf 'shout\\nagain\\n' |", "run os.png -q", "", scratch);
    CHECK(run.exit_code == 0);
    CHECK(run.out == "SHOUT\nAGAIN\n");
}

TEST_CASE("pxos run on a terminal is interactive: keys as typed, Ctrl-D ends, Ctrl-C stops, the terminal restored",
    "[cli][run][console_input][tmux]")
{
    if (!pxos::test::tmux_available()) {
        WARN("tmux is not installed (scripts/setup.sh installs it): the interactive console is not tested");
        return;
    }
    ScratchDirectory scratch;
    write_kernel_image(scratch, "shout", kShoutKernel);
    write_kernel_image(scratch, "spin", kSpinKernel);
    pxos::test::TmuxServer tmux;
    REQUIRE(tmux.started());
    // Each session notes the terminal's modes before and after pxos, and pxos's exit status.
    auto session = [&](const std::string& name, const std::string& arguments) {
        std::string in_scratch = "cd '" + scratch.path().string() + "' && stty -a > " + name + "_before.txt && '"
            + std::string(PXOS_BINARY) + "' ";
        return tmux.start(name, 120, 24,
            in_scratch + arguments + "; echo exit=\\$? > " + name + "_exit.txt; stty -a > " + name
                + "_after.txt; sleep 30");
    };
    auto first_line = [](const std::string& screen) { return screen.substr(0, screen.find('\n')); };

    // Keys reach the guest as they are typed, without the terminal's echo
    // (with it the line would read ">hHiI"); Ctrl-D is the end of input; the
    // summary starts on a line of its own.
    REQUIRE(session("typed", "run shout.png"));
    CHECK(first_line(tmux.wait_for_screen("typed", ">")) == ">");
    tmux.command("send-keys -t typed h i");
    CHECK(first_line(tmux.wait_for_screen("typed", ">HI")) == ">HI");
    tmux.command("send-keys -t typed Enter o k C-d");
    CHECK(pxos::test::wait_for_file(scratch.path() / "typed_exit.txt") == "exit=0\n");
    std::string screen = tmux.text("capture-pane -p -N -t typed");
    CHECK(screen.rfind(">HI\nOK\nshout.png: halted with code 0 after ", 0) == 0);
    CHECK(pxos::test::read_text(scratch.file("typed_after.txt"))
        == pxos::test::read_text(scratch.file("typed_before.txt")));

    // Ctrl-C while the guest waits for a key: the summary on a line of its
    // own (after the guest's unfinished one) says where the machine was,
    // exit 130, and -o holds the VRAM as it was.
    REQUIRE(session("waiting", "run shout.png -o after.png"));
    CHECK(first_line(tmux.wait_for_screen("waiting", ">")) == ">"); // keys typed before would be echoed
    tmux.command("send-keys -t waiting a b");
    CHECK(first_line(tmux.wait_for_screen("waiting", ">AB")) == ">AB");
    tmux.command("send-keys -t waiting C-c");
    CHECK(pxos::test::wait_for_file(scratch.path() / "waiting_exit.txt") == "exit=130\n");
    screen = tmux.text("capture-pane -p -N -t waiting");
    INFO(screen);
    CHECK(screen.rfind(">AB\nshout.png: stopped by Ctrl-C after 19 steps (0 syscalls, 0 faults): the kernel was "
                       "running, at (",
              0)
        == 0);
    CHECK(screen.find(" shout.pxasm:8; wr") != std::string::npos); // the IN it waits in (the line wraps after)
    CHECK(screen.find("after.png") != std::string::npos);
    CHECK(std::filesystem::exists(scratch.path() / "after.png"));
    CHECK(pxos::test::read_text(scratch.file("waiting_after.txt"))
        == pxos::test::read_text(scratch.file("waiting_before.txt")));

    // Ctrl-C while the guest computes stops it between pieces of the run.
    REQUIRE(session("spinning", "run spin.png --max-steps 1000000000000"));
    CHECK(first_line(tmux.wait_for_screen("spinning", ">")) == ">");
    pxos::test::pause_ms(300);
    tmux.command("send-keys -t spinning C-c");
    CHECK(pxos::test::wait_for_file(scratch.path() / "spinning_exit.txt") == "exit=130\n");
    screen = tmux.text("capture-pane -p -N -t spinning");
    CHECK(screen.rfind(">\nspin.png: stopped by Ctrl-C after ", 0) == 0);
    CHECK(pxos::test::read_text(scratch.file("spinning_after.txt"))
        == pxos::test::read_text(scratch.file("spinning_before.txt")));
}

TEST_CASE("the default image's shell, typed into on a terminal: echo hi prints hi", "[cli][run][console_input][tmux]")
{
    if (!pxos::test::tmux_available()) {
        WARN("tmux is not installed (scripts/setup.sh installs it): the interactive shell is not tested");
        return;
    }
    ScratchDirectory scratch;
    REQUIRE(pxos::test::build_with_pxos("roadmaps/ROADMAP_VRAM_OS.yaml", "os.png", scratch.path()) == 0);
    pxos::test::TmuxServer tmux;
    REQUIRE(tmux.started());
    REQUIRE(tmux.start("shell", 120, 40,
        "cd '" + scratch.path().string() + "' && '" + std::string(PXOS_BINARY)
            + "' run os.png; echo exit=\\$? > exit.txt; sleep 30"));
    // The demo programs' output, then the shell's prompt.
    std::string screen = tmux.wait_for_screen("shell", "$ ");
    INFO(screen);
    REQUIRE(screen.find("Hello from pxOS!\n") != std::string::npos);
    tmux.command("send-keys -t shell 'echo hi' Enter");
    screen = tmux.wait_for_screen("shell", "$ echo hi\nhi\n$ ");
    CHECK(screen.find("$ echo hi\nhi\n$ ") != std::string::npos);
    // Backspace erases on the screen as in the shell's line.
    tmux.command("send-keys -t shell 'echo ok' BSpace BSpace 'yes' Enter");
    screen = tmux.wait_for_screen("shell", "$ echo yes\nyes\n$ ");
    CHECK(screen.find("$ echo yes\nyes\n$ ") != std::string::npos);
    // Ctrl-D: the end of input; the shell, then init exit and the kernel halts.
    tmux.command("send-keys -t shell C-d");
    CHECK(pxos::test::wait_for_file(scratch.path() / "exit.txt") == "exit=0\n");
    screen = tmux.text("capture-pane -p -N -t shell");
    CHECK(screen.find("yes\n$ \nos.png: halted with code 0 after ") != std::string::npos);
}
