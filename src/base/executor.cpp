#include "pxos/base/executor.hpp"

namespace pxos {

void SerialExecutor::run_all(std::size_t count, std::size_t /*max_at_once*/, const std::function<void(std::size_t)>& task)
{
    FirstFailure failure;
    for (std::size_t i = 0; i < count; ++i) {
        try {
            task(i);
        } catch (...) {
            failure.keep(i, std::current_exception());
        }
    }
    failure.rethrow();
}

} // namespace pxos
