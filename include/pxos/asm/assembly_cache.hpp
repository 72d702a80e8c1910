// Assemblies remembered by their whole input, for a process that builds many
// roadmaps sharing most of their sources (the improvement loop builds one
// or more a generation, and a proposal mostly changes a parameter or one
// source). The input is the source text and its name, every field of the
// AssembleOptions, and the text of every file the source included: those
// are read again at each lookup, through the same reader with the same
// confinement, and compared, so a hit is exactly the program that
// assembling again would give, and a file that changed or may no longer be
// read is a miss (assembled again, with its error). Only successes are
// kept. Safe to share between threads.
//
// It also keeps each source's parse (its statements), which depends on the
// text, its includes and the read limits but on no symbol: an assembly
// that differs from an earlier one only in its predefined symbols, origin
// or VRAM size (the loop's quantum, a program moved) runs only the passes.
#pragma once

#include "pxos/asm/assembler.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pxos {

class AssemblyCache {
public:
    static constexpr std::size_t kDefaultMaxEntries = 128;
    explicit AssemblyCache(std::size_t max_entries = kDefaultMaxEntries) : m_max_entries(max_entries) { }

    // pxos::assemble(source, file, options), or the program an earlier call with the same input made.
    Result<Program> assemble(std::string_view source, const std::string& file, const AssembleOptions& options);
    // pxos::assemble_file(path, options), the same way.
    Result<Program> assemble_file(const std::string& path, const AssembleOptions& options);

    std::uint64_t hits() const;
    std::uint64_t misses() const;
    // Misses that took an earlier parse (counted in misses() too).
    std::uint64_t parse_hits() const;

private:
    struct Entry {
        std::vector<std::pair<std::string, std::string>> includes; // path, text: in the order they were read
        std::shared_ptr<const Program> program;
    };
    std::size_t m_max_entries;
    mutable std::mutex m_mutex;
    std::map<std::string, Entry> m_entries; // by the source, its name and the options
    struct Parsed;
    struct ParseEntry {
        std::vector<std::pair<std::string, std::string>> includes;
        std::shared_ptr<const Parsed> parsed;
    };
    std::map<std::string, ParseEntry> m_parses; // by the source, its name, include folder and read limits
    std::uint64_t m_hits = 0;
    std::uint64_t m_misses = 0;
    std::uint64_t m_parse_hits = 0;
};

} // namespace pxos
