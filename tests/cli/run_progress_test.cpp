// Feedback from a long `pxos run`: the progress line on a terminal (tmux),
// Ctrl-C's summary (steps, the running pid and its pc, -o written) and exit
// 130, on a terminal and as a plain SIGINT; and the summary on a line of
// its own after guest output that did not end its line.
#include "test_support.hpp"
#include "tmux_server.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <sys/wait.h>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

// Prints "abc" (no newline), then computes forever.
const char* const kSpinProgram = "main:\n    LI r1, 1\n    LI r2, text\n    LI r3, 3\n    SYSCALL SYS_WRITE\n"
                                 "spin:\n    JMP spin\ntext: .word 'a', 'b', 'c'\n";

} // namespace

TEST_CASE("a long pxos run shows a progress line on a terminal, and Ctrl-C stops it with a summary, exit 130, -o written",
    "[cli][run][progress][tmux]")
{
    if (!pxos::test::tmux_available()) {
        WARN("tmux is not installed (scripts/setup.sh installs it): the progress line is not tested");
        return;
    }
    ScratchDirectory scratch;
    scratch.write("spin.pxasm", kSpinProgram);
    scratch.write("empty.txt", "");
    pxos::test::TmuxServer tmux;
    REQUIRE(tmux.started());
    auto session = [&](const std::string& name, const std::string& arguments) {
        return tmux.start(name, 160, 24,
            "cd '" + scratch.path().string() + "' && '" + std::string(PXOS_BINARY) + "' " + arguments
                + "; echo exit=\\$? > " + name + "_exit.txt; sleep 30");
    };

    // The console in a file (on the terminal, the guest's unfinished "abc" would hold the line back).
    REQUIRE(session("long", "run spin.pxasm --input empty.txt --max-steps 1000000000000 -o after.png > console.txt"));
    std::string screen = tmux.wait_for_screen("long", "instructions/s");
    INFO(screen);
    CHECK(screen.find("pxos run: ") == 0);
    CHECK(screen.find(" steps, ") != std::string::npos);
    CHECK(screen.find(" instructions/s, 1 process alive") != std::string::npos);
    tmux.command("send-keys -t long C-c");
    CHECK(pxos::test::wait_for_file(scratch.path() / "long_exit.txt") == "exit=130\n");
    screen = tmux.text("capture-pane -p -N -t long");
    INFO(screen);
    CHECK(screen.find("instructions/s") == std::string::npos); // cleared before the summary
    CHECK(screen.find("spin.pxasm: stopped by Ctrl-C after ") != std::string::npos);
    CHECK(screen.find("pid 1 was running, at (") != std::string::npos);
    CHECK(screen.find(" spin.pxasm:7") != std::string::npos);
    CHECK(screen.find("; wrote after.png") != std::string::npos);
    CHECK(std::filesystem::exists(scratch.path() / "after.png"));

    // -q: no progress line at all.
    REQUIRE(session("quiet", "run spin.pxasm --input empty.txt --max-steps 1000000000000 -q > console.txt"));
    pxos::test::pause_ms(2500);
    CHECK(tmux.text("capture-pane -p -N -t quiet").find("instructions/s") == std::string::npos);
    tmux.command("send-keys -t quiet C-c");
    CHECK(pxos::test::wait_for_file(scratch.path() / "quiet_exit.txt") == "exit=130\n");
}

TEST_CASE("SIGINT stops a pxos run whose output is not a terminal: the summary, exit 130, -o written",
    "[cli][run][progress]")
{
    ScratchDirectory scratch;
    scratch.write("spin.pxasm", kSpinProgram);
    int pid = pxos::test::start_pxos({ "run", "spin.pxasm", "--max-steps", "1000000000000", "-o", "after.png" },
        scratch.path(), "out.txt", "err.txt");
    REQUIRE(pid > 0);
    pxos::test::pause_ms(1500);
    ::kill(pid, SIGINT);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 130);
    CHECK(pxos::test::read_text(scratch.file("out.txt")) == "abc");
    std::string err = pxos::test::read_text(scratch.file("err.txt"));
    INFO(err);
    CHECK(err.rfind("spin.pxasm: stopped by Ctrl-C after ", 0) == 0);
    CHECK(err.find(" syscalls, 0 faults): pid 1 was running, at (") != std::string::npos);
    CHECK(err.find(") spin.pxasm:7") != std::string::npos);
    CHECK(err.find("; wrote after.png\n") != std::string::npos);
    CHECK(err.find("instructions/s") == std::string::npos); // stderr is no terminal
    CHECK(std::filesystem::exists(scratch.path() / "after.png"));
}

TEST_CASE("the summary after guest output that did not end its line starts on a line of its own",
    "[cli][run][progress]")
{
    ScratchDirectory scratch;
    scratch.write("spin.pxasm", kSpinProgram);
    // stdout and stderr into one file: the summary would go on the guest's line.
    std::string command = "cd '" + scratch.path().string() + "' && '" + PXOS_BINARY
        + "' run spin.pxasm --max-steps 100000 < /dev/null > both.txt 2>&1";
    int status = std::system(command.c_str());
    CHECK(WEXITSTATUS(status) == 4);
    CHECK(pxos::test::read_text(scratch.file("both.txt"))
        == "abc\nspin.pxasm: stopped: the run reached the step budget cap of 100000 steps (raise it with "
           "--max-steps, up to 1000000000000 steps)\n");
    // The console alone in its file keeps the guest's bytes as they are.
    auto apart = run_pxos("run spin.pxasm --max-steps 100000", scratch.path());
    CHECK(apart.exit_code == 4);
    CHECK(apart.out == "abc");
    CHECK(apart.err.rfind("spin.pxasm: stopped: the run reached", 0) == 0);
}
