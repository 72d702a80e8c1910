// The heuristic proposer's metric moves (pxos/loop/heuristic.hpp): once
// nothing is left to repair, one lever of the table moved, deterministic
// from the seed, its note naming the change and the metrics it aims at.
#include "pxos/loop/heuristic.hpp"

#include "builtin_steps.hpp"
#include "pxos/eval/metrics.hpp"
#include "pxos/loop/proposer.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>

namespace {

pxos::Roadmap parse(const std::string& yaml)
{
    auto roadmap = pxos::parse_roadmap(yaml, "heuristic_test.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    return std::move(*roadmap);
}

// A roadmap with every gate's step: the kernel (its quantum given) and three processes.
const char* kFull = "metadata:\n  vram_width: 512\n  vram_height: 512\nsteps:\n"
                    "  - step: layout_regions\n  - step: write_isa_palette\n  - step: write_hello_program\n"
                    "  - step: install_kernel\n    params: {quantum: 1000}\n"
                    "  - step: add_process\n    name: hello\n    params: {program_file: builtin:hello.pxasm}\n"
                    "  - step: add_process\n    name: primes\n    params: {program_file: builtin:primes.pxasm}\n"
                    "  - step: add_process\n    name: draw\n    params: {program_file: builtin:draw.pxasm}\n";

// An evaluation with every gate passed (no failing check) and the metrics given as ratios.
pxos::EvalResult gates_full(const std::map<std::string, double>& ratios = {})
{
    pxos::EvalResult evaluation;
    pxos::Check check;
    check.id = "execution.hello";
    check.passed = true;
    evaluation.checks.push_back(check);
    evaluation.metrics.measured = !ratios.empty();
    for (const pxos::MetricRow& row : pxos::metric_table()) {
        pxos::MetricValue value;
        value.key = std::string(row.key);
        value.measured = ratios.count(value.key) > 0;
        value.ratio = value.measured ? ratios.at(value.key) : 0;
        evaluation.metrics.values.push_back(value);
    }
    return evaluation;
}

std::int64_t quantum_of(const pxos::Roadmap& roadmap)
{
    for (const pxos::StepCall& call : roadmap.steps)
        if (call.definition->name == "install_kernel")
            for (const auto& [name, value] : call.params)
                if (name == "quantum")
                    return std::get<std::int64_t>(value);
    return -1;
}

std::vector<std::string> labels_of(const pxos::Roadmap& roadmap)
{
    std::vector<std::string> labels;
    for (const pxos::StepCall& call : roadmap.steps)
        labels.push_back(call.label);
    return labels;
}

// Which lever a note names ("quantum-shorter: ...").
std::string lever_of(const std::string& note)
{
    return note.substr(0, note.find(':'));
}

} // namespace

TEST_CASE("with the gates full the heuristic proposer moves one lever and says what it aims at", "[loop][heuristic]")
{
    pxos::Roadmap full = parse(kFull);
    std::map<std::string, int> seen;
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
        INFO("seed " << seed);
        auto proposal = pxos::propose_heuristic(full, gates_full(), pxos::steps::builtin_registry(), seed);
        pxos::Roadmap next = parse(proposal.roadmap_yaml);
        std::string lever = lever_of(proposal.note);
        ++seen[lever];
        std::vector<std::string> before = labels_of(full), after = labels_of(next);
        if (lever == "quantum-shorter" || lever == "quantum-longer") {
            std::smatch match;
            REQUIRE(std::regex_match(proposal.note, match,
                std::regex(R"(quantum-(shorter|longer): install_kernel\.quantum 1000 -> (\d+) \(aims at (.*)\))")));
            std::int64_t to = std::stoll(match[2]);
            CHECK(quantum_of(next) == to);
            CHECK(match[3] == (lever == "quantum-shorter" ? "fairness_max_wait" : "workload_steps"));
            CHECK((lever == "quantum-shorter" ? to < 1000 : to > 1000));
            CHECK((std::set<std::int64_t> { 500, 666, 750, 800, 875, 937, 1066, 1142, 1250, 1333, 1500, 2000 }.count(to)) == 1);
            CHECK(after == before); // nothing else moved
        } else {
            REQUIRE(lever == "process-earlier");
            CHECK(std::regex_match(proposal.note,
                std::regex(R"(process-earlier: moved add_process '\w+' before '\w+' \(step \d+ <-> \d+; aims at )"
                           R"(workload_steps, fairness_max_wait\))")));
            CHECK(quantum_of(next) == 1000);
            // Two neighbouring processes swapped, the rest in place.
            std::vector<std::string> sorted_before = before, sorted_after = after;
            std::sort(sorted_before.begin(), sorted_before.end());
            std::sort(sorted_after.begin(), sorted_after.end());
            CHECK(sorted_after == sorted_before);
            int moved = 0;
            for (std::size_t i = 0; i < before.size(); ++i)
                moved += before[i] != after[i];
            CHECK(moved == 2);
        }
        // The same seed, the same proposal.
        CHECK(pxos::propose_heuristic(full, gates_full(), pxos::steps::builtin_registry(), seed).roadmap_yaml
            == proposal.roadmap_yaml);
    }
    CHECK(seen.size() == pxos::heuristic_levers().size());
    for (const auto& [lever, count] : seen)
        CHECK(count >= 5);
}

TEST_CASE("a lever whose metric is below its baseline is moved more often", "[loop][heuristic]")
{
    pxos::Roadmap full = parse(kFull);
    // move_lever changes the roadmap it is given: a copy each time.
    auto count = [&](const pxos::EvalResult& evaluation) {
        std::map<std::string, int> seen;
        for (std::uint64_t seed = 1; seed <= 400; ++seed) {
            pxos::Roadmap copy = full;
            ++seen[lever_of(pxos::move_lever(copy, evaluation, seed).value_or(""))];
        }
        return seen;
    };
    auto fair = count(gates_full({ { "fairness_max_wait", 0.5 }, { "workload_steps", 1.2 } }));
    auto slow = count(gates_full({ { "fairness_max_wait", 1.5 }, { "workload_steps", 0.9 } }));
    // process-earlier aims at both, so it weighs twice in both.
    CHECK(fair["quantum-shorter"] > 1.5 * fair["quantum-longer"]);
    CHECK(slow["quantum-longer"] > 1.5 * slow["quantum-shorter"]);
}

TEST_CASE("the quantum stays in its parameter's range and a roadmap without the levers' steps is copied",
    "[loop][heuristic]")
{
    pxos::Roadmap tiny = parse(std::string(kFull).replace(std::string(kFull).find("quantum: 1000"), 13, "quantum: 1"));
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        pxos::Roadmap copy = tiny;
        std::string note = pxos::move_lever(copy, gates_full(), seed).value();
        CHECK(lever_of(note) != "quantum-shorter"); // 1 is the smallest time slice
        CHECK(quantum_of(copy) >= 1);
    }
    pxos::Roadmap bare = parse("metadata:\n  vram_width: 512\n  vram_height: 512\nsteps:\n  - step: layout_regions\n");
    CHECK_FALSE(pxos::move_lever(bare, gates_full(), 1).has_value());
    pxos::EvalResult nothing_failing;
    auto proposal = pxos::propose_heuristic(bare, nothing_failing, pxos::steps::builtin_registry(), 1);
    CHECK(proposal.note == "nothing to repair or move; copied the best roadmap");
}

TEST_CASE("docs/LOOP.md holds the heuristic's lever table and the metrics it cannot move", "[loop][heuristic][docs]")
{
    std::string markdown = pxos::heuristic_levers_markdown();
    for (const pxos::HeuristicLever& lever : pxos::heuristic_levers())
        CHECK(markdown.find("`" + std::string(lever.name) + "`") != std::string::npos);
    CHECK(markdown.find("No lever aims at `usertests_passed`, `scenarios_passed`, `syscall_round_trip`, "
                        "`context_switch`, `pipe_word`, `kernel_words`, `robustness_probes`: only new kernel or "
                        "program code moves them.")
        != std::string::npos);
    std::string doc = pxos::test::read_text(pxos::test::source_path("docs/LOOP.md"));
    CHECK(doc.find(markdown) != std::string::npos);
}
