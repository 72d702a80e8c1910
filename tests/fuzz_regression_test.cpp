// Every fuzz corpus seed and every input a fuzzer crashed on goes through
// its harness here, so the ordinary and the sanitizer test runs keep them
// fixed (see tests/fuzz/harness.hpp, `make fuzz`).
#include "fuzz/harness.hpp"
#include "test_support.hpp"

#include <filesystem>
#include <functional>
#include <map>

TEST_CASE("fuzz corpora and the inputs fuzzers crashed on run through their harnesses", "[fuzz][malformed]")
{
    const std::map<std::string, std::function<void(const std::uint8_t*, std::size_t)>> harnesses = {
        { "png", pxos::fuzz::png },
        { "roadmap", pxos::fuzz::roadmap },
        { "reply", static_cast<void (*)(const std::uint8_t*, std::size_t)>(pxos::fuzz::reply) },
        { "pxasm", pxos::fuzz::pxasm },
        { "provenance", pxos::fuzz::provenance },
        { "machine", pxos::fuzz::machine },
        { "json", pxos::fuzz::json },
    };
    std::size_t inputs = 0;
    for (const char* root : { "tests/fuzz/corpus/", "tests/inputs/malformed/fuzz/" })
        for (const auto& [target, harness] : harnesses) {
            std::filesystem::path folder = pxos::test::source_path(std::string(root) + target);
            if (!std::filesystem::is_directory(folder))
                continue;
            for (const auto& entry : std::filesystem::directory_iterator(folder)) {
                INFO(entry.path().string());
                auto bytes = pxos::test::read_bytes(entry.path().string());
                harness(bytes.data(), bytes.size());
                ++inputs;
            }
        }
    CHECK(inputs >= 20); // every folder was found
}
