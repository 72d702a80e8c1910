#include "pxos/png_io.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <zlib.h>

using pxos::RGBA;
using pxos::SimulatedVRAM;
using pxos::test::make_png;

namespace {

SimulatedVRAM decode_ok(const std::vector<std::uint8_t>& bytes)
{
    auto vram = pxos::decode_png(bytes, "test.png");
    if (!vram.ok())
        FAIL(vram.error().message());
    return std::move(vram).value();
}

std::string decode_error(const std::vector<std::uint8_t>& bytes)
{
    auto vram = pxos::decode_png(bytes, "bad.png");
    REQUIRE_FALSE(vram.ok());
    CHECK(vram.error().kind() == pxos::ErrorKind::BadInput);
    return vram.error().message();
}

std::vector<std::uint8_t> valid_png()
{
    auto vram = SimulatedVRAM::create(4, 3);
    REQUIRE(vram.ok());
    vram->fill_rect(pxos::Rect { 1, 1, 2, 2 }, RGBA { 200, 100, 50, 25 });
    return pxos::encode_png(*vram).value();
}

} // namespace

TEST_CASE("PNG encode then decode gives back the exact pixels", "[png]")
{
    std::mt19937 random(42);
    for (auto [width, height] : { std::pair { 1, 1 }, std::pair { 37, 5 }, std::pair { 256, 300 } }) {
        auto vram = SimulatedVRAM::create(width, height);
        REQUIRE(vram.ok());
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                REQUIRE(vram->write_pixel(x, y, RGBA::from_word(std::uint32_t(random()))).ok());
        auto encoded = pxos::encode_png(*vram);
        REQUIRE(encoded.ok());
        SimulatedVRAM decoded = decode_ok(*encoded);
        CHECK(decoded == *vram);
        // Deterministic: the same pixels give the same bytes.
        CHECK(pxos::encode_png(*vram).value() == *encoded);
    }
}

TEST_CASE("every PNG colour type and bit depth loads as RGBA8", "[png]")
{
    SECTION("greyscale 8-bit")
    {
        auto vram = decode_ok(make_png(2, 1, 8, 0, { 0, 7, 200 }));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 7, 7, 7, 255 });
        CHECK(vram.read_pixel(1, 0).value() == RGBA { 200, 200, 200, 255 });
    }
    SECTION("greyscale 1-bit scales to 0 and 255")
    {
        auto vram = decode_ok(make_png(3, 1, 1, 0, { 0, 0b10100000 }));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 255, 255, 255, 255 });
        CHECK(vram.read_pixel(1, 0).value() == RGBA { 0, 0, 0, 255 });
        CHECK(vram.read_pixel(2, 0).value() == RGBA { 255, 255, 255, 255 });
    }
    SECTION("greyscale 4-bit scales by 17")
    {
        auto vram = decode_ok(make_png(2, 1, 4, 0, { 0, 0x3f }));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 51, 51, 51, 255 });
        CHECK(vram.read_pixel(1, 0).value() == RGBA { 255, 255, 255, 255 });
    }
    SECTION("greyscale 16-bit keeps the high byte")
    {
        auto vram = decode_ok(make_png(1, 1, 16, 0, { 0, 0xab, 0xcd }));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 0xab, 0xab, 0xab, 255 });
    }
    SECTION("greyscale with alpha 8-bit")
    {
        auto vram = decode_ok(make_png(1, 1, 8, 4, { 0, 90, 30 }));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 90, 90, 90, 30 });
    }
    SECTION("RGB 8-bit and 16-bit are opaque")
    {
        CHECK(decode_ok(make_png(1, 1, 8, 2, { 0, 1, 2, 3 })).read_pixel(0, 0).value() == RGBA { 1, 2, 3, 255 });
        CHECK(decode_ok(make_png(1, 1, 16, 2, { 0, 1, 0, 2, 0, 3, 0 })).read_pixel(0, 0).value()
            == RGBA { 1, 2, 3, 255 });
    }
    SECTION("RGBA 8-bit and 16-bit")
    {
        CHECK(decode_ok(make_png(1, 1, 8, 6, { 0, 1, 2, 3, 4 })).read_pixel(0, 0).value() == RGBA { 1, 2, 3, 4 });
        CHECK(decode_ok(make_png(1, 1, 16, 6, { 0, 9, 0, 8, 0, 7, 0, 6, 0 })).read_pixel(0, 0).value()
            == RGBA { 9, 8, 7, 6 });
    }
    SECTION("palette with transparency")
    {
        auto vram = decode_ok(make_png(2, 1, 8, 3, { 0, 1, 0 }, { 10, 20, 30, 40, 50, 60 }, { 128 }));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 40, 50, 60, 255 });
        CHECK(vram.read_pixel(1, 0).value() == RGBA { 10, 20, 30, 128 });
    }
    SECTION("palette 2-bit")
    {
        auto vram = decode_ok(make_png(2, 1, 2, 3, { 0, 0b10010000 }, { 1, 1, 1, 2, 2, 2, 3, 3, 3 }));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 3, 3, 3, 255 });
        CHECK(vram.read_pixel(1, 0).value() == RGBA { 2, 2, 2, 255 });
    }
    SECTION("interlaced")
    {
        auto vram = decode_ok(make_png(1, 1, 8, 6, { 0, 5, 6, 7, 8 }, {}, {}, 1));
        CHECK(vram.read_pixel(0, 0).value() == RGBA { 5, 6, 7, 8 });
    }
}

TEST_CASE("malformed PNGs are refused with a message that says what is wrong", "[png][malformed]")
{
    std::vector<std::uint8_t> good = valid_png();
    REQUIRE(pxos::decode_png(good, "good.png").ok());

    CHECK(decode_error({}) == "bad.png: error: not a PNG file (the 8-byte PNG signature is missing)");
    std::vector<std::uint8_t> text = { 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd' };
    CHECK(decode_error(text) == "bad.png: error: not a PNG file (the 8-byte PNG signature is missing)");

    SECTION("truncated anywhere")
    {
        for (std::size_t length = 8; length < good.size(); ++length) {
            std::vector<std::uint8_t> truncated(good.begin(), good.begin() + std::ptrdiff_t(length));
            auto result = pxos::decode_png(truncated, "cut.png");
            INFO("length " << length);
            CHECK_FALSE(result.ok());
        }
        std::vector<std::uint8_t> no_end(good.begin(), good.end() - 12);
        CHECK(decode_error(no_end) == "bad.png: error: truncated: the file ends before the IEND chunk");
        std::vector<std::uint8_t> mid_chunk(good.begin(), good.begin() + 20);
        CHECK(decode_error(mid_chunk)
            == "bad.png: error: chunk 'IHDR' at byte 8 declares 13 bytes of data but only 0 remain in the file");
    }
    SECTION("bad CRC")
    {
        std::vector<std::uint8_t> corrupt = good;
        corrupt[20] ^= 0x01; // inside IHDR's data
        CHECK(decode_error(corrupt).rfind("bad.png: error: chunk 'IHDR' at byte 8 has a bad CRC (stored ", 0) == 0);
    }
    SECTION("a chunk that declares more bytes than the file holds (the 170-byte 1 GiB IDAT)")
    {
        auto bomb = pxos::test::read_bytes(pxos::test::source_path("tests/inputs/malformed/idat_declares_1gib.png"));
        REQUIRE(bomb.size() == 170);
        CHECK(decode_error(bomb)
            == "bad.png: error: chunk 'IDAT' at byte 33 declares 1073741824 bytes of data but only 125 remain in the "
               "file");
    }
    SECTION("huge or empty declared sizes")
    {
        CHECK(decode_error(make_png(100000, 100000, 8, 6, { 0 }))
            == "bad.png: error: image size 100000x100000 is out of range: width and height must be 1..16384");
        CHECK(decode_error(make_png(0, 5, 8, 6, { 0 }))
            == "bad.png: error: image size 0x5 is out of range: width and height must be 1..16384");
        CHECK(decode_error(make_png(16384, 16384, 8, 6, { 0 }))
            == "bad.png: error: VRAM size 16384x16384 needs 1024 MiB, over the VRAM memory cap of 256 MiB (raise it with "
            "--max-vram-mib, up to 1024 MiB)");
    }
    SECTION("invalid header fields")
    {
        CHECK(decode_error(make_png(1, 1, 3, 6, { 0 }))
            == "bad.png: error: IHDR has an invalid colour type 6 with bit depth 3");
        CHECK(decode_error(make_png(1, 1, 8, 6, { 0 }, {}, {}, 2))
            == "bad.png: error: IHDR has an unknown compression, filter or interlace method");
    }
    SECTION("image data that is not deflate, or too short")
    {
        std::vector<std::uint8_t> png = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        auto header = pxos::test::png_chunk("IHDR", { 0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0, 0, 0 });
        auto data = pxos::test::png_chunk("IDAT", { 1, 2, 3, 4, 5, 6 });
        auto end = pxos::test::png_chunk("IEND", {});
        for (auto* chunk : { &header, &data, &end })
            png.insert(png.end(), chunk->begin(), chunk->end());
        CHECK(decode_error(png).rfind("bad.png: error: cannot decode PNG data: ", 0) == 0);
        CHECK(decode_error(make_png(4, 4, 8, 6, { 0, 1, 2 })).rfind("bad.png: error: cannot decode PNG data: ", 0)
            == 0);
    }
    SECTION("image data that inflates far beyond its declared size")
    {
        std::vector<std::uint8_t> zeros(std::size_t(32) << 20, 0);
        auto vram = pxos::decode_png(make_png(1, 1, 8, 6, zeros), "bomb.png");
        // Either refused or decoded from the first scanline; never 32 MiB+ of allocations.
        if (vram.ok())
            CHECK(vram->read_pixel(0, 0).value() == RGBA { 0, 0, 0, 0 });
        else
            CHECK(vram.error().message().rfind("bomb.png: error: cannot decode PNG data: ", 0) == 0);
    }
}

TEST_CASE("load_png names the file when it cannot be read", "[png]")
{
    pxos::test::ScratchDirectory scratch;
    auto missing = pxos::load_png(scratch.file("nope.png"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message() == scratch.file("nope.png") + ": error: cannot open: No such file or directory");
    auto folder = pxos::load_png(scratch.path().string());
    CHECK(folder.error().message() == scratch.path().string() + ": error: is a directory, expected a file");
}

TEST_CASE("save_png writes a decodable file and refuses a directory", "[png]")
{
    pxos::test::ScratchDirectory scratch;
    auto vram = SimulatedVRAM::create(3, 3);
    REQUIRE(vram.ok());
    REQUIRE(pxos::save_png(scratch.file("deep/er/out.png"), *vram).ok());
    auto loaded = pxos::load_png(scratch.file("deep/er/out.png"));
    REQUIRE(loaded.ok());
    CHECK(*loaded == *vram);
    auto refused = pxos::save_png(scratch.file("deep"), *vram);
    CHECK(refused.error().message() == scratch.file("deep") + ": error: output path is a directory, expected a file name");
}
