// `-` as a file name: stdin where pxos reads a file, stdout where it writes
// one. One FileSystem over the host's (host_files() is this one), so every
// command that reads through it (load_png, read_file_bytes) or stages its
// outputs (StagedOutputs, stage_png) takes `-` without a case of its own.
// Real files keep their guarantees (a temporary file renamed into place on
// commit); what goes to stdout is held until the command commits, then
// written in full, so a command that fails prints none of it.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"

#include <span>
#include <string>
#include <string_view>

namespace pxos::cli {

// The name that means stdin or stdout.
inline constexpr std::string_view kStdStreamName = "-";
inline bool is_std_stream(std::string_view path)
{
    return path == kStdStreamName;
}

// What a command writes at a path: bytes for a person (JSON, text) may go
// to a terminal; binary ones (a PNG) to stdout only when it is not one.
enum class OutputKind { Text, Binary };

// The host's file system, with `-` as stdin (read once, in full, up to the
// caller's cap) and stdout (written on commit).
class StdStreamFileSystem final : public FileSystem {
public:
    explicit StdStreamFileSystem(FileSystem& host) : m_host(host) { }

    Result<std::string> check_readable_path(const std::string& path, const ReadConfinement& confinement = {})
        override;
    Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
        std::optional<Cap> cap = std::nullopt, const ReadConfinement& confinement = {}) override;
    FileKind kind_of(const std::string& path) override;
    std::string absolute_path(const std::string& path) override;
    bool is_path_inside(const std::string& path, const std::string& folder) override;
    Result<void> create_folders(const std::string& path) override;
    Result<void> check_output_path(const std::string& path) override;
    Result<void> check_output_not_input(const std::string& output, std::span<const std::string> inputs) override;
    Result<std::unique_ptr<OutputFile>> create_output(const std::string& path) override;
    Result<void> sync_folder(const std::string& folder, const std::string& path) override;
    Result<std::unique_ptr<FileLock>> lock(const std::string& path, std::string_view busy) override;

private:
    FileSystem& m_host;
    bool m_stdin_read = false;
};

// Before any work: `path` can be written (host_files().check_output_path)
// and is none of `inputs`; `-` is stdout, refused for a Binary output when
// stdout is a terminal ("-o -: stdout is a terminal; redirect it (> FILE, | CMD)").
Result<void> check_output_target(const std::string& path, std::span<const std::string> inputs, OutputKind kind);

// How messages name an output: "stdout" for `-`, else the path.
inline std::string shown_output_name(const std::string& path)
{
    return is_std_stream(path) ? std::string("stdout") : path;
}

// Prints "PATH\n" (the file a command wrote) as print_result does, unless
// the output went to stdout itself.
void print_written_path(const std::string& path);

} // namespace pxos::cli
