// PNG I/O, the one adapter over PNG files. Decoding uses stb_image, but
// first walks the PNG's chunk structure itself (signature, chunk lengths
// against the file, CRCs, IHDR sizes against the VRAM limits) so stb never
// sees a file that could make it allocate absurd amounts, and stb's
// allocations are capped besides. Any colour type and bit depth loads as
// RGBA8. Encoding is pxos's own: RGBA8 rows with the UP filter, deflated by
// zlib (level 1, RLE strategy) in bands of rows on every core, the bands'
// streams joined with sync flushes and their Adler-32s combined: one valid
// zlib stream that any decoder reads, at several times stb_image_write's speed.
#pragma once

#include "pxos/diagnostic.hpp"
#include "pxos/limits.hpp"
#include "pxos/vram.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace pxos {

struct PngLimits {
    static constexpr std::uint64_t kDefaultMaxFileBytes = cap_default(Cap::PngFile);
    VRAMLimits vram;
    std::uint64_t max_file_bytes = kDefaultMaxFileBytes;

    static PngLimits from_caps(const CapValues& caps)
    {
        return PngLimits { VRAMLimits::from_caps(caps), caps.get(Cap::PngFile) };
    }
};

// `name` is used in messages ("name: chunk 'IDAT' at byte 33 ...").
Result<SimulatedVRAM> decode_png(std::span<const std::uint8_t> bytes, const std::string& name,
    const PngLimits& limits = {});
Result<SimulatedVRAM> load_png(const std::string& path, const PngLimits& limits = {});

Result<std::vector<std::uint8_t>> encode_png(const SimulatedVRAM& vram);
// Encodes and writes atomically (temporary file, then rename).
Result<void> save_png(const std::string& path, const SimulatedVRAM& vram);

} // namespace pxos
