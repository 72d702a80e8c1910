// loop.jsonl alone: a record's line, reading the lines back, the resume
// rule (a torn last line is dropped, a damaged or out-of-order one refused
// with its place), and opening and appending in an out-dir.
#include "pxos/loop/history.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace {

pxos::GenerationRecord record(int generation, int score)
{
    pxos::GenerationRecord r;
    r.generation = generation;
    r.parent = generation > 1 ? generation - 1 : 0;
    r.score = score;
    r.max_score = 22;
    r.best_score = score;
    r.best_generation = generation;
    r.proposer = "heuristic";
    r.llm_calls = 2;
    r.note = "a \"quoted\" note";
    r.roadmap_file = "ROADMAP_VRAM_OS.gen002.yaml";
    r.image_file = "vram_os_stage1.gen002.png";
    r.eval_file = "vram_os_stage1.gen002.json";
    return r;
}

std::string lines(std::initializer_list<pxos::GenerationRecord> records)
{
    std::string text;
    for (const pxos::GenerationRecord& r : records)
        text += pxos::history_line(r) + "\n";
    return text;
}

} // namespace

TEST_CASE("a history line is one compact JSON object with every field, in order", "[loop][history]")
{
    pxos::GenerationRecord r = record(2, 22);
    r.fallback = true;
    r.diff_file = "vram_os_stage1.gen002.diff.png";
    // The keys of a loop from before the population first, as they were, then the candidate's and the population's.
    CHECK(pxos::history_line(r)
        == "{\"generation\":2,\"parent\":1,\"score\":22,\"max_score\":22,\"best_score\":22,\"best_generation\":2,"
           "\"proposer\":\"heuristic\",\"fallback\":true,\"llm_calls\":2,\"note\":\"a \\\"quoted\\\" note\","
           "\"roadmap\":\"ROADMAP_VRAM_OS.gen002.yaml\",\"image\":\"vram_os_stage1.gen002.png\","
           "\"eval\":\"vram_os_stage1.gen002.json\",\"diff\":\"vram_os_stage1.gen002.diff.png\","
           "\"candidate\":1,\"parent_candidate\":0,\"island\":0,\"model\":\"\",\"rationale\":\"\",\"combined_score\":0.0,"
           "\"faults\":0,\"gate_delta\":0,\"combined_delta\":0.0,\"metric_deltas\":[],\"regression\":false,\"lost\":[],"
           "\"outcome\":\"\",\"reason\":\"\",\"hash\":\"\",\"text_diff\":\"\",\"text_diff_file\":\"\",\"cell\":null,"
           "\"best_candidate\":0,\"best_combined_score\":0.0,\"islands\":[],\"archive\":[],\"archive_features\":[],\"archive_bins\":0,"
           "\"migrations\":[],"
           "\"attempts\":[]}");
}

TEST_CASE("a line's attempts, islands, archive and migrations read back as written", "[loop][history]")
{
    pxos::GenerationRecord line = record(3, 22);
    line.candidate = 2;
    line.parent_candidate = 1;
    line.island = 1;
    line.combined_score = 1.0625;
    line.best_candidate = 2;
    line.best_combined_score = 1.0625;
    line.islands = { { { 3, 2 }, 1.0625, 22 }, { { 1, 1 }, 0.75, 21 } };
    line.archive = { { 40, 78, { 3, 2 }, 1.0625, 22 }, { -1, 3, { 2, 1 }, 0.5, 22 } };
    line.migrations = { "island 0 -> 1: generation 3 candidate 2" };
    line.archive_features = { "kernel_words", "workload_steps" };
    line.archive_bins = 4;
    pxos::GenerationRecord attempt;
    attempt.generation = 3;
    attempt.candidate = 1;
    attempt.parent = 2;
    attempt.parent_candidate = 1;
    attempt.island = 0;
    attempt.proposer = "llm";
    attempt.model = "fast";
    attempt.rationale = "drop the primes demo";
    attempt.score = 22;
    attempt.max_score = 22;
    attempt.combined_score = 1.5;
    attempt.faults = 3;
    attempt.gate_delta = 0;
    attempt.combined_delta = 0.25;
    attempt.metric_deltas = { { "kernel_words", 900, -100 } };
    attempt.regression = true;
    attempt.lost = { "scenario.primes" };
    attempt.outcome = "regression";
    attempt.reason = "it lost what its parent could do: scenario.primes";
    attempt.text_hash = "00112233445566ff";
    attempt.text_diff = "--- a\n+++ b\n@@ -1,1 +1,0 @@\n-x\n";
    attempt.text_diff_file = "";
    attempt.has_cell = true;
    attempt.cell_x = 39;
    attempt.cell_y = -2;
    attempt.roadmap_file = "attempts/gen003.c1.yaml";
    line.attempts = { attempt };
    auto records = pxos::parse_history(lines({ record(1, 3), record(2, 22), line }), "loop.jsonl");
    REQUIRE(records.ok());
    const pxos::GenerationRecord& back = records->at(2);
    CHECK(pxos::history_line(back) == pxos::history_line(line)); // every field survives
    CHECK(back.island == 1);
    CHECK(back.islands.size() == 2);
    CHECK(back.islands[1].best == pxos::CandidateId { 1, 1 });
    CHECK(back.archive[1].x == -1);
    CHECK(back.archive[0].elite == pxos::CandidateId { 3, 2 });
    REQUIRE(back.attempts.size() == 1);
    const pxos::GenerationRecord& a = back.attempts[0];
    CHECK(a.lost == std::vector<std::string> { "scenario.primes" });
    CHECK(a.regression);
    CHECK(a.metric_deltas[0].delta == -100);
    CHECK(a.has_cell);
    CHECK(a.cell_y == -2);
    CHECK(a.rationale == "drop the primes demo");
    CHECK(a.combined_score == 1.5);
    CHECK(a.roadmap_file == "attempts/gen003.c1.yaml");
}

TEST_CASE("a history gives the last attempts newest last and finds an attempt by its candidate", "[loop][history]")
{
    pxos::test::ScratchDirectory scratch;
    auto history = pxos::History::open(pxos::test::files(), scratch.file("loop.jsonl"), pxos::ResumeMode::Refuse);
    REQUIRE(history.ok());
    REQUIRE(history->append(record(1, 3)).ok()); // a line without attempts counts as its one attempt
    pxos::GenerationRecord second = record(2, 22);
    for (int c = 1; c <= 3; ++c) {
        pxos::GenerationRecord attempt = record(2, 20 + c);
        attempt.candidate = c;
        second.attempts.push_back(attempt);
    }
    REQUIRE(history->append(second).ok());
    auto recent = history->recent_attempts(3);
    REQUIRE(recent.size() == 3);
    CHECK(recent[0].candidate == 1);
    CHECK(recent[2].candidate == 3);
    auto all = history->recent_attempts(10);
    REQUIRE(all.size() == 4);
    CHECK(all[0].generation == 1);
    REQUIRE(history->find_attempt({ 2, 2 }) != nullptr);
    CHECK(history->find_attempt({ 2, 2 })->score == 22);
    CHECK(history->find_attempt({ 1, 1 })->generation == 1);
    CHECK(history->find_attempt({ 2, 4 }) == nullptr);
    CHECK(history->find_attempt({ 3, 1 }) == nullptr);
}

TEST_CASE("history lines read back as the records they were written from", "[loop][history]")
{
    pxos::GenerationRecord second = record(2, 22);
    second.fallback = true;
    second.diff_file = "d.png";
    auto records = pxos::parse_history(lines({ record(1, 3), second }), "loop.jsonl");
    REQUIRE(records.ok());
    REQUIRE(records->size() == 2);
    const pxos::GenerationRecord& back = (*records)[1];
    CHECK(back.generation == 2);
    CHECK(back.parent == 1);
    CHECK(back.score == 22);
    CHECK(back.max_score == 22);
    CHECK(back.best_score == 22);
    CHECK(back.best_generation == 2);
    CHECK(back.proposer == "heuristic");
    CHECK(back.fallback);
    CHECK(back.llm_calls == 2);
    CHECK(back.note == "a \"quoted\" note");
    CHECK(back.roadmap_file == "ROADMAP_VRAM_OS.gen002.yaml");
    CHECK(back.image_file == "vram_os_stage1.gen002.png");
    CHECK(back.eval_file == "vram_os_stage1.gen002.json");
    CHECK(back.diff_file == "d.png");
    CHECK((*records)[0].score == 3);

    // A line of a loop from before the diff field: no diff.
    auto old = pxos::parse_history(
        "{\"generation\":1,\"parent\":0,\"score\":3,\"max_score\":22,\"best_score\":3,\"best_generation\":1,"
        "\"proposer\":\"given\",\"fallback\":false,\"llm_calls\":0,\"note\":\"\",\"roadmap\":\"r\",\"image\":\"i\","
        "\"eval\":\"e\"}\n",
        "loop.jsonl");
    REQUIRE(old.ok());
    CHECK(old->at(0).diff_file.empty());
    // ... nor a candidate's fields or the population's: the defaults.
    CHECK(old->at(0).candidate == 1);
    CHECK(old->at(0).combined_score == 0);
    CHECK(old->at(0).attempts.empty());
    CHECK(old->at(0).islands.empty());
    CHECK_FALSE(old->at(0).has_cell);
}

TEST_CASE("a torn last history line is dropped, blank lines skipped", "[loop][history]")
{
    auto records = pxos::parse_history(lines({ record(1, 3) }) + "\n" + lines({ record(2, 22) })
            + "{\"generation\": 3, \"par",
        "loop.jsonl");
    REQUIRE(records.ok());
    REQUIRE(records->size() == 2);
    CHECK(records->back().generation == 2);
}

TEST_CASE("a damaged history line before the last is refused with its line number", "[loop][history]")
{
    auto records = pxos::parse_history(lines({ record(1, 3) }) + "{bad\n" + lines({ record(2, 22) }), "out/loop.jsonl");
    REQUIRE_FALSE(records.ok());
    CHECK(records.error().message()
        == "out/loop.jsonl:2: error: corrupt loop record: [json.exception.parse_error.101] parse error at line 1, "
           "column 2: syntax error while parsing object key - invalid literal; last read: '{b'; expected string "
           "literal");
    CHECK(records.error().kind() == pxos::ErrorKind::BadInput);

    // A complete line that lacks a field is as damaged.
    auto missing = pxos::parse_history("{\"generation\":1}\n" + lines({ record(2, 22) }), "loop.jsonl");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message()
        == "loop.jsonl:1: error: corrupt loop record: [json.exception.out_of_range.403] key 'parent' not found");
}

TEST_CASE("history lines out of order or repeated refuse the resume, naming the line", "[loop][history]")
{
    auto skipped = pxos::parse_history(lines({ record(1, 3), record(3, 22) }), "out/loop.jsonl");
    REQUIRE_FALSE(skipped.ok());
    CHECK(skipped.error().message()
        == "out/loop.jsonl:2: error: generation 3 where generation 2 should be: the log is out of order or repeats "
           "a generation (two loops on one out-dir?)");
    auto repeated = pxos::parse_history(lines({ record(1, 3), record(2, 22), record(2, 22) }), "out/loop.jsonl");
    REQUIRE_FALSE(repeated.ok());
    CHECK(repeated.error().message()
        == "out/loop.jsonl:3: error: generation 2 where generation 3 should be: the log is out of order or repeats "
           "a generation (two loops on one out-dir?)");
}

TEST_CASE("a history is refused in an out-dir that holds one unless the loop resumes it", "[loop][history]")
{
    pxos::test::ScratchDirectory scratch;
    std::string log = scratch.file("loop.jsonl");
    auto fresh = pxos::History::open(pxos::test::files(), log, pxos::ResumeMode::Refuse);
    REQUIRE(fresh.ok());
    CHECK(fresh->records().empty());
    CHECK(fresh->next_generation() == 1);
    REQUIRE(fresh->append(record(1, 3)).ok());
    REQUIRE(fresh->append(record(2, 22)).ok());
    CHECK(fresh->records().size() == 2);
    CHECK(pxos::test::read_text(log) == lines({ record(1, 3), record(2, 22) }));

    auto refused = pxos::History::open(pxos::test::files(), log, pxos::ResumeMode::Refuse);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message()
        == log + ": error: this out-dir already holds a loop; use --resume to continue it, or another --out-dir");

    // The loop was killed while writing generation 3's line: resuming drops it and goes on from there.
    scratch.write("loop.jsonl", lines({ record(1, 3), record(2, 22) }) + "{\"generation\": 3, \"par");
    auto resumed = pxos::History::open(pxos::test::files(), log, pxos::ResumeMode::Continue);
    REQUIRE(resumed.ok());
    CHECK(resumed->records().size() == 2);
    CHECK(resumed->next_generation() == 3);
    REQUIRE(resumed->append(record(3, 22)).ok());
    CHECK(pxos::test::read_text(log) == lines({ record(1, 3), record(2, 22), record(3, 22) }));
}

TEST_CASE("appending a line drops a torn last line and keeps the rest", "[loop][history]")
{
    pxos::test::ScratchDirectory scratch;
    std::string file = scratch.file("timings.jsonl");
    REQUIRE(pxos::append_line(pxos::test::files(), file, "{\"a\":1}").ok());
    CHECK(pxos::test::read_text(file) == "{\"a\":1}\n");
    scratch.write("timings.jsonl", "{\"a\":1}\n{\"b\":");
    REQUIRE(pxos::append_line(pxos::test::files(), file, "{\"c\":3}").ok());
    CHECK(pxos::test::read_text(file) == "{\"a\":1}\n{\"c\":3}\n");
    scratch.write("timings.jsonl", "{\"torn");
    REQUIRE(pxos::append_line(pxos::test::files(), file, "{\"d\":4}").ok());
    CHECK(pxos::test::read_text(file) == "{\"d\":4}\n");
}
