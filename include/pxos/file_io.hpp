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

// Where a file that input names may be read from. A roadmap or a command
// line the user gave may name any regular file (empty `folder`); a roadmap
// a proposer wrote (the loop) is confined to its roadmap's folder: `folder`
// set, every file it names and every file those include must resolve, after
// symlinks, inside it.
struct ReadConfinement {
    std::string folder; // empty: anywhere
    bool confined() const { return !folder.empty(); }
};

// The one rule on a path pxos is about to read, applied to the exact string
// that will be opened: a control character (NUL, bytes below 0x20, 0x7f) is
// refused in every path, so the name checked is always the name opened; with
// a confinement, the path (resolved with realpath, symlinks followed) must
// name something inside the folder. Returns the path to open: `path`
// itself, or when confined the resolved one (free of symlinks).
Result<std::string> check_readable_path(const std::string& path, const ReadConfinement& confinement = {});

// `text` with control characters and backslashes escaped (\0, \n, \x1b),
// for quoting a path in a message.
std::string printable_path(std::string_view text);

// Reads a whole file; refuses files over max_bytes. With `cap`, the message
// names that cap and the flag that raises it (files users hand to pxos);
// without, it states the byte limit (files pxos wrote itself). Only regular
// files are read: a directory, FIFO, device or socket (/dev/stdin, a named
// pipe) is refused without blocking, decided on the opened descriptor. The
// path goes through check_readable_path first.
Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap = std::nullopt, const ReadConfinement& confinement = {});
Result<std::string> read_file_text(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap = std::nullopt, const ReadConfinement& confinement = {});

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
