#include "pxos/base/text.hpp"

#include <cstdint>
#include <fmt/format.h>

namespace pxos {

namespace {

constexpr std::uint32_t kEscapedByteBase = 0xEF00; // U+EF80 for 0x80 .. U+EFFF for 0xFF

enum class Sequence { Valid, Truncated, Invalid };

struct Decoded {
    Sequence sequence = Sequence::Invalid;
    std::uint32_t code_point = 0;
    std::size_t length = 1; // bytes taken when Valid
};

// The well-formed UTF-8 sequence at `at` (Unicode table 3-7), or Truncated
// when the text ends inside a sequence that is well-formed so far.
Decoded decode_at(std::string_view text, std::size_t at)
{
    auto byte = [&](std::size_t i) { return std::uint8_t(text[i]); };
    std::uint8_t lead = byte(at);
    if (lead < 0x80)
        return { Sequence::Valid, lead, 1 };
    std::size_t length = 0;
    std::uint8_t low = 0x80, high = 0xBF; // the range of the second byte
    std::uint32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, code_point = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, code_point = lead & 0x0Fu;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, code_point = lead & 0x07u;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return {};
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (at + i >= text.size())
            return { Sequence::Truncated, 0, 1 };
        std::uint8_t next = byte(at + i);
        if (next < (i == 1 ? low : 0x80) || next > (i == 1 ? high : 0xBF))
            return {};
        code_point = (code_point << 6) | (next & 0x3Fu);
    }
    return { Sequence::Valid, code_point, length };
}

void append_utf8(std::string& out, std::uint32_t code_point)
{
    if (code_point < 0x80) {
        out += char(code_point);
    } else if (code_point < 0x800) {
        out += char(0xC0 | (code_point >> 6));
        out += char(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += char(0xE0 | (code_point >> 12));
        out += char(0x80 | ((code_point >> 6) & 0x3F));
        out += char(0x80 | (code_point & 0x3F));
    } else {
        out += char(0xF0 | (code_point >> 18));
        out += char(0x80 | ((code_point >> 12) & 0x3F));
        out += char(0x80 | ((code_point >> 6) & 0x3F));
        out += char(0x80 | (code_point & 0x3F));
    }
}

bool is_bidirectional_control(std::uint32_t code_point)
{
    return (code_point >= 0x202A && code_point <= 0x202E) || (code_point >= 0x2066 && code_point <= 0x2069)
        || code_point == 0x2028 || code_point == 0x2029;
}

void append_for_terminal(std::string& out, std::uint32_t code_point, std::string_view bytes, TerminalLayout layout)
{
    bool keep_lines = layout != TerminalLayout::OneLine;
    if (code_point == '\n')
        out += keep_lines ? "\n" : "\\n";
    else if (code_point == '\r')
        out += keep_lines ? "\r" : "\\r";
    else if (code_point == '\t')
        out += '\t';
    else if (code_point == '\b' && layout == TerminalLayout::Console)
        out += '\b';
    else if (code_point < 0x20 || code_point == 0x7F)
        out += fmt::format("\\x{:02x}", code_point);
    else if ((code_point >= 0x80 && code_point <= 0x9F) || is_bidirectional_control(code_point))
        out += fmt::format("\\u{:04x}", code_point);
    else
        out += bytes;
}

} // namespace

bool is_valid_utf8(std::string_view text)
{
    for (std::size_t at = 0; at < text.size();) {
        Decoded decoded = decode_at(text, at);
        if (decoded.sequence != Sequence::Valid)
            return false;
        at += decoded.length;
    }
    return true;
}

std::string escape_invalid_utf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t at = 0; at < text.size();) {
        Decoded decoded = decode_at(text, at);
        if (decoded.sequence == Sequence::Valid) {
            out.append(text.substr(at, decoded.length));
            at += decoded.length;
        } else {
            append_utf8(out, kEscapedByteBase + std::uint8_t(text[at]));
            ++at;
        }
    }
    return out;
}

std::string restore_invalid_utf8(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t at = 0; at < text.size();) {
        Decoded decoded = decode_at(text, at);
        if (decoded.sequence == Sequence::Valid && decoded.code_point >= kEscapedByteBase + 0x80
            && decoded.code_point <= kEscapedByteBase + 0xFF) {
            out += char(decoded.code_point - kEscapedByteBase);
            at += decoded.length;
        } else {
            std::size_t length = decoded.sequence == Sequence::Valid ? decoded.length : 1;
            out.append(text.substr(at, length));
            at += length;
        }
    }
    return out;
}

std::string TerminalEscaper::feed(std::string_view piece)
{
    m_pending.append(piece);
    std::string out;
    std::size_t at = 0;
    while (at < m_pending.size()) {
        Decoded decoded = decode_at(m_pending, at);
        if (decoded.sequence == Sequence::Truncated)
            break; // the rest of the sequence may come with the next piece
        if (decoded.sequence == Sequence::Valid)
            append_for_terminal(out, decoded.code_point, std::string_view(m_pending).substr(at, decoded.length), m_layout);
        else
            out += fmt::format("\\x{:02x}", std::uint8_t(m_pending[at]));
        at += decoded.length;
    }
    m_pending.erase(0, at);
    return out;
}

std::string TerminalEscaper::finish()
{
    std::string out;
    for (char byte : m_pending)
        out += fmt::format("\\x{:02x}", std::uint8_t(byte));
    m_pending.clear();
    return out;
}

std::string escape_for_terminal(std::string_view text, TerminalLayout layout)
{
    TerminalEscaper escaper(layout);
    std::string out = escaper.feed(text);
    return out + escaper.finish();
}

std::string_view trim(std::string_view text)
{
    std::size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos)
        return {};
    std::size_t last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

std::string_view trim_right(std::string_view text)
{
    std::size_t last = text.find_last_not_of(" \t\r");
    return last == std::string_view::npos ? std::string_view() : text.substr(0, last + 1);
}

std::string plural(long long count, std::string_view singular, std::string_view plural_form)
{
    return std::to_string(count) + " " + std::string(count == 1 ? singular : plural_form);
}

std::string plural(long long count, std::string_view singular)
{
    return plural(count, singular, std::string(singular) + "s");
}

std::vector<std::string_view> split_lines(std::string_view text, LineSplit how)
{
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size() || (how.keep_final_empty && start == text.size())) {
        std::size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        if (how.strip_cr && !line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        lines.push_back(line);
        if (end == text.size())
            break;
        start = end + 1;
    }
    return lines;
}

} // namespace pxos
