#include "pxos/host/posix/thread_executor.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// Waits (at most 10 s) until `arrived` reaches `count`: true if it did.
bool wait_for_all(std::atomic<int>& arrived, int count)
{
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (arrived.load() < count) {
        if (std::chrono::steady_clock::now() > until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace

TEST_CASE("the threaded executor runs every task exactly once", "[executor]")
{
    pxos::ThreadExecutor threads(4);
    CHECK(threads.concurrency() == 4);
    for (std::size_t at_once : { 1, 2, 3, 8 }) {
        std::vector<std::atomic<int>> runs(100);
        threads.run_all(runs.size(), at_once, [&runs](std::size_t i) { ++runs[i]; });
        for (std::size_t i = 0; i < runs.size(); ++i) {
            INFO("task " << i << ", " << at_once << " at once");
            CHECK(runs[i].load() == 1);
        }
    }
    threads.run_all(0, 4, [](std::size_t) { FAIL("a task ran with a count of 0"); });
    CHECK(pxos::ThreadExecutor().concurrency() >= 1);
}

TEST_CASE("the threaded executor runs max_at_once tasks at the same time, never more", "[executor]")
{
    // Each task waits until all three have started: done only if they run at once.
    pxos::ThreadExecutor threads(1); // concurrency() is advice; max_at_once decides
    std::atomic<int> arrived { 0 };
    std::atomic<int> running { 0 };
    std::atomic<int> most { 0 };
    std::atomic<int> together { 0 };
    threads.run_all(3, 3, [&](std::size_t) {
        ++arrived;
        together += wait_for_all(arrived, 3);
    });
    CHECK(together.load() == 3);

    threads.run_all(12, 2, [&](std::size_t) {
        int now = ++running;
        for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) { }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --running;
    });
    CHECK(most.load() <= 2);
}

TEST_CASE("the threaded executor finishes every task though some throw, then rethrows the lowest-numbered failure",
    "[executor]")
{
    pxos::ThreadExecutor threads(4);
    std::atomic<int> ran { 0 };
    try {
        threads.run_all(20, 4, [&ran](std::size_t i) {
            ++ran;
            if (i == 7 || i == 3 || i == 15)
                throw std::runtime_error("task " + std::to_string(i) + " failed");
        });
        FAIL("run_all did not rethrow");
    } catch (const std::runtime_error& error) {
        CHECK(std::string(error.what()) == "task 3 failed");
    }
    CHECK(ran.load() == 20);
}

TEST_CASE("a task of the threaded executor can itself run tasks on it", "[executor]")
{
    // As the loop's proposals run evaluations that run their probes.
    pxos::ThreadExecutor threads(2);
    std::mutex mutex;
    std::set<std::pair<std::size_t, std::size_t>> done;
    threads.run_all(3, 3, [&](std::size_t outer) {
        threads.run_all(4, 4, [&](std::size_t inner) {
            std::lock_guard<std::mutex> lock(mutex);
            done.insert({ outer, inner });
        });
    });
    CHECK(done.size() == 12);
}
