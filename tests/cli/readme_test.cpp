// The README as a tested document (issue 16): every ```console block of
// README.md and docs/*.md runs, in order, in a fresh copy of the checkout
// after the demo (`make demo-steps`, what `make demo` runs after building),
// with this build's pxos first on PATH, and prints what the block shows.
//
// In a block, a line "$ COMMAND" (continued by a trailing backslash, or by
// a here-document's lines up to its end word) is run
// with bash, stdout and stderr together, line-buffered as on a terminal;
// the lines up to the next "$ " are its output. In those lines "..." stands
// for any text, and a line that is only "..." for any number of lines: how
// a block marks what varies (timings, paths of a scratch folder). Blocks
// fenced otherwise (```sh, ```text) are shown, not run: keys typed at a
// terminal, an LLM command of your own.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <algorithm>
#include <iterator>
#include <sstream>

using pxos::test::CommandResult;
using pxos::test::run_shell;
using pxos::test::shell_quoted;
using pxos::test::ScratchDirectory;

namespace {

struct ConsoleCommand {
    int line = 0;         // of the "$ " line in its file
    std::string command;  // continuation lines joined
    std::vector<std::string> expected;
};

std::vector<ConsoleCommand> console_commands(const std::string& path)
{
    std::ifstream file(path);
    std::vector<ConsoleCommand> commands;
    bool in_console = false, continued = false;
    std::string here_document_end; // a command's <<'EOF' takes the lines up to EOF
    std::regex here_document(R"(<<-?'?([A-Za-z_]+)'?)");
    int number = 0;
    for (std::string line; std::getline(file, line);) {
        ++number;
        if (!here_document_end.empty()) {
            commands.back().command += "\n" + line;
            if (line == here_document_end)
                here_document_end.clear();
            continue;
        }
        if (line.rfind("```", 0) == 0) {
            in_console = !in_console && line == "```console";
            continued = false;
            continue;
        }
        if (!in_console)
            continue;
        if (continued) {
            commands.back().command += "\n" + line;
        } else if (line.rfind("$ ", 0) == 0) {
            commands.push_back({ number, line.substr(2), {} });
        } else {
            REQUIRE_FALSE(commands.empty()); // a console block starts with a command
            commands.back().expected.push_back(line);
            continue;
        }
        continued = !line.empty() && line.back() == '\\';
        if (std::smatch match; std::regex_search(line, match, here_document))
            here_document_end = match[1];
    }
    return commands;
}

std::string trim_right(std::string text)
{
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.pop_back();
    return text;
}

// A line of a block, with "..." matching any text.
bool line_matches(const std::string& pattern, const std::string& line)
{
    std::string expression;
    for (std::size_t at = 0; at < pattern.size();) {
        if (pattern.compare(at, 3, "...") == 0) {
            expression += ".*";
            at += 3;
            continue;
        }
        char c = pattern[at++];
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos)
            expression += '\\';
        expression += c;
    }
    return std::regex_match(line, std::regex(expression));
}

// Whether `lines` match `expected` from the given positions, with a lone
// "..." matching any number of lines.
bool lines_match(const std::vector<std::string>& expected, std::size_t e, const std::vector<std::string>& lines,
    std::size_t l)
{
    if (e == expected.size())
        return l == lines.size();
    if (trim_right(expected[e]) == "...") {
        for (std::size_t skip = l; skip <= lines.size(); ++skip)
            if (lines_match(expected, e + 1, lines, skip))
                return true;
        return false;
    }
    return l < lines.size() && line_matches(trim_right(expected[e]), trim_right(lines[l]))
        && lines_match(expected, e + 1, lines, l + 1);
}

std::vector<std::string> split(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);)
        lines.push_back(line);
    return lines;
}

// A copy of the checkout's files (tracked, and new ones git does not
// ignore), as a fresh clone has them; then the demo, as `make demo` runs it.
void fresh_checkout_after_demo(const std::filesystem::path& into)
{
    std::string source = pxos::test::source_path("");
    CommandResult copied = run_shell("cd " + shell_quoted(source) + " && git ls-files -co --exclude-standard -z"
            + " | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C " + shell_quoted(into.string()),
        into);
    REQUIRE(copied.exit_code == 0);
    REQUIRE(std::filesystem::exists(into / "README.md"));
    CommandResult demo = run_shell("make -s demo-steps PXOS=" + shell_quoted(PXOS_BINARY) + " 2>&1", into);
    INFO(demo.out << demo.err);
    REQUIRE(demo.exit_code == 0);
}

void run_document(const std::string& relative)
{
    std::vector<ConsoleCommand> commands = console_commands(pxos::test::source_path(relative));
    if (commands.empty())
        return;
    ScratchDirectory checkout;
    fresh_checkout_after_demo(checkout.path());
    auto files_outside_artifacts = [&] {
        std::set<std::string> found;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(checkout.path())) {
            std::string name = std::filesystem::relative(entry.path(), checkout.path()).string();
            if (name.rfind("artifacts", 0) != 0)
                found.insert(name);
        }
        return found;
    };
    std::set<std::string> before = files_outside_artifacts();
    std::string path = std::filesystem::path(PXOS_BINARY).parent_path().string() + ":/usr/local/bin:/usr/bin:/bin";
    for (const ConsoleCommand& command : commands) {
        // Line-buffered stdout, as on a terminal, so stdout and stderr interleave as a person sees them.
        // stdbuf preloads its library: an ASan build must be told that is fine (make test-sanitize).
        CommandResult result = run_shell("env PATH=" + shell_quoted(path)
                + " ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0\""
                + " stdbuf -oL -eL timeout 600 bash -c "
                + shell_quoted(command.command) + " 2>&1",
            checkout.path());
        std::vector<std::string> lines = split(result.out);
        bool matched = lines_match(command.expected, 0, lines, 0);
        INFO(relative << ":" << command.line << ": $ " << command.command << "\n--- the block shows:\n"
                      << [&] {
                             std::string text;
                             for (const std::string& line : command.expected)
                                 text += line + "\n";
                             return text;
                         }()
                      << "--- it printed (exit " << result.exit_code << "):\n"
                      << result.out);
        CHECK(matched);
    }
    // The examples write under artifacts/ (ignored by git), never beside the checkout's files.
    std::set<std::string> after = files_outside_artifacts();
    std::vector<std::string> created;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(created));
    INFO(relative);
    CHECK(created == std::vector<std::string> {});
}

} // namespace

TEST_CASE("the console blocks' patterns: ... for any text, a lone ... for any lines", "[cli][readme]")
{
    CHECK(line_matches("built in ... ms", "built in 5.012 ms"));
    CHECK_FALSE(line_matches("built in ... ms", "built in 5.012 s"));
    CHECK(line_matches("a (b) [c] *", "a (b) [c] *"));
    CHECK_FALSE(line_matches("a (b)", "a b"));
    CHECK(lines_match({ "one", "...", "four" }, 0, { "one", "two", "three", "four" }, 0));
    CHECK(lines_match({ "one", "...", "two" }, 0, { "one", "two" }, 0));
    CHECK_FALSE(lines_match({ "one", "four" }, 0, { "one", "two", "four" }, 0));
    CHECK_FALSE(lines_match({ "one" }, 0, { "one", "two" }, 0));
}

TEST_CASE("every console block of the README runs, in order, after make demo, and prints what it shows",
    "[cli][readme][.slow]")
{
    run_document("README.md");
}

TEST_CASE("every console block of docs/ runs and prints what it shows", "[cli][readme]")
{
    for (const auto& entry : std::filesystem::directory_iterator(pxos::test::source_path("docs"))) {
        if (entry.path().extension() != ".md")
            continue;
        INFO(entry.path().filename());
        run_document("docs/" + entry.path().filename().string());
    }
}
