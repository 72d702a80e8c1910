// What `pxos run` (and `pxos debug`) boots. An OS image (a PNG with a boot
// header) boots as it is. A program boots as a process under the default
// kernel: pxasm source, a program file (`pxos asm --program`) or the image
// plain `pxos asm` writes (a program alone, no header). Its image is the
// default roadmap, ROADMAP_VRAM_OS.yaml (the kernel, the palette, the store
// with /bin/sh and the other user programs), built in memory with that
// roadmap's own processes left out and one add_process step for the
// program in their place: the program runs exactly as a roadmap's process
// would, alone, and can spawn what is in /bin. (ROADMAP_MINIMAL.yaml has no
// kernel: it is where the loop starts, not an OS.) Nothing is written.
#pragma once

#include "pxos/asm/source_map.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/image/vram.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pxos::cli {

struct BootableImage {
    SimulatedVRAM vram;
    std::string name; // what messages call it: the path, or "stdin" for `-`
    // A program's: the kernel's and the program's pxasm lines. An OS image's
    // comes from beside it (load_source_map), not from here.
    std::optional<SourceMap> source_map;
    bool program = false; // booted as a process under the default kernel
};

// The image at `path` (`-`: stdin) ready to boot, as above.
Result<BootableImage> load_bootable(const std::string& path, const CapValues& caps);

// Where the default roadmap is looked for, in order: beside the binary as
// `make install` puts it (BINDIR/../share/pxos/roadmaps), then the source
// tree pxos was built from.
std::vector<std::string> roadmap_folders();

} // namespace pxos::cli
