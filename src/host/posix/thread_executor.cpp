#include "pxos/host/posix/thread_executor.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace pxos {

ThreadExecutor::ThreadExecutor(std::size_t concurrency)
    : m_concurrency(concurrency ? concurrency : std::max(1u, std::thread::hardware_concurrency()))
{
}

void ThreadExecutor::run_all(std::size_t count, std::size_t max_at_once, const std::function<void(std::size_t)>& task)
{
    std::size_t threads = std::min(count, std::max<std::size_t>(1, max_at_once));
    std::atomic<std::size_t> next { 0 };
    std::mutex failure_mutex;
    FirstFailure failure;
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) {
            try {
                task(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(failure_mutex);
                failure.keep(i, std::current_exception());
            }
        }
    };
    std::vector<std::thread> workers;
    workers.reserve(threads > 1 ? threads - 1 : 0);
    for (std::size_t i = 1; i < threads; ++i)
        workers.emplace_back(work);
    work();
    for (std::thread& worker : workers)
        worker.join();
    failure.rethrow();
}

} // namespace pxos
