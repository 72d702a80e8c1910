// `pxos asm --program` writes a program file (raw little-endian words) and
// `pxos disasm` lists one, its relocated words marked.
#include "pxos/asm/program_file.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

const std::string kSource = "main:\n    LI r1, text\n    SYSCALL SYS_PRINT_INT\n    JMP main\ntext:\n    .word text, 9\n";

} // namespace

TEST_CASE("pxos asm --program writes the program file's words, little-endian", "[cli][asm][program_file]")
{
    ScratchDirectory scratch;
    scratch.write("p.pxasm", kSource);
    auto assembled = run_pxos("asm p.pxasm --program -o p.pxex", scratch.path());
    REQUIRE(assembled.exit_code == 0);
    CHECK(assembled.out == "p.pxex\n");
    CHECK(assembled.err == "assembled a program file of 20 words (9 code words, 3 relocations) into p.pxex\n");

    pxos::AssembleOptions options;
    options.relocatable = true;
    auto program = pxos::assemble(kSource, "p.pxasm", options);
    REQUIRE(program.ok());
    auto words = pxos::program_file_words(*program, "p.pxasm");
    REQUIRE(words.ok());
    CHECK(pxos::test::read_bytes(scratch.file("p.pxex")) == pxos::words_to_bytes(*words));
}

TEST_CASE("pxos disasm lists a program file with its relocated words marked", "[cli][asm][program_file]")
{
    ScratchDirectory scratch;
    scratch.write("p.pxasm", kSource);
    REQUIRE(run_pxos("asm p.pxasm --program -o p.pxex", scratch.path()).exit_code == 0);
    auto listed = run_pxos("disasm p.pxex", scratch.path());
    REQUIRE(listed.exit_code == 0);
    CHECK(listed.out
        == "; program file: 9 code words, entry 0, 3 relocations (reloc: the loader adds the load base)\n"
           ".org 0\n"
           "main:\n"
           "    LI r1, 7                     ; 0 reloc 2\n"
           "    SYSCALL 10                   ; 3\n"
           "    JMP 0                        ; 5 reloc 6\n"
           "    .word 0x00000007             ; 7 reloc 7\n"
           "    .word 0x00000009             ; 8\n");
    auto picked = run_pxos("disasm p.pxex --at 0,0", scratch.path());
    CHECK(picked.exit_code == 2);
    CHECK(picked.err == "pxos: error: --region, --at and --count pick pixels of an image; a program file is listed whole\n");

    scratch.write("cut.pxex", std::string("PXEX\1\0\0\0", 8));
    auto cut = run_pxos("disasm cut.pxex", scratch.path());
    CHECK(cut.exit_code == 65);
    CHECK(cut.err == "cut.pxex, word 0: error: not a program file: 2 words, shorter than the 8-word header\n");
}

TEST_CASE("pxos asm --program refuses what a relocated program cannot hold, and --origin", "[cli][asm][program_file]")
{
    ScratchDirectory scratch;
    scratch.write("bad.pxasm", "main:\n    LI r1, main * 2\n");
    auto bad = run_pxos("asm bad.pxasm --program -o bad.pxex", scratch.path());
    CHECK(bad.exit_code == 65);
    CHECK(bad.err == "bad.pxasm:2:17: error: an address cannot be multiplied in a program that is relocated at load\n");
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "bad.pxex"));
    // The same source is fine as an image: there nothing moves.
    CHECK(run_pxos("asm bad.pxasm -o bad.png", scratch.path()).exit_code == 0);

    auto origin = run_pxos("asm bad.pxasm --program --origin 1,1 -o x.pxex", scratch.path());
    CHECK(origin.exit_code == 2);
    CHECK(origin.err
        == "pxos: error: --program assembles at offset 0 (a program file is relocated at load): give --program or --origin, "
           "not both\n");
}
