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

std::string operand_names(const OpcodeInfo& entry)
{
    static constexpr std::string_view kRegisterNames[] = { "rd", "ra", "rb" };
    std::string text;
    for (int i = 0; i < entry.operand_count(); ++i) {
        if (i)
            text += ", ";
        switch (entry.operand_kind(i)) {
        case OperandKind::Register: text += kRegisterNames[i]; break;
        case OperandKind::Immediate: text += "imm"; break;
        case OperandKind::Special: text += "special"; break;
        case OperandKind::Port: text += "port"; break;
        }
    }
    return text;
}

} // namespace

std::string reference_markdown()
{
    std::string text = "| # | mnemonic | operands | colour (r,g,b) | pixels | mode | meaning |\n"
                       "|---|---|---|---|---|---|---|\n";
    for (const OpcodeInfo& entry : kOpcodes)
        text += fmt::format("| {} | `{}` | {} | ({},{},{}) | {} | {} | {} |\n", int(entry.opcode), entry.mnemonic,
            operand_names(entry), entry.color.r, entry.color.g, entry.color.b, entry.length(),
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
            operand_names(entry), entry.color.r, entry.color.g, entry.color.b, entry.privileged ? "[kernel] " : "",
            entry.doc);
    return text;
}

} // namespace pxos::isa
