// The one JSON writer of pxos: every report, record, source map and JSON
// line is turned into text here, and nowhere else (a test scans the sources
// for other dump calls). Strings and keys are bytes from files, roadmaps,
// replies and guests, not necessarily UTF-8; nlohmann's dump throws on
// those (type_error 316), so the writer first escapes each invalid byte as
// the private-use code point U+EF80 + (byte - 0x80) (pxos/text.hpp,
// escape_invalid_utf8). It cannot throw on text. Private to pxos: public
// headers do not include nlohmann/json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pxos {

// The layout version of every JSON document a command prints or writes
// (its "schema" key, the first): raised when a key changes meaning or goes.
inline constexpr int kJsonSchema = 1;

enum class JsonLayout {
    Compact,  // one line: JSON Lines, source maps
    Indented, // two spaces: reports a person reads
};

// The document as text, without a final newline.
std::string write_json(const nlohmann::json& value, JsonLayout layout);
std::string write_json(const nlohmann::ordered_json& value, JsonLayout layout);

} // namespace pxos
