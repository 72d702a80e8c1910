#include "pxos/asm/assembler.hpp"

#include "base/json_writer.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/base/text.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/base/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pxos {

// ---------------------------------------------------------------- source map

void SourceMap::add(std::uint32_t address, const std::string& file, int line)
{
    auto found = std::find(m_files.begin(), m_files.end(), file);
    std::uint32_t index = std::uint32_t(found - m_files.begin());
    if (found == m_files.end())
        m_files.push_back(file);
    m_entries[address] = { index, line };
}

std::optional<SourceLocation> SourceMap::find(std::uint32_t address) const
{
    auto found = m_entries.find(address);
    if (found == m_entries.end())
        return std::nullopt;
    return SourceLocation { m_files[found->second.first], found->second.second, 0 };
}

void SourceMap::merge(const SourceMap& other)
{
    for (const auto& [address, entry] : other.m_entries)
        add(address, other.m_files[entry.first], entry.second);
    for (const auto& [name, address] : other.m_labels)
        m_labels[name] = address;
}

std::string SourceMap::to_json() const
{
    nlohmann::ordered_json root;
    root["version"] = 1;
    root["files"] = m_files;
    // Runs of consecutive addresses with the same file and line: [address, count, file, line].
    nlohmann::ordered_json runs = nlohmann::ordered_json::array();
    std::uint32_t run_start = 0, run_count = 0;
    std::pair<std::uint32_t, int> run_entry {};
    auto flush = [&] {
        if (run_count)
            runs.push_back({ run_start, run_count, run_entry.first, run_entry.second });
    };
    for (const auto& [address, entry] : m_entries) {
        if (run_count && address == run_start + run_count && entry == run_entry) {
            ++run_count;
            continue;
        }
        flush();
        run_start = address;
        run_count = 1;
        run_entry = entry;
    }
    flush();
    root["runs"] = std::move(runs);
    root["labels"] = m_labels;
    return write_json(root, JsonLayout::Compact) + "\n";
}

Result<SourceMap> SourceMap::from_json(std::string_view text, const std::string& name)
{
    try {
        auto root = nlohmann::json::parse(text);
        SourceMap map;
        map.m_files = root.at("files").get<std::vector<std::string>>();
        for (std::string& file : map.m_files) // the names as they were written, bytes and all
            file = restore_invalid_utf8(file);
        for (const auto& run : root.at("runs")) {
            auto start = run.at(0).get<std::uint32_t>();
            auto count = run.at(1).get<std::uint32_t>();
            auto file = run.at(2).get<std::uint32_t>();
            auto line = run.at(3).get<int>();
            if (file >= map.m_files.size() || count > (1u << 26))
                return Error::bad_input(name, "source map run names a file that is not listed or is too long");
            for (std::uint32_t i = 0; i < count; ++i)
                map.m_entries[start + i] = { file, line };
        }
        if (root.contains("labels"))
            map.m_labels = root.at("labels").get<std::map<std::string, std::uint32_t>>();
        return map;
    } catch (const nlohmann::json::exception& exception) {
        return Error::bad_input(name, std::string("invalid source map: ") + exception.what());
    }
}

std::optional<std::int64_t> Program::symbol(const std::string& name) const
{
    auto found = symbols.find(name);
    if (found == symbols.end())
        return std::nullopt;
    return found->second;
}

std::uint32_t Program::lowest_address() const
{
    return words.empty() ? 0 : words.front().address;
}

std::uint32_t Program::end_address() const
{
    return words.empty() ? 0 : words.back().address + 1;
}

// ----------------------------------------------------------------- the lexer

namespace {

enum class TokenKind { Identifier, Number, String, Character, Punctuation, Color };

struct Token {
    TokenKind kind;
    std::string text;    // identifier, string contents, punctuation
    std::int64_t value;  // numbers and characters
    int column;          // 1-based
};

struct Statement {
    enum class Kind { Label, Instruction, Directive } kind;
    std::string name; // label, mnemonic or directive (lower-case for directives)
    std::vector<std::vector<Token>> operands;
    SourceLocation location;
    const isa::OpcodeInfo* opcode = nullptr;
};

class Assembler {
public:
    explicit Assembler(const AssembleOptions& options)
        : m_options(options)
    {
        m_symbols = standard_symbols(options.vram_width);
        for (const auto& [name, value] : options.predefined)
            m_symbols[name] = value;
    }

    Result<Program> run(std::string_view source, const std::string& file);

private:
    void error(const SourceLocation& location, std::string message)
    {
        if (m_diagnostics.size() < 100)
            m_diagnostics.push_back(Diagnostic { Severity::Error, location.to_string(), std::move(message) });
    }
    SourceLocation at(const SourceLocation& line, int column) const { return { line.file, line.line, column }; }

    void parse_file(std::string_view source, const std::string& file, int depth);
    bool tokenize(std::string_view line, const SourceLocation& location, std::vector<Token>& tokens);
    void parse_line(std::vector<Token> tokens, const SourceLocation& location, int depth);
    void include(const Token& name, const SourceLocation& location, int depth);
    // False (and one error) once the includes or bytes read pass their caps.
    bool within_read_caps(const SourceLocation& location, std::uint64_t more_bytes);

    // Expressions: + - * / % with parentheses over numbers, characters,
    // symbols and `$` (the current address).
    std::optional<std::int64_t> evaluate(const std::vector<Token>& tokens, const SourceLocation& location,
        bool report_undefined);
    std::optional<std::int64_t> parse_sum(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);
    std::optional<std::int64_t> parse_product(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);
    std::optional<std::int64_t> parse_term(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);

    void layout(); // pass 1: addresses and labels
    void emit();   // pass 2: words
    std::optional<std::uint32_t> operand_word(const isa::OpcodeInfo& info, int index, const std::vector<Token>& tokens,
        const SourceLocation& location);
    void put(std::uint32_t address, std::uint32_t word, const SourceLocation& location);
    std::optional<std::uint32_t> word_value(std::int64_t value, const SourceLocation& location);
    std::optional<std::uint32_t> org_address(const Statement& statement);
    std::int64_t directive_size(const Statement& statement);

    const AssembleOptions& m_options;
    std::map<std::string, std::int64_t> m_symbols;
    std::map<std::string, SourceLocation> m_label_locations;
    std::vector<Statement> m_statements;
    std::vector<Diagnostic> m_diagnostics;
    std::int64_t m_address = 0;
    Program m_program;
    // Bounds on what one assembly reads and how deep it nests.
    std::vector<std::string> m_include_stack; // the files being parsed, outermost first
    std::size_t m_includes = 0;
    std::uint64_t m_source_bytes = 0;
    bool m_read_cap_reported = false;
    int m_expression_depth = 0;
    std::vector<std::pair<AssembledWord, SourceLocation>> m_emitted;
};

bool is_identifier_start(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

bool is_identifier_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
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

bool Assembler::tokenize(std::string_view line, const SourceLocation& location, std::vector<Token>& tokens)
{
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
            if (parse_error != std::errc() || end != digits.data() + digits.size() || value > 0xffffffffull) {
                error(at(location, column), fmt::format("invalid number '{}' (expected a 32-bit decimal, 0x hex or 0b "
                                                        "binary number)",
                                                text));
                return false;
            }
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
                if (!character) {
                    error(at(location, int(i)), "unknown escape in string (use \\n \\t \\r \\0 \\\\ \\\" \\')");
                    return false;
                }
                text += *character;
            }
            if (!closed) {
                error(at(location, column), "unterminated string (missing closing \")");
                return false;
            }
            tokens.push_back({ TokenKind::String, text, 0, column });
            continue;
        }
        if (c == '\'') {
            ++i;
            std::optional<char> character;
            if (i < line.size())
                character = unescape(line, i);
            if (!character || i >= line.size() || line[i] != '\'') {
                error(at(location, column), "invalid character literal (expected 'c')");
                return false;
            }
            ++i;
            tokens.push_back({ TokenKind::Character, "", std::int64_t(static_cast<unsigned char>(*character)), column });
            continue;
        }
        if (c == '#') {
            std::size_t start = ++i;
            while (i < line.size() && std::isxdigit(static_cast<unsigned char>(line[i])))
                ++i;
            std::string hex(line.substr(start, i - start));
            if (hex.size() != 6 && hex.size() != 8) {
                error(at(location, column), fmt::format("invalid colour '#{}' (expected #rrggbb or #rrggbbaa)", hex));
                return false;
            }
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
        error(at(location, column),
            byte >= 0x20 && byte < 0x7f ? fmt::format("unexpected character '{}'", c)
                                        : fmt::format("unexpected byte 0x{:02x}", byte));
        return false;
    }
    return true;
}

void Assembler::parse_file(std::string_view source, const std::string& file, int depth)
{
    m_include_stack.push_back(std::filesystem::path(file).lexically_normal().string());
    int line_number = 0;
    std::size_t start = 0;
    while (start <= source.size()) {
        std::size_t end = source.find('\n', start);
        if (end == std::string_view::npos)
            end = source.size();
        std::string_view line = source.substr(start, end - start);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        ++line_number;
        SourceLocation location { file, line_number, 0 };
        std::vector<Token> tokens;
        if (tokenize(line, location, tokens) && !tokens.empty())
            parse_line(std::move(tokens), location, depth);
        if (end == source.size())
            break;
        start = end + 1;
    }
    m_include_stack.pop_back();
}

bool Assembler::within_read_caps(const SourceLocation& location, std::uint64_t more_bytes)
{
    if (m_read_cap_reported)
        return false;
    if (m_includes > m_options.limits.max_includes) {
        error(location, fmt::format("more than {} includes in one assembly, over {}", m_options.limits.max_includes,
                            cap_text(Cap::SourceIncludes, m_options.limits.max_includes)));
        m_read_cap_reported = true;
        return false;
    }
    if (m_source_bytes + more_bytes > m_options.limits.max_total_source_bytes) {
        error(location, fmt::format("the source and its includes come to more than {} bytes, over {}",
                            m_options.limits.max_total_source_bytes,
                            cap_text(Cap::AssembledSource, m_options.limits.max_total_source_bytes)));
        m_read_cap_reported = true;
        return false;
    }
    m_source_bytes += more_bytes;
    return true;
}

void Assembler::include(const Token& name, const SourceLocation& location, int depth)
{
    SourceLocation name_location = at(location, name.column);
    if (depth >= kMaxIncludeDepth) {
        error(name_location, fmt::format("includes nested more than {} deep", kMaxIncludeDepth));
        return;
    }
    // The name as written goes through the rule on paths before it is joined
    // and normalised (which would fold "a\0/.." away).
    if (auto named = check_readable_name(name.text); !named) {
        error(name_location, fmt::format("cannot include '{}': {}", printable_path(name.text),
                                 named.error().diagnostics().front().message));
        return;
    }
    std::filesystem::path included = name.text;
    if (included.is_relative()) {
        std::filesystem::path folder = depth == 0 && !m_options.include_folder.empty()
            ? std::filesystem::path(m_options.include_folder)
            : std::filesystem::path(location.file).parent_path();
        included = folder / included;
    }
    std::string path = included.lexically_normal().string();
    if (std::find(m_include_stack.begin(), m_include_stack.end(), path) != m_include_stack.end()) {
        error(name_location, fmt::format("'{}' includes itself (an include cycle)", printable_path(path)));
        return;
    }
    ++m_includes;
    if (!within_read_caps(name_location, 0))
        return;
    // Every file goes through read_file_text: the rule on paths (no control
    // characters, regular files only, confined for a proposal) and its cap.
    Result<std::string> text = m_options.read_include ? m_options.read_include(path)
        : m_options.files ? m_options.files->read_file_text(path, m_options.limits.max_source_bytes, Cap::SourceFile,
                                m_options.limits.reads)
                          : Result<std::string>(Error::bad_input(path, "no file system to read it from"));
    if (!text) {
        error(name_location,
            fmt::format("cannot include '{}': {}", printable_path(path), text.error().diagnostics().front().message));
        return;
    }
    if (!within_read_caps(name_location, text->size()))
        return;
    parse_file(*text, path, depth + 1);
}

void Assembler::parse_line(std::vector<Token> tokens, const SourceLocation& location, int depth)
{
    std::size_t position = 0;
    // Labels: `name:` (several may share a line).
    while (position + 1 < tokens.size() && tokens[position].kind == TokenKind::Identifier
        && tokens[position + 1].kind == TokenKind::Punctuation && tokens[position + 1].text == ":") {
        m_statements.push_back({ Statement::Kind::Label, tokens[position].text, {}, at(location, tokens[position].column) });
        position += 2;
    }
    if (position >= tokens.size())
        return;
    const Token& head = tokens[position];
    SourceLocation head_location = at(location, head.column);
    if (head.kind != TokenKind::Identifier) {
        error(head_location, "expected a label, an instruction or a directive");
        return;
    }
    // `NAME = expression` is `.equ NAME, expression`.
    if (position + 1 < tokens.size() && tokens[position + 1].kind == TokenKind::Punctuation
        && tokens[position + 1].text == "=") {
        if (position + 2 >= tokens.size()) {
            error(head_location, fmt::format("'{} =' needs a value", head.text));
            return;
        }
        Statement equ { Statement::Kind::Directive, ".equ", {}, head_location };
        equ.operands.push_back({ head });
        equ.operands.emplace_back(tokens.begin() + std::ptrdiff_t(position + 2), tokens.end());
        m_statements.push_back(std::move(equ));
        return;
    }
    Statement statement;
    statement.location = head_location;
    statement.name = head.text;
    std::vector<Token> current;
    int parentheses = 0;
    for (std::size_t i = position + 1; i < tokens.size(); ++i) {
        const Token& token = tokens[i];
        if (token.kind == TokenKind::Punctuation && token.text == "(")
            ++parentheses;
        if (token.kind == TokenKind::Punctuation && token.text == ")")
            --parentheses;
        if (token.kind == TokenKind::Punctuation && token.text == "," && parentheses == 0) {
            statement.operands.push_back(std::move(current));
            current.clear();
            continue;
        }
        current.push_back(token);
    }
    if (!current.empty() || !statement.operands.empty())
        statement.operands.push_back(std::move(current));
    for (const auto& operand : statement.operands)
        if (operand.empty()) {
            error(head_location, fmt::format("empty operand in '{}'", head.text));
            return;
        }

    if (head.text.front() == '.') {
        statement.kind = Statement::Kind::Directive;
        statement.name = lower(head.text);
        if (statement.name == ".include") {
            if (statement.operands.size() != 1 || statement.operands[0].size() != 1
                || statement.operands[0][0].kind != TokenKind::String) {
                error(head_location, ".include takes one quoted file name");
                return;
            }
            include(statement.operands[0][0], location, depth);
            return;
        }
        static constexpr std::string_view kDirectives[] = { ".org", ".region", ".equ", ".word", ".string", ".stringz",
            ".color", ".fill", ".include" };
        if (std::find(std::begin(kDirectives), std::end(kDirectives), statement.name) == std::end(kDirectives)) {
            error(head_location, fmt::format("unknown directive '{}'{}", head.text, did_you_mean(statement.name, kDirectives)));
            return;
        }
        m_statements.push_back(std::move(statement));
        return;
    }
    statement.kind = Statement::Kind::Instruction;
    statement.opcode = isa::find_mnemonic(head.text);
    if (!statement.opcode) {
        std::vector<std::string_view> names;
        for (const auto& entry : isa::kOpcodes)
            names.push_back(entry.mnemonic);
        std::string upper = head.text;
        std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return char(std::toupper(c)); });
        error(head_location, fmt::format("unknown instruction '{}'{}", head.text, did_you_mean(upper, names)));
        return;
    }
    if (int(statement.operands.size()) != statement.opcode->operand_count()) {
        error(head_location, fmt::format("{} takes {} operand{}, found {}", statement.opcode->mnemonic,
                                 statement.opcode->operand_count(), statement.opcode->operand_count() == 1 ? "" : "s",
                                 statement.operands.size()));
        return;
    }
    m_statements.push_back(std::move(statement));
}

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

std::optional<std::uint32_t> Assembler::word_value(std::int64_t value, const SourceLocation& location)
{
    if (value < INT32_MIN || value > std::int64_t(UINT32_MAX)) {
        error(location, fmt::format("value {} does not fit in a 32-bit word", value));
        return std::nullopt;
    }
    return std::uint32_t(value);
}

std::optional<std::uint32_t> Assembler::org_address(const Statement& statement)
{
    std::int64_t width = m_options.vram_width;
    if (statement.name == ".org") {
        if (statement.operands.size() == 1) {
            return [&]() -> std::optional<std::uint32_t> {
                auto value = evaluate(statement.operands[0], statement.location, true);
                if (!value)
                    return std::nullopt;
                return std::uint32_t(std::clamp<std::int64_t>(*value, -1, UINT32_MAX));
            }();
        }
        if (statement.operands.size() == 2) {
            auto x = evaluate(statement.operands[0], statement.location, true);
            auto y = evaluate(statement.operands[1], statement.location, true);
            if (!x || !y)
                return std::nullopt;
            if (*x < 0 || *x >= width || *y < 0 || *y >= m_options.vram_height) {
                error(statement.location, fmt::format(".org {}, {} is outside the {}x{} VRAM", *x, *y, width,
                                              m_options.vram_height));
                return std::nullopt;
            }
            return std::uint32_t(*y * width + *x);
        }
        error(statement.location, ".org takes an address, or x, y");
        return std::nullopt;
    }
    // .region NAME [, offset]
    if (statement.operands.empty() || statement.operands.size() > 2 || statement.operands[0].size() != 1
        || statement.operands[0][0].kind != TokenKind::Identifier) {
        error(statement.location, ".region takes a region name and an optional offset");
        return std::nullopt;
    }
    const Region* region = find_region(statement.operands[0][0].text);
    if (!region) {
        std::vector<std::string_view> names;
        for (const Region& entry : layout_regions())
            names.push_back(entry.name);
        error(at(statement.location, statement.operands[0][0].column),
            fmt::format("unknown region '{}'{}", statement.operands[0][0].text,
                did_you_mean(statement.operands[0][0].text, names)));
        return std::nullopt;
    }
    std::int64_t offset = 0;
    if (statement.operands.size() == 2) {
        auto value = evaluate(statement.operands[1], statement.location, true);
        if (!value)
            return std::nullopt;
        offset = *value;
    }
    return std::uint32_t(std::int64_t(region->rect.y) * width + region->rect.x + offset);
}

std::int64_t Assembler::directive_size(const Statement& statement)
{
    if (statement.name == ".word" || statement.name == ".color") {
        if (statement.name == ".color")
            return 1;
        return std::int64_t(statement.operands.size());
    }
    if (statement.name == ".string" || statement.name == ".stringz") {
        std::int64_t size = 0;
        for (const auto& operand : statement.operands) {
            if (operand.size() == 1 && operand[0].kind == TokenKind::String)
                size += std::int64_t(operand[0].text.size());
            else
                size += 1; // a number or character: one word
        }
        return size + (statement.name == ".stringz" ? 1 : 0);
    }
    if (statement.name == ".fill") {
        if (statement.operands.size() != 2) {
            error(statement.location, ".fill takes a count and a value");
            return 0;
        }
        auto count = evaluate(statement.operands[0], statement.location, true);
        if (!count)
            return 0;
        if (*count < 0) {
            error(statement.location, fmt::format(".fill count {} is negative", *count));
            return 0;
        }
        if (std::uint64_t(*count) > m_options.limits.max_words) {
            error(statement.location, fmt::format(".fill count {} is over {}", *count,
                                          cap_text(Cap::ProgramWords, m_options.limits.max_words)));
            return 0;
        }
        return *count;
    }
    return 0;
}

void Assembler::layout()
{
    m_address = m_options.origin;
    for (Statement& statement : m_statements) {
        switch (statement.kind) {
        case Statement::Kind::Label: {
            if (m_symbols.count(statement.name) && m_label_locations.count(statement.name)) {
                error(statement.location, fmt::format("label '{}' is already defined at {}", statement.name,
                                              m_label_locations[statement.name].to_string()));
                break;
            }
            if (m_symbols.count(statement.name) && !m_options.predefined.count(statement.name)) {
                error(statement.location, fmt::format("label '{}' redefines a built-in symbol", statement.name));
                break;
            }
            m_symbols[statement.name] = m_address;
            m_label_locations[statement.name] = statement.location;
            break;
        }
        case Statement::Kind::Instruction: m_address += statement.opcode->length(); break;
        case Statement::Kind::Directive:
            if (statement.name == ".org" || statement.name == ".region") {
                if (auto address = org_address(statement))
                    m_address = *address;
            } else if (statement.name == ".equ") {
                if (statement.operands.size() != 2 || statement.operands[0].size() != 1
                    || statement.operands[0][0].kind != TokenKind::Identifier) {
                    error(statement.location, ".equ takes a name and a value");
                    break;
                }
                const std::string& name = statement.operands[0][0].text;
                if (m_label_locations.count(name)) {
                    error(statement.location, fmt::format("'{}' is already defined at {}", name,
                                                  m_label_locations[name].to_string()));
                    break;
                }
                if (auto value = evaluate(statement.operands[1], statement.location, true)) {
                    m_symbols[name] = *value;
                    m_label_locations[name] = statement.location;
                }
            } else {
                m_address += directive_size(statement);
            }
            break;
        }
    }
}

void Assembler::put(std::uint32_t address, std::uint32_t word, const SourceLocation& location)
{
    if (m_emitted.size() >= m_options.limits.max_words) {
        if (m_emitted.size() == m_options.limits.max_words)
            error(location, "program is over " + cap_text(Cap::ProgramWords, m_options.limits.max_words));
        m_emitted.push_back({ { address, word }, location });
        return;
    }
    m_emitted.push_back({ { address, word }, location });
}

std::optional<std::uint32_t> Assembler::operand_word(const isa::OpcodeInfo& info, int index,
    const std::vector<Token>& tokens, const SourceLocation& location)
{
    SourceLocation here = at(location, tokens.front().column);
    switch (info.operand_kind(index)) {
    case isa::OperandKind::Register: {
        if (tokens.size() == 1 && tokens[0].kind == TokenKind::Identifier) {
            std::string name = lower(tokens[0].text);
            if (name == "sp")
                return std::uint32_t(isa::kStackPointer);
            if (name.size() >= 2 && name[0] == 'r') {
                int number = -1;
                auto [end, parse_error] = std::from_chars(name.data() + 1, name.data() + name.size(), number);
                if (parse_error == std::errc() && end == name.data() + name.size() && number >= 0
                    && number < isa::kRegisterCount)
                    return std::uint32_t(number);
            }
        }
        std::string found;
        for (const Token& token : tokens)
            found += token.kind == TokenKind::Number ? std::to_string(token.value) : token.text;
        error(here, fmt::format("operand {} of {} must be a register r0..r15 or sp, found '{}'", index + 1,
                        info.mnemonic, found));
        return std::nullopt;
    }
    case isa::OperandKind::Special: {
        if (tokens.size() == 1 && tokens[0].kind == TokenKind::Identifier) {
            for (std::size_t i = 0; i < isa::kSpecials.size(); ++i)
                if (lower(std::string(isa::kSpecials[i].name)) == lower(tokens[0].text))
                    return std::uint32_t(i);
        }
        auto value = evaluate(tokens, location, true);
        if (!value)
            return std::nullopt;
        if (*value < 0 || *value >= std::int64_t(isa::kSpecials.size())) {
            std::string names;
            for (const isa::SpecialInfo& special : isa::kSpecials)
                names += (names.empty() ? "" : ", ") + std::string(special.name);
            error(here, fmt::format("operand {} of {} must be a special register ({}), found {}", index + 1,
                            info.mnemonic, names, *value));
            return std::nullopt;
        }
        return std::uint32_t(*value);
    }
    case isa::OperandKind::Port: {
        auto value = evaluate(tokens, location, true);
        if (!value)
            return std::nullopt;
        if (*value < 0 || *value >= std::int64_t(isa::kPortCount)) {
            error(here, fmt::format("operand {} of {} must be a port 0..{}, found {}", index + 1, info.mnemonic,
                            isa::kPortCount - 1, *value));
            return std::nullopt;
        }
        return std::uint32_t(*value);
    }
    case isa::OperandKind::Immediate: {
        if (tokens.size() == 1 && tokens[0].kind == TokenKind::Identifier) {
            std::string name = lower(tokens[0].text);
            bool is_register = name == "sp"
                || (name.size() >= 2 && name[0] == 'r' && std::all_of(name.begin() + 1, name.end(), ::isdigit));
            if (is_register && !m_symbols.count(tokens[0].text)) {
                error(here, fmt::format("operand {} of {} must be a number, label or constant, found register '{}'",
                                index + 1, info.mnemonic, tokens[0].text));
                return std::nullopt;
            }
        }
        auto value = evaluate(tokens, location, true);
        if (!value)
            return std::nullopt;
        return word_value(*value, here);
    }
    }
    return std::nullopt;
}

void Assembler::emit()
{
    Palette palette = Palette::canonical();
    m_address = m_options.origin;
    for (const Statement& statement : m_statements) {
        switch (statement.kind) {
        case Statement::Kind::Label: break;
        case Statement::Kind::Instruction: {
            std::uint32_t address = std::uint32_t(m_address);
            put(address, palette.word_for(statement.opcode->opcode), statement.location);
            for (int i = 0; i < statement.opcode->operand_count(); ++i) {
                auto word = operand_word(*statement.opcode, i, statement.operands[std::size_t(i)], statement.location);
                put(address + 1 + std::uint32_t(i), word.value_or(0), statement.location);
            }
            m_address += statement.opcode->length();
            break;
        }
        case Statement::Kind::Directive: {
            const std::string& name = statement.name;
            if (name == ".org" || name == ".region") {
                if (auto address = org_address(statement))
                    m_address = *address;
            } else if (name == ".word") {
                for (const auto& operand : statement.operands) {
                    auto value = evaluate(operand, statement.location, true);
                    auto word = value ? word_value(*value, at(statement.location, operand.front().column)) : std::nullopt;
                    put(std::uint32_t(m_address++), word.value_or(0), statement.location);
                }
            } else if (name == ".string" || name == ".stringz") {
                for (const auto& operand : statement.operands) {
                    if (operand.size() == 1 && operand[0].kind == TokenKind::String) {
                        for (char c : operand[0].text)
                            put(std::uint32_t(m_address++), static_cast<unsigned char>(c), statement.location);
                    } else {
                        auto value = evaluate(operand, statement.location, true);
                        put(std::uint32_t(m_address++), value ? std::uint32_t(*value) : 0, statement.location);
                    }
                }
                if (name == ".stringz")
                    put(std::uint32_t(m_address++), 0, statement.location);
            } else if (name == ".color") {
                std::optional<std::uint32_t> word;
                if (statement.operands.size() == 1 && statement.operands[0].size() == 1
                    && statement.operands[0][0].kind == TokenKind::Color) {
                    word = std::uint32_t(statement.operands[0][0].value);
                } else if (statement.operands.size() == 3 || statement.operands.size() == 4) {
                    std::uint8_t channel[4] = { 0, 0, 0, 255 };
                    bool valid = true;
                    for (std::size_t i = 0; i < statement.operands.size(); ++i) {
                        auto value = evaluate(statement.operands[i], statement.location, true);
                        if (!value || *value < 0 || *value > 255) {
                            if (value)
                                error(at(statement.location, statement.operands[i].front().column),
                                    fmt::format("colour component {} is {}, expected 0-255", i + 1, *value));
                            valid = false;
                            continue;
                        }
                        channel[i] = std::uint8_t(*value);
                    }
                    if (valid)
                        word = RGBA { channel[0], channel[1], channel[2], channel[3] }.to_word();
                } else {
                    error(statement.location, ".color takes r, g, b[, a] (0-255) or #rrggbb[aa]");
                }
                put(std::uint32_t(m_address++), word.value_or(0), statement.location);
            } else if (name == ".fill") {
                std::int64_t count = directive_size(statement);
                std::optional<std::int64_t> value;
                if (statement.operands.size() == 2)
                    value = evaluate(statement.operands[1], statement.location, true);
                std::uint32_t word = value ? word_value(*value, statement.location).value_or(0) : 0;
                for (std::int64_t i = 0; i < count && m_emitted.size() <= m_options.limits.max_words; ++i)
                    put(std::uint32_t(m_address++), word, statement.location);
            }
            break;
        }
        }
    }
}

Result<Program> Assembler::run(std::string_view source, const std::string& file)
{
    if (within_read_caps(SourceLocation { file, 1, 1 }, source.size()))
        parse_file(source, file, 0);
    if (m_diagnostics.empty())
        layout();
    if (m_diagnostics.empty())
        emit();

    if (m_diagnostics.empty()) {
        std::stable_sort(m_emitted.begin(), m_emitted.end(),
            [](const auto& a, const auto& b) { return a.first.address < b.first.address; });
        std::uint64_t memory = std::uint64_t(m_options.vram_width) * std::uint64_t(m_options.vram_height);
        for (std::size_t i = 0; i < m_emitted.size(); ++i) {
            const auto& [word, location] = m_emitted[i];
            if (word.address >= memory) {
                error(location, fmt::format("address {} is outside the {}x{} VRAM", word.address, m_options.vram_width,
                                    m_options.vram_height));
                break;
            }
            if (m_options.allowed_range
                && (word.address < m_options.allowed_range->first || word.address >= m_options.allowed_range->second)) {
                error(location, fmt::format("address {} {} is outside {}", word.address,
                                    format_address(word.address, m_options.vram_width), m_options.allowed_range_name));
                break;
            }
            if (i > 0 && m_emitted[i - 1].first.address == word.address) {
                error(location, fmt::format("address {} {} is written twice (first by {})", word.address,
                                    format_address(word.address, m_options.vram_width),
                                    m_emitted[i - 1].second.to_string()));
                break;
            }
        }
    }
    if (!m_diagnostics.empty())
        return Error(ErrorKind::BadInput, std::move(m_diagnostics));

    for (const auto& [word, location] : m_emitted) {
        m_program.words.push_back(word);
        m_program.source_map.add(word.address, location.file, location.line);
    }
    for (const auto& [name, location] : m_label_locations)
        m_program.symbols[name] = m_symbols[name];
    return std::move(m_program);
}

} // namespace

Result<Program> assemble(std::string_view source, const std::string& file, const AssembleOptions& options)
{
    Assembler assembler(options);
    return assembler.run(source, file);
}

Result<Program> assemble_file(const std::string& path, const AssembleOptions& options)
{
    if (!options.files)
        return Error::internal(fmt::format("assemble_file({}): no file system to read it from", path));
    auto text = options.files->read_file_text(path, options.limits.max_source_bytes, Cap::SourceFile,
        options.limits.reads);
    if (!text)
        return std::move(text).error();
    return assemble(*text, path, options);
}

Result<void> write_program(const Program& program, SimulatedVRAM& vram)
{
    std::uint32_t width = std::uint32_t(vram.width());
    for (const AssembledWord& word : program.words) {
        if (word.address >= vram.pixel_count())
            return Error::bad_input("", fmt::format("program word at address {} is outside the {}x{} VRAM",
                                            word.address, vram.width(), vram.height()));
        PXOS_TRY(vram.write_pixel(int(word.address % width), int(word.address / width), RGBA::from_word(word.word)));
    }
    return {};
}

std::string source_map_path_for(const std::string& image_path)
{
    std::filesystem::path path(image_path);
    return (path.parent_path() / (path.stem().string() + ".srcmap.json")).string();
}

Result<std::optional<SourceMap>> load_source_map(FileSystem& files, const std::string& path,
    const std::string& image_path)
{
    std::string map_path = path;
    if (map_path.empty()) {
        map_path = source_map_path_for(image_path);
        if (files.kind_of(map_path) != FileKind::Regular)
            return std::optional<SourceMap>();
    }
    auto text = files.read_file_text(map_path, 64u << 20);
    if (!text)
        return std::move(text).error();
    auto parsed = SourceMap::from_json(*text, map_path);
    if (!parsed)
        return std::move(parsed).error();
    return std::optional<SourceMap>(std::move(*parsed));
}

} // namespace pxos
