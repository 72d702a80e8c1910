#include "pxos/base/memory_file_system.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <utility>

namespace pxos {

namespace {

// The words the real file system's errno gives for the cases a memory one has.
constexpr std::string_view kNoSuchFile = "No such file or directory";
constexpr std::string_view kNotAFolder = "Not a directory";
constexpr std::string_view kFileExists = "File exists";

std::string_view kind_text(FileKind kind)
{
    switch (kind) {
    case FileKind::Regular: return "a regular file";
    case FileKind::Directory: return "a directory";
    case FileKind::Fifo: return "a FIFO";
    case FileKind::Other: return "a special file";
    case FileKind::Missing: break;
    }
    return "nothing";
}

std::string parent_of(const std::string& absolute)
{
    std::string parent = std::filesystem::path(absolute).parent_path().string();
    return parent.empty() ? "/" : parent;
}

std::string name_of(const std::string& absolute)
{
    return std::filesystem::path(absolute).filename().string();
}

} // namespace

// An output being written: a temporary file beside the target, in the map
// like any file, renamed over the target on commit, removed when dropped.
class MemoryOutputFile final : public OutputFile {
public:
    MemoryOutputFile(MemoryFileSystem& files, std::string path, std::string target, std::string temporary,
        std::vector<std::string> created_folders)
        : m_files(files)
        , m_path(std::move(path))
        , m_target(std::move(target))
        , m_temporary(std::move(temporary))
        , m_created_folders(std::move(created_folders))
    {
    }
    MemoryOutputFile(const MemoryOutputFile&) = delete;
    MemoryOutputFile& operator=(const MemoryOutputFile&) = delete;
    ~MemoryOutputFile() override { discard(); }

    const std::string& path() const override { return m_path; }
    Result<void> write(std::span<const std::uint8_t> bytes) override { return write_all(bytes, std::nullopt); }
    Result<void> write_at(std::uint64_t offset, std::span<const std::uint8_t> bytes) override
    {
        return write_all(bytes, offset);
    }
    Result<void> finish() override
    {
        if (!m_open)
            return Error::io(m_path, "cannot finish: the file is already closed");
        m_finished = true;
        return {};
    }
    Result<void> rename_into_place() override
    {
        PXOS_TRY(finish());
        std::lock_guard<std::mutex> guard(m_files.m_mutex);
        // What is at the path may have changed since create_output.
        if (auto target = m_files.check_output(m_path, m_target); !target) {
            discard_held();
            return target;
        }
        auto temporary = m_files.m_nodes.find(m_temporary);
        if (temporary == m_files.m_nodes.end()) {
            discard_held();
            return Error::io(m_path, fmt::format("cannot rename temporary file into place: {}", kNoSuchFile));
        }
        Node node = std::move(temporary->second);
        m_files.m_nodes.erase(temporary);
        m_files.m_nodes[m_target] = std::move(node);
        m_open = false;
        m_created_folders.clear();
        return {};
    }
    Result<void> commit() override { return rename_into_place(); } // nothing to sync in memory

private:
    using Node = MemoryFileSystem::Node;

    Result<void> write_all(std::span<const std::uint8_t> bytes, std::optional<std::uint64_t> offset)
    {
        if (!m_open)
            return Error::io(m_path, "cannot write: the file is already closed");
        if (m_finished)
            return Error::internal(fmt::format("{}: written after it was finished", m_path));
        std::lock_guard<std::mutex> guard(m_files.m_mutex);
        auto node = m_files.m_nodes.find(m_temporary);
        if (node == m_files.m_nodes.end())
            return Error::io(m_path, fmt::format("cannot write: {}", kNoSuchFile));
        std::vector<std::uint8_t>& content = node->second.bytes;
        std::size_t at = offset ? std::size_t(*offset) : m_position;
        if (content.size() < at + bytes.size())
            content.resize(at + bytes.size());
        std::copy(bytes.begin(), bytes.end(), content.begin() + std::ptrdiff_t(at));
        if (!offset)
            m_position += bytes.size();
        return {};
    }

    void discard()
    {
        if (!m_open)
            return;
        std::lock_guard<std::mutex> guard(m_files.m_mutex);
        discard_held();
    }

    void discard_held()
    {
        m_files.m_nodes.erase(m_temporary);
        m_files.remove_empty_folders(m_created_folders);
        m_created_folders.clear();
        m_open = false;
    }

    MemoryFileSystem& m_files;
    std::string m_path;      // as the caller named it
    std::string m_target;    // absolute
    std::string m_temporary; // absolute
    std::vector<std::string> m_created_folders;
    std::size_t m_position = 0;
    bool m_open = true;
    bool m_finished = false;
};

class MemoryLock final : public FileLock {
public:
    MemoryLock(MemoryFileSystem& files, std::string absolute) : m_files(files), m_absolute(std::move(absolute)) { }
    MemoryLock(const MemoryLock&) = delete;
    MemoryLock& operator=(const MemoryLock&) = delete;
    ~MemoryLock() override
    {
        std::lock_guard<std::mutex> guard(m_files.m_mutex);
        m_files.m_locks.erase(m_absolute);
    }

private:
    MemoryFileSystem& m_files;
    std::string m_absolute;
};

MemoryFileSystem::MemoryFileSystem(std::string working_folder)
    : m_working_folder(std::filesystem::path(working_folder).lexically_normal().string())
{
    m_nodes["/"] = Node { FileKind::Directory, {}, 0755 };
    add_folder(m_working_folder);
}

std::string MemoryFileSystem::normal(const std::string& path) const
{
    std::filesystem::path absolute(path);
    if (absolute.is_relative())
        absolute = std::filesystem::path(m_working_folder) / absolute;
    std::string text = absolute.lexically_normal().string();
    while (text.size() > 1 && text.back() == '/')
        text.pop_back();
    return text;
}

const MemoryFileSystem::Node* MemoryFileSystem::find(const std::string& absolute) const
{
    auto node = m_nodes.find(absolute);
    return node == m_nodes.end() ? nullptr : &node->second;
}

void MemoryFileSystem::add_folder(const std::string& path)
{
    std::lock_guard<std::mutex> guard(m_mutex);
    std::string absolute = normal(path);
    for (std::filesystem::path folder = absolute; folder != folder.root_path(); folder = folder.parent_path())
        m_nodes.try_emplace(folder.string(), Node { FileKind::Directory, {}, 0755 });
}

void MemoryFileSystem::add_file(const std::string& path, std::string_view contents, unsigned mode)
{
    add_folder(parent_of(normal(path)));
    std::lock_guard<std::mutex> guard(m_mutex);
    m_nodes[normal(path)]
        = Node { FileKind::Regular, std::vector<std::uint8_t>(contents.begin(), contents.end()), mode };
}

void MemoryFileSystem::add_fifo(const std::string& path)
{
    add_folder(parent_of(normal(path)));
    std::lock_guard<std::mutex> guard(m_mutex);
    m_nodes[normal(path)] = Node { FileKind::Fifo, {}, 0644 };
}

std::optional<std::string> MemoryFileSystem::contents(const std::string& path) const
{
    std::lock_guard<std::mutex> guard(m_mutex);
    const Node* node = find(normal(path));
    if (!node || node->kind != FileKind::Regular)
        return std::nullopt;
    return std::string(node->bytes.begin(), node->bytes.end());
}

std::optional<unsigned> MemoryFileSystem::mode(const std::string& path) const
{
    std::lock_guard<std::mutex> guard(m_mutex);
    const Node* node = find(normal(path));
    if (!node)
        return std::nullopt;
    return node->mode;
}

std::vector<std::string> MemoryFileSystem::paths() const
{
    std::lock_guard<std::mutex> guard(m_mutex);
    std::vector<std::string> all;
    for (const auto& [path, node] : m_nodes)
        all.push_back(path);
    return all;
}

Result<std::string> MemoryFileSystem::check_readable_path(const std::string& path, const ReadConfinement& confinement)
{
    PXOS_TRY(check_readable_name(path));
    if (!confinement.confined())
        return path;
    PXOS_TRY(check_readable_name(confinement.folder));
    std::lock_guard<std::mutex> guard(m_mutex);
    std::string root = normal(confinement.folder);
    const Node* folder = find(root);
    if (!folder || folder->kind != FileKind::Directory)
        return Error::bad_input(printable_path(confinement.folder),
            fmt::format("cannot resolve the folder reads are confined to: {}", folder ? kNotAFolder : kNoSuchFile));
    std::string resolved = normal(path);
    if (!find(resolved))
        return Error::bad_input(printable_path(path), fmt::format("cannot open: {}", kNoSuchFile));
    if (!file_messages::inside_folder(resolved, root))
        return Error::bad_input(printable_path(path),
            fmt::format("leaves the roadmap's folder {} (it resolves to {})", printable_path(root),
                printable_path(resolved)));
    return resolved;
}

Result<std::vector<std::uint8_t>> MemoryFileSystem::read_file_bytes(const std::string& path,
    std::uint64_t max_bytes, std::optional<Cap> cap, const ReadConfinement& confinement)
{
    auto name = check_readable_path(path, confinement);
    if (!name)
        return std::move(name).error();
    std::lock_guard<std::mutex> guard(m_mutex);
    const Node* node = find(normal(*name));
    if (!node)
        return Error::bad_input(path, fmt::format("cannot open: {}", kNoSuchFile));
    if (node->kind == FileKind::Directory)
        return Error::bad_input(path, std::string(file_messages::kDirectoryNotFile));
    if (node->kind != FileKind::Regular)
        return Error::bad_input(path, fmt::format("is {}, expected a regular file", kind_text(node->kind)));
    if (node->bytes.size() > max_bytes)
        return Error::bad_input(path,
            fmt::format("file is {} bytes, {}", node->bytes.size(), file_messages::over_limit(max_bytes, cap)));
    return node->bytes;
}

FileKind MemoryFileSystem::kind_of(const std::string& path)
{
    std::lock_guard<std::mutex> guard(m_mutex);
    const Node* node = find(normal(path));
    return node ? node->kind : FileKind::Missing;
}

std::string MemoryFileSystem::absolute_path(const std::string& path)
{
    return normal(path);
}

bool MemoryFileSystem::is_path_inside(const std::string& path, const std::string& folder)
{
    return file_messages::inside_folder(normal(path), normal(folder.empty() ? "." : folder));
}

Result<void> MemoryFileSystem::create_folders(const std::string& path)
{
    std::lock_guard<std::mutex> guard(m_mutex);
    std::string absolute = normal(path);
    if (const Node* node = find(absolute))
        return node->kind == FileKind::Directory ? Result<void> {} : Error::io(path, std::string(kFileExists));
    if (!make_parents(absolute + "/.", path))
        return Error::io(path, std::string(kNotAFolder));
    return {};
}

Result<std::vector<std::string>> MemoryFileSystem::make_parents(const std::string& absolute, const std::string& path)
{
    std::vector<std::string> missing;
    for (std::string folder = parent_of(absolute); folder != "/"; folder = parent_of(folder)) {
        const Node* node = find(folder);
        if (node && node->kind == FileKind::Directory)
            break;
        if (node)
            return Error::io(path, fmt::format("cannot create folder '{}': {}",
                                       std::filesystem::path(path).parent_path().string(), kNotAFolder));
        missing.push_back(folder);
    }
    for (auto folder = missing.rbegin(); folder != missing.rend(); ++folder)
        m_nodes[*folder] = Node { FileKind::Directory, {}, 0755 };
    return missing;
}

void MemoryFileSystem::remove_empty_folders(const std::vector<std::string>& folders)
{
    for (const std::string& folder : folders) {
        std::string inside = folder + "/";
        auto next = m_nodes.lower_bound(inside);
        if (next != m_nodes.end() && next->first.compare(0, inside.size(), inside) == 0)
            break; // not empty: another file of the command is there
        m_nodes.erase(folder);
    }
}

Result<void> MemoryFileSystem::check_output(const std::string& path, const std::string& absolute) const
{
    PXOS_TRY(check_output_name(path));
    const Node* node = find(absolute);
    if (!node)
        return {};
    if (node->kind == FileKind::Directory)
        return Error::bad_input(path, std::string(file_messages::kOutputIsDirectory));
    if (node->kind != FileKind::Regular)
        return Error::bad_input(path,
            fmt::format("output path is {}, expected a regular file (pxos writes only regular files)",
                kind_text(node->kind)));
    if ((node->mode & 0222) == 0)
        return Error::bad_input(path, file_messages::read_only_output(node->mode));
    return {};
}

Result<void> MemoryFileSystem::check_output_path(const std::string& path)
{
    PXOS_TRY(check_output_name(path));
    std::lock_guard<std::mutex> guard(m_mutex);
    return check_output(path, normal(path));
}

Result<void> MemoryFileSystem::check_output_not_input(const std::string& output, std::span<const std::string> inputs)
{
    std::lock_guard<std::mutex> guard(m_mutex);
    std::string target = normal(output);
    if (!find(target))
        return {};
    for (const std::string& input : inputs)
        if (!input.empty() && normal(input) == target)
            return Error::bad_input(output, file_messages::output_is_input(output, input));
    return {};
}

Result<std::unique_ptr<OutputFile>> MemoryFileSystem::create_output(const std::string& path)
{
    PXOS_TRY(check_output_name(path));
    std::lock_guard<std::mutex> guard(m_mutex);
    std::string target = normal(path);
    PXOS_TRY(check_output(path, target));
    auto created = make_parents(target, path);
    if (!created)
        return std::move(created).error();
    // `.NAME.tmp` beside the target; a second writer of the same file at once gets a name of its own.
    std::string temporary = parent_of(target) + (parent_of(target) == "/" ? "" : "/") + "." + name_of(target) + ".tmp";
    for (int writer = 1; find(temporary); ++writer)
        temporary = fmt::format("{}.{}", temporary.substr(0, temporary.rfind(".tmp") + 4), writer);
    const Node* before = find(target);
    m_nodes[temporary] = Node { FileKind::Regular, {}, before ? (before->mode & 0777) : 0644 };
    return std::unique_ptr<OutputFile>(
        std::make_unique<MemoryOutputFile>(*this, path, std::move(target), std::move(temporary), std::move(*created)));
}

Result<void> MemoryFileSystem::sync_folder(const std::string&, const std::string&)
{
    return {}; // memory is as durable as it gets
}

Result<std::unique_ptr<FileLock>> MemoryFileSystem::lock(const std::string& path, std::string_view busy)
{
    std::lock_guard<std::mutex> guard(m_mutex);
    std::string absolute = normal(path);
    const Node* node = find(absolute);
    if (node && node->kind != FileKind::Regular)
        return Error::io(path, fmt::format("the lock file is {}; remove it", kind_text(node->kind)));
    if (m_locks.count(absolute))
        return Error::io(path, fmt::format("{} (held in this process)", busy));
    const Node* parent = find(parent_of(absolute));
    if (!parent || parent->kind != FileKind::Directory)
        return Error::io(path, fmt::format("cannot open the lock file: {}", parent ? kNotAFolder : kNoSuchFile));
    if (!node)
        m_nodes[absolute] = Node { FileKind::Regular, { '1', '\n' }, 0644 };
    m_locks.insert(absolute);
    return std::unique_ptr<FileLock>(std::make_unique<MemoryLock>(*this, absolute));
}

} // namespace pxos
