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
    CHECK(pxos::history_line(r)
        == "{\"generation\":2,\"parent\":1,\"score\":22,\"max_score\":22,\"best_score\":22,\"best_generation\":2,"
           "\"proposer\":\"heuristic\",\"fallback\":true,\"llm_calls\":2,\"note\":\"a \\\"quoted\\\" note\","
           "\"roadmap\":\"ROADMAP_VRAM_OS.gen002.yaml\",\"image\":\"vram_os_stage1.gen002.png\","
           "\"eval\":\"vram_os_stage1.gen002.json\",\"diff\":\"vram_os_stage1.gen002.diff.png\","
           "\"model\":\"\",\"trials\":[]}");
}

TEST_CASE("history lines read back as the records they were written from", "[loop][history]")
{
    pxos::GenerationRecord second = record(2, 22);
    second.fallback = true;
    second.diff_file = "d.png";
    second.model = "fast";
    second.trials = { { "fast", true }, { "slow", false } };
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
    CHECK(back.model == "fast");
    REQUIRE(back.trials.size() == 2);
    CHECK(back.trials[0].model == "fast");
    CHECK(back.trials[0].improved);
    CHECK(back.trials[1].model == "slow");
    CHECK_FALSE(back.trials[1].improved);
    CHECK((*records)[0].score == 3);

    // A line of a loop from before the diff field: no diff.
    auto old = pxos::parse_history(
        "{\"generation\":1,\"parent\":0,\"score\":3,\"max_score\":22,\"best_score\":3,\"best_generation\":1,"
        "\"proposer\":\"given\",\"fallback\":false,\"llm_calls\":0,\"note\":\"\",\"roadmap\":\"r\",\"image\":\"i\","
        "\"eval\":\"e\"}\n",
        "loop.jsonl");
    REQUIRE(old.ok());
    CHECK(old->at(0).diff_file.empty());
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
