// The loop's population against the real binary: a loop with three islands
// killed with SIGKILL in the middle of a generation, then --resume, ends
// with the same files (islands, archive, best, every attempt) as a loop
// that was never interrupted, with the same seed.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <thread>

using pxos::test::ScratchDirectory;

namespace {

std::vector<std::string> loop_arguments(int generations)
{
    return { "loop", pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml"), std::to_string(generations), "--islands",
        "3", "--migrate-every", "2", "--seed", "5", "--proposer", "heuristic", "--out-dir", "out", "-q" };
}

std::string shell_words(const std::vector<std::string>& words)
{
    std::string line;
    for (const std::string& word : words)
        line += (line.empty() ? "'" : " '") + word + "'";
    return line;
}

std::size_t lines_in(const std::string& file)
{
    if (!std::filesystem::exists(file))
        return 0;
    std::string text = pxos::test::read_text(file);
    return std::size_t(std::count(text.begin(), text.end(), '\n'));
}

// Every file of the out-dir by name but those of the run itself (wall-clock timings, the lock's pid).
std::map<std::string, std::string> loop_files(const std::filesystem::path& folder)
{
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
        std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name != "timings.jsonl" && name != "loop.lock")
            files[std::filesystem::relative(entry.path(), folder).string()] = pxos::test::read_text(entry.path().string());
    }
    return files;
}

} // namespace

TEST_CASE("a loop with 3 islands killed with SIGKILL mid-run resumes to the same islands, archive and best", "[cli][loop][population][slow]")
{
    const int generations = 5;
    ScratchDirectory whole, killed;
    auto uninterrupted = pxos::test::run_pxos(shell_words(loop_arguments(generations)), whole.path());
    REQUIRE(uninterrupted.exit_code == 0);

    int pid = pxos::test::start_pxos(loop_arguments(generations), killed.path(), "loop.out", "loop.err");
    REQUIRE(pid > 0);
    // Killed once generation 3 is complete, while a later one is under way.
    std::string log = killed.file("out/loop.jsonl");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    while (lines_in(log) < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    CHECK(WIFSIGNALED(status));
    std::size_t done = lines_in(log);
    INFO("generations complete when killed: " << done);
    REQUIRE(done >= 3);
    REQUIRE(done < std::size_t(generations));

    std::vector<std::string> resume = loop_arguments(generations);
    resume.push_back("--resume");
    auto resumed = pxos::test::run_pxos(shell_words(resume), killed.path());
    REQUIRE(resumed.exit_code == 0);
    CHECK(resumed.err.rfind("resuming after generation " + std::to_string(done), 0) == 0);
    CHECK(resumed.out == uninterrupted.out); // the best roadmap's file

    auto expected = loop_files(whole.path() / "out");
    auto got = loop_files(killed.path() / "out");
    CHECK(expected.count("loop.jsonl") == 1);
    for (const auto& [name, text] : expected) {
        INFO(name);
        REQUIRE(got.count(name) == 1);
        CHECK(got.at(name) == text);
    }
    CHECK(got.size() == expected.size());

    // The last line holds the three islands, the archive and the best.
    std::istringstream lines(expected.at("loop.jsonl"));
    std::string line, last;
    while (std::getline(lines, line))
        last = line;
    auto record = nlohmann::json::parse(last);
    CHECK(record["generation"] == generations);
    CHECK(record["islands"].size() == 3);
    CHECK(record["attempts"].size() == 3);
    CHECK(record.contains("archive"));
    CHECK(record["best_score"] == 22);
}
