// `pxos loop`'s feedback: without a terminal the table and notes as before,
// plus one loud line when the heuristic stands in for the LLM; on a
// terminal a progress line while the LLM thinks; --json lines on stdout.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

std::string minimal_roadmap()
{
    return "'" + pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml") + "'";
}

std::string failing_llm()
{
    return "--llm-cmd 'sh " + pxos::test::source_path("tests/fake_llm/fail.sh") + "'";
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// Runs pxos under script(1): stdin, stdout and stderr a terminal; returns what the terminal got.
std::string on_terminal(const ScratchDirectory& scratch, const std::string& arguments)
{
    std::string command = "cd '" + scratch.path().string() + "' && script -qec \"'" + PXOS_BINARY + "' "
        + arguments + "\" /dev/null >terminal.txt 2>&1 </dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    return pxos::test::read_text(scratch.file("terminal.txt"));
}

} // namespace

TEST_CASE("pxos loop without a terminal: its lines as before, and a loud one when the heuristic stands in",
    "[cli][loop][feedback]")
{
    ScratchDirectory scratch;
    auto quiet = run_pxos("loop " + minimal_roadmap() + " 2 " + failing_llm() + " --retries 0 --out-dir o -q",
        scratch.path());
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out == "o/ROADMAP_MINIMAL.gen002.yaml\n");
    CHECK(quiet.err
        == "generation 2: the LLM command exited with 3 (attempt 1 of 1)\n"
           "loop: warning: generation 2: no proposal from the LLM (the LLM command exited with 3); the heuristic "
           "proposes instead\n");

    auto normal = run_pxos("loop " + minimal_roadmap() + " 2 " + failing_llm() + " --out-dir p", scratch.path());
    CHECK(normal.exit_code == 0);
    auto lines = lines_of(normal.err);
    REQUIRE(lines.size() == 8);
    CHECK(lines[0] == "loop: " + pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml")
            + " for 2 generations, proposer llm, out-dir p");
    CHECK(lines[1].rfind("gen 001  score  3/22  best  3/22 (gen 001)  given ", 0) == 0);
    CHECK(lines[2] == "generation 2: the LLM command exited with 3 (attempt 1 of 3); retrying");
    CHECK(lines[4] == "generation 2: the LLM command exited with 3 (attempt 3 of 3)");
    CHECK(lines[5] == "loop: warning: generation 2: no proposal from the LLM (the LLM command exited with 3); the "
                      "heuristic proposes instead");
    CHECK(lines[6].rfind("gen 002  score 22/22  best 22/22 (gen 002)  heuristic* ", 0) == 0);
    CHECK(lines[7] == "loop: 2 generations done; best generation 2 with 22/22; report: p/report.html");
    CHECK(normal.err.find('\r') == std::string::npos);
    CHECK(normal.err.find('\x1b') == std::string::npos);
}

TEST_CASE("pxos loop on a terminal shows its phase and the LLM's seconds while it thinks, and clears it",
    "[cli][loop][feedback][terminal]")
{
    ScratchDirectory scratch;
    std::string slow = "--llm-cmd 'sleep 1.3; sh " + pxos::test::source_path("tests/fake_llm/fail.sh") + "'";
    std::string terminal = on_terminal(scratch, "loop " + minimal_roadmap() + " 2 " + slow + " --retries 0 --out-dir o");
    CHECK(terminal.find("\r\x1b[Kloop: gen 002 candidate 1: asking llm (0 s)") != std::string::npos);
    CHECK(terminal.find("\r\x1b[Kloop: gen 002 candidate 1: asking llm (1 s)") != std::string::npos);
    CHECK(terminal.find("loop: gen 001: building (0 s)") != std::string::npos);
    // Cleared before the next line: the note starts at the line's beginning.
    CHECK(terminal.find("\r\x1b[Kgeneration 2: the LLM command exited with 3 (attempt 1 of 1)\r\n")
        != std::string::npos);
    CHECK(terminal.find("o/ROADMAP_MINIMAL.gen002.yaml\r\n") != std::string::npos);

    ScratchDirectory quiet_scratch;
    std::string quiet
        = on_terminal(quiet_scratch, "loop " + minimal_roadmap() + " 2 " + slow + " --retries 0 --out-dir o -q");
    CHECK(quiet.find("asking") == std::string::npos);
    CHECK(quiet.find('\x1b') == std::string::npos);
}

TEST_CASE("pxos loop --json prints a JSON line per generation and a summary line", "[cli][loop][json]")
{
    ScratchDirectory scratch;
    auto run = run_pxos("loop " + minimal_roadmap() + " 2 --proposer heuristic --out-dir o --json", scratch.path());
    REQUIRE(run.exit_code == 0);
    auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 3);
    for (int g = 0; g < 2; ++g) {
        auto line = nlohmann::ordered_json::parse(lines[std::size_t(g)]);
        CHECK(line.begin().key() == "schema");
        CHECK(line["schema"] == 1);
        CHECK(line["generation"] == g + 1);
        CHECK(line["roadmap"] == fmt::format("ROADMAP_MINIMAL.gen{:03}.yaml", g + 1));
        CHECK(line["milliseconds"].is_number());
        CHECK_FALSE(line.contains("attempts"));
    }
    auto summary = nlohmann::json::parse(lines[2]);
    CHECK(summary["schema"] == 1);
    CHECK(summary["best_generation"] == 2);
    CHECK(summary["best_score"] == 22);
    CHECK(summary["best_roadmap"] == "o/ROADMAP_MINIMAL.gen002.yaml");
    CHECK(summary["stop_reason"] == "2 generations done");
    CHECK(run.err.find("gen 001") == std::string::npos); // the table is the JSON's
}
