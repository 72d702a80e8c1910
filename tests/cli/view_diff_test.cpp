// `pxos diff` as people run it: the picture at a scale where one pixel
// shows, with its legend, and the JSON's schema and coordinates.
#include "pxos/image/png_io.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

TEST_CASE("pxos diff -o draws a one-pixel change as a scale x scale block with a legend, and --json has schema 1",
    "[cli][diff]")
{
    ScratchDirectory scratch;
    scratch.write("a.pxasm", "LI r1, 5\nHALT\n");
    scratch.write("b.pxasm", "LI r1, 6\nHALT\n");
    REQUIRE(run_pxos("asm a.pxasm -o a.png --width 32", scratch.path()).exit_code == 0);
    REQUIRE(run_pxos("asm b.pxasm -o b.png --width 32", scratch.path()).exit_code == 0);

    auto result = run_pxos("diff a.png b.png -o d.png", scratch.path());
    CHECK(result.exit_code == 1);
    auto picture = pxos::load_png(pxos::test::files(), scratch.file("d.png"));
    REQUIRE(picture.ok());
    CHECK(picture->width() == 2048); // 32x1 at the default 64
    const pxos::RGBA magenta { 255, 0, 255, 255 };
    CHECK(picture->pixel_unchecked(2 * 64 + 32, 32) == magenta); // the immediate at (2,0)
    CHECK_FALSE(picture->pixel_unchecked(1 * 64 + 32, 32) == magenta);
    CHECK(picture->height() > 64 + 40); // the legend

    REQUIRE(run_pxos("diff a.png b.png -o d4.png --scale 4", scratch.path()).exit_code == 1);
    auto scaled = pxos::load_png(pxos::test::files(), scratch.file("d4.png"));
    REQUIRE(scaled.ok());
    CHECK(scaled->width() > 128); // as wide as the legend, wider than 32 pixels at 4
    CHECK(scaled->pixel_unchecked(9, 1) == magenta);
    CHECK_FALSE(scaled->pixel_unchecked(13, 1) == magenta);

    auto bad = run_pxos("diff a.png b.png -o d0.png --scale 0", scratch.path());
    CHECK(bad.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "d0.png"));

    auto json = nlohmann::json::parse(run_pxos("diff a.png b.png --json", scratch.path()).out);
    CHECK(json["schema"] == 1);
    CHECK(json["size_a"] == nlohmann::json::array({ 32, 1 }));
    CHECK(json["regions"][0]["bounds"]["at"] == nlohmann::json::array({ 2, 0 }));
    CHECK(json["first_differences"][0]["pixel"] == nlohmann::json::array({ 2, 0 }));
    CHECK(json["first_differences"][0]["a"] == nlohmann::json::array({ 5, 0, 0, 0 }));
}
