#include "pxos/image/png_io.hpp"
#include "pxos/host/posix/thread_executor.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
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
    pxos::SerialExecutor serial;
    return pxos::encode_png(*vram, serial).value();
}

} // namespace

TEST_CASE("PNG encode then decode gives back the exact pixels", "[png]")
{
    pxos::ThreadExecutor executor;
    std::mt19937 random(42);
    for (auto [width, height] : { std::pair { 1, 1 }, std::pair { 37, 5 }, std::pair { 256, 300 } }) {
        auto vram = SimulatedVRAM::create(width, height);
        REQUIRE(vram.ok());
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                REQUIRE(vram->write_pixel(x, y, RGBA::from_word(std::uint32_t(random()))).ok());
        auto encoded = pxos::encode_png(*vram, executor);
        REQUIRE(encoded.ok());
        SimulatedVRAM decoded = decode_ok(*encoded);
        CHECK(decoded == *vram);
        // Deterministic: the same pixels give the same bytes.
        CHECK(pxos::encode_png(*vram, executor).value() == *encoded);
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
        CHECK(decode_error(png)
            == "bad.png: error: zlib header at byte 41 is 0102: expected deflate (method 8) with a window of at most "
               "32 KiB");
        CHECK(decode_error(make_png(4, 4, 8, 6, { 0, 1, 2 }))
            == "bad.png: error: cannot decode PNG data: not enough pixels: the zlib stream at byte 41 inflates to 3 "
               "bytes, the 4x4 image needs 68 bytes");
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
    auto missing = pxos::load_png(pxos::test::files(), scratch.file("nope.png"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message() == scratch.file("nope.png") + ": error: cannot open: No such file or directory");
    auto folder = pxos::load_png(pxos::test::files(), scratch.path().string());
    CHECK(folder.error().message() == scratch.path().string() + ": error: is a directory, expected a file");
}

TEST_CASE("save_png writes a decodable file and refuses a directory", "[png]")
{
    pxos::test::ScratchDirectory scratch;
    auto vram = SimulatedVRAM::create(3, 3);
    REQUIRE(vram.ok());
    pxos::ThreadExecutor executor;
    REQUIRE(pxos::save_png(pxos::test::files(), scratch.file("deep/er/out.png"), *vram, executor).ok());
    auto loaded = pxos::load_png(pxos::test::files(), scratch.file("deep/er/out.png"));
    REQUIRE(loaded.ok());
    CHECK(*loaded == *vram);
    auto refused = pxos::save_png(pxos::test::files(), scratch.file("deep"), *vram, executor);
    CHECK(refused.error().message() == scratch.file("deep") + ": error: output path is a directory, expected a file name");
}

namespace {

// The zlib stream of `raw` (level 6, as most writers use).
std::vector<std::uint8_t> zlib_of(const std::vector<std::uint8_t>& raw)
{
    uLongf bound = compressBound(uLong(raw.size()));
    std::vector<std::uint8_t> compressed(bound);
    REQUIRE(compress2(compressed.data(), &bound, raw.data(), uLong(raw.size()), 6) == Z_OK);
    compressed.resize(bound);
    return compressed;
}

// A PNG whose IDATs hold `stream` exactly as given (split into `pieces` chunks).
std::vector<std::uint8_t> png_with_stream(std::uint32_t width, std::uint32_t height, int depth, int color_type,
    const std::vector<std::uint8_t>& stream, const std::vector<std::uint8_t>& palette = {}, std::size_t pieces = 1)
{
    std::vector<std::uint8_t> png = make_png(width, height, depth, color_type, { 0 }, palette);
    // Keep the signature, IHDR and PLTE; drop make_png's IDAT and IEND.
    std::size_t keep = 33 + (palette.empty() ? 0 : 12 + palette.size());
    png.resize(keep);
    std::size_t size = (stream.size() + pieces - 1) / pieces;
    for (std::size_t at = 0; at < stream.size(); at += size) {
        auto chunk = pxos::test::png_chunk("IDAT",
            { stream.begin() + std::ptrdiff_t(at), stream.begin() + std::ptrdiff_t(std::min(stream.size(), at + size)) });
        png.insert(png.end(), chunk.begin(), chunk.end());
    }
    auto end = pxos::test::png_chunk("IEND", {});
    png.insert(png.end(), end.begin(), end.end());
    return png;
}

} // namespace

TEST_CASE("a palette index past the PLTE entries is bad input at every bit depth", "[png][malformed]")
{
    // Two entries; the second pixel of the row uses index 2 (1-bit: a third
    // entry cannot be named, so the palette has one entry and index 1 is used).
    std::vector<std::uint8_t> two = { 1, 2, 3, 4, 5, 6 };
    CHECK(decode_error(make_png(2, 1, 1, 3, { 0, 0b01000000 }, { 1, 2, 3 }))
        == "bad.png: error: palette index 1 at (1,0) is past the 1 entries of the PLTE chunk at byte 33");
    CHECK(decode_error(make_png(2, 1, 2, 3, { 0, 0b00100000 }, two))
        == "bad.png: error: palette index 2 at (1,0) is past the 2 entries of the PLTE chunk at byte 33");
    CHECK(decode_error(make_png(2, 1, 4, 3, { 0, 0x0f }, two))
        == "bad.png: error: palette index 15 at (1,0) is past the 2 entries of the PLTE chunk at byte 33");
    CHECK(decode_error(make_png(3, 2, 8, 3, { 0, 0, 1, 0, 2, 1, 0, 255 }, two))
        == "bad.png: error: palette index 255 at (2,1) is past the 2 entries of the PLTE chunk at byte 33");
    // The filter is undone before the index is checked: SUB turns 1, 1 into 1, 2.
    CHECK(decode_error(make_png(2, 1, 8, 3, { 1, 1, 1 }, two))
        == "bad.png: error: palette index 2 at (1,0) is past the 2 entries of the PLTE chunk at byte 33");
    // Interlaced: the place is the pixel's own, not its place in the pass.
    CHECK(decode_error(make_png(2, 2, 8, 3, { 0, 0, /* pass 6 */ 0, 1, /* pass 7 */ 0, 9, 0 }, two, {}, 1))
        == "bad.png: error: palette index 9 at (0,1) is past the 2 entries of the PLTE chunk at byte 33");
    // Every index in range decodes, the same in every order of loading.
    auto vram = decode_ok(make_png(2, 1, 8, 3, { 0, 1, 0 }, two));
    CHECK(vram.read_pixel(0, 0).value() == RGBA { 4, 5, 6, 255 });
    CHECK(vram.read_pixel(1, 0).value() == RGBA { 1, 2, 3, 255 });
}

TEST_CASE("PLTE and tRNS are checked against the header and each other", "[png][malformed]")
{
    std::vector<std::uint8_t> two = { 1, 2, 3, 4, 5, 6 };
    CHECK(decode_error(make_png(2, 1, 8, 3, { 0, 0, 1 }, two, { 1, 2, 3 }))
        == "bad.png: error: tRNS chunk at byte 51 has 3 entries, more than the 2 of the PLTE chunk at byte 33");
    CHECK(decode_error(make_png(2, 1, 8, 3, { 0, 0, 1 }))
        == "bad.png: error: palette image (colour type 3) has no PLTE chunk");
    CHECK(decode_error(make_png(2, 1, 8, 3, { 0, 0, 1 }, { 1, 2, 3, 4 }))
        == "bad.png: error: PLTE chunk at byte 33 is 4 bytes, expected 1 to 256 entries of 3");
    CHECK(decode_error(make_png(1, 1, 8, 6, { 0, 1, 2, 3, 4 }, {}, { 0, 1 }))
        == "bad.png: error: tRNS chunk at byte 33 is not allowed for colour type 6 (its pixels have alpha)");
    CHECK(decode_error(make_png(1, 1, 8, 2, { 0, 1, 2, 3 }, {}, { 0, 1 }))
        == "bad.png: error: tRNS chunk at byte 33 is 2 bytes, colour type 2 needs 6");
    auto keyed = decode_ok(make_png(2, 1, 8, 2, { 0, 1, 2, 3, 4, 5, 6 }, {}, { 0, 1, 0, 2, 0, 3 }));
    CHECK(keyed.read_pixel(0, 0).value() == RGBA { 1, 2, 3, 0 });
    CHECK(keyed.read_pixel(1, 0).value() == RGBA { 4, 5, 6, 255 });
}

TEST_CASE("the zlib stream of a PNG is checked from its header to its Adler-32", "[png][malformed]")
{
    std::vector<std::uint8_t> raw = { 0, 1, 2, 3, 4, 0, 5, 6, 7, 8 }; // 1x2 RGBA
    std::vector<std::uint8_t> stream = zlib_of(raw);
    REQUIRE(decode_ok(png_with_stream(1, 2, 8, 6, stream)).read_pixel(0, 1).value() == RGBA { 5, 6, 7, 8 });
    std::size_t data = 33 + 8;                // the IDAT's first data byte
    std::size_t adler = data + stream.size() - 4;

    SECTION("a wrong Adler-32")
    {
        std::vector<std::uint8_t> bad = stream;
        bad.back() ^= 0x01;
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, bad)).rfind(
                  fmt::format("bad.png: error: zlib stream has a bad Adler-32 at byte {} (stored ", adler), 0)
            == 0);
        // Named in the file even when the stream is split over IDAT chunks.
        std::string split = decode_error(png_with_stream(1, 2, 8, 6, bad, {}, 3));
        std::size_t piece = (stream.size() + 2) / 3;
        std::size_t position = stream.size() - 4;
        std::size_t in_file = data + position / piece * (piece + 12) + position % piece;
        CHECK(split.rfind(fmt::format("bad.png: error: zlib stream has a bad Adler-32 at byte {} (stored ", in_file), 0)
            == 0);
    }
    SECTION("a stream cut short, in its deflate data or in its Adler-32")
    {
        std::vector<std::uint8_t> cut(stream.begin(), stream.begin() + 5);
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, cut))
            == "bad.png: error: cannot decode PNG data: corrupt compressed data in the zlib stream at byte 41 (or it is "
               "cut short)");
        std::vector<std::uint8_t> no_adler(stream.begin(), stream.end() - 2);
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, no_adler))
            == fmt::format("bad.png: error: zlib stream is cut short at byte {}: its 4-byte Adler-32 is missing", adler));
    }
    SECTION("a bad header: method, window, check bits, preset dictionary, too short")
    {
        std::vector<std::uint8_t> bad = stream;
        bad[0] = 0x77; // method 7
        bad[1] = std::uint8_t(31 - (0x77 * 256) % 31);
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, bad))
            == fmt::format("bad.png: error: zlib header at byte 41 is 77{:02x}: expected deflate (method 8) with a window "
                           "of at most 32 KiB",
                bad[1]));
        bad = stream;
        bad[1] ^= 0x01;
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, bad))
            == fmt::format("bad.png: error: zlib header at byte 41 is 78{:02x}: its check bits (FCHECK) are wrong", bad[1]));
        bad = stream;
        bad[1] = 0xbb; // 0x78bb: FDICT set, FCHECK right
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, bad))
            == "bad.png: error: zlib header at byte 41 asks for a preset dictionary, which PNG does not allow");
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, { 0x78 }))
            == "bad.png: error: zlib stream at byte 41 is 1 bytes, too short for its 2-byte header");
    }
    SECTION("bytes after the end of the stream")
    {
        std::vector<std::uint8_t> longer = stream;
        longer.insert(longer.end(), { 0, 0, 0 });
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, longer))
            == fmt::format("bad.png: error: 3 bytes of image data follow the end of the zlib stream at byte {}", adler + 4));
    }
    SECTION("too few or too many inflated bytes, or an unknown filter")
    {
        CHECK(decode_error(png_with_stream(1, 3, 8, 6, stream))
            == "bad.png: error: cannot decode PNG data: not enough pixels: the zlib stream at byte 41 inflates to 10 "
               "bytes, the 1x3 image needs 15 bytes");
        CHECK(decode_error(png_with_stream(1, 1, 8, 6, stream))
            == "bad.png: error: cannot decode PNG data: too many pixels: the zlib stream at byte 41 inflates to more "
               "bytes than the 1x1 image needs 5 bytes");
        // Refused before the 64 MiB allocation: deflate cannot make that much of 18 bytes.
        CHECK(decode_error(png_with_stream(4096, 4096, 8, 6, stream))
            == "bad.png: error: cannot decode PNG data: not enough pixels: the zlib stream at byte 41 is 18 bytes, too "
               "short to inflate to the 67112960 bytes the 4096x4096 image needs");
        std::vector<std::uint8_t> filtered = raw;
        filtered[5] = 7;
        CHECK(decode_error(png_with_stream(1, 2, 8, 6, zlib_of(filtered)))
            == "bad.png: error: cannot decode PNG data: row 1 has filter type 7, expected 0..4");
    }
}

TEST_CASE("an interlaced PNG decodes to the same pixels as the plain one", "[png]")
{
    // A 5x5 8-bit RGB image with a different colour at every pixel, written
    // as its 7 Adam7 passes, each row with a different filter (0..4).
    auto colour = [](int x, int y) { return std::array<std::uint8_t, 3> { std::uint8_t(x * 40), std::uint8_t(y * 40), std::uint8_t(x * 5 + y) }; };
    const int starts[7][4] = { { 0, 0, 8, 8 }, { 4, 0, 8, 8 }, { 0, 4, 4, 8 }, { 2, 0, 4, 4 }, { 0, 2, 2, 4 },
        { 1, 0, 2, 2 }, { 0, 1, 1, 2 } };
    std::vector<std::uint8_t> raw;
    std::vector<std::uint8_t> plain;
    for (int y = 0; y < 5; ++y) {
        plain.push_back(0);
        for (int x = 0; x < 5; ++x)
            for (std::uint8_t c : colour(x, y))
                plain.push_back(c);
    }
    int filter = 0;
    for (const auto& pass : starts) {
        std::vector<std::uint8_t> above;
        for (int y = pass[1]; y < 5; y += pass[3]) {
            std::vector<std::uint8_t> row;
            for (int x = pass[0]; x < 5; x += pass[2])
                for (std::uint8_t c : colour(x, y))
                    row.push_back(c);
            if (row.empty())
                break;
            // Filter the row as an encoder would (SUB or UP; the others as NONE).
            std::vector<std::uint8_t> out = row;
            int type = filter++ % 3;
            for (std::size_t i = 0; i < row.size(); ++i) {
                if (type == 1)
                    out[i] = std::uint8_t(row[i] - (i >= 3 ? row[i - 3] : 0));
                else if (type == 2)
                    out[i] = std::uint8_t(row[i] - (above.empty() ? 0 : above[i]));
            }
            raw.push_back(std::uint8_t(type));
            raw.insert(raw.end(), out.begin(), out.end());
            above = row;
        }
    }
    auto interlaced = decode_ok(make_png(5, 5, 8, 2, raw, {}, {}, 1));
    auto reference = decode_ok(make_png(5, 5, 8, 2, plain));
    CHECK(interlaced == reference);
    CHECK(interlaced.read_pixel(3, 4).value() == RGBA { 120, 160, 19, 255 });
}

TEST_CASE("PNG encode of rows that repeat the row above round-trips, through zlib as well", "[png]")
{
    // Widths whose zero runs end in every way: a match of 3, 255, 257, a
    // 258 and one or two literals; heights over one band; repeated runs
    // between rows that differ.
    pxos::ThreadExecutor executor;
    for (int width : { 1, 2, 64, 65, 129, 130, 600 }) {
        auto vram = SimulatedVRAM::create(width, 700);
        REQUIRE(vram.ok());
        vram->fill_rect(pxos::Rect { 0, 0, width, 700 }, RGBA { 10, 20, 30, 255 });
        vram->fill_rect(pxos::Rect { 0, 100, width, 1 }, RGBA { 1, 2, 3, 4 });
        vram->fill_rect(pxos::Rect { 0, 256, width, 300 }, RGBA { 200, 0, 9, 255 });
        REQUIRE(vram->write_pixel(width - 1, 699, RGBA { 7, 7, 7, 7 }).ok());
        auto encoded = pxos::encode_png(*vram, executor);
        REQUIRE(encoded.ok());
        INFO("width " << width);
        CHECK(decode_ok(*encoded) == *vram);
        // zlib, an independent inflate, checks the stream and its Adler-32.
        std::uint32_t length = (std::uint32_t((*encoded)[33]) << 24) | (std::uint32_t((*encoded)[34]) << 16)
            | (std::uint32_t((*encoded)[35]) << 8) | (*encoded)[36];
        std::vector<std::uint8_t> raw(std::size_t(700) * (std::size_t(width) * 4 + 1) + 1);
        uLongf size = uLongf(raw.size());
        CHECK(uncompress(raw.data(), &size, encoded->data() + 41, length) == Z_OK);
        CHECK(size == raw.size() - 1);
    }
}

TEST_CASE("PNG encoding gives the same bytes on the serial executor and on threads", "[png][executor]")
{
    // Heights of one band, of several (the last one longer) and of the most
    // (16); rows that repeat and rows of noise in every band.
    pxos::SerialExecutor serial;
    pxos::ThreadExecutor two(2), three(3), eight(8);
    std::mt19937 random(7);
    for (auto [width, height] : { std::pair { 3, 1 }, std::pair { 64, 255 }, std::pair { 40, 700 }, std::pair { 16, 4100 } }) {
        auto vram = SimulatedVRAM::create(width, height);
        REQUIRE(vram.ok());
        for (int y = 0; y < height; y += 3)
            for (int x = 0; x < width; ++x)
                REQUIRE(vram->write_pixel(x, y, RGBA::from_word(std::uint32_t(random()))).ok());
        INFO(width << "x" << height);
        auto expected = pxos::encode_png(*vram, serial);
        REQUIRE(expected.ok());
        CHECK(decode_ok(*expected) == *vram);
        for (pxos::Executor* executor : std::initializer_list<pxos::Executor*> { &two, &three, &eight })
            CHECK(pxos::encode_png(*vram, *executor).value() == *expected);
    }
}
