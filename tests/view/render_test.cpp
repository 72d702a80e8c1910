#include "pxos/view/render.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pxos::Rect;
using pxos::RGBA;
using pxos::SimulatedVRAM;

TEST_CASE("the bitmap font draws glyphs dot by dot", "[render]")
{
    auto image = SimulatedVRAM::create(12, 7).value();
    RGBA white { 255, 255, 255, 255 };
    CHECK(pxos::draw_text(image, 0, 0, "i1", white, 1) == 12); // lower case draws as upper case
    // 'I' is 0x0E, 0x04 x5, 0x0E: the top row has dots at columns 1-3.
    CHECK(image.pixel_unchecked(0, 0) == RGBA { 0, 0, 0, 255 });
    CHECK(image.pixel_unchecked(1, 0) == white);
    CHECK(image.pixel_unchecked(3, 0) == white);
    CHECK(image.pixel_unchecked(4, 0) == RGBA { 0, 0, 0, 255 });
    CHECK(image.pixel_unchecked(2, 3) == white);
    CHECK(image.pixel_unchecked(1, 3) == RGBA { 0, 0, 0, 255 });
    // '1' starts at x = 6: 0x04 on the top row.
    CHECK(image.pixel_unchecked(8, 0) == white);
    CHECK(image.pixel_unchecked(7, 0) == RGBA { 0, 0, 0, 255 });
}

TEST_CASE("render scales pixels exactly, makes them opaque, and draws a grid", "[render]")
{
    auto image = SimulatedVRAM::create(2, 2).value();
    REQUIRE(image.write_pixel(1, 0, RGBA { 10, 20, 30, 0 }).ok());
    pxos::RenderOptions options;
    options.scale = 3;
    auto scaled = pxos::render_image(image, options);
    REQUIRE(scaled.ok());
    CHECK(scaled->width() == 6);
    CHECK(scaled->height() == 6);
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 6; ++x)
            CHECK(scaled->pixel_unchecked(x, y) == (x >= 3 && y < 3 ? RGBA { 10, 20, 30, 255 } : RGBA { 0, 0, 0, 255 }));

    options.scale = 4;
    options.grid = true;
    REQUIRE(image.write_pixel(0, 0, RGBA { 200, 200, 200, 255 }).ok());
    auto gridded_light = pxos::render_image(image, options).value();
    CHECK(gridded_light.pixel_unchecked(0, 1) == RGBA { 0, 0, 0, 255 }); // grid line at x = 0
    CHECK(gridded_light.pixel_unchecked(1, 1) == RGBA { 200, 200, 200, 255 });
    CHECK(gridded_light.pixel_unchecked(1, 0) == RGBA { 0, 0, 0, 255 }); // grid line at y = 0
    options.scale = 65;
    CHECK(pxos::render_image(image, options).error().message() == "error: --scale 65 is out of range 1..64");
}

TEST_CASE("render --labels outlines every region and names it", "[render]")
{
    auto image = SimulatedVRAM::create(512, 512).value();
    pxos::RenderOptions options;
    options.scale = 2;
    options.labels = true;
    auto labelled = pxos::render_image(image, options).value();
    RGBA white { 255, 255, 255, 255 };
    CHECK(labelled.pixel_unchecked(0, 0) == white);       // the metadata outline
    CHECK(labelled.pixel_unchecked(500, 64) == white);    // the kernel's top edge (y = 32 * 2)
    CHECK(labelled.pixel_unchecked(300, 300) == RGBA { 0, 0, 0, 255 });
    // The kernel's name, right-aligned and vertically centred in its band.
    int text_pixels = 0;
    for (int y = 150; y < 170; ++y)
        for (int x = 900; x < 1020; ++x)
            text_pixels += labelled.pixel_unchecked(x, y) == white;
    CHECK(text_pixels > 40);
}

TEST_CASE("compare_images counts changes per region with bounds and the first pixels", "[render][diff]")
{
    auto a = SimulatedVRAM::create(512, 512).value();
    auto b = a;
    CHECK(pxos::compare_images(a, b).equal());
    REQUIRE(b.write_pixel(5, 40, RGBA { 1, 2, 3, 4 }).ok());
    REQUIRE(b.write_pixel(9, 50, RGBA { 1, 2, 3, 4 }).ok());
    b.fill_rect(Rect { 10, 400, 3, 2 }, RGBA { 9, 9, 9, 255 });
    auto difference = pxos::compare_images(a, b);
    CHECK(difference.changed == 8);
    REQUIRE(difference.regions.size() == 2);
    CHECK(difference.regions[0].region == "kernel");
    CHECK(difference.regions[0].changed == 2);
    CHECK(difference.regions[0].bounds == Rect { 5, 40, 5, 11 });
    CHECK(difference.regions[1].region == "program_area");
    CHECK(difference.regions[1].bounds == Rect { 10, 400, 3, 2 });
    CHECK(difference.first[0].x == 5);
    CHECK(difference.first[0].after == RGBA { 1, 2, 3, 4 });
    auto json = nlohmann::json::parse(pxos::difference_to_json(difference));
    CHECK(json["changed_pixels"] == 8);
    CHECK(json["schema"] == 1);
    CHECK(json["regions"][1]["bounds"]["at"] == nlohmann::json::array({ 10, 400 }));
    CHECK(json["regions"][1]["bounds"]["size"] == nlohmann::json::array({ 3, 2 }));
    CHECK(json["first_differences"][0]["pixel"] == nlohmann::json::array({ 5, 40 }));
    CHECK(json["first_differences"][0]["b"] == nlohmann::json::array({ 1, 2, 3, 4 }));

    auto small = SimulatedVRAM::create(4, 4).value();
    auto sized = pxos::compare_images(small, a);
    CHECK_FALSE(sized.equal());
    CHECK(sized.changed == 0);
    CHECK(pxos::difference_to_text(sized, "s.png", "a.png")
        == "sizes differ: s.png is 4x4, a.png is 512x512; comparing the 4x4 overlap\nthe overlap is equal\n");

    REQUIRE(a.write_pixel(300, 300, RGBA { 200, 101, 43, 128 }).ok());
    REQUIRE(b.write_pixel(300, 300, RGBA { 200, 101, 43, 128 }).ok());
    auto picture = pxos::difference_picture(a, b);
    CHECK(picture.pixel_unchecked(5, 40) == RGBA { 255, 0, 255, 255 });
    CHECK(picture.pixel_unchecked(11, 401) == RGBA { 255, 0, 255, 255 });
    CHECK(picture.pixel_unchecked(100, 100) == RGBA { 0, 0, 0, 255 }); // dimmed black stays black
    CHECK(picture.pixel_unchecked(300, 300) == RGBA { 50, 25, 10, 255 }); // a quarter of each channel, opaque
}

TEST_CASE("the difference for people: a one-pixel change a scale x scale block, thin outlines, a legend below",
    "[render][diff]")
{
    CHECK(pxos::default_difference_scale(512, 512) == 4);
    CHECK(pxos::default_difference_scale(512, 1024) == 4);  // 2048x4096
    CHECK(pxos::default_difference_scale(2048, 1024) == 2); // never past 4096
    CHECK(pxos::default_difference_scale(32, 1) == 64);     // a small program: about 2048 wide
    CHECK(pxos::default_difference_scale(8192, 10) == 1);

    auto a = SimulatedVRAM::create(512, 512).value();
    auto b = a;
    REQUIRE(b.write_pixel(5, 300, RGBA { 1, 2, 3, 255 }).ok());
    auto difference = pxos::compare_images(a, b);
    auto picture = pxos::difference_picture_for_people(a, b, difference, pxos::DifferencePictureOptions {});
    REQUIRE(picture.ok());
    CHECK(picture->width() == 2048);
    REQUIRE(picture->height() > 2048 + 40); // the legend's four lines below
    const RGBA magenta { 255, 0, 255, 255 }, grey { 90, 90, 90, 255 }, white { 255, 255, 255, 255 };
    for (int y = 1200; y < 1204; ++y)
        for (int x = 20; x < 24; ++x)
            CHECK(picture->pixel_unchecked(x, y) == magenta);
    CHECK_FALSE(picture->pixel_unchecked(24, 1200) == magenta);
    CHECK(picture->pixel_unchecked(100, 512) == grey);    // the syscall table's top edge (y 128 at 4)
    CHECK_FALSE(picture->pixel_unchecked(100, 513) == grey); // one pixel thin
    int legend_white = 0, legend_magenta = 0;
    for (int y = 2048; y < picture->height(); ++y)
        for (int x = 0; x < 400; ++x) {
            legend_white += picture->pixel_unchecked(x, y) == white;
            legend_magenta += picture->pixel_unchecked(x, y) == magenta;
        }
    CHECK(legend_white > 500);
    CHECK(legend_magenta == 14 * 14); // the swatch of "changed: 1 pixel"

    // A tiny image gets a picture as wide as its legend; a bad scale is refused.
    auto tiny_a = SimulatedVRAM::create(2, 2).value(), tiny_b = tiny_a;
    REQUIRE(tiny_b.write_pixel(1, 1, RGBA { 9, 9, 9, 255 }).ok());
    pxos::DifferencePictureOptions options;
    options.scale = 2;
    auto tiny = pxos::difference_picture_for_people(tiny_a, tiny_b, pxos::compare_images(tiny_a, tiny_b), options);
    REQUIRE(tiny.ok());
    CHECK(tiny->width() > 300);
    CHECK(tiny->pixel_unchecked(3, 3) == magenta);
    CHECK_FALSE(tiny->pixel_unchecked(1, 1) == magenta);
    options.scale = 65;
    CHECK_FALSE(pxos::difference_picture_for_people(tiny_a, tiny_b, pxos::compare_images(tiny_a, tiny_b), options).ok());
}
