// libFuzzer target: see pxos::fuzz::reply in harness.hpp.
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    pxos::fuzz::reply(data, size);
    return 0;
}
