// Relocatable assembly (AssembleOptions::relocatable): which words a loader
// relocates, and every expression a program that is relocated at load cannot
// have (docs/PXASM.md, "Programs that run anywhere").
#include "pxos/asm/assembler.hpp"

#include "pxos/isa/isa.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

pxos::AssembleOptions relocatable()
{
    pxos::AssembleOptions options;
    options.relocatable = true;
    return options;
}

pxos::Program assemble_ok(const std::string& source, const pxos::AssembleOptions& options = relocatable())
{
    auto program = pxos::assemble(source, "t.pxasm", options);
    if (!program.ok())
        FAIL(program.error().message());
    return std::move(program).value();
}

std::vector<std::string> errors_of(const std::string& source)
{
    auto program = pxos::assemble(source, "t.pxasm", relocatable());
    REQUIRE_FALSE(program.ok());
    std::vector<std::string> lines;
    for (const auto& diagnostic : program.error().diagnostics())
        lines.push_back(diagnostic.format());
    return lines;
}

std::uint32_t value_at(const pxos::Program& program, std::uint32_t address)
{
    for (const auto& word : program.words)
        if (word.address == address)
            return word.word;
    FAIL("no word at " << address);
    return 0;
}

using Relocations = std::vector<std::uint32_t>;

} // namespace

TEST_CASE("relocatable: every imm operand made from a label is relocated", "[asm][relocation]")
{
    auto program = assemble_ok("main:\n"
                               "    LI r1, text\n"        // 0..2: word 2
                               "    CALL routine\n"       // 3..4: word 4
                               "    LOAD r2, r0, text\n"  // 5..8: word 8
                               "    BEQ r1, r2, main\n"   // 9..12: word 12
                               "    SYSCALL SYS_EXIT\n"   // 13..14: a constant
                               "routine:\n"
                               "    RET\n"                // 15
                               "text:\n"
                               "    .stringz \"hi\"\n");  // 16..18
    CHECK(program.relocations == Relocations { 2, 4, 8, 12 });
    CHECK(value_at(program, 2) == 16);
    CHECK(value_at(program, 4) == 15);
    CHECK(value_at(program, 12) == 0);
}

TEST_CASE("relocatable: a label plus or minus a number is relocated, a difference of labels is not", "[asm][relocation]")
{
    auto program = assemble_ok("start:\n"
                               "    LI r1, end - start\n"       // word 2: a constant
                               "    LI r2, table + 1\n"         // word 5
                               "    LI r3, 2 + table - 1\n"     // word 8
                               "    ADDI r4, r4, (end - table) / 2\n" // word 12: a constant
                               "    JMP $ - 2\n"                // word 14: `$` is an address
                               "table:\n"
                               "    .word 1, 2\n"
                               "end:\n");
    CHECK(program.relocations == Relocations { 5, 8, 14 });
    CHECK(value_at(program, 2) == 17);
    CHECK(value_at(program, 5) == 16);
    CHECK(value_at(program, 8) == 16);
    CHECK(value_at(program, 12) == 1);
    CHECK(value_at(program, 14) == 11);
}

TEST_CASE("relocatable: a .word table of labels is relocated, data is not", "[asm][relocation]")
{
    auto program = assemble_ok("jumps:\n"
                               "    .word one, two, 7, two - one, one + 3\n" // 0..4
                               "one:\n"
                               "    NOP\n"                                 // 5
                               "two:\n"
                               "    .string \"ab\", 3\n"                   // 6..8
                               "    .fill 2, one\n"                        // 9, 10
                               "    .fill 2, 9\n"                          // 11, 12
                               "    .color 1, 2, 3\n");                    // 13
    CHECK(program.relocations == Relocations { 0, 1, 4, 9, 10 });
    CHECK(value_at(program, 3) == 1);
    CHECK(value_at(program, 4) == 8);
}

TEST_CASE("relocatable: a constant defined from a label is an address, one from a difference is not", "[asm][relocation]")
{
    auto program = assemble_ok("data:\n"
                               "    .word 0, 0\n"
                               "after:\n"
                               "SECOND = data + 1\n"
                               "SIZE = after - data\n"
                               "    LI r1, SECOND\n" // word 4
                               "    LI r2, SIZE\n"   // word 7
                               "    LI r3, HEADER + SYS_EXIT\n"); // word 10: standard symbols are constants
    CHECK(program.relocations == Relocations { 4 });
    CHECK(value_at(program, 7) == 2);
}

TEST_CASE("relocatable: .org is an offset from the program's start", "[asm][relocation]")
{
    auto program = assemble_ok("    JMP code\n"
                               "    .org 10\n"
                               "code:\n"
                               "    JMP code\n"
                               "    .org $ + 3\n"
                               "    .word code\n");
    CHECK(program.relocations == Relocations { 1, 11, 15 });
    CHECK(value_at(program, 15) == 10);
}

TEST_CASE("relocatable: what a program relocated at load cannot do is refused with its place and why", "[asm][relocation]")
{
    CHECK(errors_of("a:\n    LI r1, a * 2\n    LI r2, 2 * a\n    LI r3, a / 2\n    LI r4, a % 2\n")
        == std::vector<std::string> {
            "t.pxasm:2:14: error: an address cannot be multiplied in a program that is relocated at load",
            "t.pxasm:3:14: error: an address cannot be multiplied in a program that is relocated at load",
            "t.pxasm:4:14: error: an address cannot be divided in a program that is relocated at load",
            "t.pxasm:5:14: error: an address cannot be taken modulo (%) in a program that is relocated at load",
        });
    CHECK(errors_of("a:\nb:\n    LI r1, a + b\n    LI r2, -a\n    LI r3, 5 - a\n    .word a + b - 1 + a\n")
        == std::vector<std::string> {
            "t.pxasm:3:12: error: two addresses cannot be added in a program that is relocated at load",
            "t.pxasm:4:12: error: an address cannot be negated or subtracted from a number in a program that is "
            "relocated at load",
            "t.pxasm:5:12: error: an address cannot be negated or subtracted from a number in a program that is "
            "relocated at load",
            "t.pxasm:6:11: error: two addresses cannot be added in a program that is relocated at load",
        });
    CHECK(errors_of("a:\n    MFS r1, a\n    OUT r1, a - 0\n    IN r2, $\n")
        == std::vector<std::string> {
            "t.pxasm:2:13: error: an address cannot be operand 2 of MFS (a special operand; only imm operands are "
            "relocated) in a program that is relocated at load",
            "t.pxasm:3:13: error: an address cannot be operand 2 of OUT (a port operand; only imm operands are "
            "relocated) in a program that is relocated at load",
            "t.pxasm:4:12: error: an address cannot be operand 2 of IN (a port operand; only imm operands are "
            "relocated) in a program that is relocated at load",
        });
    CHECK(errors_of("a:\n    .string \"x\", a\n    .color a, 0, 0\n")
        == std::vector<std::string> {
            "t.pxasm:2:18: error: an address cannot be a character of a string in a program that is relocated at load",
            "t.pxasm:3:12: error: an address cannot be a colour component in a program that is relocated at load",
        });
    CHECK(errors_of("a:\n    .fill a, 0\n")
        == std::vector<std::string> {
            "t.pxasm:2:11: error: an address cannot be a .fill count in a program that is relocated at load",
        });
    CHECK(errors_of("    .org 1, 2\n    .region kernel\n")
        == std::vector<std::string> {
            "t.pxasm:1:5: error: .org X, Y names a pixel of the image, which a program cannot do (use .org OFFSET) "
            "in a program that is relocated at load",
            "t.pxasm:2:5: error: .region names a place in the image, which a program cannot do in a program that is "
            "relocated at load",
        });
}

TEST_CASE("the opcode table marks imm as the only operand kind a loader relocates", "[asm][relocation][isa]")
{
    for (const pxos::isa::OperandKindInfo& kind : pxos::isa::kOperandKinds) {
        INFO(kind.name);
        CHECK(kind.relocated == (kind.kind == pxos::isa::OperandKind::Immediate));
        CHECK(&pxos::isa::info(kind.kind) == &kind);
    }
}

TEST_CASE("without relocatable the same expressions assemble as before and nothing is listed", "[asm][relocation]")
{
    std::string source = "a:\n    LI r1, a * 2 + 3\n    LI r2, -a\n    .word a + a, a\n    .org 1, 2\n    .word $\n";
    auto program = assemble_ok(source, pxos::AssembleOptions {});
    CHECK(program.relocations.empty());
    CHECK(value_at(program, 2) == 3);
    CHECK(value_at(program, 512 * 2 + 1) == 1025);
}
