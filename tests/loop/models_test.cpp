// Several LLM models (--llm-cmd NAME=WEIGHT:CMD, a bandit picks one per
// call) and one agent per region (--agent REGION=CMD), with the fake LLM
// commands of tests/fake_llm: climbs.sh improves on its parent every time
// it can, idles.sh never does, kernel_agent.sh and programs_agent.sh answer
// only their region's prompt, trespass.sh changes a step outside its region
// until told.
#include "loop/loop_support.hpp"
#include "pxos/host/posix/shell_llm_client.hpp"
#include "pxos/loop/agents.hpp"
#include "pxos/loop/loop.hpp"
#include "pxos/loop/models.hpp"

#include "builtin_steps.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

class RecordingObserver final : public pxos::LoopObserver {
public:
    void note(const std::string& text) override { notes.push_back(text); }
    std::vector<std::string> notes;
};

pxos::LoopOptions options_for(const pxos::test::ScratchDirectory& scratch, int generations)
{
    return pxos::test::loop_options(scratch, "ROADMAP_MINIMAL.yaml", generations, pxos::ProposerKind::Llm);
}

// The clients of a run: models NAME -> fake script with weights, agents REGION -> fake script.
struct Clients {
    std::vector<std::unique_ptr<pxos::LlmClient>> owned;
    pxos::LlmClients llms;

    pxos::LlmClient* client(const std::string& fake)
    {
        owned.push_back(std::make_unique<pxos::ShellLlmClient>(pxos::test::fake_llm_command(fake), 5.0, std::size_t(1) << 20));
        return owned.back().get();
    }
    Clients& model(const std::string& name, double weight, const std::string& fake)
    {
        llms.models.push_back({ name, weight, fake.empty() ? nullptr : client(fake) });
        return *this;
    }
    Clients& agent(const std::string& region, const std::string& fake)
    {
        llms.agents.push_back({ region, 1, fake.empty() ? nullptr : client(fake) });
        return *this;
    }
};

pxos::Result<pxos::LoopSummary> run(const pxos::LoopOptions& options, const pxos::LlmClients& llms,
    RecordingObserver* observer = nullptr)
{
    RecordingObserver fallback;
    pxos::SteadyClock clock;
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), llms, observer ? *observer : fallback, clock);
    if (!summary)
        UNSCOPED_INFO(summary.error().message());
    return summary;
}

// The model each generation from 2 on asked, in order.
std::string picks(const std::vector<nlohmann::json>& lines)
{
    std::string text;
    for (std::size_t i = 1; i < lines.size(); ++i)
        text += (text.empty() ? "" : " ") + lines[i]["model"].get<std::string>();
    return text;
}

pxos::Roadmap roadmap(const std::string& steps)
{
    std::string text = "metadata:\n  name: \"t\"\n  vram_width: 512\n  vram_height: 512\nsteps:\n" + steps;
    auto parsed = pxos::parse_roadmap(text, "t.yaml", pxos::steps::builtin_registry());
    REQUIRE(parsed.ok());
    return std::move(*parsed);
}

std::string steps_of(const pxos::Roadmap& roadmap)
{
    std::string text;
    for (const pxos::StepCall& call : roadmap.steps)
        text += (text.empty() ? "" : " ") + std::string(call.definition->name)
            + (call.params.empty() ? "" : "(" + std::get<std::string>(call.params.front().second) + ")");
    return text;
}

std::string usage_error(const pxos::Error& error) { return error.diagnostics().front().message; }

} // namespace

TEST_CASE("the --llm-cmd values: a plain command is the model llm, NAME=WEIGHT:CMD names one, bad ones say why", "[models]")
{
    auto plain = pxos::parse_model_spec("sh my_llm.sh {prompt_file}");
    REQUIRE(plain.ok());
    CHECK(plain->name == "llm");
    CHECK(plain->weight == 1);
    CHECK(plain->command == "sh my_llm.sh {prompt_file}");
    auto named = pxos::parse_model_spec("fast=2.5:claude -p --model haiku");
    REQUIRE(named.ok());
    CHECK(named->name == "fast");
    CHECK(named->weight == 2.5);
    CHECK(named->command == "claude -p --model haiku");
    // An assignment after a space is the command's own business.
    auto env = pxos::parse_model_spec("env MODEL=gpt:4 llm");
    REQUIRE(env.ok());
    CHECK(env->name == "llm");

    struct Case {
        const char* text;
        const char* message;
    };
    const Case bad[] = {
        { "fast=x:cmd", "--llm-cmd 'fast=x:cmd': the weight 'x' of model 'fast' is not a number above 0" },
        { "fast=0:cmd", "the weight '0' of model 'fast' is not a number above 0 and at most 1e6" },
        { "fast=-1:cmd", "the weight '-1' of model 'fast'" },
        { "fast=2e7:cmd", "the weight '2e7' of model 'fast'" },
        { "fast=nan:cmd", "the weight 'nan' of model 'fast'" },
        { "fast=:cmd", "the weight '' of model 'fast'" },
        { "MODEL=gpt-4:turbo llm", "the weight 'gpt-4' of model 'MODEL' is not a number" },
        { "fast=2:  ", "--llm-cmd 'fast=2:  ': model 'fast' has no command after the ':'" },
        { "1st=2:cmd", "the model name '1st' must start with a letter" },
        { "  ", "--llm-cmd '  ': the command is empty" },
    };
    for (const Case& c : bad) {
        INFO(c.text);
        auto spec = pxos::parse_model_spec(c.text);
        REQUIRE_FALSE(spec.ok());
        CHECK(spec.error().kind() == pxos::ErrorKind::Usage);
        CHECK_THAT(usage_error(spec.error()), Catch::Contains(c.message));
    }

    auto list = pxos::parse_model_specs({ "a=1:x", "b=3:y" });
    REQUIRE(list.ok());
    REQUIRE(list->size() == 2);
    CHECK((*list)[1].name == "b");
    CHECK((*list)[1].weight == 3);
    auto twice = pxos::parse_model_specs({ "sh one.sh", "sh two.sh" });
    REQUIRE_FALSE(twice.ok());
    CHECK(usage_error(twice.error())
        == "--llm-cmd 'sh two.sh': a second model named 'llm'; give each --llm-cmd its own name (NAME=WEIGHT:CMD)");
}

TEST_CASE("the --agent values: REGION=CMD for kernel, programs or layout, once each, in region order", "[models]")
{
    auto agents = pxos::parse_agent_specs({ "layout=sh l.sh", "kernel=sh k.sh {prompt_file}", "programs=fast" });
    REQUIRE(agents.ok());
    REQUIRE(agents->size() == 3);
    CHECK((*agents)[0].region == "kernel");
    CHECK((*agents)[0].command == "sh k.sh {prompt_file}");
    CHECK((*agents)[1].region == "programs");
    CHECK((*agents)[2].region == "layout");
    struct Case {
        std::vector<std::string> texts;
        const char* message;
    };
    const Case bad[] = {
        { { "sh k.sh" }, "--agent 'sh k.sh': give REGION=CMD (regions: kernel, programs, layout)" },
        { { "shell=sh k.sh" }, "--agent 'shell=sh k.sh': unknown region 'shell' (regions: kernel, programs, layout)" },
        { { "kernel= " }, "--agent 'kernel= ': the kernel agent has no command after the '='" },
        { { "kernel=a", "kernel=b" }, "--agent 'kernel=b': a second agent for the region 'kernel'; one agent per region" },
    };
    for (const Case& c : bad) {
        INFO(c.message);
        auto specs = pxos::parse_agent_specs(c.texts);
        REQUIRE_FALSE(specs.ok());
        CHECK(specs.error().kind() == pxos::ErrorKind::Usage);
        CHECK(usage_error(specs.error()) == c.message);
    }
}

TEST_CASE("the bandit picks the model whose candidates improved, weights lead while counts are few", "[models]")
{
    // No counts yet: the weights decide how often (3 x U > U' for 5 in 6 picks).
    std::vector<pxos::ModelStats> fresh { { "heavy", 3, 0, 0 }, { "light", 1, 0, 0 } };
    int heavy = 0;
    for (int candidate = 1; candidate <= 600; ++candidate)
        heavy += pxos::pick_model(fresh, 7, 2, candidate) == 0 ? 1 : 0;
    CHECK(heavy == 503);
    // Counts win over the weights: 9 of 10 improved against 0 of 10, though weighted 1 to 3.
    std::vector<pxos::ModelStats> learned { { "bad", 3, 10, 0 }, { "good", 1, 10, 9 } };
    int good = 0;
    for (int candidate = 1; candidate <= 600; ++candidate)
        good += pxos::pick_model(learned, 7, 2, candidate) == 1 ? 1 : 0;
    CHECK(good == 585);
    // Deterministic from the seed, the generation and the candidate; another seed, other draws.
    std::string first, again, other;
    for (int generation = 2; generation < 40; ++generation) {
        first += char('0' + pxos::pick_model(fresh, 1, generation, 1));
        again += char('0' + pxos::pick_model(fresh, 1, generation, 1));
        other += char('0' + pxos::pick_model(fresh, 2, generation, 1));
    }
    CHECK(first == again);
    CHECK(first != other);
    // One model: always it.
    CHECK(pxos::pick_model({ { "only", 1, 5, 0 } }, 1, 2, 1) == 0);
}

TEST_CASE("model stats count each name's attempts in loop records, and a model's reply is cached under its name",
    "[models]")
{
    auto attempt = [](const std::string& model, bool improved, bool fallback = false) {
        pxos::GenerationRecord record;
        record.model = model;
        record.improved = improved;
        record.fallback = fallback;
        return record;
    };
    pxos::GenerationRecord second, third;
    second.attempts = { attempt("fast", true), attempt("slow", false), attempt("", true) };
    third.attempts = { attempt("fast", false), attempt("kernel+slow", true), attempt("gone", true),
        attempt("slow", true, true) };
    auto stats = pxos::model_stats({ { "fast", 2, nullptr }, { "slow", 1, nullptr }, { "kernel", 1, nullptr } },
        { pxos::GenerationRecord {}, second, third });
    REQUIRE(stats.size() == 3);
    CHECK(stats[0].candidates == 2);
    CHECK(stats[0].improved == 1);
    CHECK(stats[1].candidates == 3); // its own, as an agent beside kernel, and a fallback
    CHECK(stats[1].improved == 1);
    CHECK(stats[2].improved == 1);
    CHECK(pxos::model_stats_text({ stats[0], stats[1] })
        == "fast (weight 2): 2 candidates, 1 improved; slow (weight 1): 3 candidates, 1 improved");
    CHECK(pxos::model_stats_text({ stats[2] }, false) == "kernel: 1 candidate, 1 improved");
    CHECK(pxos::reply_key("llm", "PROMPT") == "PROMPT");
    CHECK(pxos::reply_key("fast", "PROMPT") == "model fast\n\nPROMPT");
}

TEST_CASE("an agent may change only its region's steps, the error names the step outside it", "[models]")
{
    pxos::Roadmap parent = roadmap("  - step: layout_regions\n  - step: install_kernel\n");
    auto kernel_ok = roadmap("  - step: layout_regions\n  - step: install_kernel\n    params: {quantum: 300}\n");
    CHECK(pxos::check_agent_change(parent, kernel_ok, "kernel", "reply.yaml").ok());
    auto adds_layout = roadmap("  - step: layout_regions\n  - step: write_isa_palette\n  - step: install_kernel\n");
    auto outside = pxos::check_agent_change(parent, adds_layout, "kernel", "reply.yaml");
    REQUIRE_FALSE(outside.ok());
    CHECK(outside.error().diagnostics().front().format()
        == "reply.yaml: error: step 2 (write_isa_palette) is in the region layout and is not the parent's step there: "
           "the kernel agent may change only its region's steps (install_kernel); keep every other step as it is");
    auto drops_kernel = roadmap("  - step: layout_regions\n");
    auto dropped = pxos::check_agent_change(parent, drops_kernel, "programs", "reply.yaml");
    REQUIRE_FALSE(dropped.ok());
    CHECK_THAT(usage_error(dropped.error()),
        Catch::StartsWith("the parent's step 2 (install_kernel, region kernel) was removed or changed: the programs "
                          "agent may change only its region's steps (add_process, add_file)"));
    CHECK(pxos::check_agent_change(parent, drops_kernel, "kernel", "reply.yaml").ok());
    pxos::Roadmap renamed = parent;
    renamed.metadata.name = "mine";
    auto metadata = pxos::check_agent_change(parent, renamed, "kernel", "reply.yaml");
    REQUIRE_FALSE(metadata.ok());
    CHECK_THAT(usage_error(metadata.error()), Catch::StartsWith("the metadata or output settings changed"));
    CHECK(pxos::check_agent_change(parent, renamed, "layout", "reply.yaml").ok());
}

TEST_CASE("the agents' changes combine: each region's steps from its agent, after the step they followed", "[models]")
{
    pxos::Roadmap parent = roadmap("  - step: layout_regions\n  - step: install_kernel\n  - step: add_process\n"
                                   "    params: {program_file: \"builtin:hello.pxasm\"}\n  - step: write_boot_banner\n");
    // The kernel agent drops its step and adds one at the start; programs swaps hello for draw and adds primes at the end;
    // layout drops the banner and adds the palette after layout_regions.
    auto kernel = roadmap("  - step: install_kernel\n  - step: layout_regions\n  - step: add_process\n"
                          "    params: {program_file: \"builtin:hello.pxasm\"}\n  - step: write_boot_banner\n");
    auto programs = roadmap("  - step: layout_regions\n  - step: install_kernel\n  - step: add_process\n"
                            "    params: {program_file: \"builtin:draw.pxasm\"}\n  - step: write_boot_banner\n"
                            "  - step: add_process\n    params: {program_file: \"builtin:primes.pxasm\"}\n");
    auto layout = roadmap("  - step: layout_regions\n  - step: write_isa_palette\n  - step: install_kernel\n"
                          "  - step: add_process\n    params: {program_file: \"builtin:hello.pxasm\"}\n");
    REQUIRE(pxos::check_agent_change(parent, kernel, "kernel", "r").ok());
    REQUIRE(pxos::check_agent_change(parent, programs, "programs", "r").ok());
    REQUIRE(pxos::check_agent_change(parent, layout, "layout", "r").ok());
    CHECK(steps_of(pxos::combine_agent_changes(parent, { { "kernel", &kernel }, { "programs", &programs },
              { "layout", &layout } }))
        == "install_kernel layout_regions write_isa_palette add_process(builtin:draw.pxasm) "
           "add_process(builtin:primes.pxasm)");
    // A region with no agent keeps the parent's steps.
    CHECK(steps_of(pxos::combine_agent_changes(parent, { { "programs", &programs } }))
        == "layout_regions install_kernel add_process(builtin:draw.pxasm) write_boot_banner "
           "add_process(builtin:primes.pxasm)");
    // Two agents adding after the same step: in region order.
    pxos::Roadmap bare = roadmap("  - step: layout_regions\n");
    auto adds_kernel = roadmap("  - step: layout_regions\n  - step: install_kernel\n");
    auto adds_hello = roadmap("  - step: layout_regions\n  - step: add_process\n");
    CHECK(steps_of(pxos::combine_agent_changes(bare, { { "programs", &adds_hello }, { "kernel", &adds_kernel } }))
        == "layout_regions install_kernel add_process");
    CHECK(steps_of(pxos::combine_agent_changes(bare, { { "kernel", &adds_kernel }, { "programs", &adds_hello } }))
        == "layout_regions install_kernel add_process");
}

TEST_CASE("two weighted models: the bandit asks the one that improves more often, the same way every time",
    "[models][loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 8);
    Clients clients;
    clients.model("idle", 2, "idles.sh").model("climb", 1, "climbs.sh");
    auto summary = run(options, clients.llms);
    REQUIRE(summary.ok());
    auto lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == 8);
    // The idle model leads on its weight until its candidates keep failing.
    CHECK(picks(lines) == "idle idle idle climb climb climb climb");
    CHECK(lines[4]["attempts"][0]["model"] == "climb");
    CHECK(lines[4]["attempts"][0]["improved"] == true);
    CHECK(lines[1]["attempts"][0]["model"] == "idle");
    CHECK(lines[1]["attempts"][0]["improved"] == false);
    REQUIRE(summary->models.size() == 2);
    CHECK(pxos::model_stats_text(summary->models)
        == "idle (weight 2): 3 candidates, 0 improved; climb (weight 1): 4 candidates, 4 improved");
    CHECK(lines[7]["note"] == "proposed by the model climb");

    // Each model's replies are its own: --replay with the same models (never run) gives the same files.
    pxos::test::ScratchDirectory second;
    std::filesystem::create_directories(second.path() / "loop");
    std::filesystem::copy(scratch.path() / "loop/cache", second.path() / "loop/cache");
    auto replay = options_for(second, 8);
    replay.replay = true;
    Clients names;
    names.model("idle", 2, "").model("climb", 1, "");
    REQUIRE(run(replay, names.llms).ok());
    for (const char* file : { "loop/loop.jsonl", "loop/ROADMAP_MINIMAL.gen008.yaml", "loop/ROADMAP_MINIMAL.gen008.png" }) {
        INFO(file);
        CHECK(pxos::test::read_bytes(second.file(file)) == pxos::test::read_bytes(scratch.file(file)));
    }

    // Stopped after 5 generations and resumed to 8: the counts come back from loop.jsonl, the picks are the same.
    pxos::test::ScratchDirectory third;
    auto stopped = options_for(third, 5);
    Clients again;
    again.model("idle", 2, "idles.sh").model("climb", 1, "climbs.sh");
    REQUIRE(run(stopped, again.llms).ok());
    stopped.generations = 8;
    stopped.resume = true;
    auto resumed = run(stopped, again.llms);
    REQUIRE(resumed.ok());
    CHECK(picks(pxos::test::loop_history(third)) == picks(lines));
    CHECK(pxos::model_stats_text(resumed->models) == pxos::model_stats_text(summary->models));
}

TEST_CASE("two candidates per generation: each asks its own pick, both count, a duplicate did not improve",
    "[models][loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 4);
    options.candidates = 2;
    Clients clients;
    clients.model("idle", 1, "idles.sh").model("climb", 1, "climbs.sh");
    auto summary = run(options, clients.llms);
    REQUIRE(summary.ok());
    auto lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == 4);
    int climbs = 0, improved = 0;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        REQUIRE(lines[i]["attempts"].size() == 2);
        for (const auto& attempt : lines[i]["attempts"]) {
            if (attempt["model"] != "climb")
                continue;
            ++climbs;
            improved += attempt["improved"] == true ? 1 : 0;
            // Improved unless it repeated a roadmap the loop had (its twin in the generation).
            CHECK(attempt["improved"] == (attempt["outcome"] != "duplicate"));
        }
    }
    CHECK(summary->models[0].candidates + summary->models[1].candidates == 6);
    CHECK(summary->models[1].candidates == climbs);
    CHECK(summary->models[1].improved == improved);
    CHECK(improved > 0);
    CHECK(summary->models[0].improved == 0);
}

TEST_CASE("agents for kernel and programs (--agent): each gets its region's prompt, their changes make one candidate",
    "[models][loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    Clients clients;
    clients.agent("kernel", "kernel_agent.sh").agent("programs", "programs_agent.sh");
    auto summary = run(options, clients.llms);
    REQUIRE(summary.ok());
    auto lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["proposer"] == "llm");
    CHECK(lines[1]["fallback"] == false);
    CHECK(lines[1]["model"] == "kernel+programs");
    CHECK(lines[1]["llm_calls"] == 2);
    CHECK(lines[1]["note"] == "proposed by the agents kernel+programs");
    REQUIRE(lines[1]["attempts"].size() == 1);
    CHECK(lines[1]["attempts"][0]["improved"] == true);
    std::string kernel_prompt = pxos::test::read_text(scratch.file("loop/llm/gen002.c1.kernel.a1.prompt.txt"));
    std::string programs_prompt = pxos::test::read_text(scratch.file("loop/llm/gen002.c1.programs.a1.prompt.txt"));
    CHECK(kernel_prompt.find("You are the agent of the kernel region:") != std::string::npos);
    CHECK(kernel_prompt.find("You are the agent of the programs region:") == std::string::npos);
    CHECK(programs_prompt.find("You are the agent of the programs region:") != std::string::npos);
    CHECK(programs_prompt.find("You are the agent of the kernel region:") == std::string::npos);
    // One candidate, both changes, evaluated once: its evaluation is of the combined roadmap.
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "loop/llm/gen002.c2.kernel.a1.prompt.txt"));
    std::string chosen = pxos::test::read_text(scratch.file("loop/ROADMAP_MINIMAL.gen002.yaml"));
    CHECK(chosen.find("steps:\n  - step: layout_regions\n  - step: install_kernel\n  - step: add_process\n")
        != std::string::npos);
    auto evaluation = nlohmann::json::parse(pxos::test::read_text(scratch.file("loop/ROADMAP_MINIMAL.gen002.json")));
    CHECK(evaluation["score"] == lines[1]["score"]);
    CHECK(lines[1]["score"] > lines[0]["score"]);
    REQUIRE(summary->models.size() == 2);
    CHECK(pxos::model_stats_text(summary->models, false)
        == "kernel: 1 candidate, 1 improved; programs: 1 candidate, 1 improved");

    // Replayed from the cache (agents named, never run): the same files.
    pxos::test::ScratchDirectory second;
    std::filesystem::create_directories(second.path() / "loop");
    std::filesystem::copy(scratch.path() / "loop/cache", second.path() / "loop/cache");
    auto replay = options_for(second, 2);
    replay.replay = true;
    Clients names;
    names.agent("kernel", "").agent("programs", "");
    REQUIRE(run(replay, names.llms).ok());
    CHECK(pxos::test::read_bytes(second.file("loop/loop.jsonl")) == pxos::test::read_bytes(scratch.file("loop/loop.jsonl")));
}

TEST_CASE("an agent that changes another region's step is rejected with the step named, fed back, then right",
    "[models][loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    Clients clients;
    clients.agent("kernel", "trespass.sh");
    RecordingObserver observer;
    auto summary = run(options, clients.llms, &observer);
    REQUIRE(summary.ok());
    auto lines = pxos::test::loop_history(scratch);
    CHECK(lines[1]["model"] == "kernel");
    CHECK(lines[1]["llm_calls"] == 2);
    CHECK(lines[1]["fallback"] == false);
    std::string expected = "reply.yaml: error: step 2 (write_isa_palette) is in the region layout and is not the "
                           "parent's step there: the kernel agent may change only its region's steps (install_kernel)";
    std::string retry = pxos::test::read_text(scratch.file("loop/llm/gen002.c1.kernel.a2.prompt.txt"));
    CHECK(retry.find("## Your previous reply was rejected\n") != std::string::npos);
    CHECK(retry.find("\nIts errors:\n" + expected) != std::string::npos);
    REQUIRE_FALSE(observer.notes.empty());
    CHECK_THAT(observer.notes.front(), Catch::StartsWith("generation 2: the kernel agent: the reply was rejected: " + expected));
    std::string chosen = pxos::test::read_text(scratch.file("loop/ROADMAP_MINIMAL.gen002.yaml"));
    CHECK(chosen.find("write_isa_palette") == std::string::npos);
    CHECK(chosen.find("install_kernel") != std::string::npos);

    // An agent that never gets it right: the heuristic proposes, the agent counted as not improved.
    pxos::test::ScratchDirectory other;
    auto failing = options_for(other, 2);
    Clients wrong;
    wrong.agent("programs", "kernel_agent.sh"); // answers only a kernel prompt
    auto failing_summary = run(failing, wrong.llms);
    REQUIRE(failing_summary.ok());
    auto failed = pxos::test::loop_history(other);
    CHECK(failed[1]["proposer"] == "heuristic");
    CHECK(failed[1]["fallback"] == true);
    CHECK(failed[1]["model"] == "programs");
    CHECK(failed[1]["attempts"][0]["model"] == "programs");
    CHECK(failed[1]["attempts"][0]["fallback"] == true); // the heuristic's candidate, not the agent's
    CHECK(pxos::model_stats_text(failing_summary->models, false) == "programs: 1 candidate, 0 improved");
    REQUIRE(failed.size() == 2);
    CHECK_THAT(failed[1]["note"].get<std::string>(), Catch::StartsWith("the agents failed (the programs agent: "));
}

TEST_CASE("pxos loop with a weighted --llm-cmd list and with --agent, and its usage errors", "[models][cli]")
{
    pxos::test::ScratchDirectory scratch;
    std::string roadmap = "'" + pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml") + "'";
    std::string idle = "\"idle=2:" + pxos::test::fake_llm_command("idles.sh") + "\"";
    std::string climb = "\"climb=1:" + pxos::test::fake_llm_command("climbs.sh") + "\"";
    auto models = pxos::test::run_pxos("loop --llm-cmd " + idle + " --llm-cmd " + climb + " " + roadmap
            + " 8 --out-dir out",
        scratch.path());
    REQUIRE(models.exit_code == 0);
    CHECK(models.out == "out/ROADMAP_MINIMAL.gen008.yaml\n");
    CHECK_THAT(models.err,
        Catch::Contains("loop: models idle (weight 2): 3 candidates, 0 improved; climb (weight 1): 4 candidates, "
                        "4 improved\n"));

    auto agents = pxos::test::run_pxos("loop " + roadmap + " 2 --out-dir agents --agent \"programs="
            + pxos::test::fake_llm_command("programs_agent.sh") + "\" --agent \"kernel=" + pxos::test::fake_llm_command("kernel_agent.sh") + "\"",
        scratch.path());
    REQUIRE(agents.exit_code == 0);
    CHECK_THAT(agents.err, Catch::Contains("proposed by the agents kernel+programs"));
    CHECK_THAT(agents.err, Catch::Contains("loop: agents kernel: 1 candidate, 1 improved; programs: 1 candidate, 1 improved\n"));

    // An agent's CMD may name a model: it uses that model's command.
    auto named = pxos::test::run_pxos("loop " + roadmap + " 2 --out-dir named --llm-cmd \"k=1:"
            + pxos::test::fake_llm_command("kernel_agent.sh") + "\" --agent kernel=k",
        scratch.path());
    REQUIRE(named.exit_code == 0);
    CHECK_THAT(named.err, Catch::Contains("proposed by the agents kernel"));

    struct Case {
        const char* arguments;
        const char* err;
    };
    const Case bad[] = {
        { "--llm-cmd 'fast=x:sh a.sh'",
            "pxos: error: --llm-cmd 'fast=x:sh a.sh': the weight 'x' of model 'fast' is not a number above 0 and at "
            "most 1e6 (NAME=WEIGHT:CMD; a plain command that starts with NAME=...: put `env ` before it)\n" },
        { "--llm-cmd 'sh a.sh' --llm-cmd 'sh b.sh'",
            "pxos: error: --llm-cmd 'sh b.sh': a second model named 'llm'; give each --llm-cmd its own name "
            "(NAME=WEIGHT:CMD)\n" },
        { "--agent 'os=sh a.sh'",
            "pxos: error: --agent 'os=sh a.sh': unknown region 'os' (regions: kernel, programs, layout)\n" },
        { "--agent 'kernel=a' --agent 'kernel=b'",
            "pxos: error: --agent 'kernel=b': a second agent for the region 'kernel'; one agent per region\n" },
    };
    for (const Case& c : bad) {
        INFO(c.arguments);
        auto result = pxos::test::run_pxos("loop " + roadmap + " 2 --out-dir bad " + c.arguments, scratch.path());
        CHECK(result.exit_code == 2);
        CHECK(result.err == c.err);
    }
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "bad"));
}
