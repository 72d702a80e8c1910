// The pure generation steps alone, on hand-made evaluations (no build, no
// files): how candidates rank, what a candidate lost, which proposals need a
// build, and an attempt's record against its parent.
#include "pxos/loop/generation.hpp"

#include <catch2/catch.hpp>

namespace {

pxos::Evaluated evaluated(const std::string& text, int score, double combined = 0, std::uint64_t faults = 0,
    pxos::CandidateId id = { 2, 1 })
{
    pxos::Evaluated e;
    e.text = text;
    e.evaluation.score = score;
    e.evaluation.max_score = 22;
    e.evaluation.metrics.measured = combined > 0;
    e.evaluation.metrics.combined_score = combined;
    e.evaluation.run.faults = faults;
    e.id = id;
    return e;
}

} // namespace

TEST_CASE("candidates rank by gates, then combined_score, then fewer faults, then the earlier one", "[loop][generation]")
{
    // Gates first, whatever the metrics.
    CHECK(pxos::better(evaluated("a", 22, 0.5), evaluated("b", 21, 3.0)));
    CHECK_FALSE(pxos::better(evaluated("a", 21, 3.0), evaluated("b", 22, 0.5)));
    // Then combined_score.
    CHECK(pxos::better(evaluated("a", 22, 1.2), evaluated("b", 22, 1.1)));
    CHECK_FALSE(pxos::better(evaluated("a", 22, 1.1), evaluated("b", 22, 1.2)));
    // Then fewer faults.
    CHECK(pxos::better(evaluated("a", 22, 1.0, 0), evaluated("b", 22, 1.0, 2)));
    CHECK_FALSE(pxos::better(evaluated("a", 22, 1.0, 2), evaluated("b", 22, 1.0, 0)));
    // Then the earlier candidate.
    CHECK(pxos::better(evaluated("a", 22, 1.0, 0, { 2, 1 }), evaluated("b", 22, 1.0, 0, { 2, 2 })));
    CHECK(pxos::better(evaluated("a", 22, 1.0, 0, { 2, 3 }), evaluated("b", 22, 1.0, 0, { 3, 1 })));
    CHECK_FALSE(pxos::better(evaluated("a", 22, 1.0, 0, { 3, 1 }), evaluated("b", 22, 1.0, 0, { 2, 3 })));
    CHECK_FALSE(pxos::better(evaluated("a", 22, 1.0, 0, { 2, 1 }), evaluated("a", 22, 1.0, 0, { 2, 1 })));
}

TEST_CASE("a shorter roadmap text wins nothing: a working new program ties only to the earlier", "[loop][generation]")
{
    // The case: the same gates and metrics, one text much shorter.
    pxos::Evaluated longer = evaluated(std::string(5000, 'x'), 22, 1.08, 0, { 3, 1 });
    pxos::Evaluated shorter = evaluated("short", 22, 1.0, 0, { 3, 2 });
    CHECK(pxos::better(longer, shorter));
    shorter.evaluation.metrics.combined_score = 1.08;
    CHECK(pxos::better(longer, shorter)); // equal in all: the earlier one, not the shorter
    CHECK_FALSE(pxos::better(shorter, longer));
}

TEST_CASE("lost capabilities are those the parent had and the candidate lacks, once it was measured", "[loop][generation]")
{
    pxos::EvalResult parent, child;
    parent.metrics.measured = child.metrics.measured = true;
    parent.metrics.capabilities = { "scenario.primes", "usertests.pipe", "robustness.badptr" };
    child.metrics.capabilities = { "usertests.pipe", "usertests.fork" };
    CHECK(pxos::lost_capabilities(parent, child) == std::vector<std::string> { "robustness.badptr", "scenario.primes" });
    CHECK(pxos::lost_capabilities(child, parent) == std::vector<std::string> { "usertests.fork" });
    child.metrics.measured = false; // its gates failed: a lower score, not a lost capability
    CHECK(pxos::lost_capabilities(parent, child).empty());
}

TEST_CASE("triage builds each new text once, names the candidate a duplicate repeats, leaves invalid ones out", "[loop][generation]")
{
    std::string known_hash = pxos::text_hash("known");
    auto known = [&](const std::string& hash) -> std::optional<pxos::CandidateId> {
        if (hash == known_hash)
            return pxos::CandidateId { 1, 1 };
        return std::nullopt;
    };
    auto sorted = pxos::triage(4,
        { std::string("new"), std::nullopt, std::string("known"), std::string("new"), std::string("other") }, known);
    CHECK(sorted.fresh == std::vector<std::size_t> { 0, 4 });
    REQUIRE(sorted.duplicates.size() == 2);
    CHECK(sorted.duplicates[0].proposal == 2);
    CHECK(sorted.duplicates[0].of == pxos::CandidateId { 1, 1 });
    CHECK(sorted.duplicates[1].proposal == 3);
    CHECK(sorted.duplicates[1].of == pxos::CandidateId { 4, 1 }); // the first "new", candidate 1 of generation 4

    auto none = pxos::triage(2, { std::nullopt, std::nullopt }, known);
    CHECK(none.fresh.empty());
    CHECK(none.duplicates.empty());
    CHECK(pxos::text_hash("known") == pxos::text_hash(std::string("known")));
    CHECK(pxos::text_hash("known") != pxos::text_hash("known "));
    CHECK(pxos::text_hash("").size() == 16);
}

TEST_CASE("an attempt's record has its proposal, its deltas against the parent and what it lost", "[loop][generation]")
{
    pxos::Proposal proposal;
    proposal.proposer = "llm";
    proposal.note = "proposed by the LLM";
    proposal.rationale = "shorter trap path";
    proposal.model = "fast";
    proposal.llm_calls = 2;
    proposal.parent = 3;
    proposal.parent_candidate = 2;
    proposal.island = 1;
    pxos::GenerationRecord attempt = pxos::attempt_record(5, 3, proposal);
    CHECK(attempt.generation == 5);
    CHECK(attempt.candidate == 4);
    CHECK(attempt.parent == 3);
    CHECK(attempt.parent_candidate == 2);
    CHECK(attempt.island == 1);
    CHECK(attempt.rationale == "shorter trap path");
    CHECK(attempt.model == "fast");
    CHECK(attempt.llm_calls == 2);

    pxos::Evaluated parent = evaluated("parent", 21, 1.0, 1, { 3, 2 });
    parent.evaluation.metrics.capabilities = { "scenario.primes", "usertests.pipe" };
    parent.evaluation.metrics.values = { { "kernel_words", true, 1000, 1, "" }, { "workload_steps", true, 800, 1, "" },
        { "pipe_word", false, 0, 0, "" } };
    pxos::Evaluated child = evaluated("child", 22, 1.25, 0, { 5, 4 });
    child.evaluation.metrics.capabilities = { "usertests.pipe" };
    child.evaluation.metrics.values = { { "kernel_words", true, 900, 1.1, "" }, { "workload_steps", false, 0, 0, "" },
        { "pipe_word", true, 7, 1, "" } };
    pxos::score_attempt(attempt, child, parent);
    CHECK(attempt.score == 22);
    CHECK(attempt.gate_delta == 1);
    CHECK(attempt.combined_score == 1.25);
    CHECK(attempt.combined_delta == Approx(0.25));
    CHECK(attempt.faults == 0);
    REQUIRE(attempt.metric_deltas.size() == 1); // only what both measured
    CHECK(attempt.metric_deltas[0].key == "kernel_words");
    CHECK(attempt.metric_deltas[0].value == 900);
    CHECK(attempt.metric_deltas[0].delta == -100);
    CHECK(attempt.regression);
    CHECK(attempt.lost == std::vector<std::string> { "scenario.primes" });
    CHECK(attempt.text_hash == pxos::text_hash("child"));

    child.error = "x.pxasm: error: cannot open";
    pxos::score_attempt(attempt, child, parent);
    CHECK(attempt.note == "proposed by the LLM; it did not build: x.pxasm: error: cannot open");
}

TEST_CASE("the generation's choice is its best attempt that lost nothing, else its best", "[loop][generation]")
{
    auto make = [](int score, double combined, int candidate) {
        return std::make_shared<const pxos::Evaluated>(evaluated("t", score, combined, 0, { 4, candidate }));
    };
    std::vector<std::shared_ptr<const pxos::Evaluated>> fresh { make(22, 1.1, 1), make(22, 1.4, 2), make(22, 1.2, 3) };
    CHECK(pxos::choose_attempt(fresh, { false, false, false }) == 1u);
    CHECK(pxos::choose_attempt(fresh, { false, true, false }) == 2u); // the highest lost a capability
    CHECK(pxos::choose_attempt(fresh, { true, true, true }) == 1u);
    CHECK(pxos::choose_attempt(fresh, { true, true, false }) == 2u);
    CHECK_FALSE(pxos::choose_attempt({}, {}));
}

TEST_CASE("with no valid new proposal the best carries on, the first proposal's note saying so", "[loop][generation]")
{
    pxos::Proposal proposal;
    proposal.proposer = "llm";
    proposal.note = "proposed (invalid: bad)";
    pxos::GenerationRecord first = pxos::attempt_record(5, 0, proposal);
    first.outcome = "invalid";
    pxos::Evaluated best = evaluated("best", 22, 1.3, 1, { 3, 2 });
    pxos::GenerationRecord line = pxos::carried_on(first, best);
    CHECK(line.generation == 5);
    CHECK(line.candidate == 0);
    CHECK(line.parent == 3);
    CHECK(line.parent_candidate == 2);
    CHECK(line.proposer == "duplicate");
    CHECK(line.score == 22);
    CHECK(line.combined_score == 1.3);
    CHECK(line.faults == 1);
    CHECK(line.outcome == "carried on");
    CHECK(line.note == "proposed (invalid: bad); no valid proposal, the best roadmap carries on (same as an earlier generation)");
}
