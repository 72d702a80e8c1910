// A lock that says who holds it: an flock on a small file that holds the
// holder's pid. The kernel drops an flock when its holder dies, even of
// kill -9, so a file left behind by a dead holder is simply taken over;
// there is nothing to clean up and no stale-pid guessing. The file stays in
// place after the lock is released (removing it would race with the next
// taker). Only a plain file of its own is ever written: a directory, FIFO,
// device, symlink or hard link at the path is an error naming it.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"

#include <string>
#include <string_view>

namespace pxos {

// PosixFileSystem::lock hands it out as a FileLock.
class PidLock final : public FileLock {
public:
    // Takes the lock at `path` for this process, or says who holds it:
    // "PATH: error: BUSY (pid N)".
    static Result<PidLock> acquire(const std::string& path, std::string_view busy);
    PidLock(PidLock&& other) noexcept;
    PidLock& operator=(PidLock&& other) noexcept;
    PidLock(const PidLock&) = delete;
    PidLock& operator=(const PidLock&) = delete;
    ~PidLock() override;

private:
    explicit PidLock(int fd) : m_fd(fd) { }
    int m_fd = -1;
};

} // namespace pxos
