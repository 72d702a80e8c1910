// The VRAM layout: the one table of regions (name, rectangle, band colour,
// whether the kernel owns it) that steps, evaluator, machine and viewer all
// read. The rectangles are the
// seed prototype's fixed coordinates (designed for 512x512); on other sizes
// they are clipped, exactly as the prototype's fills were.
#pragma once

#include "pxos/image/vram.hpp"

#include <optional>
#include <span>
#include <string_view>

namespace pxos {

enum class Ownership { Kernel, User };

enum class RegionId {
    Metadata,
    OpcodePalette,
    Kernel,
    SyscallTable,
    ProcessTable,
    ProgramArea,
    ProcessMemory,
    Store,
};

struct Region {
    RegionId id;
    std::string_view name;
    Rect rect;
    std::optional<RGBA> band_color; // painted by layout_regions; none keeps the background
    std::string_view purpose;
    // Kernel: no user process may write it (so the display area, which
    // every process may write, must not overlap it).
    Ownership owner;
};

// Every region, top to bottom.
std::span<const Region> layout_regions();
const Region& region(RegionId id);
// Looks a region up by its table name ("kernel"); nullptr when unknown.
const Region* find_region(std::string_view name);
// The region containing (x, y), or nullptr for pixels outside every region.
const Region* region_at(int x, int y);

// The seed's default VRAM size. pxOS's default image is twice as tall: the
// rows from 512 hold the process partitions and the file store, so the
// seed's regions (and its evaluator's samples) stay where they were.
inline constexpr int kOsVRAMHeight = 1024;
// The seed's default VRAM size.
inline constexpr int kDefaultVRAMWidth = 512;
inline constexpr int kDefaultVRAMHeight = 512;

} // namespace pxos
