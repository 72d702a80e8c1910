// Running independent tasks, behind an interface: the core says what may run
// at once (the PNG encoder's bands, the evaluator's determinism run and
// probes, the loop's proposals) and the host decides how. The core has no
// threads of its own; the CLI passes the threaded executor of host/posix,
// tests and builds without threads the serial one here. Each task writes
// only its own slot of the result, so results never depend on the executor.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <utility>

namespace pxos {

class Executor {
public:
    virtual ~Executor() = default;
    // Calls task(0) .. task(count - 1), at most `max_at_once` of them at the
    // same time (a serial executor: one), in any order, and
    // returns when every call has returned. If tasks throw, every task still
    // runs and the exception of the lowest-numbered one is rethrown.
    virtual void run_all(std::size_t count, std::size_t max_at_once, const std::function<void(std::size_t)>& task) = 0;
    // How many tasks this executor usefully runs at once (1: serial); work
    // that is split by the machine's cores asks here.
    virtual std::size_t concurrency() const = 0;
};

// Every task on the calling thread, in order.
class SerialExecutor final : public Executor {
public:
    void run_all(std::size_t count, std::size_t max_at_once, const std::function<void(std::size_t)>& task) override;
    std::size_t concurrency() const override { return 1; }
};

// What run_all does with exceptions, for the implementations: keeps the
// exception of the lowest-numbered task (not thread-safe: callers lock).
class FirstFailure {
public:
    void keep(std::size_t task, std::exception_ptr failure)
    {
        if (!m_failure || task < m_task) {
            m_task = task;
            m_failure = std::move(failure);
        }
    }
    void rethrow() const
    {
        if (m_failure)
            std::rethrow_exception(m_failure);
    }

private:
    std::size_t m_task = 0;
    std::exception_ptr m_failure;
};

} // namespace pxos
