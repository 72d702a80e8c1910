#include "pxos/asm/source_map.hpp"

#include "base/json_writer.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace pxos {

std::uint32_t SourceMap::file_index(const std::string& file)
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
    return index;
}

void SourceMap::set(std::uint32_t address, std::uint32_t file, int line)
{
    if (m_entries.empty() || m_entries.back().address < address) {
        m_entries.push_back({ address, file, line });
        return;
    }
    auto at = std::lower_bound(m_entries.begin(), m_entries.end(), address,
        [](const Entry& entry, std::uint32_t value) { return entry.address < value; });
    if (at != m_entries.end() && at->address == address)
        *at = { address, file, line };
    else
        m_entries.insert(at, { address, file, line });
}

void SourceMap::add(std::uint32_t address, const std::string& file, int line)
{
    set(address, file_index(file), line);
}

std::optional<SourceLocation> SourceMap::find(std::uint32_t address) const
{
    auto at = std::lower_bound(m_entries.begin(), m_entries.end(), address,
        [](const Entry& entry, std::uint32_t value) { return entry.address < value; });
    if (at == m_entries.end() || at->address != address)
        return std::nullopt;
    return SourceLocation { m_files[at->file], at->line, 0 };
}

void SourceMap::merge(const SourceMap& other)
{
    // The other's entries win where both have one (as adding them would).
    std::vector<std::uint32_t> files;
    files.reserve(other.m_files.size());
    for (const std::string& file : other.m_files)
        files.push_back(file_index(file));
    if (m_entries.empty() || other.m_entries.empty() || m_entries.back().address < other.m_entries.front().address) {
        for (const Entry& entry : other.m_entries)
            m_entries.push_back({ entry.address, files[entry.file], entry.line });
    } else {
        std::vector<Entry> merged;
        merged.reserve(m_entries.size() + other.m_entries.size());
        auto mine = m_entries.begin();
        for (const Entry& entry : other.m_entries) {
            for (; mine != m_entries.end() && mine->address < entry.address; ++mine)
                merged.push_back(*mine);
            if (mine != m_entries.end() && mine->address == entry.address)
                ++mine;
            merged.push_back({ entry.address, files[entry.file], entry.line });
        }
        merged.insert(merged.end(), mine, m_entries.end());
        m_entries = std::move(merged);
    }
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
    for (const Entry& word : m_entries) {
        std::uint32_t address = word.address;
        std::pair<std::uint32_t, int> entry { word.file, word.line };
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
    // A word per entry: no image has more than 2^26 (the largest build).
    constexpr std::size_t kMaxEntries = std::size_t(1) << 26;
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
            if (file >= map.m_files.size() || count > kMaxEntries - map.m_entries.size())
                return Error::bad_input(name, "source map run names a file that is not listed or is too long");
            for (std::uint32_t i = 0; i < count; ++i)
                map.m_entries.push_back({ start + i, file, line });
        }
        // In any order in the file: sorted once, the last run naming an address wins.
        std::stable_sort(map.m_entries.begin(), map.m_entries.end(),
            [](const Entry& a, const Entry& b) { return a.address < b.address; });
        std::vector<Entry> unique;
        unique.reserve(map.m_entries.size());
        for (const Entry& entry : map.m_entries) {
            if (!unique.empty() && unique.back().address == entry.address)
                unique.back() = entry;
            else
                unique.push_back(entry);
        }
        map.m_entries = std::move(unique);
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
