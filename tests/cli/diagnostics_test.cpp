// Diagnostics as a person sees them: the real binary with its stderr on a
// pseudo-terminal, where a YAML or pxasm error is followed by its source
// line and a caret under the column; and the same error into a pipe, one
// line as before.
#include "test_support.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

using pxos::test::ScratchDirectory;

namespace {

// Runs pxos with `arguments` (shell-quoted) in `cwd`, stderr on a fresh
// pseudo-terminal (output processing off: "\n" stays "\n"), stdout into a
// file, stdin /dev/null.
pxos::test::CommandResult run_pxos_on_terminal(const std::string& arguments, const std::filesystem::path& cwd)
{
    ScratchDirectory capture;
    std::string command = "cd '" + cwd.string() + "' && exec '" + PXOS_BINARY + "' " + arguments + " >'"
        + capture.file("out") + "' </dev/null";
    pxos::test::CommandResult result;
    int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE(::grantpt(master) == 0);
    REQUIRE(::unlockpt(master) == 0);
    std::string terminal = ::ptsname(master);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::setsid();
        int slave = ::open(terminal.c_str(), O_RDWR);
        if (slave < 0)
            ::_exit(127);
        termios settings {};
        ::tcgetattr(slave, &settings);
        settings.c_oflag &= ~tcflag_t(OPOST);
        ::tcsetattr(slave, TCSANOW, &settings);
        ::dup2(slave, STDERR_FILENO);
        ::close(slave);
        ::close(master);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    char buffer[4096];
    for (;;) {
        ssize_t count = ::read(master, buffer, sizeof buffer);
        if (count > 0)
            result.err.append(buffer, std::size_t(count));
        else if (count < 0 && errno == EINTR)
            continue;
        else
            break; // EIO: the terminal's last user is gone
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = pxos::test::read_text(capture.file("out"));
    return result;
}

} // namespace

TEST_CASE("a roadmap error on a terminal shows its line and a caret under the column", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    scratch.write("roadmap.yaml", "metadata:\n  name: typo\nsteps:\n  - step: layout_region\n");
    auto shown = run_pxos_on_terminal("build roadmap.yaml -o out.png", scratch.path());
    CHECK(shown.exit_code == 65);
    CHECK(shown.err
        == "roadmap.yaml:4:11: error: unknown step 'layout_region'; did you mean 'layout_regions'?\n"
           "  - step: layout_region\n"
           "          ^\n");
    // Into a pipe, the same error stays one line.
    auto piped = pxos::test::run_pxos("build roadmap.yaml -o out.png", scratch.path());
    CHECK(piped.exit_code == 65);
    CHECK(piped.err == "roadmap.yaml:4:11: error: unknown step 'layout_region'; did you mean 'layout_regions'?\n");
}

TEST_CASE("a YAML syntax error on a terminal shows its line, every error its own", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    scratch.write("keys.yaml", "steps:\n  - {step: layout_regions, colour: 1, zork: 2}\n");
    auto keys = run_pxos_on_terminal("build keys.yaml -o out.png", scratch.path());
    CHECK(keys.exit_code == 65);
    CHECK(keys.err
        == "keys.yaml:2:28: error: unknown key 'colour' in step 1\n"
           "  - {step: layout_regions, colour: 1, zork: 2}\n"
           "                           ^\n"
           "keys.yaml:2:39: error: unknown key 'zork' in step 1\n"
           "  - {step: layout_regions, colour: 1, zork: 2}\n"
           "                                      ^\n");
}

TEST_CASE("a pxasm error on a terminal shows its line and a caret under the column", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    scratch.write("bad.pxasm", "main:\n    ADDD r1, r2, r3\n    HALT\n");
    auto shown = run_pxos_on_terminal("asm bad.pxasm -o bad.png", scratch.path());
    CHECK(shown.exit_code == 65);
    CHECK(shown.err
        == "bad.pxasm:2:5: error: unknown instruction 'ADDD'; did you mean 'ADD'?\n"
           "    ADDD r1, r2, r3\n"
           "    ^\n");
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "bad.png"));
}

TEST_CASE("a pxasm error in an included file shows that file's line", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    scratch.write("main.pxasm", "main:\n    NOP\n.include \"lib/util.pxasm\"\n");
    scratch.write("lib/util.pxasm", "helper:\n    LI r1, zork\n    RET\n");
    auto shown = run_pxos_on_terminal("asm main.pxasm -o main.png", scratch.path());
    CHECK(shown.exit_code == 65);
    CHECK(shown.err
        == "lib/util.pxasm:2:12: error: undefined symbol 'zork'\n"
           "    LI r1, zork\n"
           "           ^\n");
}

TEST_CASE("a pxasm error in a roadmap's kernel file shows the file's line", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "steps:\n  - step: layout_regions\n  - step: install_kernel\n    params: {kernel_file: k.pxasm}\n");
    scratch.write("k.pxasm", "kernel_entry:\n    JMP nowhere\n");
    auto shown = run_pxos_on_terminal("build r.yaml -o out.png -q", scratch.path());
    CHECK(shown.exit_code == 65);
    CHECK(shown.err
        == "k.pxasm:2:9: error: step 2 'install_kernel': undefined symbol 'nowhere'\n"
           "    JMP nowhere\n"
           "        ^\n");
}

TEST_CASE("tabs before the column are shown as spaces and the caret stays under it", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    scratch.write("tab.pxasm", "main:\tLI\tr1,\tzork\n");
    auto shown = run_pxos_on_terminal("asm tab.pxasm -o tab.png", scratch.path());
    CHECK(shown.exit_code == 65);
    CHECK(shown.err
        == "tab.pxasm:1:14: error: undefined symbol 'zork'\n"
           "main:   LI      r1,     zork\n"
           "                        ^\n");
}

TEST_CASE("control characters and bytes that are not UTF-8 in the line are shown escaped", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "steps:\n  - step: \"lay\\e[2Jout\\xff\"\n");
    auto shown = run_pxos_on_terminal("build r.yaml -o out.png", scratch.path());
    CHECK(shown.exit_code == 65);
    // The YAML escapes are text in the line; the name they make (ESC, U+00FF) is escaped in the message.
    CHECK(shown.err
        == "r.yaml:2:11: error: unknown step 'lay\\x1b[2Jout\xc3\xbf'\n"
           "  - step: \"lay\\e[2Jout\\xff\"\n"
           "          ^\n");
    // The bytes themselves in the line.
    scratch.write("raw.pxasm", "    LI r1, \x1b[2J ; \xff\n");
    auto raw = run_pxos_on_terminal("asm raw.pxasm -o raw.png", scratch.path());
    CHECK(raw.exit_code == 65);
    CHECK(raw.err
        == "raw.pxasm:1:12: error: unexpected byte 0x1b\n"
           "    LI r1, \\x1b[2J ; \\xff\n"
           "           ^\n");
}

TEST_CASE("a long line is clipped around the column", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    std::string ones;
    for (int i = 0; i < 100; ++i)
        ones += "1, ";
    // The column near the end: the start is cut.
    scratch.write("end.pxasm", ".word " + ones + "zork\n");
    auto end = run_pxos_on_terminal("asm end.pxasm -o end.png", scratch.path());
    CHECK(end.exit_code == 65);
    CHECK(end.err
        == "end.pxasm:1:307: error: undefined symbol 'zork'\n"
           "... 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, zork\n"
           "                                                                         ^\n");
    // The column near the start: the end is cut.
    scratch.write("start.pxasm", "    LI r1, zork ; " + std::string(100, 'x') + "\n");
    auto start = run_pxos_on_terminal("asm start.pxasm -o start.png", scratch.path());
    CHECK(start.exit_code == 65);
    CHECK(start.err
        == "start.pxasm:1:12: error: undefined symbol 'zork'\n    LI r1, zork ; " + std::string(56, 'x') + "...\n"
            + std::string(11, ' ') + "^\n");
    // The column in the middle: both ends are cut, the column in the middle of what is left.
    scratch.write("middle.pxasm", ".word " + ones + "zork, " + ones + "1\n");
    auto middle = run_pxos_on_terminal("asm middle.pxasm -o middle.png", scratch.path());
    CHECK(middle.exit_code == 65);
    CHECK(middle.err
        == "middle.pxasm:1:307: error: undefined symbol 'zork'\n"
           "... 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, zork, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1...\n"
           "                                        ^\n");
}

TEST_CASE("an error whose line cannot be read shows no excerpt", "[diagnostics][cli]")
{
    ScratchDirectory scratch;
    // Inline pxasm: its place names the roadmap entry, not a file.
    scratch.write("inline.yaml", "steps:\n  - step: layout_regions\n  - step: install_kernel\n    params:\n"
                                 "      kernel_source: |\n        kernel_entry:\n            JMP nowhere\n");
    auto inline_source = run_pxos_on_terminal("build inline.yaml -o out.png -q", scratch.path());
    CHECK(inline_source.exit_code == 65);
    CHECK(inline_source.err
        == "inline.yaml:3:5(kernel_source):2:9: error: step 2 'install_kernel': undefined symbol 'nowhere'\n");
    // An unclosed flow list: yaml-cpp places the error after the last line.
    scratch.write("flow.yaml", "steps:\n  - step: [layout_regions\n");
    auto flow = run_pxos_on_terminal("build flow.yaml -o out.png", scratch.path());
    CHECK(flow.exit_code == 65);
    CHECK(flow.err == "flow.yaml:3:1: error: YAML syntax: end of sequence flow not found\n");
    // An error without a line and column (the file as a whole).
    auto missing = run_pxos_on_terminal("build nope.yaml -o out.png", scratch.path());
    CHECK(missing.exit_code == 65);
    CHECK(missing.err == "nope.yaml: error: cannot open: No such file or directory\n");
}
