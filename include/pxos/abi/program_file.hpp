// A program file: what spawn and exec load from the store. Programs run
// wherever they are loaded by relocation at load: the assembler, asked for
// a program file (`pxos asm --program`, the add_file step's `program`),
// assembles at address 0 and lists every word whose value is an address
// inside the program (an `imm` operand or a `.word` made from a label; see
// docs/ISA.md); the loader copies the code to the process's partition and
// adds the partition's base to each listed word. ONE table of the header's
// words (EXE_*); the assembler, the kernel's loader and docs/OS.md use it.
//
// Layout: EXE_HEADER_WORDS header words, then EXE_CODE_WORDS words of code
// and data (word 0 of the program is at its load base), then
// EXE_RELOCATIONS words, each the index of a code word to relocate.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace pxos::abi {

// X(symbol, word, doc): pxasm sees EXE_<symbol> = word.
#define PXOS_PROGRAM_HEADER_FIELDS(X)                                                                                 \
    X(MAGIC, 0, "`PXEX` (the pixel (80,88,69,88)): EXE_MAGIC_VALUE")                                                  \
    X(VERSION, 1, "program file version (1)")                                                                         \
    X(CODE_WORDS, 2, "words of code and data")                                                                        \
    X(ENTRY, 3, "where it starts: the offset of its `main` label (0 without one)")                                   \
    X(RELOCATIONS, 4, "words to relocate (entries after the code)")                                                  \
    X(RESERVED5, 5, "0")                                                                                              \
    X(RESERVED6, 6, "0")                                                                                              \
    X(RESERVED7, 7, "0")

struct ProgramHeaderField {
    std::string_view symbol;
    int word;
    std::string_view doc;
};
inline constexpr std::array kProgramHeaderFields {
#define PXOS_PROGRAM_FIELD(symbol, word, doc) ProgramHeaderField { #symbol, word, doc },
    PXOS_PROGRAM_HEADER_FIELDS(PXOS_PROGRAM_FIELD)
#undef PXOS_PROGRAM_FIELD
};
inline constexpr std::uint32_t kProgramMagic = 0x58455850; // bytes 'P','X','E','X'
inline constexpr std::uint32_t kProgramVersion = 1;
inline constexpr int kProgramHeaderWords = int(kProgramHeaderFields.size());

} // namespace pxos::abi
