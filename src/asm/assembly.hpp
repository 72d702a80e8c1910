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
#include <set>
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

// An expression's value. In a program relocated at load
// (AssembleOptions::relocatable) it also counts the addresses inside the
// program it holds: each label or `$` added counts +1, each subtracted -1.
// 0 is a constant (a number, or the distance between two labels), 1 an
// address the loader relocates; anything else has no meaning once the
// program moves, and is refused. Outside relocatable mode it is always 0.
struct Value {
    std::int64_t number = 0;
    int addresses = 0;
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
    // The two halves of run, for AssemblyCache. Parsing reads the source
    // and its includes into statements and depends on no symbol, origin or
    // VRAM size (only on the text, the include folder and the read limits).
    Result<std::vector<Statement>> parse(std::string_view source, const std::string& file);
    // The passes over statements an assembler with the same source,
    // includes and limits parsed; `statements` must outlive the call.
    Result<Program> assemble_statements(const std::vector<Statement>& statements);

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
    // evaluate_value: a constant or (relocatable mode) one address.
    std::optional<Value> evaluate_value(const std::vector<Token>& tokens, const SourceLocation& location,
        bool report_undefined);
    // A constant: in relocatable mode an address is an error saying it cannot
    // be `use` ("a colour component") in a program that is relocated at load.
    std::optional<std::int64_t> evaluate(const std::vector<Token>& tokens, const SourceLocation& location,
        bool report_undefined, std::string_view use);
    std::optional<Value> parse_sum(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);
    std::optional<Value> parse_product(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);
    std::optional<Value> parse_term(const std::vector<Token>& tokens, std::size_t& position,
        const SourceLocation& location, bool report_undefined);
    void relocation_error(const SourceLocation& location, std::string_view what);

    // The two passes over the statements (passes.cpp).
    void layout(); // pass 1: addresses and labels
    void emit();   // pass 2: words
    // relocated: the word holds an address in the program (relocatable mode).
    std::optional<std::uint32_t> operand_word(const isa::OpcodeInfo& info, int index, const std::vector<Token>& tokens,
        const SourceLocation& location, bool& relocated);
    // An operand's value; an address only where the opcode table's operand
    // kind is `relocated` (isa::kOperandKinds).
    std::optional<Value> operand_value(const isa::OpcodeInfo& info, int index, const std::vector<Token>& tokens,
        const SourceLocation& location);
    // relocated: the word holds an address inside the program (relocatable mode).
    // `location` is a statement's: it lives as long as the statements.
    void put(std::uint32_t address, std::uint32_t word, const SourceLocation& location, bool relocated = false);
    std::optional<std::uint32_t> word_value(std::int64_t value, const SourceLocation& location);
    std::optional<std::uint32_t> org_address(const Statement& statement);
    std::int64_t directive_size(const Statement& statement);

    const AssembleOptions& m_options;
    std::map<std::string, std::int64_t> m_symbols;
    std::map<std::string, SourceLocation> m_label_locations;
    // Relocatable mode: the symbols whose value is an address in the program
    // (labels, and constants defined from one).
    std::set<std::string> m_address_symbols;
    std::vector<std::uint32_t> m_relocations;
    std::vector<Statement> m_statements;           // what parsing makes
    const std::vector<Statement>* m_parsed = &m_statements; // what the passes read
    std::vector<Diagnostic> m_diagnostics;
    std::int64_t m_address = 0;
    Program m_program;
    // Bounds on what one assembly reads and how deep it nests.
    std::vector<std::string> m_include_stack; // the files being parsed, outermost first
    std::size_t m_includes = 0;
    std::uint64_t m_source_bytes = 0;
    bool m_read_cap_reported = false;
    int m_expression_depth = 0;
    std::vector<std::pair<AssembledWord, const SourceLocation*>> m_emitted; // into *m_parsed
    // The passes, sorting and checking the words, and the program.
    Result<Program> finish();
};

inline std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

} // namespace pxos::pxasm
