#include "pxos/host/posix/pid_lock.hpp"

#include "pxos/host/posix/file_system.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace pxos {

namespace {

// The pid the holder wrote, or "unknown" (it may be writing it right now).
std::string holder_of(int fd)
{
    char text[32] = {};
    ssize_t size = ::pread(fd, text, sizeof text - 1, 0);
    std::size_t digits = 0;
    while (size > 0 && digits < std::size_t(size) && text[digits] >= '0' && text[digits] <= '9')
        ++digits;
    return digits > 0 ? std::string(text, digits) : std::string("unknown");
}

} // namespace

Result<PidLock> PidLock::acquire(const std::string& path, std::string_view busy)
{
    // Not through a symlink, and O_NONBLOCK so that a FIFO or a device at the path cannot block the open.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (fd < 0) {
        int error = errno;
        struct stat status {};
        if (::lstat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode))
            return Error::io(path, fmt::format("the lock file is {}; remove it", file_type_text(status.st_mode)));
        return Error::io(path, fmt::format("cannot open the lock file: {}", std::strerror(error)));
    }
    PidLock lock(fd);
    struct stat status {};
    if (::fstat(fd, &status) != 0)
        return Error::io(path, fmt::format("cannot stat the lock file: {}", std::strerror(errno)));
    if (!S_ISREG(status.st_mode))
        return Error::io(path, fmt::format("the lock file is {}; remove it", file_type_text(status.st_mode)));
    if (status.st_nlink != 1)
        return Error::io(path, "the lock file has other hard links; remove it");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return Error::io(path, fmt::format("{} (pid {})", busy, holder_of(fd)));
        return Error::io(path, fmt::format("cannot lock the lock file: {}", std::strerror(errno)));
    }
    std::string pid = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != ssize_t(pid.size()))
        return Error::io(path, fmt::format("cannot write the lock file: {}", std::strerror(errno)));
    return lock;
}

PidLock::PidLock(PidLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) { }

PidLock& PidLock::operator=(PidLock&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

PidLock::~PidLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the flock
}

} // namespace pxos
