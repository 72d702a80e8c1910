#include "asm/assembly.hpp"

#include "pxos/base/suggest.hpp"

#include <fmt/format.h>

namespace pxos::pxasm {

void Assembler::relocation_error(const SourceLocation& location, std::string_view what)
{
    error(location, fmt::format("{} in a program that is relocated at load", what));
}

std::optional<Value> Assembler::evaluate_value(const std::vector<Token>& tokens, const SourceLocation& location,
    bool report_undefined)
{
    std::size_t position = 0;
    auto value = parse_sum(tokens, position, location, report_undefined);
    if (value && position != tokens.size()) {
        error(at(location, tokens[position].column), fmt::format("unexpected '{}' in expression",
                                                         tokens[position].text.empty() ? std::string("token") : tokens[position].text));
        return std::nullopt;
    }
    if (value && (value->addresses < 0 || value->addresses > 1)) {
        relocation_error(at(location, tokens.front().column),
            value->addresses > 1 ? "two addresses cannot be added" : "an address cannot be negated or subtracted from a number");
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> Assembler::evaluate(const std::vector<Token>& tokens, const SourceLocation& location,
    bool report_undefined, std::string_view use)
{
    auto value = evaluate_value(tokens, location, report_undefined);
    if (!value)
        return std::nullopt;
    if (value->addresses != 0) {
        relocation_error(at(location, tokens.front().column), fmt::format("an address cannot be {}", use));
        return std::nullopt;
    }
    return value->number;
}

std::optional<Value> Assembler::parse_sum(const std::vector<Token>& tokens, std::size_t& position,
    const SourceLocation& location, bool report_undefined)
{
    auto value = parse_product(tokens, position, location, report_undefined);
    while (value && position < tokens.size() && tokens[position].kind == TokenKind::Punctuation
        && (tokens[position].text == "+" || tokens[position].text == "-")) {
        bool add = tokens[position++].text == "+";
        auto right = parse_product(tokens, position, location, report_undefined);
        if (!right)
            return std::nullopt;
        value->number = add ? value->number + right->number : value->number - right->number;
        value->addresses = add ? value->addresses + right->addresses : value->addresses - right->addresses;
    }
    return value;
}

std::optional<Value> Assembler::parse_product(const std::vector<Token>& tokens, std::size_t& position,
    const SourceLocation& location, bool report_undefined)
{
    auto value = parse_term(tokens, position, location, report_undefined);
    while (value && position < tokens.size() && tokens[position].kind == TokenKind::Punctuation
        && (tokens[position].text == "*" || tokens[position].text == "/" || tokens[position].text == "%")) {
        const Token& op = tokens[position++];
        auto right = parse_term(tokens, position, location, report_undefined);
        if (!right)
            return std::nullopt;
        if (value->addresses != 0 || right->addresses != 0) {
            relocation_error(at(location, op.column), op.text == "*" ? "an address cannot be multiplied"
                    : op.text == "/"                                 ? "an address cannot be divided"
                                                                     : "an address cannot be taken modulo (%)");
            return std::nullopt;
        }
        if (op.text != "*" && right->number == 0) {
            error(at(location, op.column), "division by zero in expression");
            return std::nullopt;
        }
        if (op.text == "*")
            value->number = std::int64_t(std::uint64_t(value->number) * std::uint64_t(right->number));
        else if (op.text == "/")
            value->number = value->number / right->number;
        else
            value->number = value->number % right->number;
    }
    return value;
}

std::optional<Value> Assembler::parse_term(const std::vector<Token>& tokens, std::size_t& position,
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
    case TokenKind::Color: return Value { token.value, 0 };
    case TokenKind::String: error(here, "a string is not a number here"); return std::nullopt;
    case TokenKind::Identifier: {
        if (token.text == "$")
            return Value { m_address, m_options.relocatable ? 1 : 0 };
        auto found = m_symbols.find(token.text);
        if (found != m_symbols.end())
            return Value { found->second, m_address_symbols.count(token.text) ? 1 : 0 };
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
            if (token.text == "-")
                return Value { -value->number, -value->addresses };
            return value;
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
