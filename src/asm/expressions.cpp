#include "asm/assembly.hpp"

#include "pxos/base/suggest.hpp"

#include <fmt/format.h>

namespace pxos::pxasm {

std::optional<std::int64_t> Assembler::evaluate(const std::vector<Token>& tokens, const SourceLocation& location,
    bool report_undefined)
{
    std::size_t position = 0;
    auto value = parse_sum(tokens, position, location, report_undefined);
    if (value && position != tokens.size()) {
        error(at(location, tokens[position].column), fmt::format("unexpected '{}' in expression",
                                                         tokens[position].text.empty() ? std::string("token") : tokens[position].text));
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> Assembler::parse_sum(const std::vector<Token>& tokens, std::size_t& position,
    const SourceLocation& location, bool report_undefined)
{
    auto value = parse_product(tokens, position, location, report_undefined);
    while (value && position < tokens.size() && tokens[position].kind == TokenKind::Punctuation
        && (tokens[position].text == "+" || tokens[position].text == "-")) {
        bool add = tokens[position++].text == "+";
        auto right = parse_product(tokens, position, location, report_undefined);
        if (!right)
            return std::nullopt;
        *value = add ? *value + *right : *value - *right;
    }
    return value;
}

std::optional<std::int64_t> Assembler::parse_product(const std::vector<Token>& tokens, std::size_t& position,
    const SourceLocation& location, bool report_undefined)
{
    auto value = parse_term(tokens, position, location, report_undefined);
    while (value && position < tokens.size() && tokens[position].kind == TokenKind::Punctuation
        && (tokens[position].text == "*" || tokens[position].text == "/" || tokens[position].text == "%")) {
        const Token& op = tokens[position++];
        auto right = parse_term(tokens, position, location, report_undefined);
        if (!right)
            return std::nullopt;
        if (op.text != "*" && *right == 0) {
            error(at(location, op.column), "division by zero in expression");
            return std::nullopt;
        }
        if (op.text == "*")
            *value = std::int64_t(std::uint64_t(*value) * std::uint64_t(*right));
        else if (op.text == "/")
            *value = *value / *right;
        else
            *value = *value % *right;
    }
    return value;
}

std::optional<std::int64_t> Assembler::parse_term(const std::vector<Token>& tokens, std::size_t& position,
    const SourceLocation& location, bool report_undefined)
{
    if (position >= tokens.size()) {
        error(at(location, tokens.empty() ? 1 : tokens.back().column), "expression ends too early");
        return std::nullopt;
    }
    const Token& token = tokens[position++];
    SourceLocation here = at(location, token.column);
    switch (token.kind) {
    case TokenKind::Number:
    case TokenKind::Character:
    case TokenKind::Color: return token.value;
    case TokenKind::String: error(here, "a string is not a number here"); return std::nullopt;
    case TokenKind::Identifier: {
        if (token.text == "$")
            return m_address;
        auto found = m_symbols.find(token.text);
        if (found != m_symbols.end())
            return found->second;
        if (report_undefined) {
            std::vector<std::string_view> names;
            for (const auto& [name, value] : m_symbols)
                names.push_back(name);
            error(here, fmt::format("undefined symbol '{}'{}", token.text, did_you_mean(token.text, names)));
        }
        return std::nullopt;
    }
    case TokenKind::Punctuation:
        if ((token.text == "-" || token.text == "+" || token.text == "(") && m_expression_depth >= kMaxExpressionDepth) {
            error(here, fmt::format("expression nested more than {} deep (parentheses and signs)", kMaxExpressionDepth));
            return std::nullopt;
        }
        if (token.text == "-" || token.text == "+") {
            ++m_expression_depth;
            auto value = parse_term(tokens, position, location, report_undefined);
            --m_expression_depth;
            if (!value)
                return std::nullopt;
            return token.text == "-" ? -*value : *value;
        }
        if (token.text == "(") {
            ++m_expression_depth;
            auto value = parse_sum(tokens, position, location, report_undefined);
            --m_expression_depth;
            if (!value)
                return std::nullopt;
            if (position >= tokens.size() || tokens[position].text != ")") {
                error(here, "missing ')'");
                return std::nullopt;
            }
            ++position;
            return value;
        }
        error(here, fmt::format("unexpected '{}' in expression", token.text));
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace pxos::pxasm
