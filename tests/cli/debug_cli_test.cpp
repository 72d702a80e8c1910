// `pxos debug` at a terminal (in tmux): line editing, history, Enter
// repeating the last step; and from a pipe, lines read as they are.
#include "test_support.hpp"
#include "tmux_server.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;
using pxos::test::tmux_available;
using pxos::test::TmuxServer;
using pxos::test::wait_for_file;

namespace {

void build_os(const ScratchDirectory& scratch)
{
    REQUIRE(pxos::test::build_with_pxos("roadmaps/ROADMAP_VRAM_OS.yaml", "os.png", scratch.path()) == 0);
}

} // namespace

TEST_CASE("pxos debug at a terminal: Up and Enter runs a command again, an empty line repeats step, Ctrl-A edits, "
          "Ctrl-D quits",
    "[cli][debugger][tmux]")
{
    REQUIRE(tmux_available());
    ScratchDirectory scratch;
    build_os(scratch);
    TmuxServer tmux;
    REQUIRE(tmux.started());
    REQUIRE(tmux.start("debug", 120, 30,
        "cd '" + scratch.path().string() + "' && '" + PXOS_BINARY
            + "' debug os.png; echo exit=\\$? > debug_exit.txt; sleep 30"));
    CHECK(tmux.wait_for_screen("debug", "(pxdb) ").find("LI r14, 0 step 0") != std::string::npos);
    tmux.command("send-keys -t debug step Enter");
    CHECK(tmux.wait_for_screen("debug", " step 1 ").find(" step 1 ") != std::string::npos);
    tmux.command("send-keys -t debug Up Enter"); // the history's "step", run again
    std::string screen = tmux.wait_for_screen("debug", " step 2 ");
    CHECK(screen.find("(pxdb) step\nkernel (6,32) LI r1, 1000 step 2 ") != std::string::npos);
    tmux.command("send-keys -t debug Enter"); // an empty line: step once more
    screen = tmux.wait_for_screen("debug", " step 3 ");
    CHECK(screen.find("(pxdb) \nkernel (9,32) MTS r1, QUANTUM step 3 ") != std::string::npos);
    tmux.command("send-keys -t debug tep C-a s Enter"); // typed "tep", then Home and the s before it
    screen = tmux.wait_for_screen("debug", " step 4 ");
    CHECK(screen.find("(pxdb) step\nkernel") != std::string::npos);
    CHECK(screen.find(" step 4 ") != std::string::npos);
    CHECK(screen.find("unknown command") == std::string::npos);
    tmux.command("send-keys -t debug C-d");
    CHECK(wait_for_file(scratch.path() / "debug_exit.txt") == "exit=0\n");
}

TEST_CASE("pxos debug killed at its prompt leaves the terminal as it found it (echo, line mode)", "[cli][debugger][tmux]")
{
    REQUIRE(tmux_available());
    ScratchDirectory scratch;
    build_os(scratch);
    scratch.write("debug.sh", "sh -c 'echo $$ > pid.txt; exec \"$0\" debug os.png' '" + std::string(PXOS_BINARY)
            + "'\necho exit=$? > exit.txt\nstty -a > stty.txt\n");
    TmuxServer tmux;
    REQUIRE(tmux.started());
    REQUIRE(tmux.start("debug", 100, 20, "cd '" + scratch.path().string() + "' && sh debug.sh; sleep 30"));
    tmux.wait_for_screen("debug", "(pxdb) ");
    int pid = std::stoi(wait_for_file(scratch.path() / "pid.txt"));
    REQUIRE(pid > 1);
    REQUIRE(::kill(pid, SIGTERM) == 0);
    CHECK(wait_for_file(scratch.path() / "exit.txt") == "exit=143\n");
    std::string modes = wait_for_file(scratch.path() / "stty.txt");
    CHECK(modes.find(" icanon ") != std::string::npos);
    CHECK(modes.find(" echo ") != std::string::npos);
}

TEST_CASE("pxos debug reads a pipe line by line: no prompt, and an empty line repeats nothing", "[cli][debugger]")
{
    ScratchDirectory scratch;
    build_os(scratch);
    scratch.write("commands.txt", "step\n\nstep\n");
    std::string command = "cd '" + scratch.path().string() + "' && '" + PXOS_BINARY
        + "' debug os.png < commands.txt > out.txt 2>&1";
    CHECK(std::system(command.c_str()) == 0);
    std::string out = pxos::test::read_text(scratch.file("out.txt"));
    CHECK(out.find("(pxdb) step\nkernel (3,32) LI sp, 65536 step 1 ") != std::string::npos);
    CHECK(out.find(" step 2 ") != std::string::npos);
    CHECK(out.find(" step 3 ") == std::string::npos);
    CHECK(out.find('\x1b') == std::string::npos);
}
