// The trap-flooding guest (issue 12, class 5) against the real binary, as
// an image and as an LLM reply: `pxos run` ends at its step budget with
// bounded output and memory, `pxos eval` scores it, and the loop goes on to
// the next generation. The child's peak memory comes from wait4's rusage.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using pxos::test::ScratchDirectory;

namespace {

struct MeasuredRun {
    int exit_code = -1;
    std::string out;
    std::string err;
    long max_rss_kib = 0; // the child's peak resident set (ru_maxrss)
    double seconds = 0;
};

// Runs the real binary with `arguments` in `cwd` (no shell), stdout and
// stderr into files, and measures the child.
MeasuredRun run_measured(const std::vector<std::string>& arguments, const std::filesystem::path& cwd)
{
    ScratchDirectory capture;
    std::string out_path = capture.file("out"), err_path = capture.file("err");
    std::vector<std::string> argv_storage { PXOS_BINARY };
    argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (std::string& argument : argv_storage)
        argv.push_back(argument.data());
    argv.push_back(nullptr);

    auto start = std::chrono::steady_clock::now();
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int in = ::open("/dev/null", O_RDONLY);
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0 || ::chdir(cwd.c_str()) != 0)
            ::_exit(126);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    struct rusage usage {};
    REQUIRE(::wait4(child, &status, 0, &usage) == child);
    MeasuredRun run;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.max_rss_kib = usage.ru_maxrss;
    run.out = pxos::test::read_text(out_path);
    run.err = pxos::test::read_text(err_path);
    return run;
}

std::size_t lines_of(const std::string& text)
{
    return std::size_t(std::count(text.begin(), text.end(), '\n'));
}

// The bound, 100 MB, for pxos as users run it. Under AddressSanitizer
// (make test-sanitize) the same run holds its shadow memory and allocation
// quarantine too (seen: 121-193 MB; the loop, whose evaluations now run the
// metrics' machines at once, 449 MB), so there the bound only shows that
// nothing grows with the guest's faults (unbounded, that is gigabytes).
#if defined(__SANITIZE_ADDRESS__)
constexpr long kMaxRssKib = 768 * 1024;
#else
constexpr long kMaxRssKib = 100 * 1024;
#endif

} // namespace

TEST_CASE("the trap-flooding image runs to its step budget with bounded output and memory, and eval scores it",
    "[cli][guests][slow]")
{
    ScratchDirectory scratch;
    auto built = run_measured({ "build", pxos::test::source_path("tests/inputs/guests/trap_flood.yaml"), "-q", "-o", "flood.png" },
        scratch.path());
    REQUIRE(built.exit_code == 0);

    // The default step budget (100,000,000): about 50,000,000 faults.
    auto ran = run_measured({ "run", "flood.png" }, scratch.path());
    INFO("pxos run: " << ran.seconds << " s, max RSS " << ran.max_rss_kib << " KiB, stderr " << ran.err.size() << " bytes");
    CHECK(ran.exit_code == 4);
    CHECK(ran.max_rss_kib < kMaxRssKib);
    CHECK(ran.out.empty());
    CHECK(lines_of(ran.err) <= 1000 + 3); // the kept faults, the "more" line, the budget line
    CHECK(ran.err.size() < 512 * 1024);
    CHECK(ran.err.find(" more faults, counted but not kept: over the fault records cap of 1000 faults (raise it with "
                       "--max-fault-records, up to 10000000 faults)")
        != std::string::npos);
    CHECK(ran.err.find("flood.png: stopped: the run reached the step budget cap of 100000000 steps") != std::string::npos);

    auto json = run_measured({ "run", "flood.png", "--json", "--max-steps", "1000000", "--max-fault-records", "3", "-q" },
        scratch.path());
    CHECK(json.exit_code == 4);
    auto summary = nlohmann::json::parse(json.out);
    CHECK(summary["faults"].size() == 3);
    CHECK(summary["fault_count"].get<std::uint64_t>() > 490'000);
    CHECK(summary["faults_not_kept"].get<std::uint64_t>() == summary["fault_count"].get<std::uint64_t>() - 3);

    // Eval runs it six times (two boots, four probes at three times the steps): a smaller budget than
    // its default keeps the test short.
    auto evaluated = run_measured({ "eval", "flood.png", "--max-steps", "2000000" }, scratch.path());
    INFO("pxos eval: " << evaluated.seconds << " s, max RSS " << evaluated.max_rss_kib << " KiB");
    CHECK(evaluated.exit_code == 0);
    CHECK(evaluated.max_rss_kib < kMaxRssKib);
    CHECK(evaluated.out.find("[FAIL] execution.no_faults") != std::string::npos);
    CHECK(evaluated.out.find("\nscore ") != std::string::npos);
    CHECK(evaluated.out.size() < 64 * 1024);
}

TEST_CASE("the loop evaluates a trap-flooding LLM reply, scores it and goes on to the next generation", "[cli][guests][loop][slow]")
{
    ScratchDirectory scratch;
    std::string fake = "sh '" + pxos::test::source_path("tests/fake_llm/trap_flood.sh") + "'";
    // A smaller step budget than eval's default keeps the test short; each
    // flood evaluation still runs every image to that budget.
    auto looped = run_measured({ "loop", pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"), "3", "--llm-cmd", fake,
                                   "--retries", "0", "--out-dir", "out", "--max-steps", "1000000" },
        scratch.path());
    INFO("pxos loop: " << looped.seconds << " s, max RSS " << looped.max_rss_kib << " KiB\n" << looped.err);
    CHECK(looped.exit_code == 0);
    CHECK(looped.max_rss_kib < kMaxRssKib);
    std::istringstream history(pxos::test::read_text(scratch.file("out/loop.jsonl")));
    std::vector<nlohmann::json> generations;
    for (std::string line; std::getline(history, line);)
        generations.push_back(nlohmann::json::parse(line));
    REQUIRE(generations.size() == 3); // generation 1 (given), 2 and 3 (the flood, proposed twice)
    CHECK(generations[1]["proposer"] == "llm");
    CHECK(generations[1]["score"].get<int>() < generations[1]["max_score"].get<int>());
    CHECK(generations[2]["generation"] == 3);
    // The flood scored low: the best stays the given roadmap.
    CHECK(generations[2]["best_generation"] == 1);
    std::string eval = pxos::test::read_text(scratch.file("out/" + generations[1]["eval"].get<std::string>()));
    CHECK(eval.find("execution.no_faults") != std::string::npos);
}
