#include "pxos/asm/source_map.hpp"

#include "base/json_writer.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace pxos {

void SourceMap::add(std::uint32_t address, const std::string& file, int line)
{
    // Words come in runs from one file: try the last one's first.
    std::uint32_t index = m_last_file;
    if (index >= m_files.size() || m_files[index] != file) {
        auto found = std::find(m_files.begin(), m_files.end(), file);
        index = std::uint32_t(found - m_files.begin());
        if (found == m_files.end())
            m_files.push_back(file);
        m_last_file = index;
    }
    // Mostly in address order: a hint at the end makes each insert constant time.
    m_entries.insert_or_assign(m_entries.end(), address, std::pair<std::uint32_t, int> { index, line });
}

std::optional<SourceLocation> SourceMap::find(std::uint32_t address) const
{
    auto found = m_entries.find(address);
    if (found == m_entries.end())
        return std::nullopt;
    return SourceLocation { m_files[found->second.first], found->second.second, 0 };
}

void SourceMap::merge(const SourceMap& other)
{
    for (const auto& [address, entry] : other.m_entries)
        add(address, other.m_files[entry.first], entry.second);
    for (const auto& [name, address] : other.m_labels)
        m_labels[name] = address;
}

std::string SourceMap::to_json() const
{
    nlohmann::ordered_json root;
    root["version"] = 1;
    root["files"] = m_files;
    // Runs of consecutive addresses with the same file and line: [address, count, file, line].
    nlohmann::ordered_json runs = nlohmann::ordered_json::array();
    std::uint32_t run_start = 0, run_count = 0;
    std::pair<std::uint32_t, int> run_entry {};
    auto flush = [&] {
        if (run_count)
            runs.push_back({ run_start, run_count, run_entry.first, run_entry.second });
    };
    for (const auto& [address, entry] : m_entries) {
        if (run_count && address == run_start + run_count && entry == run_entry) {
            ++run_count;
            continue;
        }
        flush();
        run_start = address;
        run_count = 1;
        run_entry = entry;
    }
    flush();
    root["runs"] = std::move(runs);
    root["labels"] = m_labels;
    return write_json(root, JsonLayout::Compact) + "\n";
}

Result<SourceMap> SourceMap::from_json(std::string_view text, const std::string& name)
{
    try {
        auto root = nlohmann::json::parse(text);
        SourceMap map;
        map.m_files = root.at("files").get<std::vector<std::string>>();
        for (std::string& file : map.m_files) // the names as they were written, bytes and all
            file = restore_invalid_utf8(file);
        for (const auto& run : root.at("runs")) {
            auto start = run.at(0).get<std::uint32_t>();
            auto count = run.at(1).get<std::uint32_t>();
            auto file = run.at(2).get<std::uint32_t>();
            auto line = run.at(3).get<int>();
            if (file >= map.m_files.size() || count > (1u << 26))
                return Error::bad_input(name, "source map run names a file that is not listed or is too long");
            for (std::uint32_t i = 0; i < count; ++i)
                map.m_entries[start + i] = { file, line };
        }
        if (root.contains("labels"))
            map.m_labels = root.at("labels").get<std::map<std::string, std::uint32_t>>();
        return map;
    } catch (const nlohmann::json::exception& exception) {
        return Error::bad_input(name, std::string("invalid source map: ") + exception.what());
    }
}

std::string source_map_path_for(const std::string& image_path)
{
    std::filesystem::path path(image_path);
    return (path.parent_path() / (path.stem().string() + ".srcmap.json")).string();
}

Result<std::optional<SourceMap>> load_source_map(FileSystem& files, const std::string& path,
    const std::string& image_path)
{
    std::string map_path = path;
    if (map_path.empty()) {
        map_path = source_map_path_for(image_path);
        if (files.kind_of(map_path) != FileKind::Regular)
            return std::optional<SourceMap>();
    }
    auto text = files.read_file_text(map_path, 64u << 20);
    if (!text)
        return std::move(text).error();
    auto parsed = SourceMap::from_json(*text, map_path);
    if (!parsed)
        return std::move(parsed).error();
    return std::optional<SourceMap>(std::move(*parsed));
}

} // namespace pxos
