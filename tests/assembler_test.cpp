#include "pxos/assembler.hpp"

#include "pxos/decoder.hpp"
#include "pxos/isa.hpp"

#include <catch2/catch.hpp>

namespace {

pxos::Program assemble_ok(const std::string& source, pxos::AssembleOptions options = {})
{
    auto program = pxos::assemble(source, "t.pxasm", options);
    if (!program.ok())
        FAIL(program.error().message());
    return std::move(program).value();
}

std::vector<std::string> errors_of(const std::string& source, pxos::AssembleOptions options = {})
{
    auto program = pxos::assemble(source, "t.pxasm", options);
    REQUIRE_FALSE(program.ok());
    std::vector<std::string> lines;
    for (const auto& diagnostic : program.error().diagnostics())
        lines.push_back(diagnostic.format());
    return lines;
}

std::string only_error(const std::string& source)
{
    auto lines = errors_of(source);
    REQUIRE(lines.size() == 1);
    return lines.front();
}

std::uint32_t word(pxos::isa::Opcode opcode)
{
    return pxos::isa::info(opcode).color.to_word();
}

using Words = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

Words words_of(const pxos::Program& program)
{
    Words words;
    for (const auto& entry : program.words)
        words.emplace_back(entry.address, entry.word);
    return words;
}

} // namespace

TEST_CASE("instructions become an opcode pixel and one pixel per operand", "[asm]")
{
    auto program = assemble_ok("ADD r1, r2, sp\nLI r3, -1\nJMP 7\n");
    CHECK(words_of(program)
        == Words { { 0, word(pxos::isa::Opcode::ADD) }, { 1, 1 }, { 2, 2 }, { 3, 15 }, { 4, word(pxos::isa::Opcode::LI) },
            { 5, 3 }, { 6, 0xffffffffu }, { 7, word(pxos::isa::Opcode::JMP) }, { 8, 7 } });
    CHECK(program.source_map.find(5)->line == 2);
}

TEST_CASE("labels, constants, expressions and data", "[asm]")
{
    auto program = assemble_ok(R"(
SIZE = 4 * (2 + 1)       ; 12
.equ BASE, 100
.org BASE
start:
    LI r1, end - start   ; forward reference
    JMP $                ; the address of this instruction
text: .string "Hi\n"
      .stringz "A", 'B'
      .word SIZE, start, -2
      .color 1, 2, 3
      .color #0a0b0c
      .fill 2, 0x7
end:
)");
    CHECK(program.symbol("start") == 100);
    CHECK(program.symbol("text") == 105);
    CHECK(program.symbol("end") == 105 + 3 + 3 + 3 + 2 + 2);
    Words words = words_of(program);
    CHECK(words[2] == std::pair<std::uint32_t, std::uint32_t> { 102, 18 });  // end - start
    CHECK(words[4] == std::pair<std::uint32_t, std::uint32_t> { 104, 103 }); // $ of the JMP
    CHECK(words[5].second == 'H');
    CHECK(words[7].second == '\n');
    CHECK(words[8].second == 'A');
    CHECK(words[9].second == 'B');
    CHECK(words[10].second == 0);
    CHECK(words[11].second == 12);
    CHECK(words[12].second == 100);
    CHECK(words[13].second == 0xfffffffeu);
    CHECK(words[14].second == pxos::RGBA { 1, 2, 3, 255 }.to_word());
    CHECK(words[15].second == pxos::RGBA { 10, 11, 12, 255 }.to_word());
    CHECK(words[16].second == 7);
}

TEST_CASE(".org x, y and .region place code by pixel", "[asm]")
{
    pxos::AssembleOptions options;
    options.vram_width = 512;
    auto program = assemble_ok(".org 3, 2\nNOP\n.region kernel, 5\nNOP\nhere:\n", options);
    CHECK(words_of(program)
        == Words { { 2 * 512 + 3, word(pxos::isa::Opcode::NOP) }, { 32 * 512 + 5, word(pxos::isa::Opcode::NOP) } });
    CHECK(program.symbol("here") == 32 * 512 + 6);
}

TEST_CASE("includes are read relative to the including file", "[asm]")
{
    pxos::AssembleOptions options;
    options.read_include = [](const std::string& path) -> pxos::Result<std::string> {
        if (path == "lib/util.pxasm")
            return std::string("helper: RET\nLIMIT = 9\n");
        return pxos::Error::bad_input(path, "missing");
    };
    auto program = pxos::assemble("CALL helper\nLI r1, LIMIT\n.include \"util.pxasm\"\n", "lib/main.pxasm", options);
    REQUIRE(program.ok());
    CHECK(program->symbol("helper") == 5);
    CHECK(program->source_map.find(5)->file == "lib/util.pxasm");
    auto missing = pxos::assemble(".include \"nope.pxasm\"\n", "lib/main.pxasm", options);
    CHECK(missing.error().message() == "lib/main.pxasm:1:10: error: cannot include 'lib/nope.pxasm': missing");
}

TEST_CASE("assembly errors carry file:line:col and are all reported", "[asm][malformed]")
{
    CHECK(only_error("    ADDD r1, r2, r3\n") == "t.pxasm:1:5: error: unknown instruction 'ADDD'; did you mean 'ADD'?");
    CHECK(only_error("ADD r1, r2\n") == "t.pxasm:1:1: error: ADD takes 3 operands, found 2");
    CHECK(only_error("NOP r1\n") == "t.pxasm:1:1: error: NOP takes 0 operands, found 1");
    CHECK(only_error("MOV r1, 5\n")
        == "t.pxasm:1:9: error: operand 2 of MOV must be a register r0..r15 or sp, found '5'");
    CHECK(only_error("MOV r16, r1\n")
        == "t.pxasm:1:5: error: operand 1 of MOV must be a register r0..r15 or sp, found 'r16'");
    CHECK(only_error("JMP r1\n")
        == "t.pxasm:1:5: error: operand 1 of JMP must be a number, label or constant, found register 'r1'");
    CHECK(only_error("JMP lop\nloop: NOP\n") == "t.pxasm:1:5: error: undefined symbol 'lop'; did you mean 'loop'?");
    CHECK(only_error("a: NOP\na: NOP\n") == "t.pxasm:2:1: error: label 'a' is already defined at t.pxasm:1:1");
    CHECK(only_error("LI r1, 0x1ffffffff\n")
        == "t.pxasm:1:8: error: invalid number '0x1ffffffff' (expected a 32-bit decimal, 0x hex or 0b binary number)");
    CHECK(only_error("LI r1, 4294967295 * 2\n") == "t.pxasm:1:8: error: value 8589934590 does not fit in a 32-bit word");
    CHECK(only_error(".string \"abc\n") == "t.pxasm:1:9: error: unterminated string (missing closing \")");
    CHECK(only_error(".strng \"abc\"\n") == "t.pxasm:1:1: error: unknown directive '.strng'; did you mean '.string'?");
    CHECK(only_error(".org 0\nNOP\n.org 0\nNOP\n")
        == "t.pxasm:4:1: error: address 0 (0,0) is written twice (first by t.pxasm:2:1)");
    CHECK(only_error("MFS r1, NOPE\n").rfind("t.pxasm:1:9: error: undefined symbol 'NOPE'", 0) == 0);
    CHECK(only_error("OUT r1, 7\n") == "t.pxasm:1:9: error: operand 2 of OUT must be a port 0..1, found 7");
    CHECK(only_error("LI r1, 1 / 0\n") == "t.pxasm:1:10: error: division by zero in expression");
    CHECK(only_error("@\n") == "t.pxasm:1:1: error: unexpected character '@'");
    CHECK(errors_of("ADDD r1\nMOV r1\nJMP nowhere\n")
        == std::vector<std::string> { "t.pxasm:1:1: error: unknown instruction 'ADDD'; did you mean 'ADD'?",
            "t.pxasm:2:1: error: MOV takes 2 operands, found 1" });
}

TEST_CASE("the allowed range and the VRAM bound placement", "[asm][malformed]")
{
    pxos::AssembleOptions options;
    options.allowed_range = { 10, 12 };
    options.allowed_range_name = "the test area";
    options.origin = 10;
    CHECK(pxos::assemble("NOP\nNOP\nNOP\n", "t.pxasm", options).error().message()
        == "t.pxasm:3:1: error: address 12 (12,0) is outside the test area");
    pxos::AssembleOptions small;
    small.vram_width = 4;
    small.vram_height = 2;
    CHECK(pxos::assemble(".org 3, 1\nLI r1, 1\n", "t.pxasm", small).error().message()
        == "t.pxasm:2:1: error: address 8 is outside the 4x2 VRAM");
    CHECK(pxos::assemble(".org 4, 0\n", "t.pxasm", small).error().message()
        == "t.pxasm:1:1: error: .org 4, 0 is outside the 4x2 VRAM");
}

TEST_CASE("source maps survive JSON", "[asm]")
{
    auto program = assemble_ok("NOP\nLI r1, 2\n\nHALT\n");
    auto restored = pxos::SourceMap::from_json(program.source_map.to_json(), "map.json");
    REQUIRE(restored.ok());
    for (std::uint32_t address = 0; address < 5; ++address)
        CHECK(restored->find(address)->line == program.source_map.find(address)->line);
    CHECK(restored->find(4)->line == 4);
    CHECK_FALSE(restored->find(5).has_value());
    CHECK_FALSE(pxos::SourceMap::from_json("{\"files\": 3}", "bad.json").ok());
}
