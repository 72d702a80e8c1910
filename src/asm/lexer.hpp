// The pxasm lexer: one line of source into tokens (identifiers, numbers,
// strings, characters, colours, punctuation), each with its 1-based column.
// A line is read up to its ';' comment; the first thing that is not a token
// stops it with an error at that column (the rest of the line is not read).
// Private to the assembler (src/asm/).
#pragma once

#include "pxos/base/diagnostic.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pxos::pxasm {

enum class TokenKind { Identifier, Number, String, Character, Punctuation, Color };

struct Token {
    TokenKind kind;
    std::string text;    // identifier, string contents, punctuation
    std::int64_t value;  // numbers and characters
    int column;          // 1-based
};

// The tokens of `line`, the line at `location` (its column is not used).
Result<std::vector<Token>> tokenize(std::string_view line, const SourceLocation& location);

} // namespace pxos::pxasm
