// The terminal viewer's model: what part of an image is on screen, at what
// zoom, with which overlays, and the text of a frame (ANSI truecolor
// half-blocks: two pixels per character cell). Pure functions over a state
// struct, so frames and key handling are tested as strings; the CLI owns
// the terminal (raw mode, reading keys, writing only the rows that changed).
#pragma once

#include "pxos/isa/decoder.hpp"
#include "pxos/image/vram.hpp"

#include <string>
#include <utility>
#include <vector>

namespace pxos {

struct ViewState {
    int columns = 80; // terminal size
    int rows = 24;
    int origin_x = 0; // image pixel at the top-left cell
    int origin_y = 0;
    int zoom = 0;     // each image pixel spans 2^zoom half-block pixels (negative: sampling)
    bool outlines = false;
    bool inspector = false;
    bool color = true; // false: NO_COLOR, a plain character rendering
    bool quit = false;
};

// Down to 1/64: a 512x1024 OS image fits an 80x24 terminal at 1/32.
inline constexpr int kMinZoom = -6;
inline constexpr int kMaxZoom = 4;

// Keys as the viewer understands them (arrows arrive as ESC [ A..D).
// Reset goes back to the start: the whole image (fit_view); Actual is 1:1 about the centre.
enum class ViewKey { Up, Down, Left, Right, ZoomIn, ZoomOut, Reset, Actual, Outlines, Inspector, Quit, Other };

// Turns raw terminal input into keys.
std::vector<ViewKey> parse_keys(std::string_view input);
// The largest zoom in kMinZoom..kMaxZoom at which the whole image is on
// screen from origin (0,0) (a small image is magnified); kMinZoom when even
// that cannot show it all.
int fit_zoom(int columns, int rows, int image_width, int image_height);
// The state's view moved to the whole image (fit_zoom at the top-left).
void fit_view(ViewState& state, int image_width, int image_height);
// The pixel the inspector looks at: the centre of the part of the view that
// shows the image (the view's centre, unless the image ends before it).
std::pair<int, int> inspected_pixel(const ViewState& state, int image_width, int image_height);
// Applies a key; the image size bounds panning.
void apply_key(ViewState& state, ViewKey key, int image_width, int image_height);

// The status line: position and zoom, or with the inspector on, the pixel
// under the cursor (at `cursor_x`, `cursor_y`): RGBA, word, region, instruction.
std::string view_status(const SimulatedVRAM& image, const ViewState& state, const Palette* palette, int cursor_x,
    int cursor_y);

// The frame: rows - 1 lines of cells and a status line, each line one string
// with its escape sequences (no cursor movement; no trailing newline).
std::vector<std::string> render_view(const SimulatedVRAM& image, const ViewState& state, const Palette* palette);

} // namespace pxos
