// What the PNG decoder and encoder share (src/image/png_decoder.cpp and
// png_encoder.cpp, behind include/pxos/image/png_io.hpp): the file's
// signature. Everything else belongs to one direction only.
#pragma once

#include <cstdint>

namespace pxos::png_format {

constexpr std::uint8_t kSignature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

} // namespace pxos::png_format
