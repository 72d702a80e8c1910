// The source line under a diagnostic, as ninja shows a parse error: the
// line of the file the diagnostic points into, and a caret under its column.
// The core only names the place (Diagnostic::location); the CLI reads the
// line here, when it prints to a person (stderr on a terminal: a pipe or a
// file keeps one line per diagnostic, for scripts and editors).
//
// The line is shown as the terminal escaper writes it (a control character
// as \x1b, bytes that are not UTF-8 as \xff), tabs as spaces to the next
// multiple of 8, so the caret stays under the character the column names.
// A long line is clipped around the column with "..." at either cut end. A
// column past the end of the line puts the caret just after its last
// character. A file that is missing, cannot be read or has no such line
// gives no excerpt.
#pragma once

#include "pxos/base/diagnostic.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pxos::cli {

// The longest line shown whole, in characters; a longer one is clipped to
// this width, the "..." marks included.
inline constexpr std::size_t kExcerptWidth = 80;

// "LINE\n" and "   ^\n" for the caret under `column` (1-based, in bytes,
// as pxasm and yaml-cpp count) of `line`.
std::string format_source_excerpt(std::string_view line, int column);

// Line `number` (1-based) of `file`: a built-in source for "builtin:NAME",
// else the file read as the core reads input (regular files only), without
// its line end. Nothing when the file cannot be read or is shorter.
std::optional<std::string> read_source_line(const std::string& file, int number);

// The excerpt for a diagnostic at a line and column of a text file, when
// that line can be read.
std::optional<std::string> source_excerpt(const SourceLocation& location);

} // namespace pxos::cli
