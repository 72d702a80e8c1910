// Pictures of an image for people: nearest-neighbour upscaling with crisp
// pixels, an optional pixel grid, and region outlines with their names
// drawn in a small built-in bitmap font (no font dependency). Also the
// difference of two images, as figures and as a picture.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/image/vram.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

struct RenderOptions {
    int scale = 4;       // 1..64
    bool labels = false; // region outlines and names
    bool grid = false;   // lines between pixels (from scale 4 up)
    VRAMLimits limits;   // the output's size cap
};

Result<SimulatedVRAM> render_image(const SimulatedVRAM& image, const RenderOptions& options);

// Draws text in the built-in 5x7 font (upper-case letters, digits and
// _ : ( ) , . - / # = +) with `size` pixels per font dot; returns the width drawn.
int draw_text(SimulatedVRAM& target, int x, int y, std::string_view text, RGBA colour, int size);

struct RegionDifference {
    std::string region; // a layout region, or "outside"
    std::int64_t changed = 0;
    Rect bounds;        // of the changed pixels
};

struct PixelDifference {
    int x = 0;
    int y = 0;
    RGBA before;
    RGBA after;
};

struct ImageDifference {
    int width_a = 0, height_a = 0, width_b = 0, height_b = 0;
    std::int64_t changed = 0; // in the overlap
    std::vector<RegionDifference> regions; // only regions with changes
    std::vector<PixelDifference> first;    // the first differing pixels, row by row (at most 10)
    bool same_size() const { return width_a == width_b && height_a == height_b; }
    bool equal() const { return changed == 0 && same_size(); }
};

ImageDifference compare_images(const SimulatedVRAM& a, const SimulatedVRAM& b);
// The overlap, unchanged pixels dimmed, changed ones highlighted, regions
// outlined, at 1:1 (what the loop writes every generation).
SimulatedVRAM difference_picture(const SimulatedVRAM& a, const SimulatedVRAM& b);
struct DifferencePictureOptions {
    int scale = 0;     // 1..64; 0: default_difference_scale
    VRAMLimits limits; // the output's size cap
};

// The default --scale of `pxos diff -o`: at least 4 (as `pxos render`'s),
// so a one-pixel change is a 4x4 block that survives a viewer shrinking the
// picture to a screen; a small image more, up to about 2048 pixels wide (a
// 32x1 program: 64); never past 4096 pixels on the long side unless at 1
// (512x512: 4, 2048x2048; 512x1024: 4, 2048x4096; 4096x4096: 1).
int default_difference_scale(int width, int height);

// difference_picture upscaled for people: each pixel `scale` x `scale`, the
// region outlines one pixel thin, changes drawn over them, and below the
// picture a legend of what the dimmed pixels, magenta and the outlines mean
// (in the built-in font), with the count of changed pixels and the scale.
Result<SimulatedVRAM> difference_picture_for_people(const SimulatedVRAM& a, const SimulatedVRAM& b,
    const ImageDifference& difference, const DifferencePictureOptions& options);

std::string difference_to_text(const ImageDifference& difference, const std::string& name_a, const std::string& name_b);
std::string difference_to_json(const ImageDifference& difference);

} // namespace pxos
