// The population alone, on hand-made evaluations: islands with their own
// bests, the best of all, regressions that are kept nowhere, the MAP-Elites
// archive's cells, migration on a ring, parents from both, duplicates.
#include "loop/loop_support.hpp"
#include "pxos/loop/population.hpp"

#include <catch2/catch.hpp>
#include <set>

namespace {

struct Spec {
    pxos::CandidateId id;
    int score = 22;
    double combined = 1.0;
    std::vector<std::string> capabilities { "scenario.primes", "usertests.pipe" };
    double kernel_words = 1000;
    double workload_steps = 800000;
};

std::shared_ptr<const pxos::Evaluated> candidate(const Spec& spec)
{
    pxos::Evaluated e;
    e.text = "candidate " + std::to_string(spec.id.generation) + "." + std::to_string(spec.id.candidate);
    e.id = spec.id;
    e.evaluation.score = spec.score;
    e.evaluation.max_score = 22;
    e.evaluation.metrics.measured = spec.score == 22;
    e.evaluation.metrics.combined_score = spec.combined;
    e.evaluation.metrics.capabilities = spec.capabilities;
    e.evaluation.metrics.values = { { "kernel_words", true, spec.kernel_words, 1, "" },
        { "workload_steps", true, spec.workload_steps, 1, "" } };
    return std::make_shared<const pxos::Evaluated>(std::move(e));
}

pxos::Elite elite(const Spec& spec)
{
    pxos::GenerationRecord record;
    record.generation = spec.id.generation;
    record.candidate = spec.id.candidate;
    return { candidate(spec), record };
}

// Offers a candidate, as the loop does: its record scored against `parent`, on `island`.
pxos::GenerationRecord offer(pxos::Population& population, const Spec& spec, const pxos::Elite& parent, int island = 0)
{
    auto evaluated = candidate(spec);
    pxos::Proposal proposal;
    proposal.island = island;
    pxos::GenerationRecord record = pxos::attempt_record(spec.id.generation, std::size_t(spec.id.candidate - 1), proposal);
    pxos::score_attempt(record, *evaluated, *parent.evaluated);
    population.admit(evaluated, record);
    return record;
}

pxos::Population started(int islands, int migrate_every = 0, const Spec& given = Spec { { 1, 1 } })
{
    pxos::PopulationOptions options;
    options.islands = islands;
    options.migrate_every = migrate_every;
    pxos::Population population(options);
    population.start(elite(given));
    return population;
}

} // namespace

TEST_CASE("a candidate that deletes a demo process is a regression and never becomes any best", "[population]")
{
    pxos::Population population = started(1);
    pxos::Elite parent = population.best();
    // No primes process: its scenario fails, and it is faster and smaller, so it scores higher.
    Spec deleted { { 2, 1 }, 22, 1.4, { "usertests.pipe" }, 700, 500000 };
    pxos::GenerationRecord record = offer(population, deleted, parent);
    CHECK(record.regression);
    CHECK(record.lost == std::vector<std::string> { "scenario.primes" });
    CHECK(record.outcome == "regression");
    CHECK(record.reason == "it lost what its parent could do: scenario.primes");
    CHECK(population.best().id() == pxos::CandidateId { 1, 1 });
    CHECK(population.islands()[0].id() == pxos::CandidateId { 1, 1 });
    for (const auto& [cell, kept] : population.archive())
        CHECK(kept.id() != pxos::CandidateId { 2, 1 });

    // One that keeps every capability and scores higher becomes the best.
    Spec faster { { 2, 2 }, 22, 1.1 };
    record = offer(population, faster, parent);
    CHECK_FALSE(record.regression);
    CHECK(record.outcome == "best");
    CHECK(population.best().id() == pxos::CandidateId { 2, 2 });

    // A candidate from an archive parent that lacks what the island's best can do is not admitted either.
    Spec other_lineage { { 3, 1 }, 22, 1.5, { "usertests.pipe", "usertests.fork" }, 1000, 800000 };
    pxos::Elite lean_parent = elite(Spec { { 2, 9 }, 22, 1.0, { "usertests.pipe" } });
    record = offer(population, other_lineage, lean_parent);
    CHECK_FALSE(record.regression);
    CHECK(record.outcome == "lower");
    CHECK(record.reason
        == "on island 0: it ranks above generation 2 candidate 2 but cannot do what that one can: scenario.primes");
    CHECK(population.best().id() == pxos::CandidateId { 2, 2 });
}

TEST_CASE("each island keeps its own best, and the best of all is the best of the islands", "[population]")
{
    pxos::Population population = started(3);
    REQUIRE(population.islands().size() == 3);
    for (const pxos::Elite& island : population.islands())
        CHECK(island.id() == pxos::CandidateId { 1, 1 });
    pxos::Elite given = population.best();
    auto on0 = offer(population, Spec { { 2, 1 }, 22, 1.2 }, given, 0);
    auto on1 = offer(population, Spec { { 2, 2 }, 22, 1.1 }, given, 1);
    auto on2 = offer(population, Spec { { 2, 3 }, 22, 0.9 }, given, 2);
    CHECK(on0.outcome == "best");
    CHECK(on1.outcome == "island best");
    CHECK(on1.reason == "the best of island 1, not of all: generation 2 candidate 1 ranks higher");
    CHECK(on2.outcome == "lower");
    CHECK(on2.reason.rfind("on island 2: generation 1 candidate 1 ranks higher (gates 22/22, combined_score 1.0000", 0) == 0);
    CHECK(population.islands()[0].id() == pxos::CandidateId { 2, 1 });
    CHECK(population.islands()[1].id() == pxos::CandidateId { 2, 2 });
    CHECK(population.islands()[2].id() == pxos::CandidateId { 1, 1 });
    CHECK(population.best().id() == pxos::CandidateId { 2, 1 });

    pxos::GenerationRecord line;
    population.describe(line);
    REQUIRE(line.islands.size() == 3);
    CHECK(line.islands[1].best == pxos::CandidateId { 2, 2 });
    CHECK(line.islands[1].combined_score == 1.1);
    CHECK(line.best_generation == 2);
    CHECK(line.best_candidate == 1);
    CHECK(line.best_combined_score == 1.2);

    // The top candidates: distinct, best first.
    auto top = population.top(10);
    REQUIRE(top.size() >= 3);
    CHECK(top[0].id() == pxos::CandidateId { 2, 1 });
    CHECK(top[1].id() == pxos::CandidateId { 2, 2 });
    std::set<pxos::CandidateId> ids;
    for (const pxos::Elite& e : top)
        CHECK(ids.insert(e.id()).second);
    CHECK(population.top(1).size() == 1);
}

TEST_CASE("every M generations each island's best migrates to the next island of the ring", "[population]")
{
    pxos::Population population = started(3, 2);
    pxos::Elite given = population.best();
    offer(population, Spec { { 2, 1 }, 22, 1.3 }, given, 0);
    offer(population, Spec { { 2, 2 }, 22, 1.1 }, given, 1);
    CHECK(population.migrate(3).empty()); // not due: generations 2, 4, 6...
    auto moved = population.migrate(4);
    // Island 0's best beats island 1's; island 1's (from before the move) beats island 2's; island 2's loses to 0's.
    CHECK(moved == std::vector<std::string> { "island 0 -> 1: generation 2 candidate 1", "island 1 -> 2: generation 2 candidate 2" });
    CHECK(population.islands()[1].id() == pxos::CandidateId { 2, 1 });
    CHECK(population.islands()[2].id() == pxos::CandidateId { 2, 2 });
    CHECK(population.islands()[0].id() == pxos::CandidateId { 2, 1 });
    CHECK(population.best().id() == pxos::CandidateId { 2, 1 });

    pxos::Population single = started(1, 1);
    CHECK(single.migrate(2).empty());
}

TEST_CASE("the archive bins two feature metrics on a log scale, each cell keeping its best", "[population]")
{
    pxos::Population population = started(1);
    pxos::EvalResult evaluation = candidate(Spec { { 9, 9 }, 22, 1.0, {}, 1024, 1 << 20 })->evaluation;
    auto cell = population.cell_of(evaluation);
    REQUIRE(cell);
    CHECK(cell->x == 40); // log2(1024) * 4 bins per doubling
    CHECK(cell->y == 80);
    evaluation.metrics.values[0].value = 1200; // log2(1200) = 10.23: the same quarter-doubling bin
    CHECK(population.cell_of(evaluation)->x == 40);
    evaluation.metrics.values[0].value = 1250; // 10.29: the next
    CHECK(population.cell_of(evaluation)->x == 41);
    evaluation.metrics.values[1].measured = false;
    CHECK_FALSE(population.cell_of(evaluation)); // no cell without both features
    evaluation.metrics.values[1].measured = true;
    evaluation.metrics.measured = false;
    CHECK_FALSE(population.cell_of(evaluation));

    pxos::PopulationOptions coarse;
    coarse.archive_bins = 1;
    pxos::Population other(coarse);
    evaluation.metrics.measured = true;
    CHECK(other.cell_of(evaluation)->x == 10);

    // The given roadmap's cell, then a smaller kernel that ranks lower: a new cell's elite, not a best.
    pxos::Elite given = population.best();
    REQUIRE(population.archive().size() == 1);
    auto small = offer(population, Spec { { 2, 1 }, 22, 0.95, { "scenario.primes", "usertests.pipe" }, 500, 800000 }, given);
    CHECK(small.outcome == "archive");
    CHECK(small.has_cell);
    CHECK(population.archive().size() == 2);
    CHECK(population.best().id() == pxos::CandidateId { 1, 1 });
    // A better one in the same cell replaces its elite; a worse one does not.
    auto better_small = offer(population, Spec { { 2, 2 }, 22, 0.97, { "scenario.primes", "usertests.pipe" }, 510, 800000 }, given);
    CHECK(better_small.outcome == "archive");
    auto worse_small = offer(population, Spec { { 2, 3 }, 22, 0.90, { "scenario.primes", "usertests.pipe" }, 505, 800000 }, given);
    CHECK(worse_small.outcome == "lower");
    REQUIRE(population.archive().size() == 2);
    CHECK(population.archive().at(pxos::Cell { small.cell_x, small.cell_y }).id() == pxos::CandidateId { 2, 2 });
}

TEST_CASE("parents come per island from its best and from the archive, the same under the same seed", "[population]")
{
    pxos::PopulationOptions options;
    options.islands = 2;
    options.seed = 7;
    pxos::Population population(options);
    population.start(elite(Spec { { 1, 1 } }));
    pxos::Elite given = population.best();
    // Archive elites in other cells.
    for (int c = 1; c <= 4; ++c)
        offer(population, Spec { { 2, c }, 22, 0.9, { "scenario.primes", "usertests.pipe" }, 200.0 * c, 800000 }, given);
    REQUIRE(population.archive().size() == 5);
    int from_archive = 0;
    for (int generation = 3; generation < 43; ++generation) {
        auto parents = population.choose_parents(generation, 3);
        REQUIRE(parents.size() == 6);
        for (std::size_t i = 0; i < parents.size(); ++i) {
            CHECK(parents[i].island == int(i / 3));
            if (parents[i].from_archive) {
                ++from_archive;
                CHECK(population.archive().size() > 0);
            } else {
                CHECK(parents[i].parent.id() == population.islands()[std::size_t(parents[i].island)].id());
            }
        }
        auto again = population.choose_parents(generation, 3);
        for (std::size_t i = 0; i < parents.size(); ++i)
            CHECK(again[i].parent.id() == parents[i].parent.id());
    }
    // About one in four of 240 (and the archive's own copy of an island best does not count).
    CHECK(from_archive > 20);
    CHECK(from_archive < 90);

    // No archive yet: always the island's best.
    pxos::Population unmeasured = started(2, 0, Spec { { 1, 1 }, 10 });
    CHECK(unmeasured.archive().empty());
    for (const pxos::ParentChoice& choice : unmeasured.choose_parents(2, 4))
        CHECK_FALSE(choice.from_archive);
}

TEST_CASE("the population knows every text it evaluated, the first candidate of each", "[population]")
{
    pxos::Population population = started(1);
    CHECK(population.known(pxos::text_hash("candidate 1.1")) == pxos::CandidateId { 1, 1 });
    CHECK_FALSE(population.known(pxos::text_hash("new")));
    population.mark_known(pxos::text_hash("new"), { 3, 2 });
    population.mark_known(pxos::text_hash("new"), { 4, 1 });
    CHECK(population.known(pxos::text_hash("new")) == pxos::CandidateId { 3, 2 });
}

TEST_CASE("a restored population is the one it was, a loop with more islands starts them from the best", "[population]")
{
    pxos::PopulationOptions options;
    options.islands = 3;
    pxos::Population population(options);
    pxos::Elite a = elite(Spec { { 2, 1 }, 22, 1.2 }), b = elite(Spec { { 3, 1 }, 22, 1.1 });
    population.restore({ a, b }, { { pxos::Cell { 1, 2 }, b } }, a);
    CHECK(population.started());
    REQUIRE(population.islands().size() == 3);
    CHECK(population.islands()[1].id() == pxos::CandidateId { 3, 1 });
    CHECK(population.islands()[2].id() == pxos::CandidateId { 2, 1 });
    CHECK(population.archive().at(pxos::Cell { 1, 2 }).id() == pxos::CandidateId { 3, 1 });
    CHECK(population.best().id() == pxos::CandidateId { 2, 1 });
}

#include "pxos/loop/loop.hpp"
#include "test_support.hpp"

namespace {

// A history line of generation `generation`, 22/22 and best, for the report's tests.
pxos::GenerationRecord full_score_line(int generation)
{
    pxos::GenerationRecord line;
    line.generation = generation;
    line.parent = generation - 1;
    line.score = line.best_score = line.max_score = 22;
    line.best_generation = generation;
    line.proposer = "heuristic";
    line.roadmap_file = "missing.yaml";
    return line;
}

} // namespace

TEST_CASE("report.html shows each island's curve, the archive as a heat map with labelled axes, and every attempt", "[population][report]")
{
    pxos::test::ScratchDirectory scratch;
    std::string text;
    for (int generation = 1; generation <= 3; ++generation) {
        pxos::GenerationRecord line = full_score_line(generation);
        line.islands = { { { generation, 1 }, 1.0 + 0.1 * generation, 22 }, { { 1, 1 }, 1.0, 22 },
            { { generation, 3 }, 0.9 + 0.05 * generation, 22 } };
        line.archive = { { 40, 78, { generation, 1 }, 1.0 + 0.1 * generation, 22 }, { 38, 79, { 1, 1 }, 1.0, 22 } };
        line.archive_features = { "kernel_words", "workload_steps" };
        line.archive_bins = 4;
        pxos::GenerationRecord attempt;
        attempt.generation = generation;
        attempt.candidate = 2;
        attempt.island = 1;
        attempt.proposer = "llm";
        attempt.model = "fast";
        attempt.outcome = "regression";
        attempt.reason = "it lost what its parent could do: scenario.primes";
        attempt.lost = { "scenario.primes" };
        attempt.metric_deltas = { { "kernel_words", 900, -100 } };
        attempt.text_diff = "--- a\n+++ b\n@@ -1,1 +1,0 @@\n-  - step: add_process <primes>\n";
        line.attempts = { attempt };
        text += pxos::history_line(line) + "\n";
    }
    scratch.write("loop.jsonl", text);
    REQUIRE(pxos::write_loop_report(pxos::test::files(), scratch.path().string()).ok());
    std::string report = pxos::test::read_text(scratch.file("report.html"));
    CHECK(report.find("<h2>Islands</h2>") != std::string::npos);
    for (const char* label : { ">island 0</text>", ">island 1</text>", ">island 2</text>", ">best combined_score</text>" })
        CHECK(report.find(label) != std::string::npos);
    CHECK(report.find("island 2 after generation 3: 3.3 (1.05)") != std::string::npos);
    CHECK(report.find("<h2>Archive</h2>") != std::string::npos);
    CHECK(report.find("kernel_words (log scale, 4 bins per doubling)</text>") != std::string::npos);
    CHECK(report.find(">workload_steps</text>") != std::string::npos);
    CHECK(report.find("<title>cell (40, 78): kernel_words 1024-1218, workload_steps 741455-881744; elite 3.1 with "
                      "combined_score 1.3000, gates 22</title>")
        != std::string::npos);
    // The attempts: deltas, the outcome, the reason, what was lost, the diff (escaped).
    CHECK(report.find("kernel_words -100") != std::string::npos);
    CHECK(report.find("<td class='del'>regression</td>") != std::string::npos);
    CHECK(report.find("it lost what its parent could do: scenario.primes [lost: [&quot;scenario.primes&quot;]]")
        != std::string::npos);
    CHECK(report.find("-  - step: add_process &lt;primes&gt;") != std::string::npos);
    CHECK((report.find("http") == std::string::npos || report.find("http://www.w3.org/2000/svg") != std::string::npos));
    CHECK(report.find("<script") == std::string::npos);
}

TEST_CASE("report.html: the island chart's labels tell close scores apart, a duplicate attempt shows no figures",
    "[population][report]")
{
    pxos::test::ScratchDirectory scratch;
    std::string text;
    for (int generation = 1; generation <= 3; ++generation) {
        pxos::GenerationRecord line = full_score_line(generation);
        line.islands = { { { generation, 1 }, 1.0 + 0.00095 * (generation - 1), 22 } };
        pxos::GenerationRecord attempt;
        attempt.generation = generation;
        attempt.candidate = 1;
        attempt.proposer = "heuristic";
        attempt.outcome = generation == 2 ? "duplicate" : "lower";
        attempt.score = generation == 2 ? 0 : 22;
        attempt.combined_score = generation == 2 ? 0 : 1.0;
        line.attempts = { attempt };
        text += pxos::history_line(line) + "\n";
    }
    scratch.write("loop.jsonl", text);
    REQUIRE(pxos::write_loop_report(pxos::test::files(), scratch.path().string()).ok());
    std::string report = pxos::test::read_text(scratch.file("report.html"));
    std::size_t chart = report.find("aria-label='best per island'");
    REQUIRE(chart != std::string::npos);
    std::string svg = report.substr(chart, report.find("</svg>", chart) - chart);
    std::set<std::string> labels;
    const std::string marker = "text-anchor='end'>";
    for (std::size_t at = svg.find(marker); at != std::string::npos; at = svg.find(marker, at + 1))
        labels.insert(svg.substr(at + marker.size(), svg.find('<', at) - at - marker.size()));
    CHECK(labels.size() == 5);
    CHECK(labels.count("1.0000"));
    CHECK(labels.count("1.0019"));
    // The duplicate's row: a dash for its gates, combined score and faults, not 0 (0).
    CHECK(report.find("<td>&mdash;</td><td>&mdash;</td><td>&mdash;</td><td></td><td class=''>duplicate</td>")
        != std::string::npos);
    CHECK(report.find("<td>22 (0)</td><td>1.0000 (0.0000)</td>") != std::string::npos);
}

#include "builtin_steps.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

class QuietObserver final : public pxos::LoopObserver {
};


} // namespace

TEST_CASE("a loop with islands records every attempt with its island, parent, outcome and diff", "[population][loop]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::LoopOptions options
        = pxos::test::loop_options(scratch, "ROADMAP_MINIMAL.yaml", 3, pxos::ProposerKind::Heuristic);
    options.islands = 2;
    options.candidates = 2;
    options.migrate_every = 2;
    QuietObserver observer;
    pxos::SteadyClock clock;
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, observer, clock);
    REQUIRE(summary.ok());
    CHECK(summary->best_score == 22);
    auto lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0]["attempts"].size() == 1);
    CHECK(lines[0]["attempts"][0]["outcome"] == "given");
    const std::set<std::string> outcomes { "best", "island best", "archive", "lower", "regression", "duplicate",
        "invalid", "unbuilt" };
    for (std::size_t g = 1; g < lines.size(); ++g) {
        const auto& attempts = lines[g]["attempts"];
        REQUIRE(attempts.size() == 4); // 2 islands x 2 candidates
        CHECK(lines[g]["islands"].size() == 2);
        for (std::size_t i = 0; i < attempts.size(); ++i) {
            const auto& attempt = attempts[i];
            INFO("generation " << g + 1 << " attempt " << i + 1);
            CHECK(attempt["candidate"] == int(i + 1));
            CHECK(attempt["island"] == int(i / 2));
            CHECK(outcomes.count(attempt["outcome"].get<std::string>()) == 1);
            // Its parent is a candidate of an earlier generation.
            CHECK(attempt["parent"].get<int>() >= 1);
            CHECK(attempt["parent"].get<int>() <= int(g));
            CHECK(attempt["parent_candidate"].get<int>() >= 1);
            if (attempt["outcome"] == "duplicate") {
                CHECK(attempt["reason"].get<std::string>().find("(not evaluated again)") != std::string::npos);
                continue;
            }
            CHECK(attempt["hash"].get<std::string>().size() == 16);
            CHECK(std::filesystem::exists(scratch.path() / "loop" / attempt["roadmap"].get<std::string>()));
            CHECK((!attempt["text_diff"].get<std::string>().empty() || !attempt["text_diff_file"].get<std::string>().empty()));
            if (attempt["outcome"] != "best")
                CHECK_FALSE(attempt["reason"].get<std::string>().empty());
        }
    }
    // Generation 2 repairs the minimal roadmap: the first attempt's diff adds the steps, and it became the best.
    CHECK(lines[1]["attempts"][0]["outcome"] == "best");
    CHECK(lines[1]["attempts"][0]["gate_delta"] == 22 - lines[0]["score"].get<int>());
    CHECK(lines[1]["attempts"][0]["text_diff"].get<std::string>().find("\n+  - step: install_kernel") != std::string::npos);
    // The generation's line is its chosen attempt, and the best's roadmap is the one printed.
    CHECK(lines[1]["candidate"] == 1);
    CHECK(lines[1]["roadmap"] == "ROADMAP_MINIMAL.gen002.yaml");
    CHECK(summary->best_roadmap_file == scratch.file("loop/ROADMAP_MINIMAL.gen002.yaml"));
    CHECK(lines[2]["migrations"].size() <= 2);
}

#include "pxos/host/posix/shell_llm_client.hpp"

TEST_CASE("an LLM that deletes the primes process never becomes best: its attempt is a regression", "[population][loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::LoopOptions options = pxos::test::loop_options(scratch, "ROADMAP_VRAM_OS.yaml", 2, pxos::ProposerKind::Llm);
    options.retries = 0;
    pxos::ShellLlmClient llm(pxos::test::fake_llm_command("deletes_process.sh"), 30, std::size_t(1) << 20);
    QuietObserver observer;
    pxos::SteadyClock clock;
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), &llm, observer, clock);
    REQUIRE(summary.ok());
    auto lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == 2);
    // The default roadmap: full gates, its metrics measured, the primes scenario among what it can do.
    REQUIRE(lines[0]["score"] == 22);
    REQUIRE(lines[0]["combined_score"].get<double>() > 0.9);
    const auto& attempt = lines[1]["attempts"][0];
    INFO(attempt.dump());
    REQUIRE(attempt["proposer"] == "llm");
    CHECK(pxos::test::read_text(scratch.file("loop/ROADMAP_VRAM_OS.gen002.yaml")).find("primes") == std::string::npos);
    CHECK(attempt["regression"] == true);
    std::vector<std::string> lost = attempt["lost"];
    CHECK(std::find(lost.begin(), lost.end(), "scenario.boot.primes") != lost.end());
    CHECK(attempt["outcome"] == "regression");
    CHECK(lines[1]["best_generation"] == 1);
    CHECK(summary->best_generation == 1);
    CHECK(summary->best_roadmap_file == scratch.file("loop/ROADMAP_VRAM_OS.gen001.yaml"));
}
