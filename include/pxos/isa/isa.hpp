// The pxos instruction set: ONE table (PXOS_OPCODES below) defines every
// opcode: mnemonic, palette colour, operand signature, privilege and a
// one-line doc. The enum, the decoder, the assembler, the disassembler, the
// palette step and `pxos ops` all expand or read this table; nothing else
// restates an opcode's shape.
//
// An instruction is one opcode pixel (its colour, looked up in the image's
// palette) followed by one pixel per operand. A word is a pixel (32 bits,
// bytes r,g,b,a); an address is a pixel index y * width + x.
#pragma once

#include "pxos/image/vram.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pxos::isa {

// Operand signature letters (PXOS_OPERAND_KINDS below): 'r' a register
// r0..r15, 'i' a 32-bit immediate (number, address or label), 's' a special
// register, 'p' an I/O port. `names` names each operand as `doc` uses it
// (rd the register written, ra/rb/rs/rc/rx/ry/ri registers read, imm,
// special, port); the reference tables, `pxos ops` and the loop's pxasm
// cheat sheet show them, so an operand's name and its meaning agree.
// X(name, r, g, b, operands, names, privileged, doc)
#define PXOS_OPCODES(X)                                                                                               \
    X(NOP, 0, 0, 0, "", "", false, "do nothing")                                                                          \
    X(HALT, 255, 0, 0, "", "", true, "stop the machine; the kernel's r0 is the halt code")                                \
    X(LOAD, 0, 255, 0, "rri", "rd, ra, imm", false, "rd = mem[ra + imm]")                                                 \
    X(STORE, 0, 0, 255, "rri", "rs, ra, imm", false, "mem[ra + imm] = rs")                                                \
    X(ADD, 255, 255, 0, "rrr", "rd, ra, rb", false, "rd = ra + rb")                                                       \
    X(SUB, 255, 0, 255, "rrr", "rd, ra, rb", false, "rd = ra - rb")                                                       \
    X(JMP, 0, 255, 255, "i", "imm", false, "pc = imm")                                                                    \
    X(JZ, 128, 128, 128, "ri", "ra, imm", false, "if ra == 0: pc = imm")                                                  \
    X(LI, 255, 128, 0, "ri", "rd, imm", false, "rd = imm")                                                                \
    X(MOV, 128, 255, 0, "rr", "rd, ra", false, "rd = ra")                                                                 \
    X(ADDI, 0, 128, 255, "rri", "rd, ra, imm", false, "rd = ra + imm")                                                    \
    X(MUL, 255, 0, 128, "rrr", "rd, ra, rb", false, "rd = ra * rb (low 32 bits)")                                         \
    X(DIV, 128, 0, 255, "rrr", "rd, ra, rb", false, "rd = ra / rb, signed, toward zero; rb == 0 faults")                  \
    X(MOD, 0, 255, 128, "rrr", "rd, ra, rb", false, "rd = ra % rb, signed; rb == 0 faults")                               \
    X(AND, 192, 64, 64, "rrr", "rd, ra, rb", false, "rd = ra & rb")                                                       \
    X(OR, 64, 192, 64, "rrr", "rd, ra, rb", false, "rd = ra | rb")                                                        \
    X(XOR, 64, 64, 192, "rrr", "rd, ra, rb", false, "rd = ra ^ rb")                                                       \
    X(NOT, 192, 192, 64, "rr", "rd, ra", false, "rd = ~ra")                                                               \
    X(SHL, 192, 64, 192, "rrr", "rd, ra, rb", false, "rd = ra << (rb & 31)")                                              \
    X(SHR, 64, 192, 192, "rrr", "rd, ra, rb", false, "rd = ra >> (rb & 31), logical")                                     \
    X(SAR, 255, 192, 128, "rrr", "rd, ra, rb", false, "rd = ra >> (rb & 31), arithmetic")                                 \
    X(JNZ, 128, 192, 255, "ri", "ra, imm", false, "if ra != 0: pc = imm")                                                 \
    X(BEQ, 255, 128, 128, "rri", "ra, rb, imm", false, "if ra == rb: pc = imm")                                           \
    X(BNE, 128, 255, 128, "rri", "ra, rb, imm", false, "if ra != rb: pc = imm")                                           \
    X(BLT, 128, 128, 255, "rri", "ra, rb, imm", false, "if ra < rb (signed): pc = imm")                                   \
    X(BGE, 255, 255, 128, "rri", "ra, rb, imm", false, "if ra >= rb (signed): pc = imm")                                  \
    X(BLTU, 255, 128, 255, "rri", "ra, rb, imm", false, "if ra < rb (unsigned): pc = imm")                                \
    X(SLT, 128, 255, 255, "rrr", "rd, ra, rb", false, "rd = (ra < rb) ? 1 : 0, signed")                                   \
    X(JMPR, 64, 64, 64, "r", "ra", false, "pc = ra")                                                                      \
    X(CALL, 192, 192, 192, "i", "imm", false, "push pc of the next instruction; pc = imm")                                \
    X(CALLR, 96, 96, 160, "r", "ra", false, "push pc of the next instruction; pc = ra")                                   \
    X(RET, 160, 96, 96, "", "", false, "pop pc")                                                                          \
    X(PUSH, 96, 160, 96, "r", "rs", false, "sp = sp - 1; mem[sp] = rs")                                                   \
    X(POP, 160, 160, 96, "r", "rd", false, "rd = mem[sp]; sp = sp + 1")                                                   \
    X(SYSCALL, 255, 255, 255, "i", "imm", false, "trap to the kernel: pc = syscall_table[imm]")                           \
    X(SYSRET, 96, 160, 160, "", "", true, "return to user mode at EPC")                                                   \
    X(IN, 160, 96, 160, "rp", "rd, port", true, "rd = the next input of port (port 1: console input, -1 at end)")         \
    X(OUT, 224, 160, 32, "rp", "rs, port", true, "port = rs (port 0: console output, the low byte)")                      \
    X(MFS, 32, 160, 224, "rs", "rd, special", true, "rd = special")                                                       \
    X(MTS, 160, 32, 224, "rs", "rs, special", true, "special = rs")                                                       \
    X(UGET, 224, 32, 160, "rr", "rd, ri", true, "rd = user_register[ri & 15]")                                            \
    X(USET, 32, 224, 160, "rr", "ri, rs", true, "user_register[ri & 15] = rs")                                            \
    X(PGET, 160, 224, 32, "rrr", "rd, rx, ry", false, "rd = pixel(x = rx, y = ry)")                                       \
    X(PSET, 224, 224, 160, "rrr", "rx, ry, rc", false, "pixel(x = rx, y = ry) = rc")                                      \
    X(LOADX, 96, 224, 224, "rrr", "rd, ra, rb", false, "rd = mem[ra + rb]")                                               \
    X(STOREX, 224, 96, 96, "rrr", "rs, ra, rb", false, "mem[ra + rb] = rs")

enum class Opcode : std::uint8_t {
#define PXOS_OPCODE_ENUM(name, r, g, b, operands, names, privileged, doc) name,
    PXOS_OPCODES(PXOS_OPCODE_ENUM)
#undef PXOS_OPCODE_ENUM
};

// Operand kinds, by signature letter: X(enumerator, letter, name, relocated, doc).
// `relocated`: an operand of this kind may hold an address that a loader
// relocates. A program that runs wherever it is loaded (a program file,
// docs/ISA.md "Programs that run anywhere") is assembled at 0 and the loader
// adds its load base to every word listed in its relocations; only an
// immediate may be such a word, so the assembler refuses an address in any
// other operand of a relocatable program.
#define PXOS_OPERAND_KINDS(X)                                                                                         \
    X(Register, 'r', "register", false, "a register r0..r15 (`sp` is r15)")                                          \
    X(Immediate, 'i', "imm", true, "a 32-bit word: a number, an address or a label")                                  \
    X(Special, 's', "special", false, "a special register number (MFS, MTS)")                                        \
    X(Port, 'p', "port", false, "an I/O port number (IN, OUT)")

enum class OperandKind : std::uint8_t {
#define PXOS_OPERAND_KIND_ENUM(name, letter, text, relocated, doc) name,
    PXOS_OPERAND_KINDS(PXOS_OPERAND_KIND_ENUM)
#undef PXOS_OPERAND_KIND_ENUM
};

struct OperandKindInfo {
    OperandKind kind;
    char letter;           // in an opcode's signature
    std::string_view name; // in the reference tables and messages
    bool relocated;        // may hold an address a loader relocates (imm only)
    std::string_view doc;
};
inline constexpr std::array kOperandKinds {
#define PXOS_OPERAND_KIND_INFO(name, letter, text, relocated, doc)                                                     \
    OperandKindInfo { OperandKind::name, letter, text, relocated, doc },
    PXOS_OPERAND_KINDS(PXOS_OPERAND_KIND_INFO)
#undef PXOS_OPERAND_KIND_INFO
};
constexpr const OperandKindInfo& info(OperandKind kind)
{
    return kOperandKinds[std::size_t(kind)];
}

inline constexpr int kMaxOperands = 3;
inline constexpr int kRegisterCount = 16;
inline constexpr int kStackPointer = 15; // `sp` is an alias of r15
inline constexpr std::uint32_t kVersion = 1;

struct OpcodeInfo {
    Opcode opcode;
    std::string_view mnemonic;
    RGBA color;
    std::string_view signature; // one letter per operand, see above
    std::string_view operand_names; // "rd, ra, imm": one name per operand, as `doc` uses them
    bool privileged;
    std::string_view doc;

    constexpr int operand_count() const { return int(signature.size()); }
    constexpr int length() const { return 1 + operand_count(); } // in pixels
    constexpr OperandKind operand_kind(int index) const
    {
        for (const OperandKindInfo& kind : kOperandKinds)
            if (kind.letter == signature[std::size_t(index)])
                return kind.kind;
        return OperandKind::Immediate;
    }
};

inline constexpr std::array kOpcodes {
#define PXOS_OPCODE_INFO(name, r, g, b, operands, names, privileged, doc)                                              \
    OpcodeInfo { Opcode::name, #name, RGBA { r, g, b, 255 }, operands, names, privileged, doc },
    PXOS_OPCODES(PXOS_OPCODE_INFO)
#undef PXOS_OPCODE_INFO
};
inline constexpr int kOpcodeCount = int(kOpcodes.size());

constexpr const OpcodeInfo& info(Opcode opcode)
{
    return kOpcodes[std::size_t(opcode)];
}
// By mnemonic, case-insensitive; nullptr when unknown.
const OpcodeInfo* find_mnemonic(std::string_view mnemonic);

// Special registers (MFS / MTS): X(enumerator, assembler name, doc).
#define PXOS_SPECIAL_REGISTERS(X)                                                                                     \
    X(Epc, EPC, "user pc saved at the last trap; SYSRET resumes there")                                                   \
    X(Cause, CAUSE, "why the kernel was entered (a TrapCause)")                                                             \
    X(Arg, ARG, "syscall number, or the faulting address")                                                                \
    X(Ubase, UBASE, "first address user code may access")                                                                   \
    X(Ulimit, ULIMIT, "one past the last address user code may access")                                                      \
    X(Quantum, QUANTUM, "user instructions per time slice (0: no preemption)")                                                \
    X(Ticks, TICKS, "instructions executed since boot (read-only)")                                                         \
    X(Pid, PID, "the running process's id, as the kernel says (for traces and reports)")                               \
    X(Sbase, SBASE, "lowest address of the user stack: PUSH or CALL below it is a stack overflow")

enum class Special : std::uint8_t {
#define PXOS_SPECIAL_ENUM(name, text, doc) name,
    PXOS_SPECIAL_REGISTERS(PXOS_SPECIAL_ENUM)
#undef PXOS_SPECIAL_ENUM
};

struct SpecialInfo {
    std::string_view name;
    std::string_view doc;
};
inline constexpr std::array kSpecials {
#define PXOS_SPECIAL_INFO(name, text, doc) SpecialInfo { #text, doc },
    PXOS_SPECIAL_REGISTERS(PXOS_SPECIAL_INFO)
#undef PXOS_SPECIAL_INFO
};

// I/O ports (IN / OUT).
inline constexpr std::uint32_t kPortConsoleOut = 0;
inline constexpr std::uint32_t kPortConsoleIn = 1;
inline constexpr std::uint32_t kPortCount = 2;

// The palette: opcode i's colour is the pixel at (i * cell_width, palette y);
// the palette step paints each as a cell_width x 16 stripe.
inline constexpr int kPaletteCellWidth = 8;

// The boot header, the PCB, process states and trap causes are the ABI's
// tables: pxos/abi/.

// Markdown reference of the whole ISA (for docs/ISA.md and `pxos ops --markdown`).
std::string reference_markdown();
// Plain text table (for `pxos ops`).
std::string reference_text();

} // namespace pxos::isa
