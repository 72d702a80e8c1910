// The seed's five steps against a per-pixel model written straight from
// SEED_FACTS.md (not from the step code), at many sizes and parameters.
#include "pxos/roadmap/build.hpp"

#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <set>

#include "pxos/image/layout.hpp"

using pxos::RGBA;

namespace {

struct SeedParams {
    int width = 512;
    int height = 512;
    RGBA background { 10, 10, 10, 255 };
    RGBA banner { 0, 255, 0, 255 };
    int hello_x = 32;
};

// What the prototype paints at (x, y), from the facts alone.
RGBA expected_pixel(const SeedParams& p, int x, int y)
{
    RGBA color = p.background;
    struct Band {
        int y, h;
        RGBA color;
    };
    const Band bands[] = {
        { 0, 16, { 64, 128, 192, 255 } },
        { 32, 96, { 40, 40, 60, 255 } },
        { 128, 32, { 60, 40, 80, 255 } },
        { 160, 64, { 80, 60, 40, 255 } },
        { 224, 288, { 20, 20, 20, 255 } },
    };
    for (const Band& band : bands)
        if (x < 512 && y >= band.y && y < band.y + band.h)
            color = band.color;
    if (y < 4)
        color = p.banner;
    const RGBA palette[] = { { 0, 0, 0, 255 }, { 255, 0, 0, 255 }, { 0, 255, 0, 255 }, { 0, 0, 255, 255 },
        { 255, 255, 0, 255 }, { 255, 0, 255, 255 }, { 0, 255, 255, 255 }, { 128, 128, 128, 255 } };
    int stripe = p.width / 8;
    if (y >= 16 && y < 32 && stripe > 0 && x < 8 * stripe)
        color = palette[x / stripe];
    const RGBA program[] = { palette[0], palette[0], palette[2], palette[1] };
    for (int i = 0; i < 4; ++i) {
        int bx = p.hello_x + 5 * i;
        if (x >= bx && x < bx + 4 && y >= 232 && y < 236)
            color = program[i];
    }
    return color;
}

std::string seed_roadmap(const SeedParams& p)
{
    return fmt::format(R"(metadata:
  name: "pxOS Stage 1"
  vram_width: {}
  vram_height: {}
steps:
  - name: "init_background"
    module: "pxos.agent.steps.basic_layout"
    function: "step_init_background"
    params:
      background_color: [{}, {}, {}, {}]
  - name: "layout_regions"
    module: "pxos.agent.steps.basic_layout"
    function: "step_layout_regions"
  - name: "write_boot_banner"
    module: "pxos.agent.steps.basic_layout"
    function: "step_write_boot_banner"
    params:
      boot_banner_color: [{}, {}, {}, {}]
  - name: "write_opcode_palette"
    module: "pxos.agent.steps.basic_layout"
    function: "step_write_opcode_palette"
  - name: "write_hello_program"
    module: "pxos.agent.steps.basic_layout"
    function: "step_write_hello_program"
    params:
      hello_program_x: {}
output:
  png_path: "artifacts/vram_os_stage1.png"
  save_intermediate: false
)",
        p.width, p.height, p.background.r, p.background.g, p.background.b, p.background.a, p.banner.r, p.banner.g,
        p.banner.b, p.banner.a, p.hello_x);
}

pxos::SimulatedVRAM build(const std::string& text)
{
    auto roadmap = pxos::parse_roadmap(text, "seed.yaml", pxos::steps::builtin_registry());
    if (!roadmap.ok())
        FAIL(roadmap.error().message());
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    REQUIRE(built.ok());
    return std::move(built->vram);
}

void check_against_model(const SeedParams& p, const pxos::SimulatedVRAM& vram)
{
    REQUIRE(vram.width() == p.width);
    REQUIRE(vram.height() == p.height);
    std::int64_t mismatches = 0;
    std::string first;
    for (int y = 0; y < p.height; ++y)
        for (int x = 0; x < p.width; ++x) {
            RGBA expected = expected_pixel(p, x, y);
            RGBA actual = vram.pixel_unchecked(x, y);
            if (!(expected == actual) && mismatches++ == 0)
                first = fmt::format("({},{}) expected {} found {}", x, y, expected.to_string(), actual.to_string());
        }
    INFO("first mismatch " << first);
    CHECK(mismatches == 0);
}

} // namespace

TEST_CASE("the seed roadmap builds the prototype's pixels at 512x512", "[seed]")
{
    SeedParams defaults;
    pxos::SimulatedVRAM vram = build(seed_roadmap(defaults));
    check_against_model(defaults, vram);
    // Spot checks straight from the facts.
    CHECK(vram.pixel_unchecked(10, 2) == RGBA { 0, 255, 0, 255 });
    CHECK(vram.pixel_unchecked(10, 8) == RGBA { 64, 128, 192, 255 });
    CHECK(vram.pixel_unchecked(64, 24) == RGBA { 255, 0, 0, 255 });
    CHECK(vram.pixel_unchecked(511, 31) == RGBA { 128, 128, 128, 255 });
    CHECK(vram.pixel_unchecked(42, 232) == RGBA { 0, 255, 0, 255 });
    CHECK(vram.pixel_unchecked(47, 235) == RGBA { 255, 0, 0, 255 });
    CHECK(vram.pixel_unchecked(51, 232) == RGBA { 20, 20, 20, 255 });
}

TEST_CASE("the seed roadmap builds the prototype's pixels at other sizes and parameters", "[seed]")
{
    SeedParams cases[] = {
        { 1024, 768, { 1, 2, 3, 4 }, { 200, 0, 100, 255 }, 100 },
        { 256, 200, { 10, 10, 10, 255 }, { 0, 255, 0, 255 }, 32 },
        { 700, 300, { 0, 0, 0, 0 }, { 9, 9, 9, 9 }, -3 },
        { 513, 240, { 10, 10, 10, 255 }, { 0, 255, 0, 255 }, 509 },
        { 13, 7, { 50, 60, 70, 255 }, { 1, 1, 1, 255 }, 2 },
        { 7, 33, { 50, 60, 70, 255 }, { 1, 1, 1, 255 }, 0 },
        { 1, 1, { 5, 5, 5, 5 }, { 0, 255, 0, 255 }, 32 },
        { 2048, 64, { 10, 10, 10, 255 }, { 0, 255, 0, 255 }, 65536 },
    };
    for (const SeedParams& p : cases) {
        INFO(p.width << "x" << p.height << " hello_x " << p.hello_x);
        check_against_model(p, build(seed_roadmap(p)));
    }
}

TEST_CASE("a step's parameters apply from that step on, as the seed's context merge did", "[seed]")
{
    // The short form and the seed form of the same steps build the same pixels.
    SeedParams defaults;
    pxos::SimulatedVRAM seed_form = build(seed_roadmap(defaults));
    pxos::SimulatedVRAM short_form = build(R"(steps:
  - step: init_background
  - step: layout_regions
  - step: write_boot_banner
  - step: write_opcode_palette
  - step: write_hello_program
)");
    CHECK(seed_form == short_form);
}

TEST_CASE("the shipped seed roadmap builds the seed image", "[seed]")
{
    for (const char* path : { "roadmaps/seed_stage1.yaml" }) {
        INFO(path);
        auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path(path), pxos::steps::builtin_registry());
        REQUIRE(roadmap.ok());
        auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
        REQUIRE(built.ok());
        check_against_model(SeedParams {}, built->vram);
    }
}

TEST_CASE("the default bootable image still passes the seed evaluator's four checks", "[seed]")
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"),
        pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    REQUIRE(built.ok());
    const pxos::SimulatedVRAM& vram = built->vram;
    // metadata_initialized: (10,2) has a non-zero R, G or B.
    RGBA banner = vram.pixel_unchecked(10, 2);
    CHECK((banner.r | banner.g | banner.b) != 0);
    // opcode palette: 16 samples across row 24, at least 4 distinct.
    std::set<std::uint32_t> samples;
    for (int i = 0; i < 16; ++i)
        samples.insert(vram.pixel_unchecked(i * vram.width() / 16, 24).to_word());
    CHECK(samples.size() >= 4);
    // hello program: some pixel of the 32x8 block at (32,232) differs from (20,20,20).
    int differing = 0;
    for (int y = 232; y < 240; ++y)
        for (int x = 32; x < 64; ++x) {
            RGBA p = vram.pixel_unchecked(x, y);
            differing += !(p.r == 20 && p.g == 20 && p.b == 20);
        }
    CHECK(differing > 0);
    // regions: the centre of metadata, kernel, syscall table and process table within 10 of the band colour.
    for (auto id : { pxos::RegionId::Metadata, pxos::RegionId::Kernel, pxos::RegionId::SyscallTable,
             pxos::RegionId::ProcessTable }) {
        const pxos::Region& region = pxos::region(id);
        RGBA centre = vram.pixel_unchecked(region.rect.x + region.rect.width / 2, region.rect.y + region.rect.height / 2);
        INFO(region.name);
        CHECK(std::abs(centre.r - region.band_color->r) <= 10);
        CHECK(std::abs(centre.g - region.band_color->g) <= 10);
        CHECK(std::abs(centre.b - region.band_color->b) <= 10);
    }
}
