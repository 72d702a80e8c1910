#include "pxos/asm/assembly_cache.hpp"

#include "asm/assembly.hpp"
#include "pxos/base/file_system.hpp"

#include <fmt/format.h>

namespace pxos {

struct AssemblyCache::Parsed {
    std::vector<pxasm::Statement> statements;
};

namespace {

// What parsing depends on (Assembler::parse): the source and its name, the
// include folder, the read limits and where includes come from.
std::string parse_key_of(std::string_view source, const std::string& file, const AssembleOptions& options)
{
    auto text = [](std::string_view value) { return fmt::format("{}:{};", value.size(), value); };
    std::string key = text(file) + text(source) + text(options.include_folder);
    const CodeLimits& limits = options.limits;
    key += fmt::format("{},{},{},{};", limits.max_source_bytes, limits.max_words, limits.max_includes,
        limits.max_total_source_bytes);
    key += text(limits.reads.folder);
    key += options.read_include ? "reader" : options.files ? "files" : "none";
    return key;
}

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

namespace {

// Whether every include reads as it did.
bool same_includes(const AssembleOptions& options, const std::vector<std::pair<std::string, std::string>>& includes)
{
    for (const auto& [path, text] : includes) {
        auto again = read_include(options, path);
        if (!again || *again != text)
            return false;
    }
    return true;
}

} // namespace

Result<Program> AssemblyCache::assemble(std::string_view source, const std::string& file,
    const AssembleOptions& options)
{
    std::string key = key_of(source, file, options);
    std::string parse_key = parse_key_of(source, file, options);
    std::shared_ptr<const Program> found;
    std::vector<std::pair<std::string, std::string>> includes;
    std::shared_ptr<const Parsed> parsed;
    std::vector<std::pair<std::string, std::string>> parsed_includes;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (auto entry = m_entries.find(key); entry != m_entries.end()) {
            found = entry->second.program;
            includes = entry->second.includes;
        }
        if (auto entry = m_parses.find(parse_key); entry != m_parses.end()) {
            parsed = entry->second.parsed;
            parsed_includes = entry->second.includes;
        }
    }
    if (found && same_includes(options, includes)) {
        std::lock_guard<std::mutex> lock(m_mutex);
        ++m_hits;
        return Program(*found);
    }
    if (parsed && !same_includes(options, parsed_includes))
        parsed.reset();
    bool parse_hit = parsed != nullptr;
    if (!parsed) {
        // Parsed with a reader that notes what it read (and reads it as the parser would).
        std::vector<std::pair<std::string, std::string>> read;
        AssembleOptions noting = options;
        noting.read_include = [&options, &read](const std::string& path) -> Result<std::string> {
            auto text = read_include(options, path);
            if (text)
                read.emplace_back(path, *text);
            return text;
        };
        pxasm::Assembler parser(noting);
        auto statements = parser.parse(source, file);
        if (!statements) {
            std::lock_guard<std::mutex> lock(m_mutex);
            ++m_misses;
            return std::move(statements).error();
        }
        parsed = std::make_shared<const Parsed>(Parsed { std::move(*statements) });
        parsed_includes = std::move(read);
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_parses.size() >= m_max_entries && !m_parses.count(parse_key))
            m_parses.clear(); // bounded: start over rather than grow
        m_parses[parse_key] = ParseEntry { parsed_includes, parsed };
    }
    pxasm::Assembler passes(options);
    auto program = passes.assemble_statements(parsed->statements);
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_misses;
    m_parse_hits += parse_hit;
    if (!program)
        return program;
    if (m_entries.size() >= m_max_entries && !m_entries.count(key))
        m_entries.clear(); // bounded: start over rather than grow
    m_entries[key] = Entry { std::move(parsed_includes), std::make_shared<const Program>(*program) };
    return program;
}

Result<Program> AssemblyCache::assemble_file(const std::string& path, const AssembleOptions& options)
{
    auto text = read_source_file(path, options); // as pxos::assemble_file reads it
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

std::uint64_t AssemblyCache::parse_hits() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_parse_hits;
}

} // namespace pxos
