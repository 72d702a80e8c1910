// The file system as the core sees it: one small interface for every file
// pxos reads, writes or locks, so that the core never calls the host
// (host/posix implements it on the real disk, MemoryFileSystem in memory for
// tests and the browser). The rules every implementation keeps live here
// too: what a readable path is, what an output name is, and StagedOutputs,
// which commits the files of one command together.
//
// Reads: whole files, refused over a cap, regular files only, and, for a
// roadmap a proposer wrote, confined to its folder. Writes: a file is
// written in full to a temporary beside the target and appears at its path
// only when committed, so a crash or a full disk never leaves half a file.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/limits.hpp"

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

// `text` with control characters and backslashes escaped (\0, \n, \x1b),
// for quoting a path in a message.
std::string printable_path(std::string_view text);

// The part of the rule on readable paths that looks only at the name: a
// control character (NUL, bytes below 0x20, 0x7f) is refused in every path,
// so the name checked is always the name opened.
Result<void> check_readable_name(std::string_view path);

// The part of the output checks that looks only at the name: empty, a
// control character, a trailing '/' (for names read from a roadmap).
Result<void> check_output_name(const std::string& path);

// The messages every implementation gives alike.
namespace file_messages {
// "over the pxos PNG file cap of ..." with a cap, "over the N byte limit" without.
std::string over_limit(std::uint64_t max_bytes, std::optional<Cap> cap);
inline constexpr std::string_view kDirectoryNotFile = "is a directory, expected a file";
inline constexpr std::string_view kOutputIsDirectory = "output path is a directory, expected a file name";
// The refusal of a read-only output file (mode as octal).
std::string read_only_output(unsigned mode);
// The refusal of an output that is one of the command's inputs.
std::string output_is_input(const std::string& output, const std::string& input);
// True when `resolved` lies inside the resolved folder `root` (both absolute, normal).
bool inside_folder(const std::string& resolved, const std::string& root);
} // namespace file_messages

// A file being written: it appears at path() only on commit (until then it
// is a temporary file beside the target); destroyed uncommitted, it leaves
// nothing behind, folders it created included.
class OutputFile {
public:
    virtual ~OutputFile() = default;
    virtual const std::string& path() const = 0;
    virtual Result<void> write(std::span<const std::uint8_t> bytes) = 0;
    virtual Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) = 0;
    // Makes the content durable; no write after it. The file is still only
    // the temporary one: what StagedOutputs holds until the command is done.
    virtual Result<void> finish() = 0;
    // finish() if not done yet, checks the target again and renames the file
    // over it; its folder is not yet made durable (StagedOutputs does that
    // once per folder).
    virtual Result<void> rename_into_place() = 0;
    // rename_into_place(), then the folder made durable.
    virtual Result<void> commit() = 0;
};

// A lock held until the object goes away (the loop's out-dir lock).
class FileLock {
public:
    virtual ~FileLock() = default;
};

enum class FileKind { Missing, Regular, Directory, Fifo, Other };

class FileSystem {
public:
    virtual ~FileSystem() = default;

    // The one rule on a path pxos is about to read (check_readable_name; with
    // a confinement, the path resolved, symlinks followed, must name
    // something inside the folder). Returns the path to open: `path` itself,
    // or when confined the resolved one.
    virtual Result<std::string> check_readable_path(const std::string& path, const ReadConfinement& confinement = {})
        = 0;
    // Reads a whole file; refuses files over max_bytes. With `cap`, the
    // message names that cap and the flag that raises it (files users hand to
    // pxos); without, it states the byte limit (files pxos wrote itself).
    // Only regular files are read. The path goes through check_readable_path first.
    virtual Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
        std::optional<Cap> cap = std::nullopt, const ReadConfinement& confinement = {})
        = 0;
    Result<std::string> read_file_text(const std::string& path, std::uint64_t max_bytes,
        std::optional<Cap> cap = std::nullopt, const ReadConfinement& confinement = {});

    // What is at `path` (symbolic links followed).
    virtual FileKind kind_of(const std::string& path) = 0;
    bool exists(const std::string& path) { return kind_of(path) != FileKind::Missing; }
    // `path` made absolute (against the working folder; not normalised: `..` stays).
    virtual std::string absolute_path(const std::string& path) = 0;
    // True when `path`, resolved (symbolic links in its folders followed, `..`
    // applied), lies inside `folder`.
    virtual bool is_path_inside(const std::string& path, const std::string& folder) = 0;
    // Creates the folder and the missing ones above it; the error names why.
    virtual Result<void> create_folders(const std::string& path) = 0;

    // An error when `path` cannot be an output file. Empty is a usage error; a
    // control character in it, a trailing '/', or anything at the path but a
    // regular file (pxos never writes through a link) is bad input, and so is
    // a read-only file.
    virtual Result<void> check_output_path(const std::string& path) = 0;
    // An error when `output` is the same file as one of `inputs`. Inputs
    // that do not exist are skipped.
    virtual Result<void> check_output_not_input(const std::string& output, std::span<const std::string> inputs) = 0;
    // Checks `path` (check_output_path), creates missing parent folders and
    // the temporary file. A file replaced keeps its permission bits.
    virtual Result<std::unique_ptr<OutputFile>> create_output(const std::string& path) = 0;
    // Makes the renames into `folder` durable; `path` (a file renamed there) names the error.
    virtual Result<void> sync_folder(const std::string& folder, const std::string& path) = 0;

    // Takes the lock at `path` for this process, or says who holds it:
    // "PATH: error: BUSY (...)". Only a plain file of its own is used.
    virtual Result<std::unique_ptr<FileLock>> lock(const std::string& path, std::string_view busy) = 0;

    // create_output, written and committed.
    Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);
    Result<void> write_file_atomic(const std::string& path, std::string_view text);
    // The same, for data in several pieces (no copy into one buffer).
    Result<void> write_file_atomic(const std::string& path, std::span<const std::span<const std::uint8_t>> parts);
};

// Every file one command writes, committed together: each is written in full
// to its temporary file as the command goes (frames, intermediate images,
// reports), and all are renamed into place by commit(), which the command
// calls only once everything has succeeded. Destroyed uncommitted, it removes
// them all: a command that fails writes nothing. commit() first checks every
// target against the command's inputs (check_output_not_input); two outputs
// of one command at the same path are an error when staged.
class StagedOutputs {
public:
    explicit StagedOutputs(FileSystem& files, std::vector<std::string> inputs = {})
        : m_files_system(files)
        , m_inputs(std::move(inputs))
    {
    }
    StagedOutputs(const StagedOutputs&) = delete;
    StagedOutputs& operator=(const StagedOutputs&) = delete;
    ~StagedOutputs();

    FileSystem& files() { return m_files_system; }
    // Inputs found while the command runs (the pxasm files a build assembled).
    void add_input(std::string path) { m_inputs.push_back(std::move(path)); }
    Result<void> write(const std::string& path, std::span<const std::uint8_t> bytes);
    Result<void> write(const std::string& path, std::string_view text);
    // A file written elsewhere (a streamed provenance log), committed with the rest.
    Result<void> adopt(std::unique_ptr<OutputFile> file);
    Result<void> commit();

private:
    Result<void> check_not_staged(const std::string& path) const;

    FileSystem& m_files_system;
    std::vector<std::string> m_inputs;
    std::vector<std::unique_ptr<OutputFile>> m_files;
};

} // namespace pxos
