#include "asm/lexer.hpp"

#include "pxos/image/vram.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <optional>

namespace pxos::pxasm {

namespace {

bool is_identifier_start(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

bool is_identifier_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

// Reads one escaped character at text[i] (after the backslash when escaped).
std::optional<char> unescape(std::string_view text, std::size_t& i)
{
    char c = text[i++];
    if (c != '\\')
        return c;
    if (i >= text.size())
        return std::nullopt;
    switch (text[i++]) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case '0': return '\0';
    case '\\': return '\\';
    case '"': return '"';
    case '\'': return '\'';
    }
    return std::nullopt;
}

SourceLocation at(const SourceLocation& line, int column)
{
    return { line.file, line.line, column };
}

Error error_at(const SourceLocation& location, std::string message)
{
    return Error::bad_input(location, std::move(message));
}

} // namespace

Result<std::vector<Token>> tokenize(std::string_view line, const SourceLocation& location)
{
    std::vector<Token> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
        char c = line[i];
        int column = int(i) + 1;
        if (c == ';')
            break;
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
            continue;
        }
        if (is_identifier_start(c)) {
            std::size_t start = i++;
            while (i < line.size() && is_identifier_char(line[i]))
                ++i;
            tokens.push_back({ TokenKind::Identifier, std::string(line.substr(start, i - start)), 0, column });
            continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t start = i;
            while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_'))
                ++i;
            std::string text(line.substr(start, i - start));
            text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
            int base = 10;
            std::string_view digits = text;
            if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
                base = 16, digits.remove_prefix(2);
            else if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'b' || digits[1] == 'B'))
                base = 2, digits.remove_prefix(2);
            std::uint64_t value = 0;
            auto [end, parse_error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
            if (parse_error != std::errc() || end != digits.data() + digits.size() || value > 0xffffffffull)
                return error_at(at(location, column),
                    fmt::format("invalid number '{}' (expected a 32-bit decimal, 0x hex or 0b binary number)", text));
            tokens.push_back({ TokenKind::Number, text, std::int64_t(value), column });
            continue;
        }
        if (c == '"') {
            std::string text;
            ++i;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                auto character = unescape(line, i);
                if (!character)
                    return error_at(at(location, int(i)), "unknown escape in string (use \\n \\t \\r \\0 \\\\ \\\" \\')");
                text += *character;
            }
            if (!closed)
                return error_at(at(location, column), "unterminated string (missing closing \")");
            tokens.push_back({ TokenKind::String, text, 0, column });
            continue;
        }
        if (c == '\'') {
            ++i;
            std::optional<char> character;
            if (i < line.size())
                character = unescape(line, i);
            if (!character || i >= line.size() || line[i] != '\'')
                return error_at(at(location, column), "invalid character literal (expected 'c')");
            ++i;
            tokens.push_back({ TokenKind::Character, "", std::int64_t(static_cast<unsigned char>(*character)), column });
            continue;
        }
        if (c == '#') {
            std::size_t start = ++i;
            while (i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i])))
                ++i;
            std::string hex(line.substr(start, i - start));
            if (hex.size() != 6 && hex.size() != 8)
                return error_at(at(location, column),
                    fmt::format("invalid colour '#{}' (expected #rrggbb or #rrggbbaa)", hex));
            std::uint32_t value = std::uint32_t(std::stoul(hex, nullptr, 16));
            RGBA color = hex.size() == 6
                ? RGBA { std::uint8_t(value >> 16), std::uint8_t(value >> 8), std::uint8_t(value), 255 }
                : RGBA { std::uint8_t(value >> 24), std::uint8_t(value >> 16), std::uint8_t(value >> 8), std::uint8_t(value) };
            tokens.push_back({ TokenKind::Color, hex, std::int64_t(color.to_word()), column });
            continue;
        }
        if (std::string_view(",:()+-*/%=").find(c) != std::string_view::npos) {
            tokens.push_back({ TokenKind::Punctuation, std::string(1, c), 0, column });
            ++i;
            continue;
        }
        std::uint8_t byte = std::uint8_t(c);
        return error_at(at(location, column),
            byte >= 0x20 && byte < 0x7f ? fmt::format("unexpected character '{}'", c)
                                        : fmt::format("unexpected byte 0x{:02x}", byte));
    }
    return tokens;
}

} // namespace pxos::pxasm
