// libFuzzer target: see pxos::fuzz::provenance in harness.hpp.
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    pxos::fuzz::provenance(data, size);
    return 0;
}
