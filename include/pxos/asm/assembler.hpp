// pxasm, the assembler for pixel code. Two passes over the source (the first
// sizes everything from the opcode table and places labels, the second
// evaluates operands), every error of the text reported with file:line:col.
// The result is a list of words with their addresses and a source map; the
// caller decides where they go (a build step writes them into a VRAM).
// See docs/PXASM.md for the language.
#pragma once

#include "pxos/abi/symbols.hpp" // standard_symbols(): what every program sees
#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/image/vram.hpp"
#include "pxos/asm/source_map.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

struct AssembledWord {
    std::uint32_t address;
    std::uint32_t word;
};

struct Program {
    std::vector<AssembledWord> words; // in address order
    std::map<std::string, std::int64_t> symbols;
    SourceMap source_map;
    // With AssembleOptions::relocatable: the addresses of the words whose
    // value is an address inside the program (a label plus a constant), in
    // order; a loader adds its load base to each (abi/program_file.hpp).
    std::vector<std::uint32_t> relocations;

    std::optional<std::int64_t> symbol(const std::string& name) const;
    // Lowest and one-past-highest address written (0, 0 when empty).
    std::uint32_t lowest_address() const;
    std::uint32_t end_address() const;
};

// Reads an included file in place of AssembleOptions::files (tests, fuzzing).
using IncludeReader = std::function<Result<std::string>(const std::string& path)>;

// Nested parentheses and signs one expression may have: the evaluator
// recurses once per level, and a hostile file of 40 KB would otherwise
// overflow the stack.
inline constexpr int kMaxExpressionDepth = 256;
// Includes one inside another (the total is capped by Cap::SourceIncludes).
inline constexpr int kMaxIncludeDepth = 16;

// The caps on one assembly (their flags: limits.hpp), and where the files it
// reads may come from.
struct CodeLimits {
    std::uint64_t max_source_bytes = cap_default(Cap::SourceFile); // each file read, includes too
    std::size_t max_words = cap_default(Cap::ProgramWords);        // words emitted
    std::size_t max_includes = cap_default(Cap::SourceIncludes);   // .include followed, all files together
    std::uint64_t max_total_source_bytes = cap_default(Cap::AssembledSource); // source and includes together
    // Every file read (a step's *_file, each .include): anywhere for a
    // roadmap the user gave; the roadmap's folder for a proposal (the loop).
    ReadConfinement reads;

    static CodeLimits from_caps(const CapValues& caps)
    {
        return CodeLimits { caps.get(Cap::SourceFile), caps.get(Cap::ProgramWords), caps.get(Cap::SourceIncludes),
            caps.get(Cap::AssembledSource), {} };
    }
};

struct AssembleOptions {
    int vram_width = 512;
    int vram_height = 512;
    std::uint32_t origin = 0;                          // address before any .org
    std::map<std::string, std::int64_t> predefined;    // symbols visible to the source
    // Where .include and assemble_file read (files->read_file_text, limits.reads); not owned.
    FileSystem* files = nullptr;
    IncludeReader read_include;                        // when set, reads includes instead of `files`
    // The folder a relative .include in the top source resolves against;
    // empty: the folder of `file`. Inline source (a roadmap's kernel_source)
    // sets it to the roadmap's folder.
    std::string include_folder;
    CodeLimits limits;
    // When set, every word must land inside [allowed_begin, allowed_end).
    std::optional<std::pair<std::uint32_t, std::uint32_t>> allowed_range;
    std::string allowed_range_name;                    // named in the error
    // Assemble a program that runs wherever it is loaded: record in
    // Program::relocations every word made from a label (origin should be 0).
    bool relocatable = false;
};

Result<Program> assemble(std::string_view source, const std::string& file, const AssembleOptions& options = {});
Result<Program> assemble_file(const std::string& path, const AssembleOptions& options = {});
// The text assemble_file assembles: `path` read through options.files
// within the source file cap and the read confinement.
Result<std::string> read_source_file(const std::string& path, const AssembleOptions& options);

// Writes the program's words into the VRAM (addresses must be inside it).
Result<void> write_program(const Program& program, SimulatedVRAM& vram);

} // namespace pxos
