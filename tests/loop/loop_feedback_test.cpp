// What the loop tells its observer while it works (the phases a progress
// line shows, the heuristic standing in for the LLM, retries only when
// there are some) and the names of its generation files, from the roadmap.
#include "loop/loop_support.hpp"
#include "pxos/loop/file_names.hpp"
#include "pxos/loop/loop.hpp"

#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>

namespace {

class FailingLlm final : public pxos::LlmClient {
public:
    pxos::CommandOutcome run(const std::string&, const std::string&) override
    {
        pxos::CommandOutcome outcome;
        outcome.exit_code = 3;
        return outcome;
    }
};

class Recorder final : public pxos::LoopObserver {
public:
    void phase(const pxos::LoopPhase& phase) override
    {
        std::lock_guard lock(m_mutex);
        phases.push_back(phase);
    }
    void note(const std::string& text) override { notes.push_back(text); }
    void fell_back(int generation, int candidate, const std::string& why) override
    {
        fallbacks.push_back(fmt::format("{}.{}: {}", generation, candidate, why));
    }
    std::vector<pxos::LoopPhase> phases;
    std::vector<std::string> notes;
    std::vector<std::string> fallbacks;

private:
    std::mutex m_mutex;
};

bool has_phase(const std::vector<pxos::LoopPhase>& phases, pxos::LoopPhase::Kind kind, int generation,
    const std::string& model = {})
{
    for (const pxos::LoopPhase& phase : phases)
        if (phase.kind == kind && phase.generation == generation && phase.model == model)
            return true;
    return false;
}

} // namespace

TEST_CASE("the loop tells its observer each phase: building, evaluating, asking the model", "[loop][feedback]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = pxos::test::loop_options(scratch, "ROADMAP_MINIMAL.yaml", 2, pxos::ProposerKind::Llm);
    options.candidates = 2;
    FailingLlm llm;
    pxos::LlmClients llms;
    llms.models.push_back({ "fake", 1, &llm });
    Recorder observer;
    pxos::FakeClock clock(0);
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), llms, observer, clock);
    REQUIRE(summary.ok());
    using Kind = pxos::LoopPhase::Kind;
    CHECK(has_phase(observer.phases, Kind::Building, 1));
    CHECK(has_phase(observer.phases, Kind::Evaluating, 1));
    CHECK(has_phase(observer.phases, Kind::Asking, 2, "fake"));
    CHECK(has_phase(observer.phases, Kind::Building, 2));
    CHECK(has_phase(observer.phases, Kind::Evaluating, 2));
    int asked_second = 0;
    for (const pxos::LoopPhase& phase : observer.phases)
        if (phase.kind == Kind::Asking && phase.candidate == 2)
            ++asked_second;
    CHECK(asked_second == 2); // retries 1: two calls for the second candidate
    // Both candidates fell back, each said once with why.
    CHECK(observer.fallbacks
        == std::vector<std::string> { "2.1: the LLM command exited with 3", "2.2: the LLM command exited with 3" });
}

TEST_CASE("with --retries 0 the loop never says it is retrying", "[loop][feedback]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = pxos::test::loop_options(scratch, "ROADMAP_MINIMAL.yaml", 2, pxos::ProposerKind::Llm);
    options.retries = 0;
    FailingLlm llm;
    Recorder observer;
    pxos::FakeClock clock(0);
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), &llm, observer, clock);
    REQUIRE(summary.ok());
    CHECK(observer.notes == std::vector<std::string> { "generation 2: the LLM command exited with 3 (attempt 1 of 1)" });
    CHECK(clock.sleeps().empty()); // and waits for no retry
    CHECK(observer.fallbacks.size() == 1);
}

TEST_CASE("loop file names come from the roadmap's stem and its output PNG's, the seed's kept", "[loop][names]")
{
    auto seed = pxos::loop_file_names("roadmaps/seed_stage1.yaml", "artifacts/vram_os_stage1.png");
    CHECK(seed.roadmap(2) == "ROADMAP_VRAM_OS.gen002.yaml");
    CHECK(seed.image(2) == "vram_os_stage1.gen002.png");
    CHECK(seed.evaluation(2) == "vram_os_stage1.gen002.json");
    CHECK(seed.diff(2) == "vram_os_stage1.gen002.diff.png");
    auto own = pxos::loop_file_names("roadmaps/ROADMAP_VRAM_OS.yaml", "artifacts/vram_os.png");
    CHECK(own.roadmap(12) == "ROADMAP_VRAM_OS.gen012.yaml");
    CHECK(own.image(12) == "vram_os.gen012.png");
    auto bare = pxos::loop_file_names("my/os.yaml", "");
    CHECK(bare.roadmap(1) == "os.gen001.yaml");
    CHECK(bare.image(1) == "os.gen001.png");
    CHECK(pxos::loop_file_names("x/loop.yaml", "out/reflect.png").roadmap(1) == "roadmap.gen001.yaml");
    CHECK(pxos::loop_file_names("x/loop.yaml", "out/reflect.png").image(1) == "image.gen001.png");
    CHECK(pxos::generation_file_name("a", 1000, "png") == "a.gen1000.png");

    auto kept = pxos::loop_file_names_of("ROADMAP_VRAM_OS.gen001.yaml", "vram_os_stage1.gen001.json");
    REQUIRE(kept);
    CHECK(kept->image(3) == "vram_os_stage1.gen003.png");
    CHECK_FALSE(pxos::loop_file_names_of("attempts/gen001.c1.yaml", "x.gen001.json"));
    CHECK_FALSE(pxos::loop_file_names_of("x.gen002.yaml", "x.gen001.json"));
}

TEST_CASE("a loop names its files after the roadmap, and a resumed one keeps its history's names", "[loop][names]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::LoopObserver observer;
    pxos::FakeClock clock(0);
    auto options = pxos::test::loop_options(scratch, "ROADMAP_MINIMAL.yaml", 2, pxos::ProposerKind::Heuristic);
    REQUIRE(pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, observer, clock).ok());
    for (const char* file : { "loop/ROADMAP_MINIMAL.gen001.yaml", "loop/ROADMAP_MINIMAL.gen002.png",
             "loop/ROADMAP_MINIMAL.gen002.json", "loop/ROADMAP_MINIMAL.gen002.diff.png" })
        CHECK(std::filesystem::exists(scratch.file(file)));
    CHECK_FALSE(std::filesystem::exists(scratch.file("loop/ROADMAP_VRAM_OS.gen001.yaml")));
    CHECK(pxos::test::read_text(scratch.file("loop/report.html")).find("ROADMAP_MINIMAL.gen002.diff.png")
        != std::string::npos);

    // A loop.jsonl written with the seed's names (an older pxos) goes on with them.
    pxos::test::ScratchDirectory older;
    auto first = pxos::test::loop_options(older, "ROADMAP_MINIMAL.yaml", 1, pxos::ProposerKind::Heuristic);
    REQUIRE(pxos::run_loop(first, pxos::steps::builtin_registry(), nullptr, observer, clock).ok());
    std::string history = pxos::test::read_text(older.file("loop/loop.jsonl"));
    for (auto [from, to] : { std::pair<std::string, std::string> { "ROADMAP_MINIMAL.gen001.yaml", "ROADMAP_VRAM_OS.gen001.yaml" },
             { "ROADMAP_MINIMAL.gen001.png", "vram_os_stage1.gen001.png" },
             { "ROADMAP_MINIMAL.gen001.json", "vram_os_stage1.gen001.json" } }) {
        for (std::size_t at = history.find(from); at != std::string::npos; at = history.find(from))
            history.replace(at, from.size(), to);
        std::filesystem::rename(older.file("loop/" + from), older.file("loop/" + to));
    }
    older.write("loop/loop.jsonl", history);
    auto resumed = pxos::test::loop_options(older, "ROADMAP_MINIMAL.yaml", 2, pxos::ProposerKind::Heuristic);
    resumed.resume = true;
    auto summary = pxos::run_loop(resumed, pxos::steps::builtin_registry(), nullptr, observer, clock);
    REQUIRE(summary.ok());
    CHECK(std::filesystem::exists(older.file("loop/ROADMAP_VRAM_OS.gen002.yaml")));
    CHECK(std::filesystem::exists(older.file("loop/vram_os_stage1.gen002.png")));
    CHECK_FALSE(std::filesystem::exists(older.file("loop/ROADMAP_MINIMAL.gen002.yaml")));
}

TEST_CASE("the seed's roadmap keeps the seed's loop file names", "[loop][names][seed]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::LoopObserver observer;
    pxos::FakeClock clock(0);
    auto options = pxos::test::loop_options(scratch, "seed_stage1.yaml", 2, pxos::ProposerKind::Copy);
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, observer, clock);
    REQUIRE(summary.ok());
    for (const char* file : { "loop/ROADMAP_VRAM_OS.gen001.yaml", "loop/vram_os_stage1.gen001.png",
             "loop/vram_os_stage1.gen001.json", "loop/ROADMAP_VRAM_OS.gen002.yaml", "loop/vram_os_stage1.gen002.png" })
        CHECK(std::filesystem::exists(scratch.file(file)));
}
