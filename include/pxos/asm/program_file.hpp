// Program files (abi/program_file.hpp): what `pxos asm --program` writes,
// the add_file step puts into the store, and spawn and exec load.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/base/diagnostic.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace pxos {

// The words of a program file for a program assembled with
// AssembleOptions::relocatable at origin 0: the header, the code words from
// address 0 to end_address() (gaps are 0), the relocation list.
std::vector<std::uint32_t> program_file_words(const Program& program);

struct ProgramFile {
    std::uint32_t entry = 0;
    std::vector<std::uint32_t> code;        // word 0 loads at the base
    std::vector<std::uint32_t> relocations; // indexes into code
};
// Reads and checks a program file (magic, version, sizes, every relocation
// inside the code); `name` is named in the error, with the word offset.
Result<ProgramFile> read_program_file(std::span<const std::uint32_t> words, const std::string& name);

} // namespace pxos
