// Text that came from outside pxos (a file, a roadmap, an LLM reply, a
// guest's console) on its way out: into a JSON document, or onto a terminal.
// Such text is bytes, not necessarily UTF-8, and may hold control characters.
// Two rules, one function each, so that every writer applies the same one:
//
// - JSON: each byte that is not part of a well-formed UTF-8 sequence becomes
//   the code point U+EF80 + (byte - 0x80) (a private-use code point, the
//   scheme of MirBSD's OPTU-8), so the document is valid UTF-8 and the bytes
//   can be restored; valid UTF-8 passes through unchanged. A reader restores
//   the original bytes with restore_invalid_utf8 (exact unless the text
//   already held one of those 128 private-use code points).
// - Terminal: control characters (C0, DEL, C1), the bidirectional overrides
//   and bytes that are not UTF-8 are shown as escapes (\x1b, \u009b, \xff),
//   so a name can neither move the cursor, retitle the window nor clear the
//   screen. Backslashes are not doubled: the escaping is for safety, not to
//   be parsed back.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// True when every byte belongs to a well-formed UTF-8 sequence (Unicode
// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// The JSON rule above: valid UTF-8 comes back unchanged.
std::string escape_invalid_utf8(std::string_view text);

// The inverse of escape_invalid_utf8: U+EF80..U+EFFF become bytes 0x80..0xFF.
std::string restore_invalid_utf8(std::string_view text);

enum class TerminalLayout {
    OneLine,   // a diagnostic or log line: \n and \r are escaped too
    KeepLines, // a report: \n, \r and \t are kept
    Console,   // a guest's console: as KeepLines, and backspace (a shell's line editing: no more than \r can do)
};

// Escapes text streamed in pieces (a guest's console, one byte at a time):
// a UTF-8 sequence split across pieces is held until it is complete.
class TerminalEscaper {
public:
    explicit TerminalEscaper(TerminalLayout layout)
        : m_layout(layout)
    {
    }

    // What can be shown of the text so far.
    std::string feed(std::string_view piece);
    // The rest: an unfinished sequence is shown as its bytes.
    std::string finish();

private:
    TerminalLayout m_layout;
    std::string m_pending;
};

// The terminal rule above, on a whole text.
std::string escape_for_terminal(std::string_view text, TerminalLayout layout = TerminalLayout::OneLine);

// `text` without its leading and trailing spaces, tabs and '\r' (trim), or
// only its trailing ones (trim_right).
std::string_view trim(std::string_view text);
std::string_view trim_right(std::string_view text);

// The lines of `text`, split at each '\n'. A '\n' ends a line, so "a\nb\n"
// is {"a", "b"}; with keep_final_empty it is {"a", "b", ""} (joining the
// lines with '\n' gives the text back). With strip_cr a '\r' that ends a
// line is dropped (text from Windows editors and LLM replies).
struct LineSplit {
    bool strip_cr = false;
    bool keep_final_empty = false;
};
std::vector<std::string_view> split_lines(std::string_view text, LineSplit how = {});

// A count and its noun, singular for exactly one: plural(1, "process",
// "processes") is "1 process", plural(3, ...) "3 processes", plural(0, ...)
// "0 processes". What every command's text prints counts with.
std::string plural(long long count, std::string_view singular, std::string_view plural_form);
// The same with the noun's plural made by adding "s": plural(2, "fault") is "2 faults".
std::string plural(long long count, std::string_view singular);

} // namespace pxos
