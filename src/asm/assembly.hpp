// One assembly in progress: the Assembler that turns pxasm text into a
// Program in two passes, shared by the files of src/asm/ (parser.cpp reads
// lines into statements, expressions.cpp evaluates operands, passes.cpp
// places labels and emits words, assembler.cpp runs them). Every error goes
// into one list of diagnostics at file:line:col (the first 100 are kept), so
// a file's errors are reported together. Private to the assembler.
#pragma once

#include "asm/lexer.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/isa/isa.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pxos::pxasm {

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
    void error(Diagnostic diagnostic)
    {
        if (m_diagnostics.size() < 100)
            m_diagnostics.push_back(std::move(diagnostic));
    }
    void error(const SourceLocation& location, std::string message)
    {
        error(Diagnostic { Severity::Error, location, std::move(message) });
    }
    SourceLocation at(const SourceLocation& line, int column) const { return { line.file, line.line, column }; }

    // Lines into statements (parser.cpp).
    void parse_file(std::string_view source, const std::string& file, int depth);
    void parse_line(std::vector<Token> tokens, const SourceLocation& location, int depth);
    void include(const Token& name, const SourceLocation& location, int depth);
    // False (and one error) once the includes or bytes read pass their caps.
    bool within_read_caps(const SourceLocation& location, std::uint64_t more_bytes);

    // Expressions (expressions.cpp): + - * / % with parentheses over
    // numbers, characters, symbols and `$` (the current address).
    std::optional<std::int64_t> evaluate(const std::vector<Token>& tokens, const SourceLocation& location,
        bool report_undefined);
    std::optional<std::int64_t> parse_sum(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);
    std::optional<std::int64_t> parse_product(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);
    std::optional<std::int64_t> parse_term(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);

    // The two passes over the statements (passes.cpp).
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

inline std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

} // namespace pxos::pxasm
