#include "pxos/image/layout.hpp"

#include <catch2/catch.hpp>

TEST_CASE("the layout table is the seed's regions and colours", "[layout]")
{
    using pxos::RegionId;
    using pxos::RGBA;
    auto regions = pxos::layout_regions();
    REQUIRE(regions.size() == 8);
    CHECK(pxos::region(RegionId::Metadata).rect == pxos::Rect { 0, 0, 512, 16 });
    CHECK(*pxos::region(RegionId::Metadata).band_color == RGBA { 64, 128, 192, 255 });
    CHECK(pxos::region(RegionId::OpcodePalette).rect == pxos::Rect { 0, 16, 512, 16 });
    CHECK_FALSE(pxos::region(RegionId::OpcodePalette).band_color.has_value());
    CHECK(pxos::region(RegionId::Kernel).rect == pxos::Rect { 0, 32, 512, 96 });
    CHECK(*pxos::region(RegionId::Kernel).band_color == RGBA { 40, 40, 60, 255 });
    CHECK(pxos::region(RegionId::SyscallTable).rect == pxos::Rect { 0, 128, 512, 32 });
    CHECK(*pxos::region(RegionId::SyscallTable).band_color == RGBA { 60, 40, 80, 255 });
    CHECK(pxos::region(RegionId::ProcessTable).rect == pxos::Rect { 0, 160, 512, 64 });
    CHECK(*pxos::region(RegionId::ProcessTable).band_color == RGBA { 80, 60, 40, 255 });
    CHECK(pxos::region(RegionId::ProgramArea).rect == pxos::Rect { 0, 224, 512, 288 });
    CHECK(*pxos::region(RegionId::ProgramArea).band_color == RGBA { 20, 20, 20, 255 });
    // pxOS's rows below the seed's 512.
    CHECK(pxos::region(RegionId::ProcessMemory).rect == pxos::Rect { 0, 512, 512, 256 });
    CHECK(pxos::region(RegionId::ProcessMemory).owner == pxos::Ownership::User);
    CHECK(pxos::region(RegionId::Store).rect == pxos::Rect { 0, 768, 512, 256 });
    CHECK(pxos::region(RegionId::Store).owner == pxos::Ownership::Kernel);
}

TEST_CASE("regions tile pxOS's 512x1024 VRAM top to bottom without gaps, the seed's 512 rows first", "[layout]")
{
    int next_y = 0;
    for (const pxos::Region& region : pxos::layout_regions()) {
        CHECK(region.rect.y == next_y);
        CHECK(region.rect.x == 0);
        CHECK(region.rect.width == pxos::kDefaultVRAMWidth);
        next_y += region.rect.height;
        if (region.id == pxos::RegionId::ProgramArea)
            CHECK(next_y == pxos::kDefaultVRAMHeight);
    }
    CHECK(next_y == pxos::kOsVRAMHeight);
}

TEST_CASE("regions are found by name and by pixel", "[layout]")
{
    REQUIRE(pxos::find_region("kernel") != nullptr);
    CHECK(pxos::find_region("kernel")->id == pxos::RegionId::Kernel);
    CHECK(pxos::find_region("kernal") == nullptr);
    CHECK(pxos::region_at(10, 2)->id == pxos::RegionId::Metadata);
    CHECK(pxos::region_at(511, 127)->id == pxos::RegionId::Kernel);
    CHECK(pxos::region_at(0, 128)->id == pxos::RegionId::SyscallTable);
    CHECK(pxos::region_at(512, 0) == nullptr);
    CHECK(pxos::region_at(0, 512)->id == pxos::RegionId::ProcessMemory);
    CHECK(pxos::region_at(511, 1023)->id == pxos::RegionId::Store);
    CHECK(pxos::region_at(0, 1024) == nullptr);
}
