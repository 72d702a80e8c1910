// The seed prototype's five steps, pixel for pixel (see SEED_FACTS.md).
#include "builtin_steps.hpp"

#include "pxos/image/layout.hpp"
#include "pxos/image/seed_palette.hpp"

namespace pxos::steps {

Result<void> init_background(StepContext& step)
{
    SimulatedVRAM& vram = step.vram();
    vram.fill_rect(vram.bounds(), step.color("background_color"));
    step.set("background_initialized", true);
    return {};
}

Result<void> layout_regions(StepContext& step)
{
    for (const Region& entry : pxos::layout_regions())
        if (entry.band_color)
            step.vram().fill_rect(entry.rect, *entry.band_color);
    step.set("regions_laid_out", true);
    return {};
}

Result<void> write_boot_banner(StepContext& step)
{
    SimulatedVRAM& vram = step.vram();
    vram.fill_rect(Rect { 0, 0, vram.width(), 4 }, step.color("boot_banner_color"));
    step.set("boot_banner_written", true);
    return {};
}

Result<void> write_opcode_palette(StepContext& step)
{
    SimulatedVRAM& vram = step.vram();
    const Rect palette = region(RegionId::OpcodePalette).rect;
    int stripe_width = vram.width() / int(kSeedOpcodes.size());
    for (std::size_t i = 0; i < kSeedOpcodes.size(); ++i)
        vram.fill_rect(Rect { int(i) * stripe_width, palette.y, stripe_width, palette.height }, kSeedOpcodes[i].color);
    step.set("opcode_palette_written", true);
    step.set("opcode_count", std::int64_t(kSeedOpcodes.size()));
    return {};
}

Result<void> write_hello_program(StepContext& step)
{
    constexpr int kBlockSize = 4;
    constexpr int kBlockStride = 5;
    const std::string_view program[] = { "NOP", "NOP", "LOAD", "HALT" };
    int x = int(step.integer("hello_program_x"));
    int y = region(RegionId::ProgramArea).rect.y + 8;
    for (std::string_view mnemonic : program) {
        step.vram().fill_rect(Rect { x, y, kBlockSize, kBlockSize }, seed_opcode_color(mnemonic));
        x += kBlockStride;
    }
    step.set("hello_program_written", true);
    return {};
}

} // namespace pxos::steps
