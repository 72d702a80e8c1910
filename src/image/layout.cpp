#include "pxos/image/layout.hpp"

#include <array>

namespace pxos {

namespace {

constexpr std::array kRegions {
    Region { RegionId::Metadata, "metadata", { 0, 0, 512, 16 }, RGBA { 64, 128, 192, 255 },
        "version, boot flags, pointers", Ownership::Kernel },
    Region { RegionId::OpcodePalette, "opcode_palette", { 0, 16, 512, 16 }, std::nullopt,
        "colour -> instruction mapping", Ownership::Kernel },
    Region { RegionId::Kernel, "kernel", { 0, 32, 512, 96 }, RGBA { 40, 40, 60, 255 }, "core OS routines", Ownership::Kernel },
    Region { RegionId::SyscallTable, "syscall_table", { 0, 128, 512, 32 }, RGBA { 60, 40, 80, 255 },
        "system call jump table", Ownership::Kernel },
    Region { RegionId::ProcessTable, "process_table", { 0, 160, 512, 64 }, RGBA { 80, 60, 40, 255 },
        "process control blocks", Ownership::Kernel },
    Region { RegionId::ProgramArea, "program_area", { 0, 224, 512, 288 }, RGBA { 20, 20, 20, 255 },
        "user program space", Ownership::User },
    // Below the seed's 512 rows: only in taller images (pxOS's default is
    // 512x1024). No band: layout_regions keeps the seed's pixels, the
    // kernel's loader clears a partition before it loads a program there,
    // and the store's pixels are its data (format_store writes them).
    Region { RegionId::ProcessMemory, "process_memory", { 0, 512, 512, 256 }, std::nullopt,
        "process partitions: programs spawned from files (slot n at row 512 + 16n)", Ownership::User },
    Region { RegionId::Store, "store", { 0, 768, 512, 256 }, std::nullopt,
        "the file store: superblock, undo log, block map, inodes, data blocks", Ownership::Kernel },
};

} // namespace

std::span<const Region> layout_regions()
{
    return kRegions;
}

const Region& region(RegionId id)
{
    for (const Region& entry : kRegions)
        if (entry.id == id)
            return entry;
    return kRegions.front(); // unreachable: every RegionId has a row
}

const Region* find_region(std::string_view name)
{
    for (const Region& entry : kRegions)
        if (entry.name == name)
            return &entry;
    return nullptr;
}

const Region* region_at(int x, int y)
{
    for (const Region& entry : kRegions)
        if (entry.rect.contains(x, y))
            return &entry;
    return nullptr;
}

} // namespace pxos
