// The boot header: how an image tells the machine where its kernel, tables
// and display are. ONE table of fields (PXOS_HEADER_FIELDS, one word each,
// in order); the enum, reading and writing the header, the pxasm symbols
// HEADER_<field> (the word's offset from HEADER) and the table of
// docs/ISA.md all expand it.
//
// The header is 20 words at (0, kHeaderRow) inside the metadata region:
// below the seed's boot banner (rows 0-3) and away from the seed
// evaluator's sample points ((10,2) and the region centre (256,8)).
//
// The names that existed before the ABI was a layer of its own keep their
// namespaces (isa::HeaderField, pxos::BootHeader, ...) so their many call
// sites did not change; new names are in pxos::abi.
#pragma once

#include "pxos/abi/process.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/image/vram.hpp"
#include "pxos/isa/isa.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pxos::isa {

// X(name, symbol, doc); word i of the header is row i.
#define PXOS_HEADER_FIELDS(X)                                                                                         \
    X(Magic, MAGIC, "magic `PXOS` (the pixel (80,88,79,83))")                                                         \
    X(Version, VERSION, "ISA version")                                                                                \
    X(KernelEntry, KERNEL_ENTRY, "kernel entry address")                                                              \
    X(SyscallTable, SYSCALL_TABLE, "syscall table address")                                                           \
    X(SyscallCount, SYSCALL_COUNT, "syscall table entries")                                                           \
    X(ProcessTable, PROCESS_TABLE, "process table address")                                                           \
    X(ProcessSlots, PROCESS_SLOTS, "process table slots")                                                             \
    X(PcbWords, PCB_WORDS, "words per PCB")                                                                           \
    X(DisplayX, DISPLAY_X, "display area x")                                                                          \
    X(DisplayY, DISPLAY_Y, "display area y")                                                                          \
    X(DisplayWidth, DISPLAY_WIDTH, "display area width")                                                              \
    X(DisplayHeight, DISPLAY_HEIGHT, "display area height")                                                           \
    X(TrapVector, TRAP_VECTOR, "trap vector (timer and faults)")                                                      \
    X(Palette, PALETTE, "palette address")                                                                            \
    X(PaletteCellWidth, PALETTE_CELL_WIDTH, "palette cell width")                                                     \
    X(OpcodeCount, OPCODE_COUNT, "opcodes in the palette")                                                            \
    X(StoreBase, STORE_BASE, "file store address (0: the image has no store)")                                        \
    X(StoreWords, STORE_WORDS, "file store words")                                                                    \
    X(MemoryBase, MEMORY_BASE, "process partitions: slot n's memory is at MEMORY_BASE + n * PARTITION_WORDS (0: none)") \
    X(PartitionWords, PARTITION_WORDS, "words per process partition")

enum class HeaderField : int {
#define PXOS_HEADER_ENUM(name, symbol, doc) name,
    PXOS_HEADER_FIELDS(PXOS_HEADER_ENUM)
#undef PXOS_HEADER_ENUM
};
inline constexpr int kHeaderRow = 4;
inline constexpr std::uint32_t kMagic = 0x534F5850; // bytes 'P','X','O','S'
inline constexpr int kHeaderWords = 20;

} // namespace pxos::isa

namespace pxos::abi {

struct HeaderFieldInfo {
    isa::HeaderField field;
    std::string_view symbol; // HEADER_<symbol>
    std::string_view doc;
};

inline constexpr std::array kHeaderFields {
#define PXOS_HEADER_INFO(name, symbol, doc) HeaderFieldInfo { isa::HeaderField::name, #symbol, doc },
    PXOS_HEADER_FIELDS(PXOS_HEADER_INFO)
#undef PXOS_HEADER_INFO
};
static_assert(kHeaderFields.size() == std::size_t(isa::kHeaderWords), "PXOS_HEADER_FIELDS: one row per header word");

} // namespace pxos::abi

namespace pxos {

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
    // 0 when the image has no store or no process partitions.
    std::uint32_t store_base = 0;
    std::uint32_t store_words = 0;
    std::uint32_t memory_base = 0;
    std::uint32_t partition_words = 0;
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

} // namespace pxos
