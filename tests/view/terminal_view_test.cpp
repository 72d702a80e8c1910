#include "pxos/view/terminal_view.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

using pxos::RGBA;
using pxos::ViewKey;

namespace {

pxos::SimulatedVRAM tiny()
{
    // 2x2: red, green / blue, white.
    auto image = pxos::SimulatedVRAM::create(2, 2).value();
    REQUIRE(image.write_pixel(0, 0, RGBA { 255, 0, 0, 255 }).ok());
    REQUIRE(image.write_pixel(1, 0, RGBA { 0, 255, 0, 255 }).ok());
    REQUIRE(image.write_pixel(0, 1, RGBA { 0, 0, 255, 255 }).ok());
    REQUIRE(image.write_pixel(1, 1, RGBA { 255, 255, 255, 255 }).ok());
    return image;
}

} // namespace

TEST_CASE("a frame is truecolor half-blocks, two pixels per cell, colours set only when they change", "[view]")
{
    pxos::ViewState state;
    state.columns = 3;
    state.rows = 2; // one row of cells and the status line
    auto lines = pxos::render_view(tiny(), state, nullptr);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0]
        == "\x1b[38;2;255;0;0m\x1b[48;2;0;0;255m\u2580"
           "\x1b[38;2;0;255;0m\x1b[48;2;255;255;255m\u2580"
           "\x1b[38;2;0;0;0m\x1b[48;2;0;0;0m\u2580\x1b[0m");
    CHECK(lines[1] == "(0,"); // the status line, cut to the terminal's width
}

TEST_CASE("zoom spans pixels over cells, or samples below 1:1", "[view]")
{
    pxos::ViewState state;
    state.columns = 4;
    state.rows = 3;
    state.zoom = 1; // each pixel 2x2 half-blocks
    auto lines = pxos::render_view(tiny(), state, nullptr);
    CHECK(lines[0] == "\x1b[38;2;255;0;0m\x1b[48;2;255;0;0m\u2580\u2580\x1b[38;2;0;255;0m\x1b[48;2;0;255;0m\u2580\u2580\x1b[0m");
    state.zoom = -1; // every other pixel
    state.columns = 1;
    state.rows = 2;
    auto sampled = pxos::render_view(tiny(), state, nullptr);
    CHECK(sampled[0] == "\x1b[38;2;255;0;0m\x1b[48;2;0;0;0m\u2580\x1b[0m");
}

TEST_CASE("NO_COLOR renders plain characters, and the inspector marks and describes a pixel", "[view]")
{
    pxos::ViewState state;
    state.columns = 2;
    state.rows = 2;
    state.color = false;
    auto lines = pxos::render_view(tiny(), state, nullptr);
    CHECK(lines[0] == "--"); // red and green are equally bright
    // The inspector: the centre cell is marked, the status line decodes the pixel.
    auto image = pxos::SimulatedVRAM::create(64, 64).value();
    REQUIRE(image.write_pixel(10, 2, pxos::isa::info(pxos::isa::Opcode::LI).color).ok());
    REQUIRE(image.write_pixel(11, 2, RGBA::from_word(1)).ok());
    REQUIRE(image.write_pixel(12, 2, RGBA::from_word(42)).ok());
    state.columns = 20;
    state.rows = 3;
    state.inspector = true;
    auto palette = pxos::Palette::canonical();
    auto inspected = pxos::render_view(image, state, &palette);
    CHECK(inspected[1][10] == '+');
    REQUIRE(image.write_pixel(32, 2, pxos::isa::info(pxos::isa::Opcode::LI).color).ok());
    REQUIRE(image.write_pixel(33, 2, RGBA::from_word(1)).ok());
    REQUIRE(image.write_pixel(34, 2, RGBA::from_word(42)).ok());
    state.columns = 80; // wider than the image: the centre of the 64 pixels shown, not of the 80 columns
    CHECK(pxos::render_view(image, state, &palette).back()
        == "inspect (32,2) (255,128,0,255) word 0xff0080ff metadata  LI r1, 42");
    state.columns = 20;
    CHECK(pxos::render_view(image, state, &palette).back() == "inspect (10,2) (255,");
}

TEST_CASE("keys: arrows and hjkl pan, +/- and 1 zoom about the centre, r shows the whole image, g i q toggle and quit", "[view]")
{
    CHECK(pxos::parse_keys("\x1b[A\x1b[B\x1b[C\x1b[Dhjkl+-r1giq\x03x")
        == std::vector<ViewKey> { ViewKey::Up, ViewKey::Down, ViewKey::Right, ViewKey::Left, ViewKey::Left,
            ViewKey::Down, ViewKey::Up, ViewKey::Right, ViewKey::ZoomIn, ViewKey::ZoomOut, ViewKey::Reset,
            ViewKey::Actual, ViewKey::Outlines, ViewKey::Inspector, ViewKey::Quit, ViewKey::Quit, ViewKey::Other });
    pxos::ViewState state;
    state.columns = 80;
    state.rows = 21; // 40 pixel rows
    pxos::apply_key(state, ViewKey::Right, 512, 512);
    CHECK(state.origin_x == 20);
    pxos::apply_key(state, ViewKey::Down, 512, 512);
    CHECK(state.origin_y == 10);
    pxos::apply_key(state, ViewKey::Up, 512, 512);
    pxos::apply_key(state, ViewKey::Up, 512, 512);
    CHECK(state.origin_y == 0); // clamped at the edge
    pxos::apply_key(state, ViewKey::ZoomIn, 512, 512);
    CHECK(state.zoom == 1);
    CHECK(state.origin_x == 40); // the centre (60,20) stays in the centre
    for (int i = 0; i < 10; ++i)
        pxos::apply_key(state, ViewKey::ZoomOut, 512, 512);
    CHECK(state.zoom == pxos::kMinZoom);
    pxos::apply_key(state, ViewKey::Actual, 512, 512);
    CHECK(state.zoom == 0); // about the centre of the image shown, (256,256)
    CHECK(state.origin_x == 216);
    CHECK(state.origin_y == 236);
    pxos::apply_key(state, ViewKey::Right, 512, 512);
    pxos::apply_key(state, ViewKey::Reset, 512, 512);
    CHECK(state.zoom == -4); // back to the whole image: 80 columns show 1280 pixels, 40 rows 640
    CHECK(state.origin_x == 0);
    pxos::apply_key(state, ViewKey::Outlines, 512, 512);
    pxos::apply_key(state, ViewKey::Inspector, 512, 512);
    CHECK(state.outlines);
    CHECK(state.inspector);
    pxos::apply_key(state, ViewKey::Quit, 512, 512);
    CHECK(state.quit);
}

TEST_CASE("the view starts with the whole image: the largest zoom at which it fits", "[view]")
{
    // 80x24: 80 columns and 46 half-block rows.
    CHECK(pxos::fit_zoom(80, 24, 512, 1024) == -5); // 1/32: 2560 x 1472 pixels
    CHECK(pxos::fit_zoom(80, 24, 512, 512) == -4);  // 1/16: 736 rows, where 1/8 gives 368
    CHECK(pxos::fit_zoom(120, 40, 512, 512) == -3); // 1/8: 960 x 624
    CHECK(pxos::fit_zoom(80, 24, 80, 46) == 0);
    CHECK(pxos::fit_zoom(80, 24, 2, 2) == pxos::kMaxZoom); // small images are magnified
    CHECK(pxos::fit_zoom(80, 24, 100000, 10) == pxos::kMinZoom); // as much as there is
    pxos::ViewState state;
    state.columns = 80;
    state.rows = 24;
    state.origin_x = 50;
    state.zoom = 2;
    pxos::fit_view(state, 512, 1024);
    CHECK(state.zoom == -5);
    CHECK(state.origin_x == 0);
    CHECK(pxos::render_view(tiny(), state, nullptr).back().rfind("(0,0) zoom 1/32", 0) == 0);
}

TEST_CASE("region names sit on their rows side by side, never past the right edge", "[view]")
{
    auto image = pxos::SimulatedVRAM::create(512, 512).value();
    pxos::ViewState state;
    state.columns = 30;
    state.rows = 3;
    state.zoom = -6; // 64 pixels a cell: metadata, opcode_palette and kernel start in the first row
    state.outlines = true;
    state.color = false;
    auto lines = pxos::render_view(image, state, nullptr);
    CHECK(lines[0] == "[metadata][opcode_palette][ker");
    CHECK(lines[1] == "[syscall_table][process_table]"); // [program_area] has no room left
    state.color = true;
    lines = pxos::render_view(image, state, nullptr);
    CHECK(lines[0] == "\x1b[0m\x1b[1m[metadata][opcode_palette][ker\x1b[0m");
    state.columns = 40;
    lines = pxos::render_view(image, state, nullptr);
    CHECK(lines[1] == "\x1b[0m\x1b[1m[syscall_table][process_table][program_a\x1b[0m");
    CHECK(lines[0].rfind("\x1b[0m\x1b[1m[metadata][opcode_palette][kernel]\x1b[0m\x1b[38;2;0;0;0m\x1b[48;2;0;0;0m\u2580", 0)
        == 0);
}
