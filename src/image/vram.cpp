#include "pxos/image/vram.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace pxos {

std::string RGBA::to_string() const
{
    return fmt::format("({},{},{},{})", r, g, b, a);
}

Rect Rect::intersected(const Rect& other) const
{
    if (empty() || other.empty())
        return Rect {};
    std::int64_t left = std::max<std::int64_t>(x, other.x);
    std::int64_t top = std::max<std::int64_t>(y, other.y);
    std::int64_t right = std::min<std::int64_t>(std::int64_t(x) + width, std::int64_t(other.x) + other.width);
    std::int64_t bottom = std::min<std::int64_t>(std::int64_t(y) + height, std::int64_t(other.y) + other.height);
    if (right <= left || bottom <= top)
        return Rect {};
    return Rect { int(left), int(top), int(right - left), int(bottom - top) };
}

Result<void> VRAMLimits::check(int width, int height) const
{
    if (width < 1 || height < 1 || width > max_dimension || height > max_dimension)
        return Error::bad_input("", fmt::format("VRAM size {}x{} is out of range: width and height must be 1..{}",
                                        width, height, max_dimension));
    std::uint64_t bytes = std::uint64_t(width) * std::uint64_t(height) * 4;
    if (bytes > max_bytes)
        return Error::bad_input("", fmt::format("VRAM size {}x{} needs {} MiB, over {}", width, height,
                                        (bytes + kMiB - 1) / kMiB, cap_text(Cap::VramMemory, max_bytes)));
    return {};
}

SimulatedVRAM::SimulatedVRAM(int width, int height, std::vector<std::uint32_t> pixels)
    : m_width(width)
    , m_height(height)
    , m_pixels(std::move(pixels))
{
}

Result<SimulatedVRAM> SimulatedVRAM::create(int width, int height, const VRAMLimits& limits)
{
    PXOS_TRY(limits.check(width, height));
    std::vector<std::uint32_t> pixels(std::size_t(width) * std::size_t(height), RGBA { 0, 0, 0, 255 }.to_word());
    return SimulatedVRAM(width, height, std::move(pixels));
}

Result<SimulatedVRAM> SimulatedVRAM::from_words(int width, int height, std::vector<std::uint32_t> words,
    const VRAMLimits& limits)
{
    PXOS_TRY(limits.check(width, height));
    if (words.size() != std::size_t(width) * std::size_t(height))
        return Error::internal(fmt::format("{} pixel words given for a {}x{} VRAM", words.size(), width, height));
    return SimulatedVRAM(width, height, std::move(words));
}

bool SimulatedVRAM::take_from_budget(const Rect& clipped)
{
    if (m_write_budget == kNoBudget)
        return true;
    std::uint64_t pixels = std::uint64_t(clipped.area());
    if (m_refused_write || pixels > m_write_budget) {
        if (!m_refused_write)
            m_refused_write = clipped;
        return false;
    }
    m_write_budget -= pixels;
    return true;
}

Result<RGBA> SimulatedVRAM::read_pixel(int x, int y) const
{
    if (!contains(x, y))
        return Error::bad_input("", fmt::format("read of pixel ({},{}) is outside the {}x{} VRAM", x, y, m_width, m_height));
    return pixel_unchecked(x, y);
}

Result<void> SimulatedVRAM::write_pixel(int x, int y, RGBA color)
{
    if (!contains(x, y))
        return Error::bad_input("", fmt::format("write of pixel ({},{}) is outside the {}x{} VRAM", x, y, m_width, m_height));
    Rect rect { x, y, 1, 1 };
    if (!take_from_budget(rect))
        return Error::bad_input("", fmt::format("write of pixel ({},{}) is over the build work cap", x, y));
    if (m_observer)
        m_observer->will_write(*this, rect);
    m_pixels[index_of(x, y)] = color.to_word();
    if (m_observer)
        m_observer->did_write(*this, rect);
    return {};
}

std::int64_t SimulatedVRAM::fill_rect(const Rect& rect, RGBA color)
{
    Rect clipped = rect.intersected(bounds());
    if (clipped.empty() || !take_from_budget(clipped))
        return 0;
    if (m_observer)
        m_observer->will_write(*this, clipped);
    std::uint32_t word = color.to_word();
    if (clipped.x == 0 && clipped.width == m_width) {
        // Whole rows are one contiguous run.
        std::uint32_t* begin = &m_pixels[index_of(0, clipped.y)];
        std::fill(begin, begin + std::size_t(clipped.width) * std::size_t(clipped.height), word);
    } else {
        for (int row = clipped.y; row < clipped.y + clipped.height; ++row) {
            std::uint32_t* begin = &m_pixels[index_of(clipped.x, row)];
            std::fill(begin, begin + clipped.width, word);
        }
    }
    if (m_observer)
        m_observer->did_write(*this, clipped);
    return clipped.area();
}

std::int64_t SimulatedVRAM::copy_rect(const Rect& source, int dst_x, int dst_y)
{
    // Clip the source to the VRAM, shift the destination by the same amount,
    // then clip the destination and shift the source back.
    Rect src = source.intersected(bounds());
    if (src.empty())
        return 0;
    std::int64_t shifted_x = std::int64_t(dst_x) + (src.x - source.x);
    std::int64_t shifted_y = std::int64_t(dst_y) + (src.y - source.y);
    if (shifted_x > m_width || shifted_y > m_height || shifted_x + src.width < 0 || shifted_y + src.height < 0)
        return 0;
    Rect dst = Rect { int(shifted_x), int(shifted_y), src.width, src.height }.intersected(bounds());
    if (dst.empty() || !take_from_budget(dst))
        return 0;
    int src_x = src.x + (dst.x - int(shifted_x));
    int src_y = src.y + (dst.y - int(shifted_y));

    if (m_observer)
        m_observer->will_write(*this, dst);
    std::size_t row_bytes = std::size_t(dst.width) * sizeof(std::uint32_t);
    // Copying rows downwards would overwrite source rows not yet read when the
    // destination lies below the source; walk rows in the safe direction.
    // memmove handles the overlap within a row.
    if (dst.y > src_y) {
        for (int row = dst.height - 1; row >= 0; --row)
            std::memmove(&m_pixels[index_of(dst.x, dst.y + row)], &m_pixels[index_of(src_x, src_y + row)], row_bytes);
    } else {
        for (int row = 0; row < dst.height; ++row)
            std::memmove(&m_pixels[index_of(dst.x, dst.y + row)], &m_pixels[index_of(src_x, src_y + row)], row_bytes);
    }
    if (m_observer)
        m_observer->did_write(*this, dst);
    return dst.area();
}

std::size_t SimulatedVRAM::count_unique_colors(const Rect& rect) const
{
    Rect clipped = rect.intersected(bounds());
    if (clipped.empty())
        return 0;
    std::vector<std::uint32_t> values;
    values.reserve(std::size_t(clipped.area()));
    for (int row = clipped.y; row < clipped.y + clipped.height; ++row) {
        const std::uint32_t* begin = &m_pixels[index_of(clipped.x, row)];
        values.insert(values.end(), begin, begin + clipped.width);
    }
    std::sort(values.begin(), values.end());
    return std::size_t(std::unique(values.begin(), values.end()) - values.begin());
}

std::int64_t SimulatedVRAM::count_differences(const SimulatedVRAM& other) const
{
    int width = std::min(m_width, other.m_width);
    int height = std::min(m_height, other.m_height);
    std::int64_t differences = 0;
    for (int row = 0; row < height; ++row) {
        const std::uint32_t* mine = &m_pixels[index_of(0, row)];
        const std::uint32_t* theirs = &other.m_pixels[other.index_of(0, row)];
        for (int column = 0; column < width; ++column)
            differences += mine[column] != theirs[column];
    }
    return differences;
}

RegionView::RegionView(const SimulatedVRAM& vram, const Rect& rect)
    : m_vram(&vram)
    , m_rect(rect.intersected(vram.bounds()))
{
}

Result<RGBA> RegionView::read_pixel(int dx, int dy) const
{
    if (dx < 0 || dy < 0 || dx >= m_rect.width || dy >= m_rect.height)
        return Error::bad_input("", fmt::format("read of ({},{}) is outside the {}x{} region view at ({},{})", dx, dy,
                                        m_rect.width, m_rect.height, m_rect.x, m_rect.y));
    return m_vram->pixel_unchecked(m_rect.x + dx, m_rect.y + dy);
}

bool RegionView::is_uniform(RGBA color) const
{
    for (int row = 0; row < m_rect.height; ++row)
        for (int column = 0; column < m_rect.width; ++column)
            if (!(m_vram->pixel_unchecked(m_rect.x + column, m_rect.y + row) == color))
                return false;
    return true;
}

} // namespace pxos
