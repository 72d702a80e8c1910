#include "asm/assembly.hpp"

#include "pxos/base/file_system.hpp"
#include "pxos/base/suggest.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace pxos::pxasm {

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
        Result<std::vector<Token>> tokens = tokenize(line, location);
        if (!tokens.ok())
            error(tokens.error().diagnostics().front());
        else if (!tokens->empty())
            parse_line(std::move(tokens.value()), location, depth);
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

} // namespace pxos::pxasm
