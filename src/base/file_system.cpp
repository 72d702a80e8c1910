#include "pxos/base/file_system.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <utility>

namespace pxos {

namespace {

std::optional<std::size_t> first_control_character(std::string_view text)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f)
            return i;
    }
    return std::nullopt;
}

// An output path as it can be printed: control characters as \xNN.
std::string hex_escaped(const std::string& path)
{
    std::string out;
    for (char c : path) {
        auto byte = static_cast<unsigned char>(c);
        out += byte < 0x20 || byte == 0x7f ? fmt::format("\\x{:02x}", byte) : std::string(1, c);
    }
    return out;
}

std::string folder_of(const std::string& path)
{
    std::string folder = std::filesystem::path(path).parent_path().string();
    return folder.empty() ? "." : folder;
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

Result<void> check_readable_name(std::string_view path)
{
    auto at = first_control_character(path);
    if (!at)
        return {};
    return Error::bad_input(printable_path(path),
        fmt::format("file name has a control character ({}) at byte {}; such a name is never opened",
            printable_path(path.substr(*at, 1)), *at));
}

Result<void> check_output_name(const std::string& path)
{
    if (path.empty())
        return Error::usage("output path is empty, expected a file name");
    for (std::size_t offset = 0; offset < path.size(); ++offset) {
        auto byte = static_cast<unsigned char>(path[offset]);
        if (byte < 0x20 || byte == 0x7f)
            return Error::bad_input(hex_escaped(path),
                fmt::format("output path has a control character (byte 0x{:02x} at offset {}), expected a file name",
                    byte, offset));
    }
    if (path.back() == '/')
        return Error::bad_input(path, "output path ends in '/', expected a file name");
    return {};
}

namespace file_messages {

std::string over_limit(std::uint64_t max_bytes, std::optional<Cap> cap)
{
    return cap ? "over " + cap_text(*cap, max_bytes) : fmt::format("over the {} byte limit", max_bytes);
}

std::string read_only_output(unsigned mode)
{
    return fmt::format("output path is a read-only file (mode {:04o}); pxos does not replace it", mode & 07777);
}

std::string output_is_input(const std::string& output, const std::string& input)
{
    return input == output ? std::string("output path is one of the command's inputs; pxos does not overwrite it")
                           : fmt::format("output path is the input '{}'; pxos does not overwrite its input", input);
}

bool inside_folder(const std::string& resolved, const std::string& root)
{
    if (root == "/")
        return true;
    return resolved.size() > root.size() && resolved.compare(0, root.size(), root) == 0 && resolved[root.size()] == '/';
}

} // namespace file_messages

Result<std::string> FileSystem::read_file_text(const std::string& path, std::uint64_t max_bytes,
    std::optional<Cap> cap, const ReadConfinement& confinement)
{
    auto bytes = read_file_bytes(path, max_bytes, cap, confinement);
    if (!bytes)
        return std::move(bytes).error();
    return std::string(bytes->begin(), bytes->end());
}

Result<void> FileSystem::write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes)
{
    std::span<const std::uint8_t> parts[] = { bytes };
    return write_file_atomic(path, std::span<const std::span<const std::uint8_t>>(parts));
}

Result<void> FileSystem::write_file_atomic(const std::string& path, std::string_view text)
{
    return write_file_atomic(path,
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Result<void> FileSystem::write_file_atomic(const std::string& path,
    std::span<const std::span<const std::uint8_t>> parts)
{
    auto file = create_output(path);
    if (!file)
        return std::move(file).error();
    for (std::span<const std::uint8_t> bytes : parts)
        PXOS_TRY((*file)->write(bytes));
    return (*file)->commit();
}

StagedOutputs::~StagedOutputs()
{
    // Last staged first: a folder the first file created is removed once the files in it are.
    while (!m_files.empty())
        m_files.pop_back();
}

Result<void> StagedOutputs::check_not_staged(const std::string& path) const
{
    auto normal = [&](const std::string& name) {
        return std::filesystem::path(m_files_system.absolute_path(name)).lexically_normal().string();
    };
    std::string target = normal(path);
    for (const auto& file : m_files)
        if (normal(file->path()) == target)
            return Error::bad_input(path, fmt::format("output path is written twice by this command (also as '{}')",
                                              file->path()));
    return {};
}

Result<void> StagedOutputs::write(const std::string& path, std::span<const std::uint8_t> bytes)
{
    PXOS_TRY(check_not_staged(path));
    auto file = m_files_system.create_output(path);
    if (!file)
        return std::move(file).error();
    PXOS_TRY((*file)->write(bytes));
    PXOS_TRY((*file)->finish());
    m_files.push_back(std::move(*file));
    return {};
}

Result<void> StagedOutputs::write(const std::string& path, std::string_view text)
{
    return write(path, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

Result<void> StagedOutputs::adopt(std::unique_ptr<OutputFile> file)
{
    PXOS_TRY(check_not_staged(file->path()));
    PXOS_TRY(file->finish());
    m_files.push_back(std::move(file));
    return {};
}

Result<void> StagedOutputs::commit()
{
    for (const auto& file : m_files)
        PXOS_TRY(m_files_system.check_output_not_input(file->path(), m_inputs));
    // Every file is synced already (finish); each folder is synced once, after its renames.
    std::vector<std::pair<std::string, std::string>> folders; // folder, a file renamed into it
    for (auto& file : m_files) {
        PXOS_TRY(file->rename_into_place());
        std::string folder = folder_of(file->path());
        if (std::none_of(folders.begin(), folders.end(), [&](const auto& seen) { return seen.first == folder; }))
            folders.emplace_back(folder, file->path());
    }
    m_files.clear();
    for (const auto& [folder, path] : folders)
        PXOS_TRY(m_files_system.sync_folder(folder, path));
    return {};
}

} // namespace pxos
