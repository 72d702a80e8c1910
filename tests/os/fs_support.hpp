// Helpers for the kernel's file system tests: a 512x1024 pxOS image with a
// formatted store, user programs that call the file system calls, and the
// host's check of the store afterwards (independent of the kernel's code).
#pragma once

#include "pxos/image/vram.hpp"
#include "pxos/vm/machine.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pxos::test {

// A pxOS image 1024 rows tall with the kernel and one process per source
// (each source gets kFsTestLibrary appended), the store freshly formatted
// (the format_store step, with `log_blocks` blocks of undo log).
SimulatedVRAM build_fs_image(const std::vector<std::string>& sources, int log_blocks = 8);

// The store of an image: its words (the boot header's STORE_BASE, STORE_WORDS).
std::vector<std::uint32_t> store_of(const SimulatedVRAM& vram);

// Puts back what an undo log holds (newest first) and clears it: the host's
// recovery (pxos/store/store.hpp).
void undo_store(std::vector<std::uint32_t>& store);

// What is wrong with a store, a line each (empty when nothing): a log that
// is not empty, and every problem the host's fsck finds (store::check, as
// `pxos fs check`).
std::string store_problems(const std::vector<std::uint32_t>& store);

// The words of the file at an absolute path ("/d/f"), read by the host's
// store library; nothing when there is no such file.
std::vector<std::uint32_t> read_store_file(const std::vector<std::uint32_t>& store, const std::string& path,
    bool* found = nullptr);

// One boot and run of an image (every tests/os file runs its images so).
struct FsRun {
    RunResult result;
    std::string output;
    std::vector<ProcessInfo> processes;
    std::unique_ptr<Machine> machine;
};
FsRun run_fs_image(SimulatedVRAM vram, std::uint64_t max_steps = 20'000'000, const std::string& input = "",
    const std::string& image_name = "fs.png");

// run_fs_image of build_fs_image({ source }): one program on a fresh store.
FsRun run_fs_program(const std::string& source, std::uint64_t max_steps = 20'000'000);

// pxasm routines appended to each test program: puts (r1 = address of a
// 0-terminated string, to descriptor 1), putn (r1 = number, then a space),
// newline. They keep r4-r13.
extern const char* const kFsTestLibrary;

} // namespace pxos::test
