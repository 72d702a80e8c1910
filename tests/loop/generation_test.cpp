// The pure generation step alone, on hand-made evaluations (no build, no
// files): which proposals need a build, which one is chosen, and what the
// loop keeps as its best.
#include "pxos/loop/generation.hpp"

#include <catch2/catch.hpp>

namespace {

std::shared_ptr<const pxos::Evaluated> evaluated(const std::string& text, int score, std::string error = "")
{
    pxos::Evaluated e;
    e.text = text;
    e.evaluation.score = score;
    e.evaluation.max_score = 22;
    e.error = std::move(error);
    return std::make_shared<const pxos::Evaluated>(std::move(e));
}

pxos::Proposal proposal(const std::string& proposer, const std::string& note, int llm_calls = 0, bool fallback = false)
{
    pxos::Proposal p;
    p.text = note;
    p.proposer = proposer;
    p.note = note;
    p.llm_calls = llm_calls;
    p.fallback = fallback;
    return p;
}

// A population whose best is `best` (kept in generation `generation`).
pxos::Population population_with(std::shared_ptr<const pxos::Evaluated> best, int generation)
{
    pxos::Population population;
    pxos::GenerationRecord record;
    population.keep(generation, std::move(best), record);
    return population;
}

} // namespace

TEST_CASE("a roadmap is better with a higher score, at equal scores with a shorter text", "[loop][generation]")
{
    CHECK(pxos::better(*evaluated("long roadmap", 5), *evaluated("short", 4)));
    CHECK_FALSE(pxos::better(*evaluated("short", 4), *evaluated("long roadmap", 5)));
    CHECK(pxos::better(*evaluated("short", 4), *evaluated("longer", 4)));
    CHECK_FALSE(pxos::better(*evaluated("same", 4), *evaluated("same", 4)));
}

TEST_CASE("triage scores known roadmaps at once, builds each new one once, leaves invalid ones out", "[loop][generation]")
{
    pxos::Population population = population_with(evaluated("known", 3), 1);
    auto sorted = pxos::triage({ std::string("new"), std::nullopt, std::string("known"), std::string("new"),
                                   std::string("other") },
        population);
    REQUIRE(sorted.known.size() == 1);
    CHECK(sorted.known[0].proposal == 2);
    CHECK(sorted.known[0].evaluated == population.best());
    CHECK(sorted.fresh == std::vector<std::size_t> { 0, 4 });

    auto none = pxos::triage({ std::nullopt, std::nullopt }, population);
    CHECK(none.known.empty());
    CHECK(none.fresh.empty());
}

TEST_CASE("the best scored proposal is chosen, the first of equals, its note and the calls of all kept", "[loop][generation]")
{
    pxos::Population population = population_with(evaluated("given", 3), 1);
    std::vector<pxos::Proposal> proposals = { proposal("llm", "first", 1), proposal("heuristic", "second", 0, true),
        proposal("llm", "third", 2) };
    // Scored in the loop's order: proposal 2 first (a known one), then the fresh 0 and 1.
    std::vector<pxos::Scored> scored = { { 2, evaluated("bbbb", 10) }, { 0, evaluated("cccccc", 22) },
        { 1, evaluated("dddddd", 22) } };
    pxos::Selection selection = pxos::select_proposal(4, proposals, scored, population);
    CHECK(selection.chosen == scored[1].evaluated);
    CHECK(selection.record.generation == 4);
    CHECK(selection.record.parent == 1);
    CHECK(selection.record.proposer == "llm");
    CHECK_FALSE(selection.record.fallback);
    CHECK(selection.record.llm_calls == 3);
    CHECK(selection.record.note == "first");

    // At equal scores the shorter roadmap wins, wherever it is scored.
    scored[2].evaluated = evaluated("eeee", 22);
    selection = pxos::select_proposal(4, proposals, scored, population);
    CHECK(selection.chosen == scored[2].evaluated);
    CHECK(selection.record.proposer == "heuristic");
    CHECK(selection.record.fallback);
    CHECK(selection.record.note == "second");
}

TEST_CASE("a chosen roadmap an earlier generation chose is a duplicate, one that did not build says why", "[loop][generation]")
{
    pxos::Population population = population_with(evaluated("given", 3), 1);
    auto again = pxos::select_proposal(2, { proposal("copy", "copied") }, { { 0, population.best() } }, population);
    CHECK(again.record.proposer == "duplicate");
    CHECK(again.record.note == "copied (same as an earlier generation)");

    auto broken = pxos::select_proposal(2, { proposal("llm", "proposed by the LLM") },
        { { 0, evaluated("broken", 0, "x.pxasm: error: cannot open") } }, population);
    CHECK(broken.record.proposer == "llm");
    CHECK(broken.record.note == "proposed by the LLM; it did not build: x.pxasm: error: cannot open");
}

TEST_CASE("with no valid proposal the best roadmap carries on, the first proposal's note saying so", "[loop][generation]")
{
    pxos::Population population = population_with(evaluated("given", 3), 1);
    auto carried = pxos::select_proposal(2, { proposal("llm", "proposed (invalid: bad)", 1), proposal("llm", "x", 1) },
        {}, population);
    CHECK(carried.chosen == population.best());
    CHECK(carried.record.proposer == "duplicate");
    CHECK(carried.record.llm_calls == 2);
    CHECK(carried.record.note
        == "proposed (invalid: bad); no valid proposal, the best roadmap carries on (same as an earlier generation)");
}

TEST_CASE("the population keeps the best so far: only a better roadmap replaces it", "[loop][generation]")
{
    pxos::Population population;
    CHECK(population.best() == nullptr);
    pxos::GenerationRecord first;
    auto given = evaluated("given roadmap", 3);
    population.keep(1, given, first);
    CHECK(population.best() == given);
    CHECK(population.best_generation() == 1);
    CHECK(first.score == 3);
    CHECK(first.max_score == 22);
    CHECK(first.best_score == 3);
    CHECK(first.best_generation == 1);
    CHECK(population.seen("given roadmap"));
    CHECK(population.evaluated("given roadmap") == given);

    pxos::GenerationRecord worse;
    auto worse_one = evaluated("worse", 1);
    population.keep(2, worse_one, worse);
    CHECK(worse.score == 1);
    CHECK(worse.best_score == 3);
    CHECK(worse.best_generation == 1);
    CHECK(population.seen("worse"));

    pxos::GenerationRecord equal; // same score, longer text: not better
    population.keep(3, evaluated("given roadmap, longer", 3), equal);
    CHECK(equal.best_generation == 1);

    pxos::GenerationRecord shorter; // same score, shorter text: better
    auto short_one = evaluated("short", 3);
    population.keep(4, short_one, shorter);
    CHECK(shorter.best_generation == 4);
    CHECK(population.best() == short_one);

    // A roadmap evaluated before keeps its first evaluation.
    pxos::GenerationRecord repeat;
    population.keep(5, evaluated("worse", 1), repeat);
    CHECK(population.evaluated("worse") == worse_one);
}

TEST_CASE("a resumed population has its best back, evaluated, and knows what was seen", "[loop][generation]")
{
    pxos::Population population;
    population.mark_seen("gen 1");
    auto best = evaluated("gen 2", 22);
    population.restore_best(2, best);
    CHECK(population.best() == best);
    CHECK(population.best_generation() == 2);
    CHECK(population.evaluated("gen 2") == best);
    CHECK(population.seen("gen 1"));
    CHECK_FALSE(population.seen("gen 2")); // the resumed loop marks each record's roadmap itself
    CHECK(population.evaluated("gen 1") == nullptr); // seen, never evaluated again: only the best is
}
