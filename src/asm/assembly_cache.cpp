#include "pxos/asm/assembly_cache.hpp"

#include "pxos/base/file_system.hpp"

#include <fmt/format.h>

namespace pxos {

namespace {

// Every field of the options but the reader (the includes it read are
// compared instead), as one string; strings are length-prefixed so no two
// inputs give the same key.
std::string key_of(std::string_view source, const std::string& file, const AssembleOptions& options)
{
    auto text = [](std::string_view value) { return fmt::format("{}:{};", value.size(), value); };
    std::string key = text(file) + text(source);
    key += fmt::format("{}x{}@{};", options.vram_width, options.vram_height, options.origin);
    for (const auto& [name, value] : options.predefined)
        key += text(name) + fmt::format("={};", value);
    key += text(options.include_folder);
    const CodeLimits& limits = options.limits;
    key += fmt::format("{},{},{},{};", limits.max_source_bytes, limits.max_words, limits.max_includes,
        limits.max_total_source_bytes);
    key += text(limits.reads.folder);
    if (options.allowed_range)
        key += fmt::format("[{},{});", options.allowed_range->first, options.allowed_range->second);
    key += text(options.allowed_range_name);
    key += options.relocatable ? "R" : "A";
    key += options.read_include ? "reader" : options.files ? "files" : "none";
    return key;
}

// An include as the parser reads it (src/asm/parser.cpp): the options' reader, else their file system.
Result<std::string> read_include(const AssembleOptions& options, const std::string& path)
{
    if (options.read_include)
        return options.read_include(path);
    if (options.files)
        return options.files->read_file_text(path, options.limits.max_source_bytes, Cap::SourceFile,
            options.limits.reads);
    return Error::bad_input(path, "no file system to read it from");
}

} // namespace

Result<Program> AssemblyCache::assemble(std::string_view source, const std::string& file,
    const AssembleOptions& options)
{
    std::string key = key_of(source, file, options);
    std::shared_ptr<const Program> found;
    std::vector<std::pair<std::string, std::string>> includes;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto entry = m_entries.find(key);
        if (entry != m_entries.end()) {
            found = entry->second.program;
            includes = entry->second.includes;
        }
    }
    if (found) {
        bool same = true;
        for (const auto& [path, text] : includes) {
            auto again = read_include(options, path);
            if (!again || *again != text) {
                same = false;
                break;
            }
        }
        if (same) {
            std::lock_guard<std::mutex> lock(m_mutex);
            ++m_hits;
            return Program(*found);
        }
    }
    // Assembled with a reader that notes what it read (and reads it as the parser would).
    std::vector<std::pair<std::string, std::string>> read;
    AssembleOptions noting = options;
    noting.read_include = [&options, &read](const std::string& path) -> Result<std::string> {
        auto text = read_include(options, path);
        if (text)
            read.emplace_back(path, *text);
        return text;
    };
    auto program = pxos::assemble(source, file, noting);
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_misses;
    if (!program)
        return program;
    if (m_entries.size() >= m_max_entries && !m_entries.count(key))
        m_entries.clear(); // bounded: start over rather than grow
    m_entries[key] = Entry { std::move(read), std::make_shared<const Program>(*program) };
    return program;
}

Result<Program> AssemblyCache::assemble_file(const std::string& path, const AssembleOptions& options)
{
    // As pxos::assemble_file reads it.
    if (!options.files)
        return Error::internal(fmt::format("assemble_file({}): no file system to read it from", path));
    auto text = options.files->read_file_text(path, options.limits.max_source_bytes, Cap::SourceFile,
        options.limits.reads);
    if (!text)
        return std::move(text).error();
    return assemble(*text, path, options);
}

std::uint64_t AssemblyCache::hits() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_hits;
}

std::uint64_t AssemblyCache::misses() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_misses;
}

} // namespace pxos
