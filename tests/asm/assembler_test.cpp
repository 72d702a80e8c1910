#include "pxos/asm/assembler.hpp"

#include "pxos/isa/decoder.hpp"
#include "pxos/isa/isa.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <sys/stat.h>

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

TEST_CASE("a source map takes words in any order: the latest entry of an address wins, merges interleave", "[asm]")
{
    pxos::SourceMap map;
    map.add(10, "a.pxasm", 1);
    map.add(12, "a.pxasm", 2);
    map.add(11, "b.pxasm", 7); // out of order
    map.add(12, "b.pxasm", 8); // again
    CHECK(map.find(11)->to_string() == "b.pxasm:7");
    CHECK(map.find(12)->to_string() == "b.pxasm:8");
    CHECK_FALSE(map.find(13));
    pxos::SourceMap other;
    other.add(5, "c.pxasm", 3);
    other.add(11, "c.pxasm", 4);
    other.add(20, "a.pxasm", 9);
    map.merge(other);
    CHECK(map.find(5)->to_string() == "c.pxasm:3");
    CHECK(map.find(10)->to_string() == "a.pxasm:1");
    CHECK(map.find(11)->to_string() == "c.pxasm:4"); // the merged map's entry wins
    CHECK(map.find(12)->to_string() == "b.pxasm:8");
    CHECK(map.find(20)->to_string() == "a.pxasm:9");
    CHECK(map.files() == std::vector<std::string> { "a.pxasm", "b.pxasm", "c.pxasm" });
    auto restored = pxos::SourceMap::from_json(map.to_json(), "map.json");
    REQUIRE(restored.ok());
    for (std::uint32_t address : { 5u, 10u, 11u, 12u, 20u })
        CHECK(restored->find(address)->to_string() == map.find(address)->to_string());
    // Runs in any order in a file, overlapping: the later run wins.
    auto unordered = pxos::SourceMap::from_json(
        R"({"files": ["x", "y"], "runs": [[100, 4, 0, 1], [50, 2, 1, 2], [102, 1, 1, 3]]})", "u.json");
    REQUIRE(unordered.ok());
    CHECK(unordered->find(50)->to_string() == "y:2");
    CHECK(unordered->find(101)->to_string() == "x:1");
    CHECK(unordered->find(102)->to_string() == "y:3");
    CHECK(unordered->find(103)->to_string() == "x:1");
    CHECK_FALSE(unordered->find(104));
}

TEST_CASE("deeply nested expressions are an error at their place, not a stack overflow", "[asm][malformed]")
{
    // 20,000 levels overflowed the recursive evaluator (SIGSEGV) before the limit.
    std::string parentheses = "LI r1, " + std::string(20000, '(') + "1" + std::string(20000, ')') + "\n";
    CHECK(only_error(parentheses) == "t.pxasm:1:264: error: expression nested more than 256 deep (parentheses and signs)");
    std::string signs = "X = " + std::string(20000, '-') + "1\n";
    CHECK(only_error(signs) == "t.pxasm:1:261: error: expression nested more than 256 deep (parentheses and signs)");
    // Up to the limit, nesting is fine.
    std::string deep = "LI r1, " + std::string(255, '(') + "-7" + std::string(255, ')') + "\n";
    auto program = assemble_ok(deep);
    CHECK(program.words.size() == 3);
    CHECK(program.words[2].word == std::uint32_t(-7));
}

TEST_CASE("an include cycle is an error naming the include, however many times a file includes itself", "[asm][malformed]")
{
    pxos::AssembleOptions options;
    std::map<std::string, std::string> files = {
        { "self.pxasm", ".include \"self.pxasm\"\n.include \"self.pxasm\"\n.include \"self.pxasm\"\n"
                        ".include \"self.pxasm\"\n" },
        { "a.pxasm", "NOP\n.include \"b.pxasm\"\n" },
        { "b.pxasm", ".include \"a.pxasm\"\n" },
    };
    options.read_include = [&](const std::string& path) -> pxos::Result<std::string> { return files.at(path); };
    auto self = pxos::assemble(files["self.pxasm"], "self.pxasm", options);
    REQUIRE_FALSE(self.ok());
    REQUIRE(self.error().diagnostics().size() == 4);
    CHECK(self.error().message() == "self.pxasm:1:10: error: 'self.pxasm' includes itself (an include cycle)");
    auto mutual = pxos::assemble(files["a.pxasm"], "a.pxasm", options);
    CHECK(mutual.error().message() == "b.pxasm:1:10: error: 'a.pxasm' includes itself (an include cycle)");
}

TEST_CASE("one assembly follows a capped number of includes and reads a capped number of bytes", "[asm][malformed]")
{
    // Each level includes the next one four times: 4^8 includes without a cap.
    pxos::AssembleOptions options;
    options.read_include = [](const std::string& path) -> pxos::Result<std::string> {
        int level = path[5] - '0';
        if (level == 8)
            return std::string("NOP\n");
        std::string next = fmt::format(".include \"level{}.pxasm\"\n", level + 1);
        return next + next + next + next;
    };
    std::string top = ".include \"level1.pxasm\"\n";
    auto many = pxos::assemble(top, "level0.pxasm", options);
    REQUIRE_FALSE(many.ok());
    CHECK(many.error().diagnostics().size() == 1);
    CHECK(many.error().message()
        == "level7.pxasm:3:10: error: more than 1024 includes in one assembly, over the pxasm includes cap of 1024 "
           "includes (raise it with --max-includes, up to 1000000 includes)");
    options.limits.max_includes = 100000;
    options.limits.max_total_source_bytes = 100000;
    auto bytes = pxos::assemble(top, "level0.pxasm", options);
    REQUIRE_FALSE(bytes.ok());
    CHECK(bytes.error().message().find("error: the source and its includes come to more than 100000 bytes, over the "
                                       "assembled source cap of 100000 bytes (raise it with "
                                       "--max-assembled-source-mib, up to 1024 MiB)")
        != std::string::npos);
    options.limits.max_total_source_bytes = 10;
    CHECK(pxos::assemble("NOP\nNOP\nNOP\n", "big.pxasm", options).error().message()
        == "big.pxasm:1:1: error: the source and its includes come to more than 10 bytes, over the assembled source "
           "cap of 10 bytes (raise it with --max-assembled-source-mib, up to 1024 MiB)");
}

TEST_CASE("includes go through the rule on paths: no control characters, regular files, confined", "[asm][malformed]")
{
    pxos::test::ScratchDirectory scratch;
    std::string folder = scratch.path().string() + "/roadmaps";
    scratch.write("roadmaps/lib.pxasm", "helper: RET\n");
    scratch.write("secret.pxasm", "secret: RET\n");
    std::filesystem::create_directories(folder + "/dir.pxasm");
    REQUIRE(::mkfifo((folder + "/pipe.pxasm").c_str(), 0644) == 0);
    pxos::AssembleOptions options;
    options.files = &pxos::test::files();
    options.include_folder = folder;
    auto error_of = [&](const std::string& source) {
        auto program = pxos::assemble(source, "r.yaml:4:5(kernel_source)", options);
        REQUIRE_FALSE(program.ok());
        return program.error().message();
    };
    CHECK(pxos::assemble(".include \"lib.pxasm\"\n", "r.yaml:4:5(kernel_source)", options).ok());
    CHECK(error_of(".include \"lib.pxasm\\0/../../secret.pxasm\"\n")
        == "r.yaml:4:5(kernel_source):1:10: error: cannot include 'lib.pxasm\\0/../../secret.pxasm': file name has a "
           "control character (\\0) at byte 9; such a name is never opened");
    CHECK(error_of(".include \"pipe.pxasm\"\n")
        == "r.yaml:4:5(kernel_source):1:10: error: cannot include '" + folder
            + "/pipe.pxasm': is a FIFO, expected a regular file");
    CHECK(error_of(".include \"dir.pxasm\"\n")
        == "r.yaml:4:5(kernel_source):1:10: error: cannot include '" + folder
            + "/dir.pxasm': is a directory, expected a file");
    // A user's roadmap may include any regular file; a proposal only its folder's.
    CHECK(pxos::assemble(".include \"../secret.pxasm\"\n", "r.yaml:4:5(kernel_source)", options).ok());
    options.limits.reads = pxos::ReadConfinement { folder };
    std::string root = std::filesystem::canonical(folder).string();
    CHECK(error_of(".include \"../secret.pxasm\"\n")
        == "r.yaml:4:5(kernel_source):1:10: error: cannot include '" + scratch.path().string()
            + "/secret.pxasm': leaves the roadmap's folder " + root + " (it resolves to "
            + std::filesystem::canonical(scratch.file("secret.pxasm")).string() + ")");
    CHECK(error_of(".include \"/dev/stdin\"\n").find("error: cannot include '/dev/stdin': leaves the roadmap's folder")
        != std::string::npos);
    CHECK(pxos::assemble(".include \"lib.pxasm\"\n", "r.yaml:4:5(kernel_source)", options).ok());
}

TEST_CASE("a pxasm diagnostic keeps its file, line and column as fields", "[asm][diagnostics]")
{
    auto unknown = pxos::assemble("main:\n    ADDD r1, r2, r3\n", "p.pxasm");
    REQUIRE_FALSE(unknown.ok());
    const pxos::Diagnostic& instruction = unknown.error().diagnostics().front();
    CHECK(instruction.where == "p.pxasm:2:5");
    CHECK(instruction.location.file == "p.pxasm");
    CHECK(instruction.location.line == 2);
    CHECK(instruction.location.column == 5);
    // The lexer's errors too.
    auto number = pxos::assemble("    LI r1, 0xZZ\n", "n.pxasm");
    REQUIRE_FALSE(number.ok());
    const pxos::Diagnostic& lexed = number.error().diagnostics().front();
    CHECK(lexed.format() == "n.pxasm:1:12: error: invalid number '0xZZ' (expected a 32-bit decimal, 0x hex or 0b binary "
                            "number)");
    CHECK(lexed.location.file == "n.pxasm");
    CHECK(lexed.location.line == 1);
    CHECK(lexed.location.column == 12);
}
