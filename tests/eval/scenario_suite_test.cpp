// The scenario suite (roadmaps/scenarios/) and the robustness probes: both
// pass in full on the default image, a broken image fails exactly the
// scenarios it should, malformed scenario files are file:line errors, and a
// probe's verdict fails when its damage is real.
#include "eval/metric_runs.hpp"
#include "pxos/asm/builtin_sources.hpp"
#include "eval/robustness.hpp"
#include "eval/scenario_file.hpp"
#include "eval/suite_support.hpp"

#include "pxos/host/posix/thread_executor.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

namespace {

using namespace pxos;

// The default roadmap's text with its files made absolute, so a changed
// copy builds from anywhere.
std::string default_roadmap_text()
{
    std::string text = test::read_text(test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    const std::string root = test::source_path("roadmaps") + "/";
    for (const std::string key : { "program_file: ", "kernel_file: " }) {
        std::size_t at = 0;
        while ((at = text.find(key, at)) != std::string::npos) {
            text.insert(at + key.size(), root);
            at += key.size() + root.size();
        }
    }
    return text;
}

SimulatedVRAM build_text(const std::string& text)
{
    return test::build_roadmap_text(text).vram;
}

const SimulatedVRAM& default_image()
{
    static const SimulatedVRAM image = build_text(default_roadmap_text());
    return image;
}

// The default roadmap without the step that starts with `lines` (which
// must be in it), up to the end of its next line (its params).
SimulatedVRAM default_without(const std::string& lines)
{
    std::string text = default_roadmap_text();
    std::size_t at = text.find(lines);
    REQUIRE(at != std::string::npos);
    std::size_t end = text.find('\n', at + lines.size());
    REQUIRE(end != std::string::npos);
    text.erase(at, end + 1 - at);
    return build_text(text);
}

SuiteOutcome suite_of(const SimulatedVRAM& image)
{
    Deadline deadline(nullptr, 600);
    return run_scenario_suite(image, "scenarios.png", 100'000'000, deadline, nullptr);
}

std::set<std::string> failed_ids(const SuiteOutcome& outcome)
{
    std::set<std::string> failed;
    for (const Scenario& scenario : builtin_scenarios().value())
        if (std::find(outcome.passed_ids.begin(), outcome.passed_ids.end(), "scenario." + scenario.id)
            == outcome.passed_ids.end())
            failed.insert(scenario.id);
    return failed;
}

std::string parse_error(const std::string& text)
{
    auto parsed = parse_scenarios(text, "bad.scn");
    REQUIRE_FALSE(parsed.ok());
    return parsed.error().message();
}

} // namespace

TEST_CASE("the scenario files compiled in parse, with at least 30 scenarios", "[scenarios]")
{
    const auto& scenarios = builtin_scenarios();
    INFO((scenarios.ok() ? std::string() : scenarios.error().message()));
    REQUIRE(scenarios.ok());
    CHECK(scenarios->size() >= 30);
    CHECK(builtin_scenario_files().size() >= 4);
    // One scenario at least for each program of /bin (its name starts the id).
    for (const char* program : { "echo", "cat", "ls", "wc", "grep", "rm", "mkdir", "kill", "show", "sh" }) {
        bool found = std::any_of(scenarios->begin(), scenarios->end(),
            [&](const Scenario& s) { return s.id.rfind(std::string(program) + ".", 0) == 0; });
        INFO(program);
        CHECK(found);
    }
    for (const Scenario& s : scenarios.value()) {
        INFO(s.file << ":" << s.line << " " << s.id);
        CHECK_FALSE(s.checks.empty());
    }
}

TEST_CASE("the scenario folder's README lists every key of the format, in order", "[scenarios]")
{
    std::string readme = test::read_text(test::source_path("roadmaps/scenarios/README.md"));
    std::vector<std::string> listed;
    std::size_t at = 0;
    while ((at = readme.find("\n| `", at)) != std::string::npos) {
        at += 4; // past "\n| `"
        listed.push_back(readme.substr(at, readme.find('`', at) - at));
    }
    CHECK(listed == std::vector<std::string>(std::begin(kScenarioKeys), std::end(kScenarioKeys)));
}

TEST_CASE("every scenario passes on the default image", "[scenarios]")
{
    SuiteOutcome outcome = suite_of(default_image());
    INFO(fmt::format("{}", fmt::join(outcome.failures, "\n")));
    CHECK(outcome.failures.empty());
    CHECK(outcome.total == int(builtin_scenarios()->size()));
    CHECK(outcome.passed == outcome.total);
    CHECK(outcome.passed_ids.size() == std::size_t(outcome.total));
    CHECK(outcome.passed_ids.front().rfind("scenario.", 0) == 0);
    CHECK(outcome.steps > 1'000'000);
}

TEST_CASE("the suite gives the same outcome on the serial and the threaded executor", "[scenarios]")
{
    Deadline deadline(nullptr, 600);
    ThreadExecutor threads(2);
    SuiteOutcome serial = run_scenario_suite(default_image(), "x.png", 100'000'000, deadline, nullptr);
    SuiteOutcome threaded = run_scenario_suite(default_image(), "x.png", 100'000'000, deadline, &threads);
    CHECK(serial.passed_ids == threaded.passed_ids);
    CHECK(serial.steps == threaded.steps);
}

TEST_CASE("an image without the primes process fails only the primes scenario", "[scenarios]")
{
    SimulatedVRAM image = default_without("  - step: add_process\n    name: primes\n");
    SuiteOutcome outcome = suite_of(image);
    CHECK(failed_ids(outcome) == std::set<std::string> { "boot.primes" });
    REQUIRE(outcome.failures.size() == 1);
    CHECK_THAT(outcome.failures[0], Catch::Contains("boot.scn:10: no line \"Primes below 100"));
}

TEST_CASE("an image without the draw or the hello process fails their scenarios", "[scenarios]")
{
    SimulatedVRAM no_draw = default_without("  - step: add_process\n    name: draw\n");
    CHECK(failed_ids(suite_of(no_draw)) == std::set<std::string> { "boot.draw-says", "boot.draw-pattern" });
    SimulatedVRAM no_hello = default_without("  - step: add_process\n    name: hello\n");
    CHECK(failed_ids(suite_of(no_hello)) == std::set<std::string> { "boot.hello", "boot.shell-starts" });
}

TEST_CASE("an image without /bin/wc fails exactly the scenarios that run wc or list /bin", "[scenarios]")
{
    SimulatedVRAM image = default_without("  - step: add_file\n    params: { path: /bin/wc,");
    std::set<std::string> expected { "ls.bin" };
    for (const Scenario& s : builtin_scenarios().value())
        if (s.input.find("wc") != std::string::npos)
            expected.insert(s.id);
    CHECK(expected.size() >= 8);
    CHECK(failed_ids(suite_of(image)) == expected);
}

TEST_CASE("malformed scenario files are errors naming the file and line", "[scenarios]")
{
    CHECK_THAT(parse_error("checks x\n"), Catch::Contains("bad.scn:1") && Catch::Contains("before the first `scenario"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nexpect y\nfrob z\n"),
        Catch::Contains("bad.scn:4") && Catch::Contains("unknown key `frob`"));
    CHECK_THAT(parse_error("# c\nscenario a\nexpect y\n"), Catch::Contains("bad.scn:2") && Catch::Contains("no `checks`"));
    CHECK_THAT(parse_error("scenario a\nchecks x\n"), Catch::Contains("bad.scn:1") && Catch::Contains("expects nothing"));
    CHECK_THAT(parse_error("scenario a\nchecks x\npixel 1 2 3 4 5\n"),
        Catch::Contains("bad.scn:3") && Catch::Contains("too few numbers"));
    CHECK_THAT(parse_error("scenario a\nchecks x\npixel 1 2 3 4 5 256\n"),
        Catch::Contains("bad.scn:3") && Catch::Contains("more than 255"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nchanged 0 0 -1 4\n"), Catch::Contains("bad.scn:3"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nchanged 0 0 2 2 5\n"), Catch::Contains("AT_LEAST 5"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nexpect \\q\n"), Catch::Contains("bad.scn:3") && Catch::Contains("unknown escape"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nexpect a\\x4\n"), Catch::Contains("two hex digits"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nexpect y\n\nscenario a\nchecks x\nexpect y\n"),
        Catch::Contains("bad.scn:5") && Catch::Contains("second scenario with the id a"));
    CHECK_THAT(parse_error("scenario Big\n"), Catch::Contains("may hold only"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nfile a.txt y\n"), Catch::Contains("absolute path"));
    CHECK_THAT(parse_error(""), Catch::Contains("bad.scn") && Catch::Contains("no scenario"));
    CHECK_THAT(parse_error("scenario a\nchecks x\nexpect " + std::string(600, 'y') + "\n"),
        Catch::Contains("bad.scn:3") && Catch::Contains("more than 512"));
    CHECK_THAT(parse_error(std::string(70 * 1024, '#')), Catch::Contains("more than the 65536"));
    // Across files: the second file's line.
    auto twice = parse_scenario_files({ { "a.scn", "scenario x\nchecks c\nexpect y\n" },
        { "b.scn", "\nscenario x\nchecks c\nexpect y\n" } });
    REQUIRE_FALSE(twice.ok());
    CHECK_THAT(twice.error().message(), Catch::Contains("b.scn:2") && Catch::Contains("another scenario file"));
}

TEST_CASE("a scenario's escapes and facts parse as written", "[scenarios]")
{
    auto parsed = parse_scenarios("scenario a.b\nchecks it\ninput echo x\\x7fy\ninput-raw z\\s\nexpect-part \\tq\n"
                                  "absent no\\n\npixel 1 2 3 4 5 6\nunchanged 0 0 4 4\nchanged 1 1 2 2 3\n"
                                  "file /f one\\ntwo\nno-file /g\nhalt 0\n",
        "ok.scn");
    INFO((parsed.ok() ? std::string() : parsed.error().message()));
    REQUIRE(parsed.ok());
    REQUIRE(parsed->size() == 1);
    const Scenario& s = parsed->front();
    CHECK(s.input == "echo x\x7fy\nz ");
    REQUIRE(s.expect.size() == 1);
    CHECK(s.expect[0].text == "\tq");
    CHECK_FALSE(s.expect[0].whole);
    CHECK(s.absent[0].text == "no\n");
    CHECK(s.pixels[0].colour == RGBA { 3, 4, 5, 6 });
    REQUIRE(s.areas.size() == 2);
    CHECK_FALSE(s.areas[0].changed);
    CHECK(s.areas[1].at_least == 3);
    CHECK(s.files[0].content == "one\ntwo");
    CHECK_FALSE(s.files[1].exists);
    CHECK(s.halt == 0u);
}

TEST_CASE("a scenario run from the shared boot is the run of a fresh boot with its input", "[scenarios]")
{
    const std::string input = "echo hi > /a\ncat /a | wc\n";
    auto fresh = Machine::boot(default_image(), "x.png");
    REQUIRE(fresh.ok());
    (*fresh)->set_input(input);
    RunResult alone = (*fresh)->run(100'000'000);

    // Stopped at the first read of the console, then cloned, and reset to
    // that prefix after another session.
    struct Stop final : ConsoleInput {
        int next_byte() override { return kStop; }
    } stop;
    auto prefix = Machine::boot(default_image(), "x.png");
    REQUIRE(prefix.ok());
    (*prefix)->set_input_source(&stop);
    REQUIRE((*prefix)->run(100'000'000).reason == StopReason::Interrupted);
    (*prefix)->set_input_source(nullptr);
    std::unique_ptr<Machine> copy = (*prefix)->clone();
    copy->set_input("mkdir /z\necho other > /z/f\n");
    copy->run(100'000'000);
    REQUIRE(copy->reset_to(**prefix));
    copy->set_input(input);
    RunResult forked = copy->run(100'000'000);

    CHECK(forked.reason == alone.reason);
    CHECK(forked.steps == alone.steps);
    CHECK(forked.halt_code == alone.halt_code);
    CHECK(copy->console_output() == (*fresh)->console_output());
    CHECK_FALSE(first_difference((*fresh)->state(), copy->state()));
    CHECK_FALSE(first_difference((*fresh)->vram(), copy->vram()));
    // A machine of another boot is refused.
    auto other = Machine::boot(default_image(), "x.png");
    REQUIRE(other.ok());
    CHECK_FALSE(copy->reset_to(**other));
}

TEST_CASE("every robustness probe passes on the default image", "[scenarios]")
{
    Deadline deadline(nullptr, 600);
    SuiteOutcome outcome = run_robustness_probes(default_image(), "x.png", 100'000'000, deadline, nullptr);
    INFO(fmt::format("{}", fmt::join(outcome.failures, "\n")));
    CHECK(outcome.failures.empty());
    CHECK(outcome.total >= 10);
    CHECK(outcome.passed == outcome.total);
    CHECK(outcome.passed_ids.size() == std::size_t(outcome.total));
    CHECK(std::find(outcome.passed_ids.begin(), outcome.passed_ids.end(), "robustness.spawn-without-end")
        != outcome.passed_ids.end());
}

TEST_CASE("a robustness probe's verdict fails when its damage is real", "[scenarios]")
{
    const SimulatedVRAM& image = default_image();
    auto header = read_header(image, "x.png");
    REQUIRE(header.ok());
    std::vector<RobustnessProbe> probes = robustness_probes(*header, image.width(), std::uint32_t(image.pixel_count()));
    auto write_probe = std::find_if(probes.begin(), probes.end(), [](const RobustnessProbe& p) { return p.id == "write-bad-buffer"; });
    REQUIRE(write_probe != probes.end());
    Probe probe;
    probe.source = write_probe->source;
    inject(probe, image, *header);
    REQUIRE(probe.image);
    auto machine = Machine::boot(*probe.image, "x.png");
    REQUIRE(machine.ok());
    RunResult result = (*machine)->run(300'000);

    SimulatedVRAM after = (*machine)->vram();
    RobustnessRun run;
    run.pid = probe.pid;
    run.base = probe.base;
    run.steps = result.steps;
    run.processes = (*machine)->processes();
    run.output = (*machine)->console_output();
    run.after = &after;
    run.original_pids = { 1, 2, 3, 4 };
    auto verdict = robustness_verdict(*write_probe, run, image, "x.png");
    INFO(verdict.value_or(""));
    REQUIRE_FALSE(verdict);

    SECTION("the kernel's words changed")
    {
        SimulatedVRAM damaged = after;
        std::uint32_t kernel = region_rows(RegionId::Kernel, image.width()).first;
        damaged.mutable_words()[kernel + 5] ^= 1;
        run.after = &damaged;
        CHECK_THAT(robustness_verdict(*write_probe, run, image, "x.png").value_or(""),
            Catch::Contains("the kernel's first words changed at"));
    }
    SECTION("the store is damaged")
    {
        SimulatedVRAM damaged = after;
        damaged.mutable_words()[header->store_base] = 0; // the superblock's magic
        run.after = &damaged;
        CHECK_THAT(robustness_verdict(*write_probe, run, image, "x.png").value_or(""), Catch::Contains("store"));
    }
    SECTION("a bad call succeeded")
    {
        for (ProcessInfo& process : run.processes)
            if (process.pid == probe.pid)
                process.exit_code = 3;
        CHECK_THAT(robustness_verdict(*write_probe, run, image, "x.png").value_or(""),
            Catch::Contains("its call 3 succeeded"));
    }
    SECTION("another process faulted")
    {
        for (ProcessInfo& process : run.processes)
            if (process.pid == 2) {
                process.state = std::uint32_t(isa::ProcessState::Faulted);
                process.exit_code = std::int32_t(isa::TrapCause::MemoryViolation);
            }
        CHECK_THAT(robustness_verdict(*write_probe, run, image, "x.png").value_or(""), Catch::Contains("pid 2 faulted"));
    }
    SECTION("the hello line is missing")
    {
        run.output = "nothing";
        CHECK_THAT(robustness_verdict(*write_probe, run, image, "x.png").value_or(""),
            Catch::Contains("lacks \"Hello from pxOS!\""));
    }
}

TEST_CASE("the scenario suite and the workload gone on from the gates' boot give what booting again gives",
    "[scenarios][metrics]")
{
    std::string workload(pxos::builtin_source("eval/workload.txt").value_or(""));
    REQUIRE_FALSE(workload.empty());
    std::string quantum_text = default_roadmap_text();
    std::size_t at = quantum_text.find("quantum: 1000");
    REQUIRE(at != std::string::npos);
    quantum_text.replace(at, 13, "quantum: 730"); // other time slices: another fairness and workload
    for (const SimulatedVRAM& image : { default_image(), build_text(quantum_text) }) {
        Deadline deadline(nullptr, 600);
        std::optional<BootPrefix> boot;
        RunOutcome baseline = run_image_keeping_boot(image, "x.png", 100'000'000, deadline, boot);
        REQUIRE(boot);
        CHECK(boot->machine->steps() > 0);
        CHECK(boot->watched_to % kFairnessWatchSteps == 0);
        // The gates' run itself is the run without the stop at the read.
        RunOutcome plain = run_image(image, "x.png", 100'000'000, deadline);
        CHECK(baseline.result.steps == plain.result.steps);
        CHECK(baseline.result.reason == plain.result.reason);
        CHECK(baseline.output == plain.output);
        CHECK(*baseline.after() == *plain.after());

        SuiteOutcome forked = run_scenario_suite(image, "x.png", 100'000'000, deadline, nullptr, &*boot);
        SuiteOutcome alone = run_scenario_suite(image, "x.png", 100'000'000, deadline, nullptr);
        CHECK(forked.passed == alone.passed);
        CHECK(forked.passed_ids == alone.passed_ids);
        CHECK(forked.failures == alone.failures);
        CHECK(forked.steps == alone.steps);

        MetricRun from_boot = run_metric_from(*boot, workload, 100'000'000, deadline, true);
        MetricRun booted = run_metric_image(image, "x.png", workload, 100'000'000, deadline, true);
        CHECK(from_boot.result.steps == booted.result.steps);
        CHECK(from_boot.result.reason == booted.result.reason);
        CHECK(from_boot.max_ready_wait == booted.max_ready_wait);
        CHECK(from_boot.max_ready_wait_pid == booted.max_ready_wait_pid);
        CHECK(from_boot.output == booted.output);
        CHECK(from_boot.max_ready_wait > 0);
        // Read at the same steps: as many readings, seeing the same ready slots.
        CHECK(from_boot.watch.readings == booted.watch.readings);
        CHECK(from_boot.watch.ready_steps == booted.watch.ready_steps);
        CHECK(from_boot.watch.readings > boot->watch.readings);
    }
}
