// Whole-file reads and crash-safe writes. Every file pxos writes goes to a
// temporary file in the destination's folder and is renamed over the target
// only when complete, so a crash or a full disk never leaves half a file and
// never truncates what was there before.
#pragma once

#include "pxos/diagnostic.hpp"
#include "pxos/limits.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// Reads a whole file; refuses files over max_bytes. With `cap`, the message
// names that cap and the flag that raises it (files users hand to pxos);
// without, it states the byte limit (files pxos wrote itself).
Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap = std::nullopt);
Result<std::string> read_file_text(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap = std::nullopt);

// A file written in pieces that appears at `path` only on commit(): until
// then it is a temporary file beside the target (so the rename stays on one
// file system), removed when the object goes away uncommitted. It is named
// `.NAME.tmp` and the object holds an flock on it, so one left by a pxos
// killed outright is taken over by the next write of the same file; a second
// writer of the same file at the same time gets `.NAME.tmp.XXXXXX`.
class AtomicFile {
public:
    // Creates missing parent folders and the temporary file.
    static Result<AtomicFile> create(const std::string& path);
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&& other) noexcept;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    Result<void> write(std::span<const std::uint8_t> bytes);
    Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes);
    // Closes the file and renames it over `path`.
    Result<void> commit();
    const std::string& path() const { return m_path; }

private:
    AtomicFile(std::string path, std::string temporary, int fd);
    void discard();
    Result<void> fail(const std::string& what);
    Result<void> write_all(std::span<const std::uint8_t> bytes, std::optional<std::uint64_t> offset);

    std::string m_path;
    std::unique_ptr<char[]> m_temporary; // stable across moves: listed for remove_pending_temporary_files
    int m_fd = -1;
};

// Removes the temporary file of every AtomicFile not yet committed or
// discarded. Async-signal-safe: for the CLI's handler of SIGINT, SIGTERM
// and SIGHUP, so that an interrupted command leaves no temporary file (a
// long `pxos run --provenance` streams into one).
void remove_pending_temporary_files() noexcept;

// Writes through a temporary file and rename. Creates missing parent folders.
Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);
Result<void> write_file_atomic(const std::string& path, std::string_view text);
// The same, for data in several pieces (no copy into one buffer).
Result<void> write_file_atomic(const std::string& path, std::span<const std::span<const std::uint8_t>> parts);

// An error when `path` cannot be an output file (it is a directory, or empty).
Result<void> check_output_path(const std::string& path);

} // namespace pxos
