#include "pxos/isa/isa.hpp"

#include "pxos/asm/assembler.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/image/seed_palette.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <set>

TEST_CASE("opcode colours are unique and opaque, the seed's eight keep the seed's colours", "[isa]")
{
    std::set<std::uint32_t> colours;
    for (const auto& entry : pxos::isa::kOpcodes) {
        INFO(entry.mnemonic);
        CHECK(colours.insert(entry.color.to_word()).second);
        CHECK(entry.color.a == 255);
        CHECK(entry.operand_count() <= pxos::isa::kMaxOperands);
        CHECK(pxos::isa::find_mnemonic(entry.mnemonic) == &entry);
    }
    for (std::size_t i = 0; i < pxos::kSeedOpcodes.size(); ++i) {
        CHECK(pxos::isa::kOpcodes[i].mnemonic == pxos::kSeedOpcodes[i].mnemonic);
        CHECK(pxos::isa::kOpcodes[i].color == pxos::kSeedOpcodes[i].color);
    }
    CHECK(pxos::isa::kOpcodeCount * pxos::isa::kPaletteCellWidth <= 512);
}

TEST_CASE("an opcode's operands are named as its meaning uses them (JZ ra, imm: if ra == 0)", "[isa]")
{
    for (const auto& entry : pxos::isa::kOpcodes) {
        INFO(entry.mnemonic);
        std::string_view names = entry.operand_names;
        int count = 0;
        while (!names.empty()) {
            std::size_t comma = names.find(", ");
            std::string_view name = names.substr(0, comma);
            CHECK(entry.doc.find(name) != std::string_view::npos);
            ++count;
            names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 2);
        }
        CHECK(count == entry.operand_count());
    }
    CHECK(pxos::isa::info(pxos::isa::Opcode::JZ).operand_names == "ra, imm");
    CHECK(pxos::isa::reference_text().find(" 7  JZ       ra, imm          (128,128,128)  if ra == 0: pc = imm\n")
        != std::string::npos);
}

TEST_CASE("every opcode assembles, disassembles and re-assembles to the same pixels", "[isa][asm]")
{
    // One line per table row, with operands of the right kinds.
    std::string source;
    for (const auto& entry : pxos::isa::kOpcodes) {
        source += std::string(entry.mnemonic);
        for (int i = 0; i < entry.operand_count(); ++i) {
            source += i ? ", " : " ";
            switch (entry.operand_kind(i)) {
            case pxos::isa::OperandKind::Register: source += "r" + std::to_string(3 + i * 4); break;
            case pxos::isa::OperandKind::Immediate: source += i % 2 ? "-5" : "0x12345678"; break;
            case pxos::isa::OperandKind::Special: source += "ULIMIT"; break;
            case pxos::isa::OperandKind::Port: source += "1"; break;
            }
        }
        source += "\n";
    }
    source += ".word 0xdeadbeef\n";
    auto first = pxos::assemble(source, "all.pxasm");
    REQUIRE(first.ok());
    auto vram = pxos::SimulatedVRAM::create(64, 8).value();
    REQUIRE(pxos::write_program(*first, vram).ok());
    std::string text = pxos::disassemble(vram, 0, first->end_address(), pxos::Palette::canonical());
    pxos::AssembleOptions options;
    options.vram_width = 64;
    options.vram_height = 8;
    auto second = pxos::assemble(text, "disassembled.pxasm", options);
    if (!second.ok())
        FAIL(second.error().message() + "\n" + text);
    REQUIRE(second->words.size() == first->words.size());
    for (std::size_t i = 0; i < first->words.size(); ++i) {
        CHECK(second->words[i].address == first->words[i].address);
        CHECK(second->words[i].word == first->words[i].word);
    }
    CHECK(text.find("    STORE r3, r7, 0x12345678") != std::string::npos);
    CHECK(text.find("    .word 0xdeadbeef") != std::string::npos);
}

TEST_CASE("docs/ISA.md holds the reference tables generated from the opcode table", "[isa][docs]")
{
    std::string doc = pxos::test::read_text(pxos::test::source_path("docs/ISA.md"));
    INFO("regenerate with: pxos ops --markdown");
    CHECK(doc.find(pxos::isa::reference_markdown()) != std::string::npos);
}

TEST_CASE("the decoder refuses operands that are not registers, specials or ports", "[isa]")
{
    pxos::Palette palette = pxos::Palette::canonical();
    std::uint32_t mov = pxos::isa::info(pxos::isa::Opcode::MOV).color.to_word();
    std::uint32_t good[] = { mov, 1, 15 };
    std::uint32_t bad_register[] = { mov, 1, 16 };
    CHECK(pxos::decode(good, 3, 0, palette).has_value());
    CHECK_FALSE(pxos::decode(bad_register, 3, 0, palette).has_value());
    CHECK_FALSE(pxos::decode(good, 2, 0, palette).has_value()); // cut off by the end of memory
    std::uint32_t not_an_opcode[] = { 0x12345678 };
    CHECK_FALSE(pxos::decode(not_an_opcode, 1, 0, palette).has_value());
}

TEST_CASE("docs/PXASM.md lists every system call", "[isa][docs]")
{
    std::string doc = pxos::test::read_text(pxos::test::source_path("docs/PXASM.md"));
    for (const auto& [name, value] : pxos::standard_symbols(512))
        if (name.rfind("SYS_", 0) == 0) {
            INFO(name);
            CHECK(doc.find("`" + name + "` | " + std::to_string(value) + " |") != std::string::npos);
        }
}
