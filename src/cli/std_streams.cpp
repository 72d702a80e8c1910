#include "std_streams.hpp"

#include "commands.hpp"

#include "terminal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>
#include <vector>

namespace pxos::cli {

namespace {

constexpr const char* kStdinName = "stdin";
constexpr const char* kStdoutName = "stdout";

// The bytes written to `-`, held until the command commits its outputs.
class StdoutFile final : public OutputFile {
public:
    const std::string& path() const override { return m_path; }
    Result<void> write(std::span<const std::uint8_t> bytes) override
    {
        m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.end());
        return {};
    }
    Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override
    {
        if (offset + bytes.size() > m_bytes.size())
            m_bytes.resize(offset + bytes.size());
        std::copy(bytes.begin(), bytes.end(), m_bytes.begin() + std::ptrdiff_t(offset));
        return {};
    }
    Result<void> finish() override { return {}; }
    Result<void> rename_into_place() override
    {
        if (m_written)
            return {};
        m_written = true;
        std::fflush(stdout);
        std::size_t done = 0;
        while (done < m_bytes.size()) {
            ssize_t count = ::write(STDOUT_FILENO, m_bytes.data() + done, m_bytes.size() - done);
            if (count < 0 && errno == EINTR)
                continue;
            if (count <= 0)
                return Error::io(kStdoutName, fmt::format("cannot write: {}", std::strerror(errno)));
            done += std::size_t(count);
        }
        return {};
    }
    Result<void> commit() override { return rename_into_place(); }

private:
    std::string m_path { kStdStreamName };
    std::vector<std::uint8_t> m_bytes;
    bool m_written = false;
};

// The inputs that are files (stdin is none of an output's).
std::vector<std::string> file_inputs(std::span<const std::string> inputs)
{
    std::vector<std::string> files;
    for (const std::string& input : inputs)
        if (!is_std_stream(input))
            files.push_back(input);
    return files;
}

} // namespace

Result<std::string> StdStreamFileSystem::check_readable_path(const std::string& path,
    const ReadConfinement& confinement)
{
    if (is_std_stream(path))
        return path;
    return m_host.check_readable_path(path, confinement);
}

Result<std::vector<std::uint8_t>> StdStreamFileSystem::read_file_bytes(const std::string& path,
    std::uint64_t max_bytes, std::optional<Cap> cap, const ReadConfinement& confinement)
{
    if (!is_std_stream(path))
        return m_host.read_file_bytes(path, max_bytes, cap, confinement);
    if (m_stdin_read)
        return Error::usage("stdin ('-') is read once: give '-' for one input only");
    m_stdin_read = true;
    std::vector<std::uint8_t> bytes;
    unsigned char buffer[65536];
    for (;;) {
        ssize_t count = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return Error::bad_input(kStdinName, fmt::format("cannot read: {}", std::strerror(errno)));
        if (count == 0)
            break;
        if (bytes.size() + std::size_t(count) > max_bytes)
            return Error::bad_input(kStdinName,
                "input is " + file_messages::over_limit(max_bytes, cap));
        bytes.insert(bytes.end(), buffer, buffer + count);
    }
    return bytes;
}

FileKind StdStreamFileSystem::kind_of(const std::string& path)
{
    return is_std_stream(path) ? FileKind::Fifo : m_host.kind_of(path);
}

std::string StdStreamFileSystem::absolute_path(const std::string& path)
{
    return is_std_stream(path) ? path : m_host.absolute_path(path);
}

bool StdStreamFileSystem::is_path_inside(const std::string& path, const std::string& folder)
{
    return !is_std_stream(path) && m_host.is_path_inside(path, folder);
}

Result<void> StdStreamFileSystem::create_folders(const std::string& path)
{
    return m_host.create_folders(path);
}

Result<void> StdStreamFileSystem::check_output_path(const std::string& path)
{
    if (is_std_stream(path))
        return {};
    return m_host.check_output_path(path);
}

Result<void> StdStreamFileSystem::check_output_not_input(const std::string& output, std::span<const std::string> inputs)
{
    if (is_std_stream(output))
        return {};
    std::vector<std::string> files = file_inputs(inputs);
    return m_host.check_output_not_input(output, files);
}

Result<std::unique_ptr<OutputFile>> StdStreamFileSystem::create_output(const std::string& path)
{
    if (is_std_stream(path))
        return std::unique_ptr<OutputFile>(std::make_unique<StdoutFile>());
    return m_host.create_output(path);
}

Result<void> StdStreamFileSystem::sync_folder(const std::string& folder, const std::string& path)
{
    if (is_std_stream(path))
        return {};
    return m_host.sync_folder(folder, path);
}

Result<std::unique_ptr<FileLock>> StdStreamFileSystem::lock(const std::string& path, std::string_view busy)
{
    return m_host.lock(path, busy);
}

Result<void> check_output_target(const std::string& path, std::span<const std::string> inputs, OutputKind kind)
{
    if (is_std_stream(path)) {
        if (kind == OutputKind::Binary && ::isatty(STDOUT_FILENO) == 1)
            return Error::usage("'-' writes the PNG to stdout, which is a terminal: redirect it (> FILE.png, | CMD) "
                                "or give a file name");
        return {};
    }
    PXOS_TRY(host_files().check_output_path(path));
    return host_files().check_output_not_input(path, inputs);
}

void print_written_path(const std::string& path)
{
    if (!is_std_stream(path))
        print_result(path + "\n");
}

} // namespace pxos::cli
