// Program files (abi/program_file.hpp): what `pxos asm --program` writes,
// the add_file step puts into the store, and spawn and exec load.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/isa/decoder.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pxos {

// The words of a program file for a program assembled with
// AssembleOptions::relocatable at origin 0: the header, the code words from
// address 0 to end_address() (gaps are 0), the relocation list. Refuses an
// empty program and one whose `main` is outside its code
// (lowest_address() may be above 0: the gap is zeros). `name` (the source,
// the step) is named in the error.
Result<std::vector<std::uint32_t>> program_file_words(const Program& program, const std::string& name = "program");

struct ProgramFile {
    std::uint32_t entry = 0;
    std::vector<std::uint32_t> code;        // word 0 loads at the base
    std::vector<std::uint32_t> relocations; // indexes into code, increasing
};
// Reads and checks a program file (magic, version, sizes, reserved words 0,
// at least one code word, the entry and every relocation inside the code, the
// relocations increasing); `name` is named in the error, with the word offset.
Result<ProgramFile> read_program_file(std::span<const std::uint32_t> words, const std::string& name);

// A file's bytes as little-endian words (what `pxos fs put --words` stores)
// and back; the bytes must be a whole number of words.
std::vector<std::uint8_t> words_to_bytes(std::span<const std::uint32_t> words);
Result<std::vector<std::uint32_t>> bytes_to_words(std::span<const std::uint8_t> bytes, const std::string& name);
// True when the bytes start with the program file magic (`PXEX`).
bool has_program_magic(std::span<const std::uint8_t> bytes);

// The code as it would load at `base` (every relocation plus `base`).
std::vector<std::uint32_t> relocated_code(const ProgramFile& file, std::uint32_t base);

// pxasm text of a program file's code, at its offsets from 0: a header
// comment (code words, entry, relocations), instructions where they decode
// with the canonical palette, `.word` otherwise; a word the loader relocates
// is marked `reloc` in the line's comment.
std::string disassemble_program_file(const ProgramFile& file);

} // namespace pxos
