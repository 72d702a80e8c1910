// Which pxasm source line produced each word of an image: written by the
// assembler, saved beside an image as <image stem>.srcmap.json by `pxos build`
// and `pxos asm`, read back for faults, traces, blame and the debugger. Runs
// of consecutive words from one line are stored as one entry in the JSON.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"

#include <cstdint>
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pxos {

// Which source line produced each word (for faults, traces and blame).
class SourceMap {
public:
    void add(std::uint32_t address, const std::string& file, int line);
    // The file:line of the word at `address`, if known.
    std::optional<SourceLocation> find(std::uint32_t address) const;
    bool empty() const { return m_entries.empty(); }
    // The files the code came from, includes too ("builtin:" names as well).
    const std::vector<std::string>& files() const { return m_files; }
    void merge(const SourceMap& other);
    // Names the file `from` as `to` from now on (a file read by its absolute
    // path, shown as the user named it).
    void rename_file(const std::string& from, const std::string& to)
    {
        std::replace(m_files.begin(), m_files.end(), from, to);
    }
    // Labels, for debuggers: "schedule" (kernel) or "1:main" (process 1's).
    void add_label(const std::string& name, std::uint32_t address) { m_labels[name] = address; }
    const std::map<std::string, std::uint32_t>& labels() const { return m_labels; }

    std::string to_json() const;
    static Result<SourceMap> from_json(std::string_view text, const std::string& name);

private:
    // The file index of `file`, added to the list when new.
    std::uint32_t file_index(const std::string& file);
    // Sets the entry of `address`; appending when it is past the last one.
    void set(std::uint32_t address, std::uint32_t file, int line);

    std::vector<std::string> m_files;
    struct Entry {
        std::uint32_t address;
        std::uint32_t file; // index into m_files
        int line;
        bool operator==(const Entry&) const = default;
    };
    // Sorted by address, one per address: a program's words come in order,
    // so building it appends, and a copy is one allocation.
    std::vector<Entry> m_entries;
    std::uint32_t m_last_file = 0; // the file of the latest add()
    std::map<std::string, std::uint32_t> m_labels;
};

// Where `pxos build` and `pxos asm` write an image's source map:
// <image stem>.srcmap.json beside the image.
std::string source_map_path_for(const std::string& image_path);
// Reads the source map at `path`; with an empty `path`, the one beside
// `image_path` when it exists (no map otherwise, and no error).
Result<std::optional<SourceMap>> load_source_map(FileSystem& files, const std::string& path,
    const std::string& image_path);

} // namespace pxos
