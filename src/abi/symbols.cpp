#include "pxos/abi/symbols.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/os.hpp"
#include "pxos/abi/process.hpp"
#include "pxos/abi/program_file.hpp"
#include "pxos/abi/store.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/abi/trap_causes.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/isa/isa.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace pxos {

namespace {

std::string upper(std::string_view text)
{
    std::string name(text);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return name;
}

} // namespace

std::map<std::string, std::int64_t> standard_symbols(int vram_width)
{
    std::map<std::string, std::int64_t> symbols;
    for (const SyscallInfo& call : kSyscalls)
        symbols["SYS_" + upper(call.name)] = call.number;
    symbols["SYSCALL_COUNT"] = std::int64_t(kSyscalls.size());
    symbols["PORT_CONSOLE_OUT"] = isa::kPortConsoleOut;
    symbols["PORT_CONSOLE_IN"] = isa::kPortConsoleIn;
    for (const abi::TrapCauseInfo& entry : abi::kTrapCauses)
        symbols["TRAP_" + std::string(entry.name)] = std::int64_t(entry.cause);
    for (const abi::ProcessStateInfo& entry : abi::kProcessStates)
        symbols["STATE_" + std::string(entry.symbol)] = std::int64_t(entry.state);
    for (const abi::PcbFieldInfo& entry : abi::kPcbFields)
        symbols["PCB_" + std::string(entry.symbol)] = entry.offset;
    symbols["PCB_WORDS"] = isa::kPcbWords;
    symbols["PCB_SHIFT"] = isa::kPcbShift;
    symbols["PROCESS_SLOTS"] = isa::kProcessSlots;
    symbols["FIRST_PID"] = abi::kFirstPid;
    for (const abi::HeaderFieldInfo& entry : abi::kHeaderFields)
        symbols["HEADER_" + std::string(entry.symbol)] = std::int64_t(entry.field);
    for (const abi::ErrorInfo& entry : abi::kErrors)
        symbols["ERR_" + std::string(entry.symbol)] = entry.value;
    for (const abi::NamedValue& entry : abi::kOpenFlags)
        symbols["O_" + std::string(entry.symbol)] = entry.value;
    for (const abi::NamedValue& entry : abi::kFileTypes)
        symbols["T_" + std::string(entry.symbol)] = entry.value;
    for (const abi::NamedValue& entry : abi::kStatFields)
        symbols["STAT_" + std::string(entry.symbol)] = entry.value;
    symbols["STAT_WORDS"] = abi::kStatWords;
    for (const abi::NamedValue& entry : abi::kOsLimits)
        symbols["OS_" + std::string(entry.symbol)] = entry.value;
    for (const abi::StoreField& entry : abi::kStoreConstants)
        symbols["STORE_" + std::string(entry.symbol)] = entry.value;
    for (const abi::StoreField& entry : abi::kSuperblockFields)
        symbols["SB_" + std::string(entry.symbol)] = entry.value;
    for (const abi::StoreField& entry : abi::kInodeFields)
        symbols["INODE_" + std::string(entry.symbol)] = entry.value;
    for (const abi::StoreField& entry : abi::kDirentFields)
        symbols["DIRENT_" + std::string(entry.symbol)] = entry.value;
    for (const abi::ProgramHeaderField& entry : abi::kProgramHeaderFields)
        symbols["EXE_" + std::string(entry.symbol)] = entry.word;
    symbols["EXE_HEADER_WORDS"] = abi::kProgramHeaderWords;
    symbols["EXE_MAGIC_VALUE"] = abi::kProgramMagic;
    symbols["EXE_VERSION_VALUE"] = abi::kProgramVersion;
    symbols["REGISTER_COUNT"] = isa::kRegisterCount;
    symbols["REGISTER_SP"] = isa::kStackPointer;
    symbols["VRAM_WIDTH"] = vram_width;
    symbols["HEADER"] = std::int64_t(header_address(vram_width));
    for (const Region& entry : layout_regions())
        symbols["REGION_" + upper(entry.name)] = std::int64_t(entry.rect.y) * vram_width + entry.rect.x;
    return symbols;
}

} // namespace pxos

namespace pxos::abi {

std::string kernel_tables_markdown()
{
    std::string text = "| cause | symbol | meaning |\n|---|---|---|\n";
    for (const TrapCauseInfo& entry : kTrapCauses)
        text += fmt::format("| {} | `TRAP_{}` | {} |\n", std::uint32_t(entry.cause), entry.name, entry.doc);
    text += "\n| header word | symbol | field |\n|---|---|---|\n";
    for (const HeaderFieldInfo& entry : kHeaderFields)
        text += fmt::format("| {} | `HEADER_{}` | {} |\n", int(entry.field), entry.symbol, entry.doc);
    text += fmt::format("\n| PCB word (of {}) | symbol | field |\n|---|---|---|\n", isa::kPcbWords);
    for (const PcbFieldInfo& entry : kPcbFields)
        text += fmt::format("| {} | `PCB_{}` | {} |\n",
            entry.words == 1 ? std::to_string(entry.offset) : fmt::format("{}-{}", entry.offset, entry.offset + entry.words - 1),
            entry.symbol, entry.doc);
    text += "\n| state | symbol | meaning |\n|---|---|---|\n";
    for (const ProcessStateInfo& entry : kProcessStates)
        text += fmt::format("| {} | `STATE_{}` | {} |\n", std::uint32_t(entry.state), entry.symbol, entry.doc);
    return text;
}

std::string syscalls_markdown()
{
    std::string text = "| call | number | arguments | effect |\n|---|---|---|---|\n";
    for (const SyscallInfo& call : kSyscalls)
        text += fmt::format("| `SYS_{}` | {} | {} | {} |\n", upper(call.name), call.number, call.arguments, call.doc);
    return text;
}

std::string os_tables_markdown()
{
    auto table = [](std::string_view heading, std::string_view prefix, const auto& rows) {
        std::string text = fmt::format("| {} | symbol | meaning |\n|---|---|---|\n", heading);
        for (const auto& entry : rows)
            text += fmt::format("| {} | `{}{}` | {} |\n", std::int64_t(entry.value), prefix, entry.symbol, entry.doc);
        return text;
    };
    std::string text = table("error", "ERR_", kErrors);
    text += "\n" + table("flag", "O_", kOpenFlags);
    text += "\n" + table("type", "T_", kFileTypes);
    text += "\n" + table("stat word", "STAT_", kStatFields);
    text += "\n" + table("limit", "OS_", kOsLimits);
    text += "\n" + table("constant", "STORE_", kStoreConstants);
    text += "\n" + table("superblock word", "SB_", kSuperblockFields);
    text += "\n" + table("inode word", "INODE_", kInodeFields);
    text += "\n" + table("entry word", "DIRENT_", kDirentFields);
    text += "\n| program header word | symbol | meaning |\n|---|---|---|\n";
    for (const ProgramHeaderField& entry : kProgramHeaderFields)
        text += fmt::format("| {} | `EXE_{}` | {} |\n", entry.word, entry.symbol, entry.doc);
    return text;
}

std::string reference_markdown()
{
    return kernel_tables_markdown() + "\n" + syscalls_markdown() + "\n" + os_tables_markdown();
}

std::string symbols_text(int vram_width)
{
    std::string text;
    for (const auto& [name, value] : standard_symbols(vram_width))
        text += fmt::format("{:<26} {}\n", name, value);
    return text;
}

} // namespace pxos::abi
