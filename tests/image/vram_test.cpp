#include "pxos/image/vram.hpp"

#include <catch2/catch.hpp>
#include <random>

using pxos::Rect;
using pxos::RGBA;
using pxos::SimulatedVRAM;

namespace {

SimulatedVRAM make_vram(int width, int height)
{
    auto vram = SimulatedVRAM::create(width, height);
    REQUIRE(vram.ok());
    return std::move(vram).value();
}

// Fills every pixel with a colour derived from its coordinates.
void paint_gradient(SimulatedVRAM& vram)
{
    for (int y = 0; y < vram.height(); ++y)
        for (int x = 0; x < vram.width(); ++x)
            REQUIRE(vram.write_pixel(x, y, RGBA { std::uint8_t(x), std::uint8_t(y), std::uint8_t(x ^ y), 255 }).ok());
}

// Reference copy through a temporary, clipping pixel by pixel.
void reference_copy(SimulatedVRAM& vram, Rect source, int dst_x, int dst_y)
{
    SimulatedVRAM before = vram;
    for (int dy = 0; dy < source.height; ++dy)
        for (int dx = 0; dx < source.width; ++dx) {
            int sx = source.x + dx, sy = source.y + dy, tx = dst_x + dx, ty = dst_y + dy;
            if (before.contains(sx, sy) && vram.contains(tx, ty))
                REQUIRE(vram.write_pixel(tx, ty, before.pixel_unchecked(sx, sy)).ok());
        }
}

class RecordingObserver final : public pxos::WriteObserver {
public:
    void will_write(const SimulatedVRAM& vram, const Rect& rect) override
    {
        before.push_back(rect);
        old_first_pixel.push_back(vram.pixel_unchecked(rect.x, rect.y));
    }
    void did_write(const SimulatedVRAM&, const Rect& rect) override { after.push_back(rect); }
    std::vector<Rect> before, after;
    std::vector<RGBA> old_first_pixel;
};

} // namespace

TEST_CASE("a new VRAM is opaque black", "[vram]")
{
    SimulatedVRAM vram = make_vram(512, 512);
    CHECK(vram.width() == 512);
    CHECK(vram.height() == 512);
    CHECK(vram.count_unique_colors() == 1);
    CHECK(vram.read_pixel(511, 511).value() == RGBA { 0, 0, 0, 255 });
}

TEST_CASE("VRAM creation refuses sizes outside the limits and names them", "[vram]")
{
    CHECK(SimulatedVRAM::create(0, 10).error().message()
        == "error: VRAM size 0x10 is out of range: width and height must be 1..16384");
    CHECK(SimulatedVRAM::create(10, -3).error().message()
        == "error: VRAM size 10x-3 is out of range: width and height must be 1..16384");
    CHECK(SimulatedVRAM::create(16385, 1).error().message()
        == "error: VRAM size 16385x1 is out of range: width and height must be 1..16384");
    CHECK(SimulatedVRAM::create(16384, 16384).error().message()
        == "error: VRAM size 16384x16384 needs 1024 MiB, over the VRAM memory cap of 256 MiB (raise it with "
            "--max-vram-mib, up to 1024 MiB)");
    pxos::VRAMLimits small;
    small.max_bytes = 1024;
    CHECK(SimulatedVRAM::create(16, 16, small).ok());
    CHECK_FALSE(SimulatedVRAM::create(17, 16, small).ok());
    CHECK(SimulatedVRAM::create(1, 1).ok());
}

TEST_CASE("single-pixel access is bounds-checked with the pixel and the size in the error", "[vram]")
{
    SimulatedVRAM vram = make_vram(512, 512);
    REQUIRE(vram.write_pixel(10, 20, RGBA { 1, 2, 3, 4 }).ok());
    CHECK(vram.read_pixel(10, 20).value() == RGBA { 1, 2, 3, 4 });
    CHECK(vram.write_pixel(512, 0, RGBA {}).error().message()
        == "error: write of pixel (512,0) is outside the 512x512 VRAM");
    CHECK(vram.read_pixel(-1, 5).error().message() == "error: read of pixel (-1,5) is outside the 512x512 VRAM");
    CHECK(vram.read_pixel(0, 512).error().kind() == pxos::ErrorKind::BadInput);
}

TEST_CASE("fill_rect clips to the VRAM like the seed and counts pixels written", "[vram]")
{
    SimulatedVRAM vram = make_vram(8, 6);
    RGBA red { 255, 0, 0, 255 };
    CHECK(vram.fill_rect(Rect { -2, -3, 4, 5 }, red) == 2 * 2);
    CHECK(vram.read_pixel(0, 0).value() == red);
    CHECK(vram.read_pixel(1, 1).value() == red);
    CHECK(vram.read_pixel(2, 0).value() == RGBA { 0, 0, 0, 255 });
    CHECK(vram.read_pixel(0, 2).value() == RGBA { 0, 0, 0, 255 });

    CHECK(vram.fill_rect(Rect { 6, 4, 100, 100 }, red) == 2 * 2);
    CHECK(vram.read_pixel(7, 5).value() == red);
    CHECK(vram.fill_rect(Rect { 8, 0, 3, 3 }, red) == 0);
    CHECK(vram.fill_rect(Rect { 0, 0, 0, 5 }, red) == 0);
    CHECK(vram.fill_rect(Rect { 0, 0, -4, 5 }, red) == 0);
    CHECK(vram.fill_rect(Rect { INT32_MAX - 1, INT32_MAX - 1, INT32_MAX, INT32_MAX }, red) == 0);
    CHECK(vram.fill_rect(Rect { INT32_MIN, INT32_MIN, INT32_MAX, INT32_MAX }, red) == 0);
    CHECK(vram.fill_rect(vram.bounds(), red) == 48);
    CHECK(vram.count_unique_colors() == 1);
}

TEST_CASE("copy_rect matches a copy through a temporary, overlapping or clipped", "[vram]")
{
    struct Case {
        Rect source;
        int dst_x, dst_y;
    };
    const Case cases[] = {
        { { 0, 0, 10, 10 }, 20, 20 },    // disjoint
        { { 5, 5, 20, 20 }, 8, 9 },      // overlap, down and right
        { { 8, 9, 20, 20 }, 5, 5 },      // overlap, up and left
        { { 5, 5, 20, 1 }, 7, 5 },       // same row, to the right
        { { 7, 5, 20, 1 }, 5, 5 },       // same row, to the left
        { { -5, -5, 20, 20 }, 10, 3 },   // source clipped at the top-left
        { { 20, 20, 30, 30 }, 25, 28 },  // source clipped at the bottom-right
        { { 0, 0, 32, 32 }, -7, -9 },    // destination clipped at the top-left
        { { 0, 0, 32, 32 }, 28, 30 },    // destination clipped at the bottom-right
        { { 0, 0, 32, 32 }, 40, 0 },     // destination outside
        { { 40, 40, 5, 5 }, 0, 0 },      // source outside
        { { 3, 3, 5, 5 }, 3, 3 },        // onto itself
    };
    for (const Case& c : cases) {
        SimulatedVRAM actual = make_vram(32, 32);
        paint_gradient(actual);
        SimulatedVRAM expected = actual;
        reference_copy(expected, c.source, c.dst_x, c.dst_y);
        actual.copy_rect(c.source, c.dst_x, c.dst_y);
        INFO("source " << c.source.x << "," << c.source.y << " " << c.source.width << "x" << c.source.height << " to "
                       << c.dst_x << "," << c.dst_y);
        CHECK(actual.count_differences(expected) == 0);
        CHECK(actual == expected);
    }
}

TEST_CASE("unique colours and differences are counted over regions and overlaps", "[vram]")
{
    SimulatedVRAM a = make_vram(16, 16);
    a.fill_rect(Rect { 0, 0, 8, 16 }, RGBA { 1, 1, 1, 255 });
    a.fill_rect(Rect { 0, 0, 4, 4 }, RGBA { 1, 1, 1, 0 });
    CHECK(a.count_unique_colors() == 3);
    CHECK(a.count_unique_colors(Rect { 8, 0, 8, 16 }) == 1);
    CHECK(a.count_unique_colors(Rect { 100, 100, 5, 5 }) == 0);

    SimulatedVRAM b = make_vram(16, 16);
    CHECK(a.count_differences(b) == 8 * 16);
    CHECK_FALSE(a == b);
    SimulatedVRAM c = make_vram(4, 20);
    CHECK(c.count_differences(b) == 0);
    CHECK_FALSE(c == b);
}

TEST_CASE("a write observer sees clipped rectangles before and after each write", "[vram]")
{
    SimulatedVRAM vram = make_vram(10, 10);
    RecordingObserver observer;
    vram.set_observer(&observer);
    vram.fill_rect(Rect { -5, 2, 8, 3 }, RGBA { 9, 9, 9, 255 });
    REQUIRE(vram.write_pixel(0, 2, RGBA { 7, 7, 7, 255 }).ok());
    vram.copy_rect(Rect { 0, 0, 3, 3 }, 8, 8);
    vram.fill_rect(Rect { 50, 50, 2, 2 }, RGBA {}); // outside: no notification
    CHECK_FALSE(vram.write_pixel(10, 10, RGBA {}).ok());
    vram.set_observer(nullptr);
    vram.fill_rect(vram.bounds(), RGBA {});

    REQUIRE(observer.before.size() == 3);
    CHECK(observer.before == observer.after);
    CHECK(observer.before[0] == Rect { 0, 2, 3, 3 });
    CHECK(observer.before[1] == Rect { 0, 2, 1, 1 });
    CHECK(observer.before[2] == Rect { 8, 8, 2, 2 });
    CHECK(observer.old_first_pixel[0] == RGBA { 0, 0, 0, 255 });
    CHECK(observer.old_first_pixel[1] == RGBA { 9, 9, 9, 255 });
}

TEST_CASE("a region view reads relative to its origin and clips to the VRAM", "[vram]")
{
    SimulatedVRAM vram = make_vram(20, 20);
    vram.fill_rect(Rect { 5, 5, 10, 10 }, RGBA { 3, 3, 3, 255 });
    pxos::RegionView view(vram, Rect { 5, 5, 10, 10 });
    CHECK(view.is_uniform(RGBA { 3, 3, 3, 255 }));
    CHECK(view.count_unique_colors() == 1);
    CHECK(view.read_pixel(0, 0).value() == RGBA { 3, 3, 3, 255 });
    CHECK(view.read_pixel(10, 0).error().message()
        == "error: read of (10,0) is outside the 10x10 region view at (5,5)");
    pxos::RegionView clipped(vram, Rect { 15, 15, 10, 10 });
    CHECK(clipped.rect() == Rect { 15, 15, 5, 5 });
}

TEST_CASE("pixels are words whose bytes are r, g, b, a", "[vram]")
{
    RGBA color { 0x11, 0x22, 0x33, 0x44 };
    CHECK(color.to_word() == 0x44332211u);
    CHECK(RGBA::from_word(0x44332211u) == color);
    SimulatedVRAM vram = make_vram(1, 1);
    REQUIRE(vram.write_pixel(0, 0, color).ok());
    CHECK(vram.bytes()[0] == 0x11);
    CHECK(vram.bytes()[3] == 0x44);
    CHECK(color.to_string() == "(17,34,51,68)");
}

TEST_CASE("a write budget refuses the write that does not fit, and every write after it", "[vram]")
{
    SimulatedVRAM vram = make_vram(16, 16);
    CHECK(vram.write_budget() == SimulatedVRAM::kNoBudget);
    vram.set_write_budget(100);
    CHECK(vram.fill_rect(Rect { -4, -4, 12, 12 }, RGBA { 1, 1, 1, 255 }) == 64); // counted clipped
    CHECK(vram.write_budget() == 36);
    CHECK(vram.copy_rect(Rect { 0, 0, 8, 8 }, 8, 8) == 0); // 64 > 36: not done at all
    CHECK(vram.read_pixel(8, 8).value() == RGBA { 0, 0, 0, 255 });
    REQUIRE(vram.refused_write());
    CHECK(*vram.refused_write() == Rect { 8, 8, 8, 8 });
    CHECK(vram.write_pixel(15, 15, RGBA { 2, 2, 2, 255 }).error().message()
        == "error: write of pixel (15,15) is over the build work cap");
    CHECK(vram.fill_rect(Rect { 0, 0, 1, 1 }, RGBA { 3, 3, 3, 255 }) == 0); // fits, but the budget is spent
    CHECK(vram.write_budget() == 36);
    vram.set_write_budget(SimulatedVRAM::kNoBudget);
    CHECK_FALSE(vram.refused_write());
    CHECK(vram.fill_rect(vram.bounds(), RGBA { 4, 4, 4, 255 }) == 256);
}
