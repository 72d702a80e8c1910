// The machine fuzz target's random system calls (tests/fuzz/syscalls.hpp),
// for a fixed seed: thousands of runs of the calls 11..24 on random
// arguments against the default kernel; no run may panic the kernel.
#include "fuzz/syscalls.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <string>
#include <vector>

namespace {

std::uint64_t splitmix(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

TEST_CASE("the image of the random system calls holds the blocks the generator patches", "[vm][fuzz][syscalls]")
{
    const pxos::fuzz::SyscallImage& image = pxos::fuzz::syscall_image();
    CHECK(image.vram.height() == 1024);
    REQUIRE(image.limit > image.base);
    CHECK(image.entry >= image.base);
    // Every pointer names its string inside the process's memory.
    for (std::uint32_t pointer : image.pointers) {
        CHECK(pointer >= image.base);
        CHECK(pointer < image.limit);
    }
    CHECK(image.vram.words()[image.pointers[0]] == '/');
    // An input that picks call 11 + 3 (dup) with r1 = 5 patches block 0 so.
    std::vector<std::uint8_t> input { 3, 1, 5, 0, 0, 0 };
    auto vram = pxos::fuzz::syscall_image_for(input.data(), input.size());
    CHECK(vram.words()[image.entry + 10] == std::uint32_t(pxos::kSyscalls[14].number));
    CHECK(vram.words()[image.entry + 2] == 5);
}

TEST_CASE("random system calls on the default kernel never panic it", "[vm][fuzz][syscalls]")
{
    std::uint64_t state = 14;
    std::vector<std::uint8_t> input(pxos::fuzz::kSyscallBlocks * pxos::fuzz::kSyscallBlockBytes);
    std::uint64_t syscalls = 0;
    std::vector<std::string> panics;
    constexpr int kRuns = 2000;
    for (int run = 0; run < kRuns; ++run) {
        for (std::uint8_t& byte : input)
            byte = std::uint8_t(splitmix(state));
        pxos::fuzz::SyscallRun result = pxos::fuzz::run_syscalls(input.data(), input.size());
        syscalls += result.result.syscalls;
        if (result.result.reason == pxos::StopReason::KernelPanic && panics.size() < 10)
            panics.push_back(fmt::format("run {}: system call {} (block {}) with r1=0x{:08x} r2=0x{:08x} r3=0x{:08x}: "
                                         "panic at pc {} cause {}",
                run, result.last_call, result.last_block, result.last_arguments[0], result.last_arguments[1],
                result.last_arguments[2], result.result.panic ? result.result.panic->pc : 0,
                result.result.panic ? result.result.panic->cause : 0));
    }
    CHECK(panics == std::vector<std::string> {});
    // The runs made the calls: at least one per block on average.
    CHECK(syscalls >= std::uint64_t(kRuns) * pxos::fuzz::kSyscallBlocks / 2);
}
