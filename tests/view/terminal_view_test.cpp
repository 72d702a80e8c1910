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
    REQUIRE(image.write_pixel(40, 2, pxos::isa::info(pxos::isa::Opcode::LI).color).ok());
    REQUIRE(image.write_pixel(41, 2, RGBA::from_word(1)).ok());
    REQUIRE(image.write_pixel(42, 2, RGBA::from_word(42)).ok());
    state.columns = 80;
    CHECK(pxos::render_view(image, state, &palette).back()
        == "inspect (40,2) (255,128,0,255) word 0xff0080ff metadata  LI r1, 42");
    state.columns = 20;
    CHECK(pxos::render_view(image, state, &palette).back() == "inspect (10,2) (255,");
}

TEST_CASE("keys: arrows and hjkl pan, +/- zoom about the centre, r resets, g i q toggle and quit", "[view]")
{
    CHECK(pxos::parse_keys("\x1b[A\x1b[B\x1b[C\x1b[Dhjkl+-rgiq\x03x")
        == std::vector<ViewKey> { ViewKey::Up, ViewKey::Down, ViewKey::Right, ViewKey::Left, ViewKey::Left,
            ViewKey::Down, ViewKey::Up, ViewKey::Right, ViewKey::ZoomIn, ViewKey::ZoomOut, ViewKey::Reset,
            ViewKey::Outlines, ViewKey::Inspector, ViewKey::Quit, ViewKey::Quit, ViewKey::Other });
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
    pxos::apply_key(state, ViewKey::Reset, 512, 512);
    CHECK(state.zoom == 0);
    CHECK(state.origin_x == 0);
    pxos::apply_key(state, ViewKey::Outlines, 512, 512);
    pxos::apply_key(state, ViewKey::Inspector, 512, 512);
    CHECK(state.outlines);
    CHECK(state.inspector);
    pxos::apply_key(state, ViewKey::Quit, 512, 512);
    CHECK(state.quit);
}
