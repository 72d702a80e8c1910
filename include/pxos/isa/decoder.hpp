// Reading pixel code: the palette (colour -> opcode, as the image says),
// the boot header, and instruction decoding. The machine, the disassembler,
// the evaluator and the debugger all decode through here, from the one
// opcode table.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/vram.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace pxos {

class Palette {
public:
    // The table's own colours.
    static Palette canonical();
    // Reads `count` entries from the image's palette region (entry i at
    // (x0 + i * cell_width, y0)); refuses duplicate colours, naming both pixels.
    static Result<Palette> read(const SimulatedVRAM& vram, std::uint32_t palette_address, int cell_width, int count,
        const std::string& image_name);

    std::optional<isa::Opcode> lookup(std::uint32_t word) const
    {
        auto found = m_opcodes.find(word);
        if (found == m_opcodes.end())
            return std::nullopt;
        return found->second;
    }
    // The colour word that means `opcode` here (0 when the palette lacks it).
    std::uint32_t word_for(isa::Opcode opcode) const { return m_words[std::size_t(opcode)]; }
    int size() const { return int(m_opcodes.size()); }

private:
    std::unordered_map<std::uint32_t, isa::Opcode> m_opcodes;
    std::array<std::uint32_t, isa::kOpcodeCount> m_words {};
};

struct BootHeader {
    std::uint32_t version = isa::kVersion;
    std::uint32_t kernel_entry = 0;
    std::uint32_t syscall_table = 0;
    std::uint32_t syscall_count = 0;
    std::uint32_t process_table = 0;
    std::uint32_t process_slots = 0;
    std::uint32_t pcb_words = isa::kPcbWords;
    Rect display;
    std::uint32_t trap_vector = 0;
    std::uint32_t palette = 0;
    std::uint32_t palette_cell_width = isa::kPaletteCellWidth;
    std::uint32_t opcode_count = isa::kOpcodeCount;
};

// The header's address in a VRAM of this width.
inline std::uint32_t header_address(int width)
{
    return std::uint32_t(isa::kHeaderRow) * std::uint32_t(width);
}
// Reads and checks the header: magic, version, every pointer inside the VRAM.
Result<BootHeader> read_header(const SimulatedVRAM& vram, const std::string& image_name);
void write_header(SimulatedVRAM& vram, const BootHeader& header);

// The display area is the one place outside its own memory that every user
// process may write, so it must not overlap anything the kernel owns: the
// kernel-owned regions of the layout table (as far as they lie in the
// image) and what the header points at (the header itself, the palette,
// the syscall table, the process table, the kernel entry, the trap vector
// and, given the image's `memory`, each syscall handler). The first overlap,
// described ("the display area 512x64 at (0,100) overlaps the
// syscall_table region (512x32 at (0,128)), which the kernel owns: a user
// process could rewrite it"), or nullopt. The build refuses such a
// display; the machine refuses to boot it.
std::optional<std::string> display_overlap(const BootHeader& header, int width, int height,
    const std::uint32_t* memory = nullptr);

// A new process control block, as the kernel's convention lays it out
// (isa::PcbField): pid = slot + 1, pc = entry, sp = limit, registers 0.
struct ProcessSpec {
    std::uint32_t slot = 0;
    isa::ProcessState state = isa::ProcessState::Ready;
    std::uint32_t entry = 0;
    std::uint32_t base = 0;
    std::uint32_t limit = 0;
    std::uint32_t stack_base = 0;
};
// Writes the PCB of `spec.slot` into the process table at `process_table`.
Result<void> write_pcb(SimulatedVRAM& vram, std::uint32_t process_table, const ProcessSpec& spec);

struct Instruction {
    const isa::OpcodeInfo* info = nullptr;
    std::array<std::uint32_t, isa::kMaxOperands> operands {};
    int length() const { return info->length(); }
};

// Decodes the instruction starting at `address`; nullopt when the pixel is
// not an opcode of the palette, an operand is invalid (register > 15, ...)
// or the instruction runs past the end of memory.
std::optional<Instruction> decode(const std::uint32_t* memory, std::size_t memory_words, std::uint32_t address,
    const Palette& palette);

// "ADD r1, r2, r3"; immediates in decimal (signed) or hex when large.
std::string format_instruction(const Instruction& instruction);

// "(x,y)" for an address in a VRAM of this width.
std::string format_address(std::uint32_t address, int width);

// pxasm text for `count` words from `start`: instructions where they decode,
// `.word` otherwise. Assembling the text gives back the same pixels.
std::string disassemble(const SimulatedVRAM& vram, std::uint32_t start, std::uint32_t count, const Palette& palette);

} // namespace pxos
