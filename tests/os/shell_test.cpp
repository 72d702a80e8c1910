// The shell and its programs (roadmaps/user/*.pxasm) in the default image:
// a scripted session is typed at the console (the machine's input), and the
// whole console output after the old demo's lines must read like a
// terminal transcript.
#include "pxos/abi/boot_header.hpp"
#include "pxos/vm/machine.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace {

// What the demo processes print before init starts the shell.
const std::string kDemo = "Hello from pxOS!\n"
                          "Primes below 100: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97 \n"
                          "draw: painted a 128x128 pattern into the display\n";

const pxos::SimulatedVRAM& default_image()
{
    static const pxos::test::OsImage image
        = pxos::test::build_roadmap_file(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    return image.vram;
}

struct Session {
    pxos::RunResult result;
    std::string output;                    // everything the console got
    std::string transcript;                // what follows the demo's lines
    std::unique_ptr<pxos::Machine> machine;
};

// Boots the default image with `input` typed at the console and runs it to
// its end (init halts the machine after the shell exits).
Session run_session(const std::string& input, std::uint64_t max_steps = 400'000'000)
{
    auto machine = pxos::Machine::boot(default_image(), "os.png");
    if (!machine.ok())
        FAIL(machine.error().message());
    (*machine)->set_input(input);
    Session session;
    session.result = (*machine)->run(max_steps);
    session.output = (*machine)->console_output();
    if (session.output.compare(0, kDemo.size(), kDemo) == 0)
        session.transcript = session.output.substr(kDemo.size());
    session.machine = std::move(*machine);
    return session;
}

void check_ended(const Session& session)
{
    CHECK(session.result.reason == pxos::StopReason::Halted);
    CHECK(session.result.halt_code == 0);
    CHECK(session.result.fault_count == 0);
    CHECK(session.output.compare(0, kDemo.size(), kDemo) == 0);
}

} // namespace

TEST_CASE("the issue's shell session prints what a Unix user expects", "[shell][session]")
{
    auto session = run_session("echo hello > a.txt\n"
                               "cat a.txt\n"
                               "mkdir d\n"
                               "cd d\n"
                               "echo one two three | wc\n"
                               "ls /\n"
                               "cat /a.txt | grep hell\n"
                               "rm /a.txt\n"
                               "ls /\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ echo hello > a.txt\n"
           "$ cat a.txt\n"
           "hello\n"
           "$ mkdir d\n"
           "$ cd d\n"
           "$ echo one two three | wc\n"
           "1 3 14\n"
           "$ ls /\n"
           "README\n"
           "a.txt\n"
           "bin\n"
           "d\n"
           "$ cat /a.txt | grep hell\n"
           "hello\n"
           "$ rm /a.txt\n"
           "$ ls /\n"
           "README\n"
           "bin\n"
           "d\n"
           "$ \n");
}

TEST_CASE("with no input the shell prints its prompt and a newline, and the run ends", "[shell]")
{
    auto session = run_session("");
    check_ended(session);
    CHECK(session.transcript == "$ \n");
}

TEST_CASE("the shell runs a pipeline of three and redirects output, appending and input", "[shell][pipe]")
{
    auto session = run_session("echo a b c | cat | wc\n"
                               "echo x > f; echo y >> f; cat < f\n"
                               "wc < f > g\n"
                               "cat g\n"
                               "grep y f g\n"
                               "cat f f f | grep x | wc\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ echo a b c | cat | wc\n"
           "1 3 6\n"
           "$ echo x > f; echo y >> f; cat < f\n"
           "x\n"
           "y\n"
           "$ wc < f > g\n"
           "$ cat g\n"
           "2 2 4\n"
           "$ grep y f g\n"
           "f:y\n"
           "$ cat f f f | grep x | wc\n"
           "3 3 6\n"
           "$ \n");
}

TEST_CASE("the shell and its programs report errors as one line and go on", "[shell][errors]")
{
    auto session = run_session("nope\n"
                               "/bin/nope arg\n"
                               "cd nowhere\n"
                               "echo x > f\n"
                               "cd f\n"
                               "ls nowhere\n"
                               "cat missing f\n"
                               "rm nofile\n"
                               "mkdir /bin\n"
                               "echo > \n"
                               "| wc\n"
                               "echo a |\n"
                               "cat < missing\n"
                               "kill abc\n"
                               "exit x\n"
                               "echo still here\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ nope\n"
           "sh: nope: not found\n"
           "$ /bin/nope arg\n"
           "sh: /bin/nope: not found\n"
           "$ cd nowhere\n"
           "cd: no such file or directory: nowhere\n"
           "$ echo x > f\n"
           "$ cd f\n"
           "cd: not a directory: f\n"
           "$ ls nowhere\n"
           "ls: no such file or directory: nowhere\n"
           "$ cat missing f\n"
           "cat: no such file or directory: missing\n"
           "x\n"
           "$ rm nofile\n"
           "rm: no such file or directory: nofile\n"
           "$ mkdir /bin\n"
           "mkdir: file exists: /bin\n"
           "$ echo > \n"
           "sh: missing file name: >\n"
           "$ | wc\n"
           "sh: missing command: |\n"
           "$ echo a |\n"
           "sh: missing command\n"
           "$ cat < missing\n"
           "sh: no such file or directory: missing\n"
           "$ kill abc\n"
           "kill: not a number: abc\n"
           "$ exit x\n"
           "exit: not a number: x\n"
           "$ echo still here\n"
           "still here\n"
           "$ \n");
}

TEST_CASE("the shell edits the line: backspace erases, a long line or too many words is refused", "[shell][edit]")
{
    std::string long_line = "echo " + std::string(130, 'a');
    auto session = run_session("echo abc\x7f"
                               "d\x08"
                               "e\n"
                               + long_line + "\n" + "echo a b c d e f g h i j k l m n o p q\n" + "exit 0\n"
                               + "echo not reached\n");
    check_ended(session);
    // The echo of what was typed: each erase is "\b \b" on the screen;
    // the line stops at 128 characters.
    CHECK(session.transcript
        == "$ echo abc\b \bd\b \be\n"
           "abe\n"
           "$ "
            + long_line.substr(0, 128)
            + "\n"
              "sh: line too long\n"
              "$ echo a b c d e f g h i j k l m n o p q\n"
              "sh: too many arguments\n"
              "$ exit 0\n");
}

TEST_CASE("ls lists sorted names, a file by its path, and kinds and sizes with -l", "[shell][ls]")
{
    auto session = run_session("mkdir zeta; mkdir alpha; echo hello > m.txt\n"
                               "ls\n"
                               "ls -l m.txt alpha\n"
                               "ls m.txt /nope\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ mkdir zeta; mkdir alpha; echo hello > m.txt\n"
           "$ ls\n"
           "README\n"
           "alpha\n"
           "bin\n"
           "m.txt\n"
           "zeta\n"
           "$ ls -l m.txt alpha\n"
           "file 6 m.txt\n"
           "alpha:\n"
           "$ ls m.txt /nope\n"
           "m.txt\n"
           "ls: no such file or directory: /nope\n"
           "$ \n");
}

TEST_CASE("kill ends a process blocked on a full pipe, names a missing one, and can end the shell", "[shell][kill]")
{
    // The shell is pid 5 (init is 4); `cat h | kill 6` spawns cat as pid 6,
    // which blocks on the full pipe (h is 2624 words, a pipe holds 512),
    // and kill as pid 7. Ending the shell leaves the rest of the input unread.
    auto session = run_session("echo 0123456789012345678901234567890123456789 > f\n"
                               "cat f f f f f f f f > g\n"
                               "cat g g g g g g g g > h\n"
                               "wc h\n"
                               "cat h | kill 6\n"
                               "kill 8\n"
                               "kill 5\n"
                               "echo not reached\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ echo 0123456789012345678901234567890123456789 > f\n"
           "$ cat f f f f f f f f > g\n"
           "$ cat g g g g g g g g > h\n"
           "$ wc h\n"
           "64 64 2624 h\n"
           "$ cat h | kill 6\n"
           "$ kill 8\n"
           "kill: no such process: 8\n"
           "$ kill 5\n");
}

TEST_CASE("a writer whose reader has ended does not hang the pipeline", "[shell][pipe]")
{
    auto session = run_session("echo 0123456789012345678901234567890123456789 > f\n"
                               "cat f f f f f f f f > g\n"
                               "cat g g g g g g g g | echo done\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ echo 0123456789012345678901234567890123456789 > f\n"
           "$ cat f f f f f f f f > g\n"
           "$ cat g g g g g g g g | echo done\n"
           "done\n"
           "$ \n");
}

TEST_CASE("show draws a file's words as squares of colour into the display area", "[shell][show]")
{
    auto session = run_session("echo A > a\nshow a\nshow\nshow nope\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ echo A > a\n"
           "$ show a\n"
           "show: drew 2 words of a\n"
           "$ show\n"
           "show: usage: show FILE\n"
           "$ show nope\n"
           "show: no such file or directory: nope\n"
           "$ \n");
    const pxos::SimulatedVRAM& vram = session.machine->vram();
    auto header = pxos::read_header(vram, "os.png");
    REQUIRE(header.ok());
    int x0 = header->display.x + 160;
    int y0 = header->display.y;
    // 'A' (65): red from bits 0-2 (1), green from 3-5 (0), blue from 6-7 (1),
    // each lifted by 0x1f; '\n' (10): red 2, green 1, blue 0.
    const pxos::RGBA letter { 32 | 31, 31, 64 | 31, 255 };
    const pxos::RGBA newline { 64 | 31, 32 | 31, 31, 255 };
    for (int dy = 0; dy < 4; ++dy)
        for (int dx = 0; dx < 4; ++dx) {
            CHECK(vram.pixel_unchecked(x0 + dx, y0 + dy) == letter);
            CHECK(vram.pixel_unchecked(x0 + 4 + dx, y0 + dy) == newline);
        }
    CHECK(vram.pixel_unchecked(x0 + 8, y0) == default_image().pixel_unchecked(x0 + 8, y0)); // 2 words only
}

TEST_CASE("sh reading a script file neither prompts nor echoes", "[shell]")
{
    auto session = run_session("echo echo inner > s\necho ls / >> s\nsh < s\necho back\n");
    check_ended(session);
    CHECK(session.transcript
        == "$ echo echo inner > s\n"
           "$ echo ls / >> s\n"
           "$ sh < s\n"
           "inner\n"
           "README\n"
           "bin\n"
           "s\n"
           "$ echo back\n"
           "back\n"
           "$ \n");
}
