// The threaded Executor: each run_all starts as many threads as it is
// allowed (max_at_once, at most one a task, whatever the machine's cores:
// the caller asked for them) and the calling thread works too. Tasks are
// taken in order from a shared counter, so a slow one holds up no other.
// Nothing persists between calls, so a task may itself call run_all (the
// loop's proposals run evaluations that run their probes) without waiting
// on a pool it occupies.
#pragma once

#include "pxos/base/executor.hpp"

namespace pxos {

class ThreadExecutor final : public Executor {
public:
    // What concurrency() says (callers that split work by cores ask it):
    // `concurrency`, or with 0 the machine's hardware threads.
    explicit ThreadExecutor(std::size_t concurrency = 0);
    void run_all(std::size_t count, std::size_t max_at_once, const std::function<void(std::size_t)>& task) override;
    std::size_t concurrency() const override { return m_concurrency; }

private:
    std::size_t m_concurrency;
};

} // namespace pxos
