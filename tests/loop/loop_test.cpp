// The improvement loop with the heuristic proposer and with fake LLM
// commands (tests/fake_llm/*.sh): good replies, edit lists, chatter,
// garbage, invalid roadmaps, escapes, hangs, failures, floods; resume and
// replay.
#include "loop/loop_support.hpp"
#include "pxos/host/posix/shell_llm_client.hpp"
#include "pxos/loop/loop.hpp"
#include "pxos/loop/proposer.hpp"
#include "pxos/loop/reply.hpp"

#include "builtin_steps.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fcntl.h>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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
    return pxos::test::loop_options(scratch, "ROADMAP_MINIMAL.yaml", generations, pxos::ProposerKind::Heuristic);
}

pxos::Result<pxos::LoopSummary> run(const pxos::LoopOptions& options, const std::string& fake = "",
    RecordingObserver* observer = nullptr, double timeout = 5)
{
    std::unique_ptr<pxos::LlmClient> llm;
    if (!fake.empty())
        llm = std::make_unique<pxos::ShellLlmClient>(pxos::test::fake_llm_command(fake), timeout, std::size_t(1) << 20);
    RecordingObserver fallback_observer;
    pxos::SteadyClock clock;
    return pxos::run_loop(options, pxos::steps::builtin_registry(), llm.get(), observer ? *observer : fallback_observer,
        clock);
}

} // namespace

TEST_CASE("the heuristic loop grows the minimal roadmap to full score, best never going down", "[loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 5);
    auto summary = run(options);
    REQUIRE(summary.ok());
    CHECK(summary->best_score == summary->max_score);
    auto lines = pxos::test::loop_history(scratch);
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
    for (const char* file : { "ROADMAP_MINIMAL.gen001.yaml", "ROADMAP_MINIMAL.gen001.png", "ROADMAP_MINIMAL.gen001.json",
             "ROADMAP_MINIMAL.gen005.yaml", "reflect.gen002.json", "report.html", "timings.jsonl" })
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
        auto lines = pxos::test::loop_history(scratch);
        REQUIRE(lines.size() == 2);
        CHECK(lines[1]["proposer"] == "llm");
        CHECK(lines[1]["fallback"] == false);
        CHECK(lines[1]["llm_calls"] == 1);
        CHECK(std::filesystem::exists(scratch.path() / "loop/llm/gen002.c1.a1.prompt.txt"));
        CHECK(std::filesystem::exists(scratch.path() / "loop/llm/gen002.c1.a1.reply.txt"));
        if (std::string(fake) != "chatter.sh")
            CHECK(lines[1]["score"] == 22);
        std::string roadmap = pxos::test::read_text(scratch.file("loop/ROADMAP_MINIMAL.gen002.yaml"));
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
        { "garbage.sh", "the reply was rejected: reply: error: the reply is neither a roadmap" },
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
        auto lines = pxos::test::loop_history(scratch);
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
    auto lines = pxos::test::loop_history(scratch);
    CHECK(lines[1]["note"].get<std::string>().find("timed out (its process group was killed)") != std::string::npos);
}

TEST_CASE("the exact error goes back to the LLM, which can then get it right", "[loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    options.proposer = pxos::ProposerKind::Llm;
    auto summary = run(options, "learns.sh");
    REQUIRE(summary.ok());
    auto lines = pxos::test::loop_history(scratch);
    CHECK(lines[1]["proposer"] == "llm");
    CHECK(lines[1]["llm_calls"] == 2);
    std::string second_prompt = pxos::test::read_text(scratch.file("loop/llm/gen002.c1.a2.prompt.txt"));
    CHECK(second_prompt.find("## Your previous reply was rejected\n") != std::string::npos);
    // The rejected reply with its lines numbered, then the error at its line there.
    CHECK(second_prompt.find("   2 | edits:\n   3 |   - remove: {step: 99}\n") != std::string::npos);
    CHECK(second_prompt.find("Its errors:\nreply:3:5: error: edit 1 (remove) needs step: 1..1\n") != std::string::npos);
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
    auto lines = pxos::test::loop_history(scratch);
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
    for (const char* file : { "loop/loop.jsonl", "loop/ROADMAP_MINIMAL.gen002.yaml", "loop/ROADMAP_MINIMAL.gen002.png",
             "loop/ROADMAP_MINIMAL.gen003.json", "loop/reflect.gen003.json" }) {
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
    CHECK(pxos::test::loop_history(scratch).size() == 2);
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
    auto lines = pxos::test::loop_history(copies);
    CHECK(lines[1]["proposer"] == "duplicate");
    CHECK(lines[2]["proposer"] == "duplicate");
    CHECK(lines[2]["score"] == lines[0]["score"]);
}

namespace {

std::string fake_with_pids(const std::string& fake, const pxos::test::ScratchDirectory& pids)
{
    return "sh '" + pxos::test::source_path("tests/fake_llm/" + fake) + "' {prompt_file} '" + pids.path().string() + "'";
}

// Every pid file the fake wrote names a process that has ended.
void check_no_process_left(const pxos::test::ScratchDirectory& pids, std::initializer_list<const char*> names)
{
    for (const char* name : names) {
        INFO(name);
        int pid = pxos::test::wait_for_pid_file(pids.file(name), 5);
        REQUIRE(pid > 0);
        CHECK(pxos::test::process_ends(pid, 5));
    }
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TEST_CASE("an LLM reply is complete when the command exits, though a child keeps its stdout open", "[loop][llm]")
{
    for (const char* fake : { "background.sh", "escapes.sh" }) {
        INFO(fake);
        pxos::test::ScratchDirectory pids;
        pxos::ShellLlmClient client(fake_with_pids(fake, pids), 30, std::size_t(1) << 20);
        auto started = std::chrono::steady_clock::now();
        pxos::CommandOutcome outcome = client.run("the prompt\n", pids.file("prompt.txt"));
        CHECK(seconds_since(started) < 10); // not the 30 s timeout
        CHECK_FALSE(outcome.timed_out);
        CHECK(outcome.start_error.empty());
        CHECK(outcome.exit_code == 0);
        CHECK(outcome.out.find("edits:\n  - add: {at: 2, step: write_isa_palette}") != std::string::npos);
        if (std::string(fake) == "background.sh")
            check_no_process_left(pids, { "command.pid", "background.pid" });
        else
            check_no_process_left(pids, { "command.pid", "escaped.pid", "orphan.pid" });
    }
}

TEST_CASE("the loop takes the reply of a command whose child keeps stdout open, at once", "[loop][llm]")
{
    pxos::test::ScratchDirectory scratch, pids;
    auto options = options_for(scratch, 2);
    options.proposer = pxos::ProposerKind::Llm;
    pxos::ShellLlmClient client(fake_with_pids("escapes.sh", pids), 30, std::size_t(1) << 20);
    RecordingObserver observer;
    pxos::SteadyClock clock;
    auto started = std::chrono::steady_clock::now();
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), &client, observer, clock);
    REQUIRE(summary.ok());
    CHECK(seconds_since(started) < 10);
    auto lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["proposer"] == "llm");
    CHECK(lines[1]["fallback"] == false);
    CHECK(lines[1]["llm_calls"] == 1);
    CHECK(observer.notes.empty());
    check_no_process_left(pids, { "command.pid", "escaped.pid", "orphan.pid" });
}

TEST_CASE("an LLM command's children are killed at the timeout and over the reply cap", "[loop][llm]")
{
    {
        pxos::test::ScratchDirectory pids;
        pxos::ShellLlmClient client(fake_with_pids("stays.sh", pids), 1, std::size_t(1) << 20);
        pxos::CommandOutcome outcome = client.run("the prompt\n", pids.file("prompt.txt"));
        CHECK(outcome.timed_out);
        CHECK(outcome.exit_code == -1);
        check_no_process_left(pids, { "command.pid", "background.pid", "escaped.pid" });
    }
    {
        // A complete reply, then the command does not exit: by the rule, that is a timeout.
        pxos::test::ScratchDirectory pids;
        pxos::ShellLlmClient client("echo steps: []; echo $$ > '" + pids.file("command.pid") + "'; exec sleep 1000", 0.5,
            std::size_t(1) << 20);
        pxos::CommandOutcome outcome = client.run("", "");
        CHECK(outcome.timed_out);
        CHECK(outcome.out == "steps: []\n");
        check_no_process_left(pids, { "command.pid" });
    }
    {
        pxos::test::ScratchDirectory pids;
        pxos::ShellLlmClient client("sleep 1000 & echo $! > '" + pids.file("background.pid")
                + "'; setsid sleep 1000 & echo $! > '" + pids.file("escaped.pid") + "'; head -c 300000 /dev/zero; sleep 1000",
            30, 100000);
        auto started = std::chrono::steady_clock::now();
        pxos::CommandOutcome outcome = client.run("", "");
        CHECK(seconds_since(started) < 10);
        CHECK(outcome.too_large);
        CHECK(outcome.reply_cap == 100000);
        CHECK(outcome.out.size() == 100000);
        check_no_process_left(pids, { "background.pid", "escaped.pid" });
    }
    {
        // The command kills its supervisor: what it left re-parents to pxos, which kills it.
        pxos::test::ScratchDirectory pids;
        pxos::ShellLlmClient client("sleep 1000 & echo $! > '" + pids.file("background.pid")
                + "'; setsid sleep 1000 & echo $! > '" + pids.file("escaped.pid") + "'; kill -9 $PPID; sleep 1000",
            30, 100000);
        auto started = std::chrono::steady_clock::now();
        pxos::CommandOutcome outcome = client.run("", "");
        CHECK(seconds_since(started) < 10);
        CHECK(outcome.start_error == "the supervisor of the LLM command was killed");
        CHECK(outcome.exit_code == -1);
        check_no_process_left(pids, { "background.pid", "escaped.pid" });
    }
}

TEST_CASE("a second loop on a locked out-dir stops, naming the holder's pid, and touches nothing", "[loop]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    REQUIRE(run(options).ok());
    std::string log = pxos::test::read_text(scratch.file("loop/loop.jsonl"));
    {
        int held = ::open(scratch.file("loop/loop.lock").c_str(), O_RDWR | O_CLOEXEC);
        REQUIRE(held >= 0);
        REQUIRE(::flock(held, LOCK_EX | LOCK_NB) == 0);
        REQUIRE(::ftruncate(held, 0) == 0);
        REQUIRE(::write(held, "4242\n", 5) == 5);
        for (bool resume : { true, false }) {
            options.resume = resume;
            options.generations = 4;
            auto refused = run(options);
            REQUIRE_FALSE(refused.ok());
            CHECK(refused.error().kind() == pxos::ErrorKind::Io);
            CHECK(refused.error().message()
                == scratch.file("loop/loop.lock") + ": error: the out-dir is in use by another pxos loop (pid 4242)");
            CHECK(pxos::test::read_text(scratch.file("loop/loop.jsonl")) == log);
        }
        ::close(held); // as when the holder dies, kill -9 included
    }
    // A pid file nobody holds a lock on is taken over.
    options.resume = true;
    auto resumed = run(options);
    REQUIRE(resumed.ok());
    CHECK(pxos::test::loop_history(scratch).size() == 4);
    CHECK(pxos::test::read_text(scratch.file("loop/loop.lock")) == std::to_string(::getpid()) + "\n");
}

TEST_CASE("the out-dir lock is only ever a plain file of its own", "[loop]")
{
    struct Case {
        const char* name;
        std::function<void(const pxos::test::ScratchDirectory&)> make;
        const char* expected;
    };
    const Case cases[] = {
        { "directory", [](const auto& s) { std::filesystem::create_directories(s.file("loop/loop.lock")); },
            "the lock file is a directory; remove it" },
        { "fifo", [](const auto& s) { REQUIRE(::mkfifo(s.file("loop/loop.lock").c_str(), 0644) == 0); },
            "the lock file is a FIFO; remove it" },
        { "symlink", [](const auto& s) { std::filesystem::create_symlink(s.file("victim.txt"), s.file("loop/loop.lock")); },
            "the lock file is a symbolic link; remove it" },
        { "hard link", [](const auto& s) { std::filesystem::create_hard_link(s.file("victim.txt"), s.file("loop/loop.lock")); },
            "the lock file has other hard links; remove it" },
    };
    for (const Case& c : cases) {
        INFO(c.name);
        pxos::test::ScratchDirectory scratch;
        scratch.write("victim.txt", "not a lock\n");
        std::filesystem::create_directories(scratch.path() / "loop");
        c.make(scratch);
        auto refused = run(options_for(scratch, 2));
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().message() == scratch.file("loop/loop.lock") + ": error: " + c.expected);
        CHECK(pxos::test::read_text(scratch.file("victim.txt")) == "not a lock\n");
        CHECK_FALSE(std::filesystem::exists(scratch.path() / "loop/loop.jsonl"));
    }
}

TEST_CASE("a proposal's file names are checked on the exact string and must stay in the roadmap's folder", "[loop][malformed]")
{
    pxos::test::ScratchDirectory scratch;
    scratch.write("roadmaps/kernel.pxasm", "kernel_entry: HALT\n");
    scratch.write("secret.pxasm", "secret\n");
    std::filesystem::create_symlink("../secret.pxasm", scratch.path() / "roadmaps/link.pxasm");
    std::string folder = scratch.file("roadmaps");
    std::string root = std::filesystem::canonical(folder).string();
    const auto& registry = pxos::steps::builtin_registry();
    auto proposal = [&](const std::string& kernel_file) {
        return "steps:\n  - step: layout_regions\n  - step: install_kernel\n    params: {kernel_file: \"" + kernel_file
            + "\"}\n";
    };
    auto error_of = [&](const std::string& kernel_file) {
        auto validated = pxos::validate_proposal(pxos::test::files(), proposal(kernel_file), "reply.yaml", folder, registry, {});
        REQUIRE_FALSE(validated.ok());
        return validated.error().message();
    };
    // The part before the NUL names a file inside the folder.
    CHECK(error_of("kernel.pxasm\\0/../../secret.pxasm")
        == "reply.yaml:3:5: error: kernel_file 'kernel.pxasm\\0/../../secret.pxasm': file name has a control character "
           "(\\0) at byte 12; such a name is never opened; proposals may only name files inside the roadmap's folder or "
           "builtin: sources");
    CHECK(error_of("link.pxasm")
        == "reply.yaml:3:5: error: kernel_file 'link.pxasm': leaves the roadmap's folder " + root + " (it resolves to "
            + std::filesystem::canonical(scratch.file("secret.pxasm")).string()
            + "); proposals may only name files inside the roadmap's folder or builtin: sources");
    CHECK(error_of("../secret.pxasm").find("leaves the roadmap's folder " + root) != std::string::npos);
    CHECK(pxos::validate_proposal(pxos::test::files(), proposal("kernel.pxasm"), "reply.yaml", folder, registry, {}).ok());
    CHECK(pxos::validate_proposal(pxos::test::files(), proposal("builtin:kernel.pxasm"), "reply.yaml", folder, registry, {}).ok());
}

TEST_CASE("an LLM reply's aliases count as expanded, as an edit list and as a roadmap", "[loop][llm][malformed]")
{
    auto base = pxos::parse_roadmap("steps:\n  - step: layout_regions\n", "base.yaml", pxos::steps::builtin_registry());
    REQUIRE(base.ok());
    const std::vector<pxos::RoadmapSource> no_sources;
    auto parse = [&](const std::string& reply, pxos::YamlLimits yaml) {
        pxos::ReplyContext context { &*base, &no_sources, &pxos::steps::builtin_registry(), nullptr, ".", {} };
        context.limits.yaml = yaml;
        return pxos::parse_reply(reply, context);
    };
    // 3000 steps added, each named by an alias of one 10,000-byte string:
    // 30 MB once the edit list is written out as a roadmap.
    std::string edits = "```yaml\nedits:\n  - add: {step: layout_regions, name: &s " + std::string(10000, 'x') + "}\n";
    for (int i = 0; i < 3000; ++i)
        edits += "  - add: {step: layout_regions, name: *s}\n";
    auto refused = parse(edits + "```\n", {});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message()
        == "reply:1676:39: error: alias '*s' expands the document to 16781855 bytes of text, over the YAML "
           "expanded size cap of 16 MiB (raise it with --max-yaml-mib, up to 1024 MiB)");

    std::string roadmap = "metadata:\n  description: &a [x, x, x, x, x, x, x, x, x, x]\n  name: [*a, *a, *a]\nsteps: []\n";
    pxos::YamlLimits small;
    small.max_nodes = 30;
    auto whole = parse(roadmap, small);
    REQUIRE_FALSE(whole.ok());
    CHECK(whole.error().message()
        == "reply:3:14: error: alias '*a' expands the document to 39 nodes, over the YAML nodes cap of 30 nodes "
           "(raise it with --max-yaml-nodes, up to 100000000 nodes)");
    CHECK(parse("steps: []\n---\nsteps: []\n", {}).error().message()
        == "reply:2:1: error: a second YAML document starts here; a roadmap or reply is one document (remove "
           "the '---' and what follows)");
}

TEST_CASE("an LLM transcript file or cached reply that cannot be written is noted, and the loop goes on", "[loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    options.proposer = pxos::ProposerKind::Llm;
    // Folders where the loop writes generation 2's reply and prompt files.
    std::string reply_file = scratch.file("loop/llm/gen002.c1.a1.reply.txt");
    std::string prompt_file = scratch.file("loop/llm/gen002.c1.a1.prompt.txt");
    std::filesystem::create_directories(reply_file);
    std::filesystem::create_directories(prompt_file);
    RecordingObserver observer;
    auto summary = run(options, "edits.sh", &observer);
    REQUIRE(summary.ok());
    auto lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1]["proposer"] == "llm");
    CHECK(lines[1]["score"] == 22);
    REQUIRE(observer.notes.size() == 2);
    CHECK(observer.notes[0] == "generation 2: " + prompt_file
            + ": error: output path is a directory, expected a file name (the loop goes on without it)");
    CHECK(observer.notes[1] == "generation 2: " + reply_file
            + ": error: output path is a directory, expected a file name (the loop goes on without it)");
}

namespace {

// Every file the loop wrote under `folder`, by relative name, but its
// timings (wall-clock figures).
std::map<std::string, std::string> loop_files(const std::string& folder)
{
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
        if (entry.is_regular_file() && entry.path().filename() != "timings.jsonl")
            files[std::filesystem::relative(entry.path(), folder).string()] = pxos::test::read_text(entry.path().string());
    return files;
}

// An LLM command that always fails, without a process.
class FailingLlm final : public pxos::LlmClient {
public:
    pxos::CommandOutcome run(const std::string&, const std::string&) override
    {
        ++calls;
        pxos::CommandOutcome outcome;
        outcome.exit_code = 3;
        return outcome;
    }
    int calls = 0;
};

} // namespace

TEST_CASE("the loop writes the same files with its evaluations one after the other and on threads", "[loop][executor]")
{
    pxos::SerialExecutor serial;
    pxos::ThreadExecutor threads;
    std::map<std::string, std::string> written[2];
    int run_index = 0;
    for (pxos::Executor* executor : std::initializer_list<pxos::Executor*> { &serial, &threads }) {
        pxos::test::ScratchDirectory scratch;
        auto options = options_for(scratch, 3);
        options.candidates = 3;
        options.jobs = 2;
        options.executor = executor;
        options.eval.executor = executor;
        REQUIRE(run(options).ok());
        written[run_index++] = loop_files(scratch.file("loop"));
    }
    CHECK(written[0].count("loop.jsonl") == 1);
    CHECK(written[0].count("ROADMAP_MINIMAL.gen003.png") == 1);
    CHECK(written[0] == written[1]);
}

TEST_CASE("the LLM retry backoff doubles from 100 ms to 1.6 s on the loop's clock, taking no real time", "[loop][llm]")
{
    pxos::test::ScratchDirectory scratch;
    auto options = options_for(scratch, 2);
    options.proposer = pxos::ProposerKind::Llm;
    options.retries = 6;
    FailingLlm llm;
    RecordingObserver observer;
    pxos::FakeClock clock(0);
    auto started = std::chrono::steady_clock::now();
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), &llm, observer, clock);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    REQUIRE(summary.ok());
    CHECK(llm.calls == 7);
    // No backoff after the last attempt: nothing follows it.
    CHECK(clock.sleeps() == std::vector<double> { 100, 200, 400, 800, 1600, 1600 });
    CHECK(clock.now_ms() == 4700); // the sleeps are all the time that passed on it
    REQUIRE(observer.notes.size() == 7);
    CHECK(observer.notes[0] == "generation 2: the LLM command exited with 3 (attempt 1 of 7); retrying");
    CHECK(observer.notes[5] == "generation 2: the LLM command exited with 3 (attempt 6 of 7); retrying");
    CHECK(observer.notes[6] == "generation 2: the LLM command exited with 3 (attempt 7 of 7)");
    CHECK(pxos::test::loop_history(scratch)[1]["fallback"] == true);
    // Waiting for real would take 4.7 s on top of the two builds and evaluations.
    INFO("the loop took " << seconds << " s");
    CHECK(seconds < 4.7);
}
