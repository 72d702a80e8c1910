#include "pxos/file_io.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

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
    int release()
    {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd;
};

std::string over_limit(std::uint64_t max_bytes, std::optional<Cap> cap)
{
    return cap ? "over " + cap_text(*cap, max_bytes) : fmt::format("over the {} byte limit", max_bytes);
}

} // namespace

Result<std::vector<std::uint8_t>> read_file_bytes(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap)
{
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        return Error::bad_input(path, "cannot open: " + errno_text(errno));
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        return Error::bad_input(path, "cannot stat: " + errno_text(errno));
    if (S_ISDIR(info.st_mode))
        return Error::bad_input(path, "is a directory, expected a file");
    if (S_ISREG(info.st_mode) && std::uint64_t(info.st_size) > max_bytes)
        return Error::bad_input(path, fmt::format("file is {} bytes, {}", info.st_size, over_limit(max_bytes, cap)));

    std::vector<std::uint8_t> bytes;
    if (S_ISREG(info.st_mode))
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

Result<std::string> read_file_text(const std::string& path, std::uint64_t max_bytes, std::optional<Cap> cap)
{
    auto bytes = read_file_bytes(path, max_bytes, cap);
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

Result<void> write_file_atomic(const std::string& path, std::span<const std::span<const std::uint8_t>> parts)
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

    std::string temporary = (parent.empty() ? std::string(".") : parent.string()) + "/." + target.filename().string()
        + ".tmp.XXXXXX";
    FileDescriptor fd(::mkstemp(temporary.data()));
    if (fd.get() < 0)
        return Error::io(path, "cannot create temporary file: " + errno_text(errno));
    ::fchmod(fd.get(), 0644);

    auto fail = [&](const std::string& what) -> Result<void> {
        int saved = errno;
        ::unlink(temporary.c_str());
        return Error::io(path, what + ": " + errno_text(saved));
    };

    for (std::span<const std::uint8_t> bytes : parts) {
        std::size_t written = 0;
        while (written < bytes.size()) {
            ssize_t count = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
            if (count < 0) {
                if (errno == EINTR)
                    continue;
                return fail("cannot write");
            }
            written += std::size_t(count);
        }
    }
    if (::close(fd.release()) != 0)
        return fail("cannot close");
    if (::rename(temporary.c_str(), path.c_str()) != 0)
        return fail("cannot rename temporary file into place");
    return {};
}

Result<void> write_file_atomic(const std::string& path, std::string_view text)
{
    return write_file_atomic(path,
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

} // namespace pxos
