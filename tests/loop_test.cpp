// The improvement loop with the heuristic proposer and with fake LLM
// commands (tests/fake_llm/*.sh): good replies, edit lists, chatter,
// garbage, invalid roadmaps, escapes, hangs, failures, floods; resume and
// replay.
#include "pxos/loop.hpp"

#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

namespace {

class RecordingObserver final : public pxos::LoopObserver {
public:
    void note(const std::string& text) override { notes.push_back(text); }
    std::vector<std::string> notes;
};

struct LoopRun {
    pxos::Result<pxos::LoopSummary> summary;
    RecordingObserver observer;
};

pxos::LoopOptions options_for(const pxos::test::ScratchDirectory& scratch, int generations)
{
    pxos::LoopOptions options;
    options.roadmap_path = pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml");
    options.generations = generations;
    options.out_dir = scratch.file("loop");
    options.retries = 1;
    return options;
}

pxos::Result<pxos::LoopSummary> run(const pxos::LoopOptions& options, const std::string& fake = "",
    RecordingObserver* observer = nullptr, double timeout = 5)
{
    std::unique_ptr<pxos::LlmClient> llm;
    if (!fake.empty())
        llm = std::make_unique<pxos::ShellLlmClient>("sh '" + pxos::test::source_path("tests/fake_llm/" + fake) + "' {prompt_file}",
            timeout, std::size_t(1) << 20);
    RecordingObserver fallback_observer;
    pxos::SteadyClock clock;
    return pxos::run_loop(options, pxos::steps::builtin_registry(), llm.get(), observer ? *observer : fallback_observer,
        clock);
}

std::vector<nlohmann::json> history(const pxos::test::ScratchDirectory& scratch)
{
    std::vector<nlohmann::json> lines;
    std::istringstream text(pxos::test::read_text(scratch.file("loop/loop.jsonl")));
    std::string line;
    while (std::getline(text, line))
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

} // namespace

TEST_CASE("the heuristic loop grows the minimal roadmap to full score, best never going down", "[loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 5);
    auto summary = run(options);
    REQUIRE(summary.ok());
    CHECK(summary->best_score == summary->max_score);
    auto lines = history(scratch);
    REQUIRE(lines.size() == 5);
    int best = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        CHECK(lines[i]["generation"] == int(i + 1));
        CHECK(lines[i]["best_score"] >= best);
        best = lines[i]["best_score"];
    }
    CHECK(lines[0]["proposer"] == "given");
    CHECK(lines[1]["proposer"] == "heuristic");
    CHECK(lines[1]["score"] == 22);
    for (const char* file : { "ROADMAP_VRAM_OS.gen001.yaml", "vram_os_stage1.gen001.png", "vram_os_stage1.gen001.json",
             "ROADMAP_VRAM_OS.gen005.yaml", "reflect.gen002.json", "report.html", "timings.jsonl" })
        CHECK(std::filesystem::exists(scratch.path() / "loop" / file));
    std::string report = pxos::test::read_text(scratch.file("loop/report.html"));
    CHECK(report.find("<svg") != std::string::npos);
    CHECK(report.find("data:image/png;base64,") != std::string::npos);
    auto reflect = nlohmann::json::parse(pxos::test::read_text(scratch.file("loop/reflect.gen002.json")));
    CHECK(reflect["failing_checks"].size() > 0);

    // --until-max stops as soon as the score is full.
    pxos::test::ScratchDirectory other;
    auto until = options_for(other, 10);
    until.until_max = true;
    auto stopped = run(until);
    REQUIRE(stopped.ok());
    CHECK(stopped->generations.size() == 2);
    CHECK(stopped->stop_reason == "full score at generation 2 (--until-max)");
}

TEST_CASE("LLM replies: a whole roadmap, an edit list, chatter around fenced blocks", "[loop][llm]")
{
    for (const char* fake : { "whole_roadmap.sh", "edits.sh", "chatter.sh" }) {
        INFO(fake);
        pxos::test::ScratchDirectory scratch;
        auto options = options_for(scratch, 2);
        options.proposer = pxos::ProposerKind::Llm;
        auto summary = run(options, fake);
        REQUIRE(summary.ok());
        auto lines = history(scratch);
        REQUIRE(lines.size() == 2);
        CHECK(lines[1]["proposer"] == "llm");
        CHECK(lines[1]["fallback"] == false);
        CHECK(lines[1]["llm_calls"] == 1);
        CHECK(std::filesystem::exists(scratch.path() / "loop/llm/gen002.c1.a1.prompt.txt"));
        CHECK(std::filesystem::exists(scratch.path() / "loop/llm/gen002.c1.a1.reply.txt"));
        if (std::string(fake) != "chatter.sh")
            CHECK(lines[1]["score"] == 22);
        std::string roadmap = pxos::test::read_text(scratch.file("loop/ROADMAP_VRAM_OS.gen002.yaml"));
        CHECK(roadmap.find("write_isa_palette") != std::string::npos);
        CHECK(roadmap.find("/etc/evil.png") == std::string::npos); // a proposal's output path is ignored
    }
    CHECK_FALSE(std::filesystem::exists("/etc/evil.png"));
}

TEST_CASE("bad LLM replies are retried with the error, then the heuristic takes over and says so", "[loop][llm]")
{
    struct Case {
        const char* fake;
        const char* expected; // in the generation's note
    };
    const Case cases[] = {
        { "garbage.sh", "the reply was rejected: reply.yaml: error: the reply is neither a roadmap" },
        { "unknown_step.sh", "unknown step 'make_it_faster'" },
        { "bad_params.sh", "must be a colour: a list of 3 or 4 integers 0-255" },
        { "escape.sh", "leaves the roadmap's folder" },
        { "fail.sh", "the LLM command exited with 3" },
        { "huge.sh", "the LLM reply was over the LLM reply cap of 1 MiB (raise it with --max-reply-mib, up to 64 MiB)" },
    };
    for (const Case& c : cases) {
        INFO(c.fake);
        pxos::test::ScratchDirectory scratch;
        auto options = options_for(scratch, 2);
        options.proposer = pxos::ProposerKind::Llm;
        RecordingObserver observer;
        auto summary = run(options, c.fake, &observer);
        REQUIRE(summary.ok());
        auto lines = history(scratch);
        REQUIRE(lines.size() == 2);
        CHECK(lines[1]["proposer"] == "heuristic");
        CHECK(lines[1]["fallback"] == true);
        CHECK(lines[1]["llm_calls"] == 2); // the first try and one retry
        CHECK(lines[1]["note"].get<std::string>().find(c.expected) != std::string::npos);
        CHECK(lines[1]["score"] == 22); // the heuristic still repaired it
        CHECK(observer.notes.size() == 2);
    }
    pxos::test::ScratchDirectory scratch;
    CHECK(pxos::test::read_text(scratch.file("none")).empty());
}

TEST_CASE("a hanging LLM command is killed at the timeout, with its whole process group", "[loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    options.proposer = pxos::ProposerKind::Llm;
    options.retries = 0;
    auto started = std::chrono::steady_clock::now();
    auto summary = run(options, "hang.sh", nullptr, 0.5);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    REQUIRE(summary.ok());
    CHECK(seconds < 5);
    auto lines = history(scratch);
    CHECK(lines[1]["note"].get<std::string>().find("timed out (its process group was killed)") != std::string::npos);
}

TEST_CASE("the exact error goes back to the LLM, which can then get it right", "[loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    options.proposer = pxos::ProposerKind::Llm;
    auto summary = run(options, "learns.sh");
    REQUIRE(summary.ok());
    auto lines = history(scratch);
    CHECK(lines[1]["proposer"] == "llm");
    CHECK(lines[1]["llm_calls"] == 2);
    std::string second_prompt = pxos::test::read_text(scratch.file("loop/llm/gen002.c1.a2.prompt.txt"));
    CHECK(second_prompt.find("## Your previous reply was rejected\nreply.yaml:2:5: error: edit 1 (remove) needs step: 1..1")
        != std::string::npos);
}

TEST_CASE("loop --resume continues after the last complete generation, an existing loop is not overwritten", "[loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 3);
    REQUIRE(run(options).ok());
    // A crash while generation 4 was written: its files exist, its line is torn.
    std::string log = pxos::test::read_text(scratch.file("loop/loop.jsonl"));
    scratch.write("loop/loop.jsonl", log + "{\"generation\": 4, \"par");
    options.generations = 6;
    auto refused = run(options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message().find("this out-dir already holds a loop; use --resume") != std::string::npos);
    options.resume = true;
    auto resumed = run(options);
    REQUIRE(resumed.ok());
    CHECK(resumed->generations.size() == 3);
    auto lines = history(scratch);
    REQUIRE(lines.size() == 6);
    for (std::size_t i = 0; i < lines.size(); ++i)
        CHECK(lines[i]["generation"] == int(i + 1));
    CHECK(lines[5]["best_score"] == 22);
}

TEST_CASE("loop --replay reruns a loop from the reply cache with no LLM, giving the same files", "[loop][llm]")
{
    pxos::test::ScratchDirectory first;
    auto options = options_for(first, 3);
    options.proposer = pxos::ProposerKind::Llm;
    REQUIRE(run(options, "edits.sh").ok());

    pxos::test::ScratchDirectory second;
    std::filesystem::create_directories(second.path() / "loop");
    std::filesystem::copy(first.path() / "loop/cache", second.path() / "loop/cache");
    auto replay = options_for(second, 3);
    replay.proposer = pxos::ProposerKind::Llm;
    replay.replay = true;
    REQUIRE(run(replay).ok()); // no LLM command at all
    for (const char* file : { "loop/loop.jsonl", "loop/ROADMAP_VRAM_OS.gen002.yaml", "loop/vram_os_stage1.gen002.png",
             "loop/vram_os_stage1.gen003.json", "loop/reflect.gen003.json" }) {
        INFO(file);
        CHECK(pxos::test::read_bytes(second.file(file)) == pxos::test::read_bytes(first.file(file)));
    }
}

TEST_CASE("the LLM call budget stops the loop cleanly", "[loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 5);
    options.proposer = pxos::ProposerKind::Llm;
    options.max_llm_calls = 1;
    auto summary = run(options, "garbage.sh");
    REQUIRE(summary.ok());
    CHECK(summary->stop_reason == "the LLM call budget (1 calls) is spent");
    CHECK(history(scratch).size() == 2);
}

TEST_CASE("several candidates per generation, evaluated two at a time, duplicates are not evaluated twice", "[loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 3);
    options.candidates = 3;
    options.jobs = 2;
    auto summary = run(options);
    REQUIRE(summary.ok());
    CHECK(summary->best_score == 22);

    pxos::test::ScratchDirectory copies;
    auto copy = options_for(copies, 3);
    copy.proposer = pxos::ProposerKind::Copy;
    REQUIRE(run(copy).ok());
    auto lines = history(copies);
    CHECK(lines[1]["proposer"] == "duplicate");
    CHECK(lines[2]["proposer"] == "duplicate");
    CHECK(lines[2]["score"] == lines[0]["score"]);
}
