#include "pxos/host/posix/file_system.hpp"

#include "pxos/host/posix/pid_lock.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace pxos {

namespace {

std::string errno_text(int error)
{
    return std::strerror(error);
}

// Closes a descriptor when it goes out of scope.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : m_fd(fd) { }
    ~FileDescriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return m_fd; }
    void reset(int fd)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }
    int release()
    {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd;
};

// The temporary files of live AtomicFiles, for remove_pending_temporary_files.
// A fixed array of atomic pointers: a signal handler may read it at any time.
std::array<std::atomic<const char*>, 1024> g_pending_temporaries {};

void list_pending(const char* path)
{
    for (auto& slot : g_pending_temporaries) {
        const char* empty = nullptr;
        if (slot.compare_exchange_strong(empty, path))
            return;
    }
    // More than 1024 at once: that one is not cleaned on a signal, only on exit paths.
}

void unlist_pending(const char* path)
{
    for (auto& slot : g_pending_temporaries) {
        const char* expected = path;
        if (slot.compare_exchange_strong(expected, nullptr))
            return;
    }
}

// Holds off SIGINT, SIGTERM and SIGHUP while in scope: a file created and listed in one
// such scope is never on disk unlisted when pxos's signal handler runs.
class FatalSignalsHeld {
public:
    FatalSignalsHeld()
    {
        sigset_t held;
        sigemptyset(&held);
        for (int signal : { SIGINT, SIGTERM, SIGHUP })
            sigaddset(&held, signal);
        pthread_sigmask(SIG_BLOCK, &held, &m_before);
    }
    ~FatalSignalsHeld() { pthread_sigmask(SIG_SETMASK, &m_before, nullptr); }
    FatalSignalsHeld(const FatalSignalsHeld&) = delete;
    FatalSignalsHeld& operator=(const FatalSignalsHeld&) = delete;

private:
    sigset_t m_before;
};

// True when `path` names the file `open_file` describes (the same inode on the same device).
bool names_file(const std::string& path, const struct stat& open_file)
{
    struct stat by_name {};
    return ::stat(path.c_str(), &by_name) == 0 && by_name.st_ino == open_file.st_ino
        && by_name.st_dev == open_file.st_dev;
}

// Opens the target's fixed temporary name `.NAME.tmp` for writing, empty, and
// holds an flock on it; -1 when another pxos holds it (is writing the same
// file) or the name is not a plain file of its own (a symlink, a hard link, a
// fifo: never written through). A file there that nobody holds was left by a
// pxos killed outright (kill -9, a power cut), when no handler could remove
// it: it is taken over, so such leftovers do not pile up.
int claim_fixed_temporary(const std::string& path)
{
    for (int attempt = 0; attempt < 4; ++attempt) {
        bool created = true;
        FileDescriptor file(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (file.get() < 0 && errno == EEXIST) {
            created = false;
            file.reset(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        }
        if (file.get() < 0)
            return -1;
        if (::flock(file.get(), LOCK_EX | LOCK_NB) != 0) {
            if (created && errno != EWOULDBLOCK) // no flock on this file system: nobody can share the name
                ::unlink(path.c_str());
            return -1;
        }
        struct stat status {};
        if (::fstat(file.get(), &status) != 0 || !S_ISREG(status.st_mode) || status.st_nlink > 1)
            return -1;
        // The holder before us may have renamed it into place or removed it
        // between our open and our flock: then the name is someone else's now.
        if (!names_file(path, status))
            continue;
        if (!created && ::ftruncate(file.get(), 0) != 0)
            return -1;
        ::fchmod(file.get(), 0644);
        return file.release();
    }
    return -1;
}

} // namespace

namespace {

std::string not_regular(mode_t mode)
{
    // The wording for a directory is older than the rest, and tests and users know it.
    if (S_ISDIR(mode))
        return std::string(file_messages::kDirectoryNotFile);
    return fmt::format("is {}, expected a regular file", file_type_text(mode));
}

std::optional<std::string> real_path(const std::string& path)
{
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved)
        return std::nullopt;
    std::string result(resolved);
    std::free(resolved);
    return result;
}

// The path the kernel holds for an open descriptor, where /proc can say.
std::optional<std::string> descriptor_path(int fd)
{
    std::string link = fmt::format("/proc/self/fd/{}", fd);
    std::array<char, 4096> buffer {};
    ssize_t length = ::readlink(link.c_str(), buffer.data(), buffer.size());
    if (length <= 0 || std::size_t(length) >= buffer.size())
        return std::nullopt;
    return std::string(buffer.data(), std::size_t(length));
}

struct CheckedPath {
    std::string to_open;
    std::string root; // the resolved folder, when confined
};

Result<CheckedPath> check_path(const std::string& path, const ReadConfinement& confinement)
{
    PXOS_TRY(check_readable_name(path));
    if (!confinement.confined())
        return CheckedPath { path, {} };
    PXOS_TRY(check_readable_name(confinement.folder));
    auto root = real_path(confinement.folder);
    if (!root)
        return Error::bad_input(printable_path(confinement.folder),
            "cannot resolve the folder reads are confined to: " + errno_text(errno));
    auto resolved = real_path(path);
    if (!resolved)
        return Error::bad_input(printable_path(path), "cannot open: " + errno_text(errno));
    if (!file_messages::inside_folder(*resolved, *root))
        return Error::bad_input(printable_path(path),
            fmt::format("leaves the roadmap's folder {} (it resolves to {})", printable_path(*root),
                printable_path(*resolved)));
    PXOS_TRY(check_readable_name(*resolved));
    return CheckedPath { std::move(*resolved), std::move(*root) };
}

} // namespace

Result<std::string> PosixFileSystem::check_readable_path(const std::string& path, const ReadConfinement& confinement)
{
    auto checked = check_path(path, confinement);
    if (!checked)
        return std::move(checked).error();
    return std::move(checked->to_open);
}

Result<std::vector<std::uint8_t>> PosixFileSystem::read_file_bytes(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap, const ReadConfinement& confinement)
{
    auto checked = check_path(path, confinement);
    if (!checked)
        return std::move(checked).error();
    const std::string& name = checked->to_open;
    // Refused before it is opened where possible (opening a device can do
    // things); the descriptor's fstat below is what decides.
    struct stat named {};
    if (::stat(name.c_str(), &named) == 0 && !S_ISREG(named.st_mode))
        return Error::bad_input(path, not_regular(named.st_mode));
    // O_NONBLOCK: a FIFO put there since the stat opens at once instead of
    // waiting for a writer; O_NOFOLLOW: the resolved name has no symlink, so
    // one there now was put there since.
    int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (confinement.confined() ? O_NOFOLLOW : 0);
    FileDescriptor fd(::open(name.c_str(), flags));
    if (fd.get() < 0)
        return Error::bad_input(path, "cannot open: " + errno_text(errno));
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        return Error::bad_input(path, "cannot stat: " + errno_text(errno));
    if (!S_ISREG(info.st_mode))
        return Error::bad_input(path, not_regular(info.st_mode));
    if (confinement.confined()) {
        // A folder on the way swapped for a symlink between realpath and open.
        auto opened = descriptor_path(fd.get());
        if (opened && !file_messages::inside_folder(*opened, checked->root))
            return Error::bad_input(path, fmt::format("leaves the roadmap's folder {} (it changed while it was "
                                                      "opened, to {})",
                                              printable_path(checked->root), printable_path(*opened)));
    }
    if (std::uint64_t(info.st_size) > max_bytes)
        return Error::bad_input(path,
            fmt::format("file is {} bytes, {}", info.st_size, file_messages::over_limit(max_bytes, cap)));

    std::vector<std::uint8_t> bytes;
    bytes.reserve(std::size_t(info.st_size));
    std::uint8_t buffer[65536];
    for (;;) {
        ssize_t count = ::read(fd.get(), buffer, sizeof buffer);
        if (count < 0) {
            if (errno == EINTR)
                continue;
            return Error::bad_input(path, "cannot read: " + errno_text(errno));
        }
        if (count == 0)
            break;
        if (bytes.size() + std::size_t(count) > max_bytes)
            return Error::bad_input(path, "file is " + file_messages::over_limit(max_bytes, cap));
        bytes.insert(bytes.end(), buffer, buffer + count);
    }
    return bytes;
}

namespace {

// What is at an output path now (lstat: a symbolic link is itself), nullopt
// when nothing is; an error when pxos may not write there.
Result<std::optional<struct stat>> inspect_output(const std::string& path)
{
    PXOS_TRY(check_output_name(path));
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) // (ENOTDIR: creating the folder reports it)
            return std::optional<struct stat> {};
        return Error::io(path, "cannot check output path: " + errno_text(errno));
    }
    if (S_ISDIR(status.st_mode))
        return Error::bad_input(path, std::string(file_messages::kOutputIsDirectory));
    if (!S_ISREG(status.st_mode))
        return Error::bad_input(path,
            fmt::format("output path is {}, expected a regular file (pxos writes only regular files)",
                file_type_text(status.st_mode)));
    if ((status.st_mode & 0222) == 0 || ::access(path.c_str(), W_OK) != 0)
        return Error::bad_input(path, file_messages::read_only_output(status.st_mode));
    return std::optional<struct stat>(status);
}

// The missing folders above `path`, deepest first.
std::vector<std::string> missing_folders(const std::filesystem::path& parent)
{
    std::vector<std::string> missing;
    for (std::filesystem::path folder = parent; !folder.empty() && folder != folder.root_path();
         folder = folder.parent_path()) {
        struct stat status {};
        if (::lstat(folder.c_str(), &status) == 0 || errno != ENOENT)
            break;
        missing.push_back(folder.string());
        if (!folder.has_parent_path())
            break;
    }
    return missing;
}

// Makes a rename in `folder` durable; file systems that cannot sync a folder say EINVAL.
Result<void> sync_folder_of(const std::string& folder, const std::string& path)
{
    FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0)
        return Error::io(path, fmt::format("cannot open folder '{}' to sync it: {}", folder, errno_text(errno)));
    if (::fsync(fd.get()) != 0 && errno != EINVAL)
        return Error::io(path, fmt::format("cannot sync folder '{}': {}", folder, errno_text(errno)));
    return {};
}

std::string folder_of(const std::string& path)
{
    std::string folder = std::filesystem::path(path).parent_path().string();
    return folder.empty() ? "." : folder;
}

} // namespace

std::string_view file_type_text(unsigned mode)
{
    if (S_ISREG(mode))
        return "a regular file";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "a special file";
}

Result<void> PosixFileSystem::check_output_path(const std::string& path)
{
    auto status = inspect_output(path);
    if (!status)
        return std::move(status).error();
    return {};
}

Result<void> PosixFileSystem::check_output_not_input(const std::string& output, std::span<const std::string> inputs)
{
    struct stat target {};
    if (::stat(output.c_str(), &target) != 0)
        return {};
    for (const std::string& input : inputs) {
        struct stat read {};
        if (!input.empty() && ::stat(input.c_str(), &read) == 0 && read.st_dev == target.st_dev
            && read.st_ino == target.st_ino)
            return Error::bad_input(output, file_messages::output_is_input(output, input));
    }
    return {};
}

bool PosixFileSystem::is_path_inside(const std::string& path, const std::string& folder)
{
    std::error_code error;
    std::filesystem::path resolved = std::filesystem::weakly_canonical(std::filesystem::absolute(path, error), error);
    if (error)
        return false;
    std::filesystem::path root
        = std::filesystem::weakly_canonical(std::filesystem::absolute(folder.empty() ? "." : folder, error), error);
    if (error)
        return false;
    if (!root.has_filename())
        root = root.parent_path();
    auto [in_root, in_path] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
    return in_root == root.end() && in_path != resolved.end();
}

Result<AtomicFile> AtomicFile::create(const std::string& path)
{
    auto existing = inspect_output(path);
    if (!existing)
        return std::move(existing).error();
    std::filesystem::path target(path);
    std::filesystem::path parent = target.parent_path();
    std::vector<std::string> created_folders;
    if (!parent.empty()) {
        created_folders = missing_folders(parent);
        std::error_code error;
        std::filesystem::create_directories(parent, error);
        if (error) {
            for (const std::string& folder : created_folders)
                ::rmdir(folder.c_str());
            return Error::io(path, fmt::format("cannot create folder '{}': {}", parent.string(), error.message()));
        }
    }
    std::filesystem::path folder = parent.empty() ? std::filesystem::path(".") : parent;
    std::string temporary = (folder / ("." + target.filename().string() + ".tmp")).string();
    FatalSignalsHeld held; // until the constructor has listed the new file
    int fd = claim_fixed_temporary(temporary);
    if (fd < 0) {
        // Someone else is writing the same file: a name of its own for this writer.
        temporary += ".XXXXXX";
        fd = ::mkstemp(temporary.data());
        if (fd < 0) {
            int saved = errno;
            for (const std::string& created : created_folders)
                ::rmdir(created.c_str());
            return Error::io(path, "cannot create temporary file: " + errno_text(saved));
        }
    }
    // The replaced file's permissions and, where allowed (root, or a group of ours), its owner.
    const struct stat* before = *existing ? &**existing : nullptr;
    if (before && (before->st_uid != ::geteuid() || before->st_gid != ::getegid()))
        (void)::fchown(fd, before->st_uid, before->st_gid); // best effort: else the file is ours
    ::fchmod(fd, before ? (before->st_mode & 0777) : 0644);
    return AtomicFile(path, std::move(temporary), fd, std::move(created_folders));
}

AtomicFile::AtomicFile(std::string path, std::string temporary, int fd, std::vector<std::string> created_folders)
    : m_path(std::move(path))
    , m_temporary(std::make_unique<char[]>(temporary.size() + 1))
    , m_fd(fd)
    , m_created_folders(std::move(created_folders))
{
    std::memcpy(m_temporary.get(), temporary.c_str(), temporary.size() + 1);
    list_pending(m_temporary.get());
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_path(std::move(other.m_path))
    , m_temporary(std::move(other.m_temporary))
    , m_fd(std::exchange(other.m_fd, -1))
    , m_finished(other.m_finished)
    , m_created_folders(std::move(other.m_created_folders))
{
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept
{
    if (this != &other) {
        discard();
        m_path = std::move(other.m_path);
        m_temporary = std::move(other.m_temporary);
        m_fd = std::exchange(other.m_fd, -1);
        m_finished = other.m_finished;
        m_created_folders = std::move(other.m_created_folders);
    }
    return *this;
}

AtomicFile::~AtomicFile()
{
    discard();
}

void AtomicFile::discard()
{
    // Unlinked while the flock is held (another pxos may take the name over
    // once it is released) and unlisted with signals held (once it is
    // unlinked, the name may be another pxos's new file).
    if (m_temporary) {
        FatalSignalsHeld held;
        ::unlink(m_temporary.get());
        unlist_pending(m_temporary.get());
        m_temporary.reset();
        for (const std::string& folder : m_created_folders)
            if (::rmdir(folder.c_str()) != 0) // not empty: another file of the command is there
                break;
    }
    m_created_folders.clear();
    if (m_fd >= 0)
        ::close(std::exchange(m_fd, -1));
}

void remove_pending_temporary_files() noexcept
{
    for (auto& slot : g_pending_temporaries)
        if (const char* path = slot.exchange(nullptr))
            ::unlink(path);
}

Result<void> AtomicFile::fail(const std::string& what)
{
    int saved = errno;
    discard();
    return Error::io(m_path, what + ": " + errno_text(saved));
}

Result<void> AtomicFile::write(std::span<const std::uint8_t> bytes)
{
    return write_all(bytes, std::nullopt);
}

Result<void> AtomicFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes)
{
    return write_all(bytes, offset);
}

// At the file's position, or at `offset` (pwrite) without moving it.
Result<void> AtomicFile::write_all(std::span<const std::uint8_t> bytes, std::optional<std::uint64_t> offset)
{
    if (m_fd < 0)
        return Error::io(m_path, "cannot write: the file is already closed");
    if (m_finished)
        return Error::internal(fmt::format("{}: written after it was finished", m_path));
    std::size_t written = 0;
    while (written < bytes.size()) {
        const std::uint8_t* data = bytes.data() + written;
        std::size_t left = bytes.size() - written;
        ssize_t count = offset ? ::pwrite(m_fd, data, left, off_t(*offset + written)) : ::write(m_fd, data, left);
        if (count < 0) {
            if (errno == EINTR)
                continue;
            return fail("cannot write");
        }
        written += std::size_t(count);
    }
    return {};
}

Result<void> AtomicFile::finish()
{
    if (m_fd < 0)
        return Error::io(m_path, "cannot finish: the file is already closed");
    if (m_finished)
        return {};
    if (::fsync(m_fd) != 0)
        return fail("cannot sync");
    // A closed duplicate reports what close reports (a network file system's
    // write-back errors) while m_fd keeps the flock through the rename.
    int duplicate = ::dup(m_fd);
    if (duplicate < 0 || ::close(duplicate) != 0)
        return fail("cannot close");
    m_finished = true;
    return {};
}

Result<void> AtomicFile::commit()
{
    PXOS_TRY(rename_into_place());
    return sync_folder_of(folder_of(m_path), m_path);
}

Result<void> AtomicFile::rename_into_place()
{
    PXOS_TRY(finish());
    // What is at the path may have changed since create(): a device or a
    // FIFO put there meanwhile is still never replaced.
    if (auto target = inspect_output(m_path); !target) {
        discard();
        return std::move(target).error();
    }
    {
        // Renamed and unlisted with signals held: once renamed, the name may be
        // another pxos's new temporary file.
        FatalSignalsHeld held;
        if (::rename(m_temporary.get(), m_path.c_str()) != 0)
            return fail("cannot rename temporary file into place");
        unlist_pending(m_temporary.get());
        m_temporary.reset();
    }
    m_created_folders.clear();
    ::close(std::exchange(m_fd, -1));
    return {};
}

Result<void> PosixFileSystem::sync_folder(const std::string& folder, const std::string& path)
{
    return sync_folder_of(folder, path);
}

FileKind PosixFileSystem::kind_of(const std::string& path)
{
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        return FileKind::Missing;
    if (S_ISREG(status.st_mode))
        return FileKind::Regular;
    if (S_ISDIR(status.st_mode))
        return FileKind::Directory;
    if (S_ISFIFO(status.st_mode))
        return FileKind::Fifo;
    return FileKind::Other;
}

std::string PosixFileSystem::absolute_path(const std::string& path)
{
    std::error_code error;
    std::filesystem::path absolute = std::filesystem::absolute(path, error);
    return error ? path : absolute.string();
}

Result<void> PosixFileSystem::create_folders(const std::string& path)
{
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error)
        return Error::io(path, error.message());
    return {};
}

Result<std::unique_ptr<OutputFile>> PosixFileSystem::create_output(const std::string& path)
{
    auto file = AtomicFile::create(path);
    if (!file)
        return std::move(file).error();
    return std::unique_ptr<OutputFile>(std::make_unique<AtomicFile>(std::move(*file)));
}

Result<std::unique_ptr<FileLock>> PosixFileSystem::lock(const std::string& path, std::string_view busy)
{
    auto lock = PidLock::acquire(path, busy);
    if (!lock)
        return std::move(lock).error();
    return std::unique_ptr<FileLock>(std::make_unique<PidLock>(std::move(*lock)));
}

Result<std::string> check_readable_path(const std::string& path, const ReadConfinement& confinement)
{
    return PosixFileSystem().check_readable_path(path, confinement);
}

Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap, const ReadConfinement& confinement)
{
    return PosixFileSystem().read_file_bytes(path, max_bytes, cap, confinement);
}

Result<std::string> read_file_text(const std::string& path, std::uint64_t max_bytes, std::optional<Cap> cap,
    const ReadConfinement& confinement)
{
    return PosixFileSystem().read_file_text(path, max_bytes, cap, confinement);
}

Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes)
{
    return PosixFileSystem().write_file_atomic(path, bytes);
}

Result<void> write_file_atomic(const std::string& path, std::string_view text)
{
    return PosixFileSystem().write_file_atomic(path, text);
}

Result<void> write_file_atomic(const std::string& path, std::span<const std::span<const std::uint8_t>> parts)
{
    return PosixFileSystem().write_file_atomic(path, parts);
}

Result<void> check_output_path(const std::string& path)
{
    return PosixFileSystem().check_output_path(path);
}

Result<void> check_output_not_input(const std::string& output, std::span<const std::string> inputs)
{
    return PosixFileSystem().check_output_not_input(output, inputs);
}

bool is_path_inside(const std::string& path, const std::string& folder)
{
    return PosixFileSystem().is_path_inside(path, folder);
}

} // namespace pxos
