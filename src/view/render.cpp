#include "pxos/view/render.hpp"
#include "pxos/base/text.hpp"

#include "base/json_writer.hpp"
#include "pxos/abi/boot_header.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/layout.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pxos {

namespace {

// A 5x7 font: each glyph is 7 rows of 5 bits (bit 4 is the left column).
struct Glyph {
    char c;
    std::uint8_t rows[7];
};

constexpr Glyph kFont[] = {
    { 'A', { 0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11 } }, { 'B', { 0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E } },
    { 'C', { 0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E } }, { 'D', { 0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E } },
    { 'E', { 0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F } }, { 'F', { 0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10 } },
    { 'G', { 0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F } }, { 'H', { 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11 } },
    { 'I', { 0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E } }, { 'J', { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C } },
    { 'K', { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 } }, { 'L', { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F } },
    { 'M', { 0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11 } }, { 'N', { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 } },
    { 'O', { 0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E } }, { 'P', { 0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10 } },
    { 'Q', { 0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D } }, { 'R', { 0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11 } },
    { 'S', { 0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E } }, { 'T', { 0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 } },
    { 'U', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E } }, { 'V', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04 } },
    { 'W', { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A } }, { 'X', { 0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11 } },
    { 'Y', { 0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04 } }, { 'Z', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F } },
    { '0', { 0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E } }, { '1', { 0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E } },
    { '2', { 0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F } }, { '3', { 0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E } },
    { '4', { 0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02 } }, { '5', { 0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E } },
    { '6', { 0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E } }, { '7', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
    { '8', { 0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E } }, { '9', { 0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C } },
    { '_', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F } }, { ':', { 0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00 } },
    { '(', { 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 } }, { ')', { 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 } },
    { ',', { 0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08 } }, { '.', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C } },
    { '-', { 0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00 } }, { '/', { 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00 } },
    { '#', { 0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A } }, { '=', { 0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00 } },
    { '+', { 0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00 } }, { ' ', { 0, 0, 0, 0, 0, 0, 0 } },
};

const Glyph* glyph_for(char c)
{
    char upper = char(std::toupper(static_cast<unsigned char>(c)));
    for (const Glyph& glyph : kFont)
        if (glyph.c == upper)
            return &glyph;
    return nullptr;
}

void outline(SimulatedVRAM& target, const Rect& rect, RGBA colour, int thickness)
{
    target.fill_rect(Rect { rect.x, rect.y, rect.width, thickness }, colour);
    target.fill_rect(Rect { rect.x, rect.y + rect.height - thickness, rect.width, thickness }, colour);
    target.fill_rect(Rect { rect.x, rect.y, thickness, rect.height }, colour);
    target.fill_rect(Rect { rect.x + rect.width - thickness, rect.y, thickness, rect.height }, colour);
}

} // namespace

int draw_text(SimulatedVRAM& target, int x, int y, std::string_view text, RGBA colour, int size)
{
    int cursor = x;
    for (char c : text) {
        const Glyph* glyph = glyph_for(c);
        if (!glyph)
            glyph = glyph_for('#');
        for (int row = 0; row < 7; ++row)
            for (int column = 0; column < 5; ++column)
                if (glyph->rows[row] & (0x10 >> column))
                    target.fill_rect(Rect { cursor + column * size, y + row * size, size, size }, colour);
        cursor += 6 * size;
    }
    return cursor - x;
}

Result<SimulatedVRAM> render_image(const SimulatedVRAM& image, const RenderOptions& options)
{
    if (options.scale < 1 || options.scale > 64)
        return Error::usage(fmt::format("--scale {} is out of range 1..64", options.scale));
    int scale = options.scale;
    auto created = SimulatedVRAM::create(image.width() * scale, image.height() * scale, options.limits);
    if (!created)
        return Error::bad_input("", fmt::format("a {}x{} image at scale {}: {}", image.width(), image.height(), scale,
                                        created.error().diagnostics().front().message));
    SimulatedVRAM out = std::move(*created);
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            RGBA pixel = image.pixel_unchecked(x, y);
            pixel.a = 255; // transparent memory words would vanish on a page
            out.fill_rect(Rect { x * scale, y * scale, scale, scale }, pixel);
        }
    if (options.grid && scale >= 4) {
        RGBA line { 0, 0, 0, 255 };
        for (int x = 0; x < image.width(); ++x)
            out.fill_rect(Rect { x * scale, 0, 1, out.height() }, line);
        for (int y = 0; y < image.height(); ++y)
            out.fill_rect(Rect { 0, y * scale, out.width(), 1 }, line);
    }
    if (options.labels) {
        int thickness = std::max(1, scale / 2);
        int text_size = std::max(1, scale / 2);
        // A label: outline, then the name right-aligned on a dark box.
        auto label = [&](const Rect& area, std::string_view name, RGBA colour) {
            Rect rect = area.intersected(image.bounds());
            if (rect.empty())
                return;
            Rect scaled { rect.x * scale, rect.y * scale, rect.width * scale, rect.height * scale };
            outline(out, scaled, colour, thickness);
            int text_width = int(name.size()) * 6 * text_size;
            int text_height = 7 * text_size;
            if (scaled.height < text_height + 2 * thickness || scaled.width < text_width + 8 * text_size)
                return;
            int x = scaled.x + scaled.width - text_width - 4 * text_size; // clear of the code at the left
            int y = scaled.y + (scaled.height - text_height) / 2;
            out.fill_rect(Rect { x - 2 * text_size, y - 2 * text_size, text_width + 3 * text_size, text_height + 4 * text_size },
                RGBA { 0, 0, 0, 255 });
            draw_text(out, x, y, name, colour, text_size);
        };
        for (const Region& region : layout_regions())
            label(region.rect, region.name, RGBA { 255, 255, 255, 255 });
        // A bootable image also shows its display area and its processes.
        if (auto header = read_header(image, "image")) {
            label(header->display, "display area", RGBA { 255, 220, 0, 255 });
            std::uint32_t width = std::uint32_t(image.width());
            for (std::uint32_t slot = 0; slot < header->process_slots; ++slot) {
                const std::uint32_t* pcb = image.words() + header->process_table + std::size_t(slot) * header->pcb_words;
                std::uint32_t state = pcb[int(isa::PcbField::State)];
                std::uint32_t base = pcb[int(isa::PcbField::Base)], limit = pcb[int(isa::PcbField::Limit)];
                if (state == std::uint32_t(isa::ProcessState::Free) || base >= limit || limit > image.pixel_count())
                    continue;
                Rect memory { 0, int(base / width), int(width), int((limit - base + width - 1) / width) };
                label(memory, fmt::format("pid {} {}", pcb[int(isa::PcbField::Pid)], isa::process_state_name(state)),
                    RGBA { 0, 230, 255, 255 });
            }
        }
    }
    return out;
}

ImageDifference compare_images(const SimulatedVRAM& a, const SimulatedVRAM& b)
{
    ImageDifference result;
    result.width_a = a.width(), result.height_a = a.height(), result.width_b = b.width(), result.height_b = b.height();
    int width = std::min(a.width(), b.width()), height = std::min(a.height(), b.height());
    std::vector<RegionDifference> regions;
    for (const Region& region : layout_regions())
        regions.push_back({ std::string(region.name), 0, {} });
    regions.push_back({ "outside", 0, {} });
    auto grow = [](Rect& bounds, int x, int y) {
        if (bounds.empty()) {
            bounds = Rect { x, y, 1, 1 };
            return;
        }
        int right = std::max(bounds.x + bounds.width, x + 1), bottom = std::max(bounds.y + bounds.height, y + 1);
        bounds.x = std::min(bounds.x, x);
        bounds.y = std::min(bounds.y, y);
        bounds.width = right - bounds.x;
        bounds.height = bottom - bounds.y;
    };
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            RGBA before = a.pixel_unchecked(x, y), after = b.pixel_unchecked(x, y);
            if (before == after)
                continue;
            ++result.changed;
            if (result.first.size() < 10)
                result.first.push_back({ x, y, before, after });
            const Region* region = region_at(x, y);
            std::size_t index = region ? std::size_t(region - layout_regions().data()) : regions.size() - 1;
            ++regions[index].changed;
            grow(regions[index].bounds, x, y);
        }
    for (RegionDifference& region : regions)
        if (region.changed)
            result.regions.push_back(region);
    return result;
}

SimulatedVRAM difference_picture(const SimulatedVRAM& a, const SimulatedVRAM& b)
{
    int width = std::min(a.width(), b.width()), height = std::min(a.height(), b.height());
    SimulatedVRAM out = SimulatedVRAM::create(std::max(width, 1), std::max(height, 1), VRAMLimits { VRAMLimits::kMaxDimension, VRAMLimits::kHardMaxBytes }).value();
    const std::uint32_t changed = RGBA { 255, 0, 255, 255 }.to_word();
    std::uint32_t* words = out.mutable_words(); // a fresh picture: nobody observes it
    // Whole words, row by row (the loop writes one every generation): a
    // kept pixel dimmed to a quarter (dim(), opaque), a changed one magenta.
    auto row_a = [&](int y) { return a.words() + std::size_t(y) * std::size_t(a.width()); };
    auto row_b = [&](int y) { return b.words() + std::size_t(y) * std::size_t(b.width()); };
    for (int y = 0; y < height; ++y) {
        const std::uint32_t* before = row_a(y);
        const std::uint32_t* after = row_b(y);
        std::uint32_t* row = words + std::size_t(y) * std::size_t(width);
        for (int x = 0; x < width; ++x)
            row[x] = before[x] == after[x] ? ((after[x] >> 2) & 0x003f3f3fu) | 0xff000000u : changed;
    }
    for (const Region& region : layout_regions()) {
        Rect rect = region.rect.intersected(out.bounds());
        if (!rect.empty())
            outline(out, rect, RGBA { 90, 90, 90, 255 }, 1);
    }
    // Changed pixels stay visible over the outlines.
    for (int y = 0; y < height; ++y) {
        const std::uint32_t* before = row_a(y);
        const std::uint32_t* after = row_b(y);
        if (std::equal(before, before + width, after))
            continue;
        std::uint32_t* row = words + std::size_t(y) * std::size_t(width);
        for (int x = 0; x < width; ++x)
            if (before[x] != after[x])
                row[x] = changed;
    }
    return out;
}

int default_difference_scale(int width, int height)
{
    int longest = std::max({ width, height, 1 });
    int scale = std::clamp(2048 / longest, 4, 64);
    return std::max(1, std::min(scale, 4096 / longest));
}

Result<SimulatedVRAM> difference_picture_for_people(const SimulatedVRAM& a, const SimulatedVRAM& b,
    const ImageDifference& difference, const DifferencePictureOptions& options)
{
    int scale = options.scale == 0 ? default_difference_scale(std::min(a.width(), b.width()), std::min(a.height(), b.height()))
                                   : options.scale;
    if (scale < 1 || scale > 64)
        return Error::usage(fmt::format("--scale {} is out of range 1..64", scale));
    SimulatedVRAM base = difference_picture(a, b);
    const RGBA magenta { 255, 0, 255, 255 }, grey { 90, 90, 90, 255 }, white { 255, 255, 255, 255 };

    // The legend's lines, each after a swatch: text size 2 from scale 2 up.
    int text = scale >= 2 ? 2 : 1;
    int line_height = 11 * text;
    std::vector<std::pair<int, std::string>> lines = {
        { 0, "unchanged pixels, dimmed to a quarter" },
        { 1, fmt::format("changed: {} pixel{}", difference.changed, difference.changed == 1 ? "" : "s") },
        { 2, "layout regions" },
        { 3, fmt::format("scale {}: one image pixel is {}x{}", scale, scale, scale) },
    };
    if (!difference.same_size())
        lines.push_back({ 3, fmt::format("sizes differ: {}x{} and {}x{}, the overlap shown", difference.width_a,
                                 difference.height_a, difference.width_b, difference.height_b) });
    int legend_width = 0;
    for (const auto& line : lines)
        legend_width = std::max(legend_width, (12 + 6 * int(line.second.size())) * text + 8 * text);
    int picture_width = base.width() * scale, picture_height = base.height() * scale;
    int legend_height = int(lines.size()) * line_height + 6 * text;
    auto created = SimulatedVRAM::create(std::max(picture_width, legend_width), picture_height + legend_height, options.limits);
    if (!created)
        return Error::bad_input("", fmt::format("a {}x{} difference at scale {}: {}", base.width(), base.height(), scale,
                                        created.error().diagnostics().front().message));
    SimulatedVRAM out = std::move(*created);
    out.fill_rect(out.bounds(), RGBA { 0, 0, 0, 255 });
    auto changed_at = [&](int x, int y) { return !(a.pixel_unchecked(x, y) == b.pixel_unchecked(x, y)); };
    for (int y = 0; y < base.height(); ++y)
        for (int x = 0; x < base.width(); ++x)
            if (!changed_at(x, y))
                out.fill_rect(Rect { x * scale, y * scale, scale, scale },
                    RGBA::from_word(((b.pixel_unchecked(x, y).to_word() >> 2) & 0x003f3f3fu) | 0xff000000u));
    // Outlines one pixel thin at any scale; changes over them.
    for (const Region& region : layout_regions()) {
        Rect rect = region.rect.intersected(base.bounds());
        if (!rect.empty())
            outline(out, Rect { rect.x * scale, rect.y * scale, rect.width * scale, rect.height * scale }, grey, 1);
    }
    if (difference.changed)
        for (int y = 0; y < base.height(); ++y)
            for (int x = 0; x < base.width(); ++x)
                if (changed_at(x, y))
                    out.fill_rect(Rect { x * scale, y * scale, scale, scale }, magenta);

    // The legend, under a rule.
    int top = picture_height;
    out.fill_rect(Rect { 0, top, out.width(), 1 }, grey);
    int swatch = 7 * text;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        int y = top + 4 * text + int(i) * line_height;
        int x = 4 * text;
        switch (lines[i].first) {
        case 0:
            out.fill_rect(Rect { x, y, swatch, swatch }, RGBA { 40, 40, 40, 255 });
            out.fill_rect(Rect { x + swatch / 2, y, swatch - swatch / 2, swatch }, RGBA { 160, 160, 160, 255 });
            break;
        case 1: out.fill_rect(Rect { x, y, swatch, swatch }, magenta); break;
        case 2: outline(out, Rect { x, y, swatch, swatch }, grey, 1); break;
        default: break;
        }
        draw_text(out, x + swatch + 5 * text, y, lines[i].second, white, text);
    }
    return out;
}

std::string difference_to_text(const ImageDifference& difference, const std::string& name_a, const std::string& name_b)
{
    std::string text;
    if (!difference.same_size())
        text += fmt::format("sizes differ: {} is {}x{}, {} is {}x{}; comparing the {}x{} overlap\n", name_a,
            difference.width_a, difference.height_a, name_b, difference.width_b, difference.height_b,
            std::min(difference.width_a, difference.width_b), std::min(difference.height_a, difference.height_b));
    if (difference.changed == 0) {
        text += difference.same_size() ? "the pixels are equal\n" : "the overlap is equal\n";
        return text;
    }
    text += fmt::format("{} {}\n", plural(long(difference.changed), "pixel"), difference.changed == 1 ? "differs" : "differ");
    for (const RegionDifference& region : difference.regions)
        text += fmt::format("  {:<15} {:>8} px  in {}x{} at ({},{})\n", region.region, region.changed,
            region.bounds.width, region.bounds.height, region.bounds.x, region.bounds.y);
    text += "first differences:\n";
    for (const PixelDifference& pixel : difference.first)
        text += fmt::format("  ({},{}) {} -> {}\n", pixel.x, pixel.y, pixel.before.to_string(), pixel.after.to_string());
    return text;
}

std::string difference_to_json(const ImageDifference& difference)
{
    nlohmann::ordered_json root;
    root["schema"] = 1;
    root["equal"] = difference.equal();
    root["size_a"] = { difference.width_a, difference.height_a };
    root["size_b"] = { difference.width_b, difference.height_b };
    root["changed_pixels"] = difference.changed;
    nlohmann::ordered_json regions = nlohmann::ordered_json::array();
    for (const RegionDifference& region : difference.regions)
        regions.push_back({ { "region", region.region }, { "changed_pixels", region.changed },
            { "bounds",
                { { "at", { region.bounds.x, region.bounds.y } }, { "size", { region.bounds.width, region.bounds.height } } } } });
    root["regions"] = std::move(regions);
    nlohmann::ordered_json first = nlohmann::ordered_json::array();
    for (const PixelDifference& pixel : difference.first)
        first.push_back({ { "pixel", { pixel.x, pixel.y } },
            { "a", { pixel.before.r, pixel.before.g, pixel.before.b, pixel.before.a } },
            { "b", { pixel.after.r, pixel.after.g, pixel.after.b, pixel.after.a } } });
    root["first_differences"] = std::move(first);
    return write_json(root, JsonLayout::Indented) + "\n";
}

} // namespace pxos
