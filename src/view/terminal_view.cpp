#include "pxos/view/terminal_view.hpp"

#include "pxos/image/layout.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace pxos {

std::vector<ViewKey> parse_keys(std::string_view input)
{
    std::vector<ViewKey> keys;
    for (std::size_t i = 0; i < input.size(); ++i) {
        char c = input[i];
        if (c == '\x1b' && i + 2 < input.size() && input[i + 1] == '[') {
            char arrow = input[i + 2];
            keys.push_back(arrow == 'A' ? ViewKey::Up : arrow == 'B' ? ViewKey::Down : arrow == 'C' ? ViewKey::Right
                    : arrow == 'D'                                                               ? ViewKey::Left
                                                                                                 : ViewKey::Other);
            i += 2;
            continue;
        }
        switch (c) {
        case 'k': keys.push_back(ViewKey::Up); break;
        case 'j': keys.push_back(ViewKey::Down); break;
        case 'h': keys.push_back(ViewKey::Left); break;
        case 'l': keys.push_back(ViewKey::Right); break;
        case '+':
        case '=': keys.push_back(ViewKey::ZoomIn); break;
        case '-':
        case '_': keys.push_back(ViewKey::ZoomOut); break;
        case 'r':
        case 'R': keys.push_back(ViewKey::Reset); break;
        case '1': keys.push_back(ViewKey::Actual); break;
        case 'g': keys.push_back(ViewKey::Outlines); break;
        case 'i': keys.push_back(ViewKey::Inspector); break;
        case 'q':
        case 'Q':
        case '\x03': keys.push_back(ViewKey::Quit); break; // Ctrl-C
        default: keys.push_back(ViewKey::Other); break;
        }
    }
    return keys;
}

namespace {

// Image pixels per cell column, as a fraction: pixel = origin + column * numerator / denominator.
struct Scale {
    int numerator;
    int denominator;
};

Scale scale_of(int zoom)
{
    return zoom >= 0 ? Scale { 1, 1 << zoom } : Scale { 1 << -zoom, 1 };
}

int visible_pixels(int cells, int zoom)
{
    Scale scale = scale_of(zoom);
    return std::max(1, cells * scale.numerator / scale.denominator);
}

} // namespace

int fit_zoom(int columns, int rows, int image_width, int image_height)
{
    for (int zoom = kMaxZoom; zoom > kMinZoom; --zoom)
        if (visible_pixels(columns, zoom) >= image_width && visible_pixels(2 * (rows - 1), zoom) >= image_height)
            return zoom;
    return kMinZoom;
}

std::pair<int, int> inspected_pixel(const ViewState& state, int image_width, int image_height)
{
    int view_width = visible_pixels(state.columns, state.zoom);
    int view_height = visible_pixels(2 * std::max(1, state.rows - 1), state.zoom);
    int shown_width = std::max(1, std::min(view_width, image_width - state.origin_x));
    int shown_height = std::max(1, std::min(view_height, image_height - state.origin_y));
    return { state.origin_x + shown_width / 2, state.origin_y + shown_height / 2 };
}

void fit_view(ViewState& state, int image_width, int image_height)
{
    state.zoom = fit_zoom(state.columns, state.rows, image_width, image_height);
    state.origin_x = state.origin_y = 0;
}

void apply_key(ViewState& state, ViewKey key, int image_width, int image_height)
{
    int view_width = visible_pixels(state.columns, state.zoom);
    int view_height = visible_pixels(2 * (state.rows - 1), state.zoom);
    int step_x = std::max(1, view_width / 4), step_y = std::max(1, view_height / 4);
    switch (key) {
    case ViewKey::Up: state.origin_y -= step_y; break;
    case ViewKey::Down: state.origin_y += step_y; break;
    case ViewKey::Left: state.origin_x -= step_x; break;
    case ViewKey::Right: state.origin_x += step_x; break;
    case ViewKey::ZoomIn:
    case ViewKey::ZoomOut:
    case ViewKey::Actual: {
        // Zoom about the centre of what is shown of the image.
        auto [centre_x, centre_y] = inspected_pixel(state, image_width, image_height);
        state.zoom = key == ViewKey::Actual ? 0
                                            : std::clamp(state.zoom + (key == ViewKey::ZoomIn ? 1 : -1), kMinZoom, kMaxZoom);
        state.origin_x = centre_x - visible_pixels(state.columns, state.zoom) / 2;
        state.origin_y = centre_y - visible_pixels(2 * (state.rows - 1), state.zoom) / 2;
        break;
    }
    case ViewKey::Reset: fit_view(state, image_width, image_height); break;
    case ViewKey::Outlines: state.outlines = !state.outlines; break;
    case ViewKey::Inspector: state.inspector = !state.inspector; break;
    case ViewKey::Quit: state.quit = true; break;
    case ViewKey::Other: break;
    }
    view_width = visible_pixels(state.columns, state.zoom);
    view_height = visible_pixels(2 * (state.rows - 1), state.zoom);
    state.origin_x = std::clamp(state.origin_x, std::min(0, image_width - view_width), std::max(0, image_width - view_width));
    state.origin_y = std::clamp(state.origin_y, std::min(0, image_height - view_height), std::max(0, image_height - view_height));
    state.origin_x = std::max(0, state.origin_x);
    state.origin_y = std::max(0, state.origin_y);
}

std::string view_status(const SimulatedVRAM& image, const ViewState& state, const Palette* palette, int cursor_x,
    int cursor_y)
{
    std::string status = fmt::format("({},{}) zoom {}  keys: arrows/hjkl pan, +/- zoom, 1 1:1, r whole image, g regions, "
                                     "i inspect, q quit",
        state.origin_x, state.origin_y,
        state.zoom >= 0 ? fmt::format("{}x", 1 << state.zoom) : fmt::format("1/{}", 1 << -state.zoom));
    if (state.inspector && image.contains(cursor_x, cursor_y)) {
        RGBA pixel = image.pixel_unchecked(cursor_x, cursor_y);
        const Region* region = region_at(cursor_x, cursor_y);
        status = fmt::format("inspect ({},{}) {} word 0x{:08x} {}", cursor_x, cursor_y, pixel.to_string(), pixel.to_word(),
            region ? std::string(region->name) : std::string("(no region)"));
        if (palette) {
            std::uint32_t address = std::uint32_t(cursor_y) * std::uint32_t(image.width()) + std::uint32_t(cursor_x);
            if (auto instruction = decode(image.words(), image.pixel_count(), address, *palette))
                status += "  " + format_instruction(*instruction);
        }
    }
    return status;
}

std::vector<std::string> render_view(const SimulatedVRAM& image, const ViewState& state, const Palette* palette)
{
    Scale scale = scale_of(state.zoom);
    auto pixel_at = [&](int column, int half_row, RGBA& out) {
        int x = state.origin_x + column * scale.numerator / scale.denominator;
        int y = state.origin_y + half_row * scale.numerator / scale.denominator;
        if (!image.contains(x, y))
            return false;
        out = image.pixel_unchecked(x, y);
        if (state.outlines)
            for (const Region& region : layout_regions())
                if (region.rect.contains(x, y) && (x == region.rect.x || y == region.rect.y))
                    out = RGBA { 255, 255, 255, 255 };
        return true;
    };
    int cell_rows = std::max(1, state.rows - 1);
    auto [cursor_x, cursor_y] = inspected_pixel(state, image.width(), image.height());
    int cursor_column = (cursor_x - state.origin_x) * scale.denominator / scale.numerator;
    int cursor_row = (cursor_y - state.origin_y) * scale.denominator / scale.numerator / 2;

    // Region names over the outlines, at each region's top-left cell; a
    // name that would cover an earlier one on its row goes right of it, and
    // what passes the right edge is cut.
    std::vector<std::string> labels(std::size_t(cell_rows), std::string(std::size_t(std::max(0, state.columns)), '\0'));
    if (state.outlines) {
        std::vector<int> free_column(std::size_t(cell_rows), 0);
        for (const Region& region : layout_regions()) {
            if (region.rect.intersected(image.bounds()).empty())
                continue;
            int column = (region.rect.x - state.origin_x) * scale.denominator / scale.numerator;
            int row = (region.rect.y - state.origin_y) * scale.denominator / scale.numerator / 2;
            if (row < 0 || row >= cell_rows || column < 0 || column >= state.columns)
                continue;
            column = std::max(column, free_column[std::size_t(row)]);
            std::string label = fmt::format("[{}]", region.name);
            for (std::size_t i = 0; i < label.size() && column + int(i) < state.columns; ++i)
                labels[std::size_t(row)][std::size_t(column) + i] = label[i];
            free_column[std::size_t(row)] = column + int(label.size());
        }
    }

    static constexpr std::string_view kRamp = " .:-=+*#%@";
    std::vector<std::string> lines;
    for (int row = 0; row < cell_rows; ++row) {
        std::string line;
        RGBA last_top {}, last_bottom {};
        bool have_colours = false, in_label = false;
        for (int column = 0; column < state.columns; ++column) {
            if (char label = labels[std::size_t(row)][std::size_t(column)]) {
                if (state.color && !in_label)
                    line += "\x1b[0m\x1b[1m";
                in_label = true;
                have_colours = false;
                line += label;
                continue;
            }
            if (state.color && in_label)
                line += "\x1b[0m";
            in_label = false;
            RGBA top {}, bottom {};
            bool top_in = pixel_at(column, 2 * row, top);
            bool bottom_in = pixel_at(column, 2 * row + 1, bottom);
            bool cursor_here = state.inspector && column == cursor_column && row == cursor_row;
            if (!state.color) {
                if (cursor_here) {
                    line += '+';
                    continue;
                }
                int brightness = top_in ? (top.r + top.g + top.b) / 3 : 0;
                line += top_in ? kRamp[std::size_t(brightness * int(kRamp.size() - 1) / 255)] : ' ';
                continue;
            }
            if (!top_in)
                top = RGBA { 0, 0, 0, 255 };
            if (!bottom_in)
                bottom = RGBA { 0, 0, 0, 255 };
            if (!have_colours || !(top == last_top)) {
                line += fmt::format("\x1b[38;2;{};{};{}m", top.r, top.g, top.b);
                last_top = top;
            }
            if (!have_colours || !(bottom == last_bottom)) {
                line += fmt::format("\x1b[48;2;{};{};{}m", bottom.r, bottom.g, bottom.b);
                last_bottom = bottom;
            }
            have_colours = true;
            line += cursor_here ? "\x1b[7m+\x1b[27m" : "\u2580";
        }
        if (state.color)
            line += "\x1b[0m";
        lines.push_back(std::move(line));
    }

    std::string status = view_status(image, state, palette, cursor_x, cursor_y);
    if (int(status.size()) > state.columns)
        status.resize(std::size_t(std::max(0, state.columns)));
    lines.push_back(status);
    return lines;
}

} // namespace pxos
