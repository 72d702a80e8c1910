// libFuzzer target: see pxos::fuzz::json in harness.hpp.
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    pxos::fuzz::json(data, size);
    return 0;
}
