// The desktop window backend of `pxos view --window` (SDL2), compiled only
// when libsdl2-dev is present. Same model and keys as the terminal viewer.
#pragma once

#include "pxos/isa/decoder.hpp"
#include "pxos/image/vram.hpp"

#include <string>

namespace pxos::cli {

struct WindowOptions {
    int width = 1024;
    int height = 768;
    bool outlines = false;
    bool once = false;      // draw one frame and close (with `screenshot`: for tests)
    std::string screenshot; // read the rendered pixels back and save them as a PNG
};

// False when pxos was built without SDL2.
bool window_supported();
int run_window(const SimulatedVRAM& image, const std::string& title, const Palette* palette, const WindowOptions& options);

} // namespace pxos::cli
