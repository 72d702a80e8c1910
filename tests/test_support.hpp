// Helpers shared by the tests: scratch folders, running the real binary,
// and a tiny independent PNG writer for colour types pxos never writes.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/eval/evaluator.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/vm/machine.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pxos::test {

// "\n" and "\t" in a `; expect:` or `; input:` line of a program test, and
// any other escaped character as itself.
std::string unescape(const std::string& text);

// The check `id` of an evaluation (the test fails when there is none).
const pxos::Check& check_of(const pxos::EvalResult& result, const std::string& id);

// The real file system (host/posix), for tests of the core on disk.
FileSystem& files();
// Build options that read through files().
BuildOptions on_disk();

// A fresh folder under the system temp dir, removed with its contents.
class ScratchDirectory {
public:
    ScratchDirectory();
    ~ScratchDirectory();
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    std::string file(const std::string& name) const { return (m_path / name).string(); }
    // Writes a file below the folder; returns its path.
    std::string write(const std::string& name, const std::string& contents) const;
    // Writes a kernel (a changed copy of roadmaps/kernel.pxasm) below the
    // folder, with the files it includes (roadmaps/kernel/) beside it; returns its path.
    std::string write_kernel(const std::string& name, const std::string& contents) const;
    // Names of the files in the folder, sorted.
    std::vector<std::string> list() const;

private:
    std::filesystem::path m_path;
};

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// `text` as one word of a /bin/sh command line (in single quotes).
std::string shell_quoted(const std::string& text);
// Runs a /bin/sh command line in `cwd`, stdin /dev/null, capturing stdout and stderr.
CommandResult run_shell(const std::string& command, const std::filesystem::path& cwd);
// `pxos build` of the repository's roadmap `roadmap` (a path below the
// source folder) into `output`, quietly, in `cwd`; its exit status.
int build_with_pxos(const std::string& roadmap, const std::string& output, const std::filesystem::path& cwd);
// Runs the real pxos binary with `arguments` (already shell-quoted) in `cwd`.
CommandResult run_pxos(const std::string& arguments, const std::filesystem::path& cwd);

std::string read_text(const std::string& path);
std::vector<std::uint8_t> read_bytes(const std::string& path);

// A PNG chunk with its length and CRC.
std::vector<std::uint8_t> png_chunk(const std::string& type, const std::vector<std::uint8_t>& data);
// A complete PNG from raw scanlines (each already prefixed by its filter
// byte), with an optional PLTE and tRNS.
std::vector<std::uint8_t> make_png(std::uint32_t width, std::uint32_t height, int bit_depth, int color_type,
    const std::vector<std::uint8_t>& raw_scanlines, const std::vector<std::uint8_t>& palette = {},
    const std::vector<std::uint8_t>& transparency = {}, int interlace = 0);

// The repository's source folder (for roadmaps/ and tests/inputs/).
std::string source_path(const std::string& relative);

// Starts the real pxos binary (one argument per element, no shell) in `cwd`,
// stdout and stderr into files of cwd, stdin /dev/null; returns its pid, a
// child of the test to waitpid.
int start_pxos(const std::vector<std::string>& arguments, const std::filesystem::path& cwd,
    const std::string& out_file, const std::string& err_file);
// The pid written in the file at `path`, waiting up to `seconds` for it; 0 if none came.
int wait_for_pid_file(const std::string& path, double seconds);
// True once process `pid` has ended (it is gone, or a zombie not yet reaped), waiting up to `seconds`.
bool process_ends(int pid, double seconds);

} // namespace pxos::test

namespace pxos::test {

// A bootable 512x512 image: the default layout, the ISA palette, the real
// kernel (roadmaps/kernel.pxasm) and one process per source, in order.
struct OsImage {
    SimulatedVRAM vram;
    SourceMap source_map;
};
struct ProgramSpec {
    std::string source; // pxasm text, or empty when `file` is given
    bool autostart = true;
    int memory_rows = 8;
    std::string file = {};
};
OsImage build_os(const std::vector<ProgramSpec>& programs, int quantum = 1000);
// Builds a roadmap file (its files resolve against its folder).
OsImage build_roadmap_file(const std::string& path);
// Builds roadmap text (as test.yaml in the current folder).
OsImage build_roadmap_text(const std::string& yaml);

// Runs `snippet` in kernel mode on a bare machine (no kernel): the snippet
// starts at kernel_entry and a HALT follows it.
struct SnippetRun {
    RunResult result;
    std::array<std::uint32_t, 16> registers;
    std::unique_ptr<Machine> machine;
};
SnippetRun run_snippet(const std::string& snippet, std::uint64_t max_steps = 100000);

} // namespace pxos::test

#include <catch2/catch.hpp>

namespace Catch {
template<>
struct StringMaker<pxos::RGBA> {
    static std::string convert(const pxos::RGBA& color) { return color.to_string(); }
};
}
