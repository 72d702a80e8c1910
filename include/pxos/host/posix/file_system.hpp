// The real file system (FileSystem on POSIX): whole-file reads and
// crash-safe writes. Every file pxos writes goes to a temporary file in the
// destination's folder and is renamed over the target only when complete
// (fsync of the file, then of its folder), so a crash, a power cut or a full
// disk never leaves half a file and never truncates what was there before.
// The only place, with pid_lock and shell_llm_client, where the core's files
// meet open, flock, fsync and signals.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/base/limits.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// The free functions below are thin wrappers over PosixFileSystem, for
// the CLI and the tests of this implementation; the core takes a FileSystem.

// PosixFileSystem::check_readable_path: `path` itself, or when confined the
// resolved one (realpath, free of symlinks).
Result<std::string> check_readable_path(const std::string& path, const ReadConfinement& confinement = {});

// PosixFileSystem::read_file_bytes: a directory, FIFO, device or socket
// (/dev/stdin, a named pipe) is refused without blocking, decided on the
// opened descriptor (O_NOFOLLOW when confined).
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
//
// Only regular files are written (check_output_path). A file replaced keeps
// its permission bits (a 0600 file stays 0600) and, where pxos may, its
// owner; a new one gets 0644. Folders created for the file are removed again
// when it is discarded. commit() fsyncs the file, renames it and fsyncs the
// folder, so a power cut leaves the old file or the new one.
class AtomicFile final : public OutputFile {
public:
    // Checks `path` (check_output_path), creates missing parent folders and the temporary file.
    static Result<AtomicFile> create(const std::string& path);
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&& other) noexcept;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    Result<void> write(std::span<const std::uint8_t> bytes) override;
    Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override;
    // Flushes the file to disk (fsync); no write after it. The file is still
    // only the temporary one: what StagedOutputs holds until the command is done.
    Result<void> finish() override;
    // finish() if not done yet, checks the target again and renames the file over it.
    Result<void> commit() override;
    // commit() less the sync of the folder (StagedOutputs renames a batch, then syncs each folder once).
    Result<void> rename_into_place() override;
    const std::string& path() const override { return m_path; }

private:
    AtomicFile(std::string path, std::string temporary, int fd, std::vector<std::string> created_folders);
    void discard();
    Result<void> fail(const std::string& what);
    Result<void> write_all(std::span<const std::uint8_t> bytes, std::optional<std::uint64_t> offset);

    std::string m_path;
    std::unique_ptr<char[]> m_temporary; // stable across moves: listed for remove_pending_temporary_files
    int m_fd = -1;
    bool m_finished = false;
    std::vector<std::string> m_created_folders; // deepest first: removed (when empty) on discard
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

// An error when `path` cannot be an output file. Empty is a usage error; a
// control character in it (a NUL would cut the name short), a trailing '/',
// or anything at the path but a regular file (a directory, a device, a FIFO,
// a socket, a symbolic link: pxos never writes through a link) is bad input,
// and so is a read-only file (pxos does not replace what is marked so).
Result<void> check_output_path(const std::string& path);

// What kind of file a stat mode names, for messages: "a FIFO", "a character
// device", "a directory", ... (one wording for every refusal of pxos's).
std::string_view file_type_text(unsigned mode);

// An error when `output` is the same file as one of `inputs` (the same
// device and inode: also through a hard link or a symbolic link). Inputs
// that do not exist are skipped.
Result<void> check_output_not_input(const std::string& output, std::span<const std::string> inputs);

// True when `path`, resolved (symbolic links in its folders followed, `..`
// applied), lies inside `folder`: how a roadmap's own output path is kept to
// the roadmap's folder and artifacts/.
bool is_path_inside(const std::string& path, const std::string& folder);

// The file system of the host: the rules above, on the real disk.
class PosixFileSystem final : public FileSystem {
public:
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
    // A PidLock (pid_lock.hpp).
    Result<std::unique_ptr<FileLock>> lock(const std::string& path, std::string_view busy) override;
};

} // namespace pxos
