#include "pxos/file_io.hpp"

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
std::array<std::atomic<const char*>, 64> g_pending_temporaries {};

void list_pending(const char* path)
{
    for (auto& slot : g_pending_temporaries) {
        const char* empty = nullptr;
        if (slot.compare_exchange_strong(empty, path))
            return;
    }
    // More than 64 at once: that one is not cleaned on a signal, only on exit paths.
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

std::string over_limit(std::uint64_t max_bytes, std::optional<Cap> cap)
{
    return cap ? "over " + cap_text(*cap, max_bytes) : fmt::format("over the {} byte limit", max_bytes);
}

} // namespace

namespace {

// What a file that is not a regular one is, for messages.
std::string_view file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

std::string not_regular(mode_t mode)
{
    // The wording for a directory is older than the rest, and tests and users know it.
    if (S_ISDIR(mode))
        return "is a directory, expected a file";
    return fmt::format("is {}, expected a regular file", file_kind(mode));
}

std::optional<std::size_t> first_control_character(std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f)
            return i;
    }
    return std::nullopt;
}

Result<void> refuse_control_characters(std::string_view path)
{
    auto at = first_control_character(path);
    if (!at)
        return {};
    return Error::bad_input(printable_path(path),
        fmt::format("file name has a control character ({}) at byte {}; such a name is never opened",
            printable_path(path.substr(*at, 1)), *at));
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

bool inside_folder(const std::string& resolved, const std::string& root)
{
    if (root == "/")
        return true;
    return resolved.size() > root.size() && resolved.compare(0, root.size(), root) == 0 && resolved[root.size()] == '/';
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
    PXOS_TRY(refuse_control_characters(path));
    if (!confinement.confined())
        return CheckedPath { path, {} };
    PXOS_TRY(refuse_control_characters(confinement.folder));
    auto root = real_path(confinement.folder);
    if (!root)
        return Error::bad_input(printable_path(confinement.folder),
            "cannot resolve the folder reads are confined to: " + errno_text(errno));
    auto resolved = real_path(path);
    if (!resolved)
        return Error::bad_input(printable_path(path), "cannot open: " + errno_text(errno));
    if (!inside_folder(*resolved, *root))
        return Error::bad_input(printable_path(path),
            fmt::format("leaves the roadmap's folder {} (it resolves to {})", printable_path(*root),
                printable_path(*resolved)));
    PXOS_TRY(refuse_control_characters(*resolved));
    return CheckedPath { std::move(*resolved), std::move(*root) };
}

} // namespace

std::string printable_path(std::string_view text)
{
    std::string shown;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '\\': shown += "\\\\"; continue;
        case '\0': shown += "\\0"; continue;
        case '\n': shown += "\\n"; continue;
        case '\t': shown += "\\t"; continue;
        case '\r': shown += "\\r"; continue;
        }
        if (byte < 0x20 || byte == 0x7f)
            shown += fmt::format("\\x{:02x}", byte);
        else
            shown += c;
    }
    return shown;
}

Result<std::string> check_readable_path(const std::string& path, const ReadConfinement& confinement)
{
    auto checked = check_path(path, confinement);
    if (!checked)
        return std::move(checked).error();
    return std::move(checked->to_open);
}

Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
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
        if (opened && !inside_folder(*opened, checked->root))
            return Error::bad_input(path, fmt::format("leaves the roadmap's folder {} (it changed while it was "
                                                      "opened, to {})",
                                              printable_path(checked->root), printable_path(*opened)));
    }
    if (std::uint64_t(info.st_size) > max_bytes)
        return Error::bad_input(path, fmt::format("file is {} bytes, {}", info.st_size, over_limit(max_bytes, cap)));

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
            return Error::bad_input(path, "file is " + over_limit(max_bytes, cap));
        bytes.insert(bytes.end(), buffer, buffer + count);
    }
    return bytes;
}

Result<std::string> read_file_text(const std::string& path, std::uint64_t max_bytes, std::optional<Cap> cap,
    const ReadConfinement& confinement)
{
    auto bytes = read_file_bytes(path, max_bytes, cap, confinement);
    if (!bytes)
        return std::move(bytes).error();
    return std::string(bytes->begin(), bytes->end());
}

Result<void> check_output_path(const std::string& path)
{
    if (path.empty())
        return Error::usage("output path is empty");
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        return Error::bad_input(path, "output path is a directory, expected a file name");
    if (!path.empty() && path.back() == '/')
        return Error::bad_input(path, "output path ends in '/', expected a file name");
    return {};
}

Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes)
{
    std::span<const std::uint8_t> parts[] = { bytes };
    return write_file_atomic(path, std::span<const std::span<const std::uint8_t>>(parts));
}

Result<AtomicFile> AtomicFile::create(const std::string& path)
{
    PXOS_TRY(check_output_path(path));
    std::filesystem::path target(path);
    std::filesystem::path parent = target.parent_path();
    if (!parent.empty()) {
        std::error_code error;
        std::filesystem::create_directories(parent, error);
        if (error)
            return Error::io(path, fmt::format("cannot create folder '{}': {}", parent.string(), error.message()));
    }
    std::filesystem::path folder = parent.empty() ? std::filesystem::path(".") : parent;
    std::string temporary = (folder / ("." + target.filename().string() + ".tmp")).string();
    FatalSignalsHeld held; // until the constructor has listed the new file
    if (int fd = claim_fixed_temporary(temporary); fd >= 0)
        return AtomicFile(path, std::move(temporary), fd);
    // Someone else is writing the same file: a name of its own for this writer.
    temporary += ".XXXXXX";
    int fd = ::mkstemp(temporary.data());
    if (fd < 0)
        return Error::io(path, "cannot create temporary file: " + errno_text(errno));
    ::fchmod(fd, 0644);
    return AtomicFile(path, std::move(temporary), fd);
}

AtomicFile::AtomicFile(std::string path, std::string temporary, int fd)
    : m_path(std::move(path))
    , m_temporary(std::make_unique<char[]>(temporary.size() + 1))
    , m_fd(fd)
{
    std::memcpy(m_temporary.get(), temporary.c_str(), temporary.size() + 1);
    list_pending(m_temporary.get());
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_path(std::move(other.m_path))
    , m_temporary(std::move(other.m_temporary))
    , m_fd(std::exchange(other.m_fd, -1))
{
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept
{
    if (this != &other) {
        discard();
        m_path = std::move(other.m_path);
        m_temporary = std::move(other.m_temporary);
        m_fd = std::exchange(other.m_fd, -1);
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
    }
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

Result<void> AtomicFile::commit()
{
    if (m_fd < 0)
        return Error::io(m_path, "cannot commit: the file is already closed");
    // A closed duplicate reports what close reports (a network file system's
    // write-back errors) while m_fd keeps the flock through the rename.
    int duplicate = ::dup(m_fd);
    if (duplicate < 0 || ::close(duplicate) != 0)
        return fail("cannot close");
    {
        // Renamed and unlisted with signals held: once renamed, the name may be
        // another pxos's new temporary file.
        FatalSignalsHeld held;
        if (::rename(m_temporary.get(), m_path.c_str()) != 0)
            return fail("cannot rename temporary file into place");
        unlist_pending(m_temporary.get());
        m_temporary.reset();
    }
    ::close(std::exchange(m_fd, -1));
    return {};
}

Result<void> write_file_atomic(const std::string& path, std::span<const std::span<const std::uint8_t>> parts)
{
    auto file = AtomicFile::create(path);
    if (!file)
        return std::move(file).error();
    for (std::span<const std::uint8_t> bytes : parts)
        PXOS_TRY(file->write(bytes));
    return file->commit();
}

Result<void> write_file_atomic(const std::string& path, std::string_view text)
{
    return write_file_atomic(path,
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

} // namespace pxos
