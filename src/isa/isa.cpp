#include "pxos/isa/isa.hpp"

#include <fmt/format.h>

namespace pxos::isa {

const OpcodeInfo* find_mnemonic(std::string_view mnemonic)
{
    for (const OpcodeInfo& entry : kOpcodes) {
        if (entry.mnemonic.size() != mnemonic.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < mnemonic.size() && same; ++i)
            same = std::toupper(static_cast<unsigned char>(mnemonic[i])) == entry.mnemonic[i];
        if (same)
            return &entry;
    }
    return nullptr;
}

namespace {

// Each opcode's operand names agree with its signature: one name per
// letter, a register named r<letter> (rd, ra, rs, ...), the others by their
// kind's name (imm, special, port).
constexpr bool operand_names_match(const OpcodeInfo& entry)
{
    std::string_view names = entry.operand_names;
    for (int i = 0; i < entry.operand_count(); ++i) {
        std::size_t comma = names.find(", ");
        std::string_view name = names.substr(0, comma);
        bool matches = false;
        switch (entry.operand_kind(i)) {
        case OperandKind::Register: matches = name.size() == 2 && name[0] == 'r'; break;
        case OperandKind::Immediate: matches = name == info(OperandKind::Immediate).name; break;
        case OperandKind::Special: matches = name == info(OperandKind::Special).name; break;
        case OperandKind::Port: matches = name == info(OperandKind::Port).name; break;
        }
        if (!matches || (i + 1 < entry.operand_count()) != (comma != std::string_view::npos))
            return false;
        names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 2);
    }
    return names.empty();
}

constexpr bool all_operand_names_match()
{
    for (const OpcodeInfo& entry : kOpcodes)
        if (!operand_names_match(entry))
            return false;
    return true;
}
static_assert(all_operand_names_match(), "PXOS_OPCODES: an opcode's operand names do not follow its signature");

} // namespace

std::string reference_markdown()
{
    std::string text = "| # | mnemonic | operands | colour (r,g,b) | pixels | mode | meaning |\n"
                       "|---|---|---|---|---|---|---|\n";
    for (const OpcodeInfo& entry : kOpcodes)
        text += fmt::format("| {} | `{}` | {} | ({},{},{}) | {} | {} | {} |\n", int(entry.opcode), entry.mnemonic,
            entry.operand_names, entry.color.r, entry.color.g, entry.color.b, entry.length(),
            entry.privileged ? "kernel" : "any", entry.doc);
    text += "\n| operand | letter | relocated at load | meaning |\n|---|---|---|---|\n";
    for (const OperandKindInfo& kind : kOperandKinds)
        text += fmt::format("| {} | `{}` | {} | {} |\n", kind.name, kind.letter, kind.relocated ? "yes" : "no", kind.doc);
    text += "\n| special | name | meaning |\n|---|---|---|\n";
    for (std::size_t i = 0; i < kSpecials.size(); ++i)
        text += fmt::format("| {} | `{}` | {} |\n", i, kSpecials[i].name, kSpecials[i].doc);
    return text;
}

std::string reference_text()
{
    std::string text;
    for (const OpcodeInfo& entry : kOpcodes)
        text += fmt::format("{:>2}  {:<8} {:<16} ({:>3},{:>3},{:>3})  {}{}\n", int(entry.opcode), entry.mnemonic,
            entry.operand_names, entry.color.r, entry.color.g, entry.color.b, entry.privileged ? "[kernel] " : "",
            entry.doc);
    return text;
}

} // namespace pxos::isa
