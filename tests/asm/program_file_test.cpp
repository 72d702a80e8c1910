// Program files (abi/program_file.hpp): what `pxos asm --program` writes and
// spawn/exec load; read_program_file names the word offset of every fault.
#include "pxos/asm/program_file.hpp"

#include "pxos/abi/program_file.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

pxos::Program relocatable_program(const std::string& source)
{
    pxos::AssembleOptions options;
    options.relocatable = true;
    auto program = pxos::assemble(source, "p.pxasm", options);
    if (!program.ok())
        FAIL(program.error().message());
    return std::move(program).value();
}

const std::string kSource = "    .word 7\n"
                            "main:\n"
                            "    LI r1, data\n"
                            "    JMP main\n"
                            "    .org 8\n"
                            "data:\n"
                            "    .word data, 5\n";

std::vector<std::uint32_t> file_words()
{
    auto words = pxos::program_file_words(relocatable_program(kSource), "p.pxasm");
    REQUIRE(words.ok());
    return *words;
}

std::string read_error(const std::vector<std::uint32_t>& words)
{
    auto file = pxos::read_program_file(words, "p.pxex");
    REQUIRE_FALSE(file.ok());
    return file.error().message();
}

} // namespace

TEST_CASE("a program file holds the header, the code from offset 0 and the relocations", "[asm][program_file]")
{
    std::uint32_t li = pxos::isa::info(pxos::isa::Opcode::LI).color.to_word();
    std::uint32_t jmp = pxos::isa::info(pxos::isa::Opcode::JMP).color.to_word();
    CHECK(file_words()
        == std::vector<std::uint32_t> { pxos::abi::kProgramMagic, 1, 10, 1, 3, 0, 0, 0, // header
            7, li, 1, 8, jmp, 1, 0, 0, 8, 5,                                           // code (a gap of 0 at 6, 7)
            3, 5, 8 });                                                                // relocations
}

TEST_CASE("a program file reads back what was written, and as bytes too", "[asm][program_file]")
{
    auto words = file_words();
    auto bytes = pxos::words_to_bytes(words);
    REQUIRE(bytes.size() == words.size() * 4);
    CHECK(std::string(bytes.begin(), bytes.begin() + 4) == "PXEX");
    CHECK(pxos::has_program_magic(bytes));
    auto back = pxos::bytes_to_words(bytes, "p.pxex");
    REQUIRE(back.ok());
    CHECK(*back == words);
    auto file = pxos::read_program_file(*back, "p.pxex");
    REQUIRE(file.ok());
    CHECK(file->entry == 1);
    CHECK(file->code == std::vector<std::uint32_t>(words.begin() + 8, words.begin() + 18));
    CHECK(file->relocations == std::vector<std::uint32_t> { 3, 5, 8 });
    auto loaded = pxos::relocated_code(*file, 1000);
    CHECK(loaded[3] == 1008);
    CHECK(loaded[5] == 1001);
    CHECK(loaded[8] == 1008);
    CHECK(loaded[9] == 5);
}

TEST_CASE("read_program_file names the word of every fault", "[asm][program_file]")
{
    auto words = file_words();
    CHECK(read_error({ 1, 2, 3 }) == "p.pxex, word 0: error: not a program file: 3 words, shorter than the 8-word header");
    auto changed = words;
    changed[0] = 0x464c457f;
    CHECK(read_error(changed)
        == "p.pxex, word 0: error: not a program file: 0x464c457f where the magic 'PXEX' (0x58455850) belongs");
    changed = words;
    changed[1] = 2;
    CHECK(read_error(changed) == "p.pxex, word 1: error: program file version 2 is not supported (expected 1)");
    changed = words;
    changed[2] = 0;
    CHECK(read_error(changed) == "p.pxex, word 2: error: the program file has no code words");
    changed = words;
    changed[2] = 11;
    CHECK(read_error(changed)
        == "p.pxex, word 2: error: the header says 11 code words and 3 relocations (22 words in all), the file has 21");
    changed = words;
    changed[4] = 0xffffffff;
    CHECK(read_error(changed)
        == "p.pxex, word 2: error: the header says 10 code words and 4294967295 relocations (4294967313 words in all), the "
           "file has 21");
    changed = words;
    changed.pop_back();
    CHECK(read_error(changed)
        == "p.pxex, word 2: error: the header says 10 code words and 3 relocations (21 words in all), the file has 20");
    changed = words;
    changed[3] = 10;
    CHECK(read_error(changed) == "p.pxex, word 3: error: entry 10 lies outside the 10 code words");
    for (std::size_t reserved : { 5, 6, 7 }) {
        changed = words;
        changed[reserved] = 9;
        CHECK(read_error(changed) == "p.pxex, word " + std::to_string(reserved) + ": error: reserved header word is 9, expected 0");
    }
    changed = words;
    changed[19] = 10;
    CHECK(read_error(changed) == "p.pxex, word 19: error: relocation 1 names word 10, outside the 10 code words");
    changed = words;
    changed[20] = 5;
    CHECK(read_error(changed)
        == "p.pxex, word 20: error: relocation 2 names word 5, not after relocation 1 (word 5): each word is relocated once, "
           "in increasing order");
    CHECK(pxos::bytes_to_words(std::vector<std::uint8_t>(7, 0), "p.pxex").error().message()
        == "p.pxex: error: 7 bytes is not a whole number of 4-byte words");
}

TEST_CASE("program_file_words refuses an empty program and a main outside the code", "[asm][program_file]")
{
    CHECK(pxos::program_file_words(relocatable_program("X = 1\n"), "p.pxasm").error().message()
        == "p.pxasm: error: a program file needs at least one word of code");
    CHECK(pxos::program_file_words(relocatable_program("    NOP\nmain:\n"), "p.pxasm").error().message()
        == "p.pxasm: error: its main (1) is outside its 1 code words");
}

TEST_CASE("a program file disassembles with its relocated words marked", "[asm][program_file]")
{
    auto file = pxos::read_program_file(file_words(), "p.pxex");
    REQUIRE(file.ok());
    CHECK(pxos::disassemble_program_file(*file)
        == "; program file: 10 code words, entry 1, 3 relocations (reloc: the loader adds the load base)\n"
           ".org 0\n"
           "    .word 0x00000007             ; 0\n"
           "main:\n"
           "    LI r1, 8                     ; 1 reloc 3\n"
           "    JMP 1                        ; 4 reloc 5\n"
           "    .word 0x00000000             ; 6\n"
           "    .word 0x00000000             ; 7\n"
           "    .word 0x00000008             ; 8 reloc 8\n"
           "    .word 0x00000005             ; 9\n");
}
