// SimulatedVRAM: the substrate pxos builds, evaluates and runs. An RGBA8
// texture stored row-major as 32-bit words whose bytes in memory are R,G,B,A,
// so the pixel buffer is already the layout PNG encoders want and a pixel is
// one machine word. Creation is checked against size limits; single-pixel
// access is bounds-checked and returns an error naming the pixel; rectangle
// operations clip, as the seed prototype's did. Writers can be observed
// (live viewer, provenance) through one optional pointer, so an unobserved
// VRAM pays a single null check per operation.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/limits.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pxos {

struct RGBA {
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    std::uint8_t a = 255;

    friend bool operator==(const RGBA&, const RGBA&) = default;

    // The word whose little-endian bytes are r,g,b,a.
    constexpr std::uint32_t to_word() const
    {
        return std::uint32_t(r) | (std::uint32_t(g) << 8) | (std::uint32_t(b) << 16) | (std::uint32_t(a) << 24);
    }
    static constexpr RGBA from_word(std::uint32_t word)
    {
        return RGBA { std::uint8_t(word), std::uint8_t(word >> 8), std::uint8_t(word >> 16), std::uint8_t(word >> 24) };
    }
    // "(r,g,b,a)"
    std::string to_string() const;
};

struct Rect {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;

    friend bool operator==(const Rect&, const Rect&) = default;
    bool empty() const { return width <= 0 || height <= 0; }
    std::int64_t area() const { return empty() ? 0 : std::int64_t(width) * height; }
    bool contains(int px, int py) const { return px >= x && py >= y && px - x < width && py - y < height; }
    // The part of this rectangle inside `bounds`, computed without overflow.
    Rect intersected(const Rect& bounds) const;
};

// Caps that protect the host from absurd images. Dimensions are capped at
// 16384; memory at kDefaultMaxBytes unless a caller raises it.
struct VRAMLimits {
    static constexpr int kMaxDimension = 16384;
    static constexpr std::uint64_t kDefaultMaxBytes = cap_default(Cap::VramMemory); // 256 MiB: 8192 x 8192
    static constexpr std::uint64_t kHardMaxBytes = cap_maximum(Cap::VramMemory);   // 1 GiB: 16384 x 16384

    int max_dimension = kMaxDimension;
    std::uint64_t max_bytes = kDefaultMaxBytes;
    // The build work cap: pixels all steps of one build may write together.
    // The build engine gives it to the VRAM it builds (set_write_budget);
    // other VRAMs have no budget.
    std::uint64_t max_build_pixels = cap_default(Cap::BuildPixels);

    static VRAMLimits from_caps(const CapValues& caps)
    {
        VRAMLimits limits;
        limits.max_bytes = caps.get(Cap::VramMemory);
        limits.max_build_pixels = caps.get(Cap::BuildPixels);
        return limits;
    }

    // Ok when a width x height VRAM fits these limits; otherwise an error
    // that names the cap (and the flag that raises the memory cap).
    Result<void> check(int width, int height) const;
};

class SimulatedVRAM;

// Notified around every write. Rectangles are already clipped and non-empty.
// will_write runs before the pixels change (so an observer can read the old
// values), did_write after.
class WriteObserver {
public:
    virtual ~WriteObserver() = default;
    virtual void will_write(const SimulatedVRAM&, const Rect&) { }
    virtual void did_write(const SimulatedVRAM&, const Rect&) { }
};

class SimulatedVRAM {
public:
    // A VRAM of the given size filled with opaque black (0,0,0,255), as new
    // VRAM is in the seed.
    static Result<SimulatedVRAM> create(int width, int height, const VRAMLimits& limits = {});
    // Wraps pixels decoded elsewhere (size must match width * height).
    static Result<SimulatedVRAM> from_words(int width, int height, std::vector<std::uint32_t> words,
        const VRAMLimits& limits = {});

    int width() const { return m_width; }
    int height() const { return m_height; }
    Rect bounds() const { return Rect { 0, 0, m_width, m_height }; }
    std::size_t pixel_count() const { return m_pixels.size(); }
    bool contains(int x, int y) const { return bounds().contains(x, y); }

    Result<RGBA> read_pixel(int x, int y) const;
    Result<void> write_pixel(int x, int y, RGBA color);

    // Unchecked access for hot loops that have already validated (x, y).
    RGBA pixel_unchecked(int x, int y) const { return RGBA::from_word(m_pixels[index_of(x, y)]); }

    // Fill the part of `rect` inside the VRAM. Returns pixels written.
    std::int64_t fill_rect(const Rect& rect, RGBA color);
    // Copy a source rectangle to (dst_x, dst_y), clipping against the VRAM on
    // both sides; overlapping source and destination copy as if through a
    // temporary. Returns pixels written.
    std::int64_t copy_rect(const Rect& source, int dst_x, int dst_y);

    // Distinct RGBA values inside `rect` (clipped); the whole VRAM by default.
    std::size_t count_unique_colors() const { return count_unique_colors(bounds()); }
    std::size_t count_unique_colors(const Rect& rect) const;
    // Pixels (inside the overlap of both sizes) that differ between two VRAMs.
    std::int64_t count_differences(const SimulatedVRAM& other) const;
    friend bool operator==(const SimulatedVRAM& a, const SimulatedVRAM& b)
    {
        return a.m_width == b.m_width && a.m_height == b.m_height && a.m_pixels == b.m_pixels;
    }

    const std::uint32_t* words() const { return m_pixels.data(); }
    // Direct access for the pixel machine's hot loop. Writes through this
    // pointer bypass the observer; the machine reports its own writes.
    std::uint32_t* mutable_words() { return m_pixels.data(); }
    const std::uint8_t* bytes() const { return reinterpret_cast<const std::uint8_t*>(m_pixels.data()); }
    std::size_t byte_size() const { return m_pixels.size() * sizeof(std::uint32_t); }

    // A budget of pixels the writes above may still write (a build's work
    // cap). A write bigger than what is left is not done at all: it returns
    // 0 (write_pixel an error), and it and every later write are refused
    // until a new budget is set. kNoBudget, the default, never refuses.
    static constexpr std::uint64_t kNoBudget = UINT64_MAX;
    void set_write_budget(std::uint64_t pixels)
    {
        m_write_budget = pixels;
        m_refused_write.reset();
    }
    std::uint64_t write_budget() const { return m_write_budget; }
    // The first write refused for the budget, clipped, if any.
    const std::optional<Rect>& refused_write() const { return m_refused_write; }

    // At most one observer; pass nullptr to detach. Not owned.
    void set_observer(WriteObserver* observer) { m_observer = observer; }
    WriteObserver* observer() const { return m_observer; }

private:
    SimulatedVRAM(int width, int height, std::vector<std::uint32_t> pixels);
    std::size_t index_of(int x, int y) const { return std::size_t(y) * std::size_t(m_width) + std::size_t(x); }
    // Takes a clipped write's pixels from the budget; false refuses it.
    bool take_from_budget(const Rect& clipped);

    int m_width = 0;
    int m_height = 0;
    std::vector<std::uint32_t> m_pixels;
    WriteObserver* m_observer = nullptr;
    std::uint64_t m_write_budget = kNoBudget;
    std::optional<Rect> m_refused_write;
};

// A rectangular window onto a VRAM, in the VRAM's coordinates, clipped to it.
class RegionView {
public:
    RegionView(const SimulatedVRAM& vram, const Rect& rect);
    const Rect& rect() const { return m_rect; }
    std::size_t count_unique_colors() const { return m_vram->count_unique_colors(m_rect); }
    // Reads relative to the view's origin; out of the view is an error.
    Result<RGBA> read_pixel(int dx, int dy) const;
    // True when every pixel of the view has this colour.
    bool is_uniform(RGBA color) const;

private:
    const SimulatedVRAM* m_vram;
    Rect m_rect;
};

} // namespace pxos
