// The command line as people read it (issue 16): every command's help with
// metavariables, an example and its exit status; `pxos help`, bare `pxos`;
// did-you-mean for options; the man page and the bash completion generated
// from the same table, and `cmake --install` (what `make install` runs)
// putting them in place.
#include "test_support.hpp"
#include "tmux_server.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <sstream>

using pxos::test::CommandResult;
using pxos::test::run_pxos;
using pxos::test::run_shell;
using pxos::test::shell_quoted;
using pxos::test::ScratchDirectory;

namespace {

// The command names, from `pxos help`'s list: a line "  NAME  summary"
// under a heading.
std::vector<std::string> listed_commands()
{
    ScratchDirectory scratch;
    CommandResult list = run_pxos("help", scratch.path());
    REQUIRE(list.exit_code == 0);
    std::vector<std::string> names;
    std::istringstream lines(list.out);
    std::regex row(R"(^  ([a-z]+)  +\S)");
    for (std::string line; std::getline(lines, line);)
        if (std::smatch match; std::regex_search(line, match, row))
            names.push_back(match[1]);
    return names;
}

// `words` completed by the bash completion script at `script`, as bash
// would on TAB after the last word: COMPREPLY, one a line.
std::string bash_completes(const std::string& script, const std::string& words)
{
    ScratchDirectory scratch;
    scratch.write("complete.sh",
        "source '" + script + "'\nCOMP_WORDS=(" + words
            + ")\nCOMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n_pxos\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n");
    CommandResult result = run_shell("bash --norc --noprofile complete.sh", scratch.path());
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

} // namespace

TEST_CASE("every command's help names its values, shows an example of it and its exit status", "[cli][help]")
{
    ScratchDirectory scratch;
    std::vector<std::string> names = listed_commands();
    REQUIRE(names.size() >= 20);
    for (const char* expected : { "build", "run", "eval", "loop", "view", "debug", "blame", "render", "diff", "asm",
             "disasm", "ops", "steps", "limits", "fs", "help", "version", "completions", "man" })
        CHECK(std::find(names.begin(), names.end(), expected) != names.end());
    // CLI11's type names, where a metavariable (FILE.png, N, DIR) belongs.
    std::regex type_name(R"(\b(TEXT|UINT|INT|FLOAT|DOUBLE|BOOLEAN)\b)");
    for (const std::string& name : names) {
        INFO(name);
        CommandResult help = run_pxos(name + " --help", scratch.path());
        CHECK(help.exit_code == 0);
        CHECK(help.err.empty());
        CHECK(help.out.rfind("pxos " + name + ": ", 0) == 0);
        CHECK(help.out.find("\nUsage: pxos " + name) != std::string::npos);
        CHECK_FALSE(std::regex_search(help.out, type_name));
        CHECK(help.out.find("\nExamples:\n  ") != std::string::npos);
        CHECK(help.out.find("pxos " + name) != std::string::npos);
        CHECK(help.out.find("\nExit status:\n  0 ") != std::string::npos);
        // Every option that takes a value shows one: "--out-dir DIR", not "--out-dir".
        for (const char* option : { "--output", "--report", "--input", "--out-dir", "--max-steps", "--scale" }) {
            if (help.out.find(std::string(option) + " ") == std::string::npos
                && help.out.find(std::string(option) + ",") == std::string::npos)
                continue;
            // The option, any aliases after it, then its metavariable.
            std::regex with_value("(  |, )" + std::string(option) + "(, --[a-z-]+)* [A-Z]");
            CHECK(std::regex_search(help.out, with_value));
        }
        // `pxos help NAME` is the same text.
        CHECK(run_pxos("help " + name, scratch.path()).out == help.out);
    }
    CHECK(scratch.list().empty());
}

TEST_CASE("bare pxos and pxos help list the commands by group, and version prints the version", "[cli][help]")
{
    ScratchDirectory scratch;
    CommandResult bare = run_pxos("", scratch.path());
    CHECK(bare.exit_code == 0);
    CHECK(bare.out.rfind(std::string("pxos ") + PXOS_VERSION + ": an operating system that lives in pixels\n", 0) == 0);
    CHECK(bare.out.find("\nMaking an OS image:\n  build  ") != std::string::npos);
    CHECK(bare.out.find("\nRunning and looking inside:\n  run  ") != std::string::npos);
    CHECK(run_pxos("help", scratch.path()).out == bare.out);
    CHECK(run_pxos("--help", scratch.path()).out == bare.out);
    CHECK(run_pxos("version", scratch.path()).out == std::string("pxos ") + PXOS_VERSION + "\n");
    CHECK(run_pxos("-V", scratch.path()).out == std::string("pxos ") + PXOS_VERSION + "\n");

    CommandResult unknown = run_pxos("help biuld", scratch.path());
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err == "pxos: error: unknown command 'biuld'; did you mean 'build'?\nRun 'pxos help' for the list of commands.\n");
}

TEST_CASE("a mistyped option gets the closest of the command's options", "[cli][help]")
{
    ScratchDirectory scratch;
    CommandResult typo = run_pxos("build x.yaml --ouput y.png", scratch.path());
    CHECK(typo.exit_code == 2);
    CHECK(typo.err
        == "pxos: error: unknown option '--ouput' for 'pxos build'; did you mean '--output'?\n"
           "Run 'pxos help build' for its options.\n");
    CommandResult far = run_pxos("run x.png --frobnicate", scratch.path());
    CHECK(far.exit_code == 2);
    CHECK(far.err == "pxos: error: unknown option '--frobnicate' for 'pxos run'\nRun 'pxos help run' for its options.\n");
    CommandResult range = run_pxos("render x.png -o y.png --scale 100", scratch.path());
    CHECK(range.exit_code == 2);
    CHECK(range.err.rfind("pxos: error: --scale: Value 100 not in range", 0) == 0);
    CHECK(scratch.list().empty());
}

TEST_CASE("the man page has a section per command and renders without warnings", "[cli][help][man]")
{
    ScratchDirectory scratch;
    CommandResult page = run_pxos("man", scratch.path());
    REQUIRE(page.exit_code == 0);
    for (const std::string& name : listed_commands())
        CHECK(page.out.find(".SS \"pxos " + name) != std::string::npos);
    scratch.write("pxos.1", page.out);
    CommandResult warnings = run_shell("groff -man -ww -z pxos.1", scratch.path());
    CHECK(warnings.exit_code == 0);
    CHECK(warnings.err.empty());
    CommandResult shown = run_shell("MANWIDTH=100 man -l -P cat pxos.1", scratch.path());
    CHECK(shown.exit_code == 0);
    CHECK(shown.out.find("pxos build [OPTIONS] ROADMAP.yaml") != std::string::npos);
    CHECK(shown.out.find("-o, --output FILE.png") != std::string::npos);
}

TEST_CASE("the bash completion completes commands, options and their values", "[cli][help][completion]")
{
    ScratchDirectory scratch;
    CommandResult script = run_pxos("completions bash", scratch.path());
    REQUIRE(script.exit_code == 0);
    std::string path = scratch.write("pxos.bash", script.out);
    CHECK(bash_completes(path, "pxos bu") == "build\n");
    CHECK(bash_completes(path, "pxos build --ou") == "--output\n");
    CHECK(bash_completes(path, "pxos loop x.yaml 1 --proposer h") == "heuristic\n");
    CHECK(bash_completes(path, "pxos completions ''") == "bash\nzsh\nfish\n");
    CHECK(bash_completes(path, "pxos help r") == "run\nrender\n");
    // fs IMAGE ACTION: the second argument is the action, after an option and its value.
    CHECK(bash_completes(path, "pxos fs --max-png-mib 4 os.png c") == "cat\ncheck\n");
    scratch.write("roadmap.yaml", "");
    CHECK(bash_completes(path, "pxos build " + scratch.file("road")) == scratch.file("roadmap.yaml") + "\n");

    CommandResult zsh = run_pxos("completions zsh", scratch.path());
    CHECK(zsh.out.rfind("#compdef pxos\n", 0) == 0);
    CommandResult fish = run_pxos("completions fish", scratch.path());
    CHECK(fish.out.find("complete -c pxos -n __fish_use_subcommand -a build -d ") != std::string::npos);
    for (const char* shell : { "zsh", "fish" }) // syntax-checked where the shell is installed
        if (run_shell(std::string("command -v ") + shell, scratch.path()).exit_code == 0) {
            scratch.write(std::string("pxos.") + shell, run_pxos(std::string("completions ") + shell, scratch.path()).out);
            CHECK(run_shell(std::string(shell) + " -n pxos." + shell, scratch.path()).exit_code == 0);
        }
    CommandResult bad = run_pxos("completions tcsh", scratch.path());
    CHECK(bad.exit_code == 2);
}

TEST_CASE("cmake --install (make install) puts the binary, the man page, completions and roadmaps under PREFIX",
    "[cli][help][install]")
{
    ScratchDirectory scratch;
    std::filesystem::path build = std::filesystem::path(PXOS_BINARY).parent_path();
    CommandResult installed = run_shell("cmake --install " + shell_quoted(build.string()) + " --prefix " + shell_quoted(scratch.file("p")),
        scratch.path());
    INFO(installed.out << installed.err);
    REQUIRE(installed.exit_code == 0);
    CommandResult version = run_shell(shell_quoted(scratch.file("p/bin/pxos")) + " --version", scratch.path());
    CHECK(version.out == std::string("pxos ") + PXOS_VERSION + "\n");
    CommandResult man = run_shell("MANWIDTH=80 man -l -P cat " + shell_quoted(scratch.file("p/share/man/man1/pxos.1")),
        scratch.path());
    CHECK(man.exit_code == 0);
    CHECK(man.out.find("pxos run [OPTIONS] IMAGE.png") != std::string::npos);
    CHECK(bash_completes(scratch.file("p/share/bash-completion/completions/pxos"), "pxos bu") == "build\n");
    CHECK(std::filesystem::exists(scratch.path() / "p/share/zsh/site-functions/_pxos"));
    CHECK(std::filesystem::exists(scratch.path() / "p/share/fish/vendor_completions.d/pxos.fish"));
    CHECK(std::filesystem::exists(scratch.path() / "p/share/pxos/roadmaps/ROADMAP_VRAM_OS.yaml"));
    CHECK(std::filesystem::exists(scratch.path() / "p/share/pxos/roadmaps/kernel.pxasm"));
    // The installed pxos runs a program under the default kernel from any folder.
    CommandResult echoed = run_shell("printf 'hi\\n' | " + shell_quoted(scratch.file("p/bin/pxos")) + " run -q "
            + shell_quoted(pxos::test::source_path("tests/programs/echo.pxasm")),
        scratch.path());
    CHECK(echoed.out == "HI\n");
}

TEST_CASE("typing pxos bu and TAB in bash completes to pxos build", "[cli][help][completion][tmux]")
{
    if (!pxos::test::tmux_available()) {
        WARN("tmux is not installed (scripts/setup.sh installs it): TAB completion is not tested");
        return;
    }
    ScratchDirectory scratch;
    scratch.write("pxos.bash", run_pxos("completions bash", scratch.path()).out);
    pxos::test::TmuxServer tmux;
    REQUIRE(tmux.started());
    REQUIRE(tmux.start("tab", 100, 10,
        "cd '" + scratch.path().string() + "' && env -i TERM=screen PS1='ready> ' bash --norc --noprofile"));
    tmux.wait_for_screen("tab", "ready> ");
    tmux.command("send-keys -t tab 'source pxos.bash' Enter");
    tmux.command("send-keys -t tab 'pxos bu' Tab");
    std::string screen = tmux.wait_for_screen("tab", "ready> pxos build ");
    INFO(screen);
    CHECK(screen.find("ready> pxos build ") != std::string::npos);
}
