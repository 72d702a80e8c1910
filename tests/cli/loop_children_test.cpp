// The loop's out-dir lock and the LLM command's children, against the real
// binary: a second loop on a busy out-dir, and pxos killed (SIGTERM, kill -9)
// while its LLM command runs, leave loop.jsonl alone and no process behind.
#include "test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <sys/wait.h>

using pxos::test::ScratchDirectory;

namespace {

std::string minimal_roadmap()
{
    return pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml");
}

// A loop whose generation 2 waits in stays.sh: its pids land in `pids`.
int start_waiting_loop(const ScratchDirectory& scratch, const ScratchDirectory& pids)
{
    std::string command = "sh '" + pxos::test::source_path("tests/fake_llm/stays.sh") + "' {prompt_file} '"
        + pids.path().string() + "'";
    return pxos::test::start_pxos({ "loop", minimal_roadmap(), "3", "--out-dir", "out", "--llm-cmd", command,
                                      "--llm-timeout", "120" },
        scratch.path(), "loop.out", "loop.err");
}

int wait_for_exit(int pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

} // namespace

TEST_CASE("pxos killed during an LLM call leaves no process of the command behind", "[cli][loop][llm]")
{
    for (int signal : { SIGTERM, SIGINT, SIGKILL }) {
        INFO("signal " << signal);
        ScratchDirectory scratch, pids;
        int loop = start_waiting_loop(scratch, pids);
        REQUIRE(loop > 0);
        int command = pxos::test::wait_for_pid_file(pids.file("command.pid"), 30);
        REQUIRE(command > 0);
        REQUIRE(::kill(loop, signal) == 0);
        int status = wait_for_exit(loop);
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == signal);
        CHECK(pxos::test::process_ends(command, 5));
        CHECK(pxos::test::process_ends(pxos::test::wait_for_pid_file(pids.file("background.pid"), 1), 5));
        CHECK(pxos::test::process_ends(pxos::test::wait_for_pid_file(pids.file("escaped.pid"), 1), 5));
    }
}

TEST_CASE("a second pxos loop on a busy out-dir exits with one line naming the holder, loop.jsonl untouched", "[cli][loop]")
{
    ScratchDirectory scratch, pids;
    int holder = start_waiting_loop(scratch, pids);
    REQUIRE(holder > 0);
    REQUIRE(pxos::test::wait_for_pid_file(pids.file("command.pid"), 30) > 0); // generation 1 written, 2 under way
    std::string log = pxos::test::read_text(scratch.file("out/loop.jsonl"));
    CHECK(log.find("\"generation\":1") != std::string::npos);
    for (const char* resume : { " --resume", "" }) {
        INFO("loop" << resume);
        auto second = pxos::test::run_pxos(
            "loop '" + minimal_roadmap() + "' 5 --proposer heuristic --out-dir out" + resume, scratch.path());
        CHECK(second.exit_code == 74);
        CHECK(second.err
            == "out/loop.lock: error: the out-dir is in use by another pxos loop (pid " + std::to_string(holder)
                + ")\n");
        CHECK(second.out.empty());
        CHECK(pxos::test::read_text(scratch.file("out/loop.jsonl")) == log);
    }
    // The holder dies outright: its lock goes with it, and the next loop resumes.
    REQUIRE(::kill(holder, SIGKILL) == 0);
    wait_for_exit(holder);
    auto resumed = pxos::test::run_pxos(
        "loop '" + minimal_roadmap() + "' 3 --proposer heuristic --out-dir out --resume -q", scratch.path());
    CHECK(resumed.exit_code == 0);
    CHECK(resumed.err == "resuming after generation 1 (best: generation 1, 3/22)\n");
    std::string after = pxos::test::read_text(scratch.file("out/loop.jsonl"));
    CHECK(after.rfind(log, 0) == 0);
    CHECK(std::count(after.begin(), after.end(), '\n') == 3);
}
