// The pxasm cheat sheet of the loop's prompt: what a model needs to write
// pxasm that assembles and runs the first time, generated from the tables
// that define it (the opcode table, the operand kinds and special
// registers, the system calls, error codes, open flags and limits), so it
// cannot drift from the machine. The calling conventions are the sources'
// own words (their "; Calling convention" comments), and the example is a
// shipped program that the build assembles.
#include "pxos/loop/prompt.hpp"

#include "pxos/abi/os.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/asm/builtin_sources.hpp"
#include "pxos/isa/isa.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace pxos {

namespace {

constexpr std::string_view kExampleProgram = "primes.pxasm";

std::string upper(std::string_view text)
{
    std::string name(text);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return name;
}

// The comment paragraph of `text` that opens with "; Calling convention",
// without its "; " prefixes; empty when there is none.
std::string calling_convention(const std::string& text)
{
    std::size_t start = text.find("; Calling convention");
    if (start == std::string::npos || (start > 0 && text[start - 1] != '\n'))
        return {};
    std::string paragraph;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string_view line(text.data() + start, end - start);
        if (line.empty() || line[0] != ';' || line.find_first_not_of("; \t") == std::string_view::npos)
            break;
        line.remove_prefix(std::min(line.size(), line.size() > 1 && line[1] == ' ' ? std::size_t(2) : std::size_t(1)));
        paragraph += "  ";
        paragraph += line;
        paragraph += '\n';
        start = end + 1;
    }
    return paragraph;
}

std::string encoding_and_registers()
{
    constexpr RGBA kSample { 0x11, 0x22, 0x33, 0x44 };
    std::string text = "Words and colours: a word is a pixel, bytes r, g, b, a: word = r | g << 8 | b << 16 | a << 24 ";
    text += fmt::format("(colour ({},{},{},{}) is word 0x{:08X}; in pxasm `#rrggbb[aa]` or `.color R, G, B[, A]`). ",
        kSample.r, kSample.g, kSample.b, kSample.a, kSample.to_word());
    text += "An address is a pixel index y * width + x; code and data share the image.\n";
    text += fmt::format("Registers: r0..r{} (32 bits; arithmetic wraps), `sp` = r{}: PUSH, POP, CALL and RET use it, "
                        "the stack grows down. No flags: branches compare registers. User and kernel have separate "
                        "register banks (the kernel reads the user's with UGET/USET).\n",
        isa::kRegisterCount - 1, isa::kStackPointer);
    return text;
}

std::string instructions()
{
    std::string text = "Instructions (`MNEMONIC operands`; one opcode pixel, then one pixel per operand; [kernel]: "
                       "kernel mode only):\n";
    for (const isa::OpcodeInfo& entry : isa::kOpcodes) {
        std::string form(entry.mnemonic);
        if (!entry.operand_names.empty())
            form += " " + std::string(entry.operand_names);
        text += fmt::format("  {:<20} {}{}\n", form, entry.privileged ? "[kernel] " : "", entry.doc);
    }
    text += "Operands: ";
    for (const isa::OperandKindInfo& kind : isa::kOperandKinds)
        text += fmt::format("{}{}: {}", kind.kind == isa::kOperandKinds.front().kind ? "" : "; ",
            kind.kind == isa::OperandKind::Register ? std::string_view("r*") : kind.name, kind.doc);
    text += ".\nSpecial registers (MFS/MTS): ";
    for (std::size_t i = 0; i < isa::kSpecials.size(); ++i)
        text += fmt::format("{}{} ({})", i ? ", " : "", isa::kSpecials[i].name, isa::kSpecials[i].doc);
    text += ".\n";
    return text;
}

std::string system_calls()
{
    std::string text = "System calls: arguments in r1..r3, then `SYSCALL SYS_NAME`; the result comes back in r0 (a "
                       "negative one is an ERR_* code) and the kernel changes no other register of the caller.\n";
    for (const SyscallInfo& call : kSyscalls)
        text += fmt::format("  SYS_{} ({}){}{}: {}\n", upper(call.name), call.number, call.arguments.empty() ? "" : " ",
            call.arguments, call.doc);
    text += "Errors:";
    for (const abi::ErrorInfo& error : abi::kErrors)
        text += fmt::format(" ERR_{} {};", error.symbol, error.value);
    text.back() = '\n';
    text += "Open flags (OR them):";
    for (const abi::NamedValue& flag : abi::kOpenFlags)
        text += fmt::format(" O_{} {};", flag.symbol, flag.value);
    text.back() = '\n';
    text += "Limits:";
    for (const abi::NamedValue& limit : abi::kOsLimits)
        text += fmt::format(" OS_{} {};", limit.symbol, limit.value);
    text.back() = '\n';
    text += "Other standard symbols (`pxos abi` lists them): PCB_*, STATE_*, TRAP_*, HEADER_*, REGION_*, STAT_*, "
            "T_*, DIRENT_*, STORE_*, EXE_*, PCB_WORDS, PCB_SHIFT, PROCESS_SLOTS, FIRST_PID.\n";
    return text;
}

} // namespace

std::string pxasm_cheat_sheet(const std::vector<RoadmapSource>& sources, CheatSheetExample example)
{
    std::string text = encoding_and_registers() + instructions() + system_calls();
    for (const RoadmapSource& source : sources)
        if (std::string convention = calling_convention(source.text); !convention.empty())
            text += fmt::format("Calling convention, as {} states it:\n{}", source.name, convention);
    text += "pxasm: `label:`, `NAME = expr` constants, `.word`, `.string \"text\"` (a word per character), "
            "`.stringz` (then a 0 word), `.fill COUNT, VALUE`, `.include \"file\"`, `; comment`; immediates are "
            "expressions over numbers, 'c' characters, labels and constants. A program starts at `main:` and ends "
            "with `SYSCALL SYS_EXIT`.\n";
    if (example == CheatSheetExample::With)
        if (auto program = builtin_source(kExampleProgram))
            text += fmt::format("Example (builtin:{}):\n```pxasm\n{}```\n", kExampleProgram, *program);
    return text;
}

} // namespace pxos
