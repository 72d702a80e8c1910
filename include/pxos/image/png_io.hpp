// PNG I/O, the one adapter over PNG files, pxos's own both ways. Decoding
// walks the chunks (signature, lengths against the file, CRCs, IHDR sizes
// against the VRAM limits, PLTE and tRNS against the header), checks the
// zlib header, inflates with libdeflate into exactly the bytes the header
// promises, checks the Adler-32 and that nothing follows the stream, then
// undoes the filters (Adam7 too) and writes RGBA8, checking every palette
// index against PLTE: any failure is bad input naming its byte (or pixel).
// Any colour type and bit depth loads as RGBA8, as stb_image converted them.
// Encoding: RGBA8 rows in bands of 256, up to 8 at once on the Executor
// (the bytes depend only on the pixels, never on the executor), each band
// one deflate segment ending on a byte boundary: a row that repeats the row
// above is written by hand, as back-references under a Huffman code of
// five symbols (a memcmp and 18 bytes for a row 4096 wide), any other is
// UP-filtered and deflated by zlib (level 1, RLE strategy); the segments'
// Adler-32s are combined: one valid zlib stream that any decoder reads.
// The decoder is src/image/png_decoder.cpp, the encoder png_encoder.cpp.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/executor.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/image/vram.hpp"

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
Result<SimulatedVRAM> load_png(FileSystem& files, const std::string& path, const PngLimits& limits = {});

// `executor` deflates the bands; a serial one gives the same bytes, slower.
Result<std::vector<std::uint8_t>> encode_png(const SimulatedVRAM& vram, Executor& executor);
// Encodes and writes atomically (temporary file, then rename).
Result<void> save_png(FileSystem& files, const std::string& path, const SimulatedVRAM& vram, Executor& executor);
// Encodes and stages it as `path`, to appear with the command's other
// outputs on outputs.commit() (see StagedOutputs).
Result<void> stage_png(StagedOutputs& outputs, const std::string& path, const SimulatedVRAM& vram, Executor& executor);

} // namespace pxos
