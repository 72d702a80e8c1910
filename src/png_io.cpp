#include "pxos/png_io.hpp"

#include "pxos/file_io.hpp"

#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <zlib.h>

namespace {

// The largest single allocation stb_image may make while decoding the
// current image; set from the validated IHDR before each decode.
thread_local std::size_t g_stbi_allocation_cap = 0;

void* capped_malloc(std::size_t size)
{
    return size > g_stbi_allocation_cap ? nullptr : std::malloc(size);
}

void* capped_realloc(void* pointer, std::size_t size)
{
    return size > g_stbi_allocation_cap ? nullptr : std::realloc(pointer, size);
}

// zlib's deflate at level 1 in place of stb_image_write's own compressor.
// The RLE strategy (matches at distance 1 only) suits filtered VRAM rows,
// which are mostly runs, and is several times faster than the default.
unsigned char* zlib_compress(unsigned char* data, int data_length, int* out_length, int /*quality*/)
{
    z_stream stream {};
    if (deflateInit2(&stream, 1, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK)
        return nullptr;
    uLong bound = deflateBound(&stream, uLong(data_length));
    auto* output = static_cast<unsigned char*>(std::malloc(bound));
    if (!output) {
        deflateEnd(&stream);
        return nullptr;
    }
    stream.next_in = data;
    stream.avail_in = uInt(data_length);
    stream.next_out = output;
    stream.avail_out = uInt(bound);
    int status = deflate(&stream, Z_FINISH);
    *out_length = int(stream.total_out);
    deflateEnd(&stream);
    if (status != Z_STREAM_END) {
        std::free(output);
        return nullptr;
    }
    return output;
}

} // namespace

#define STBI_MALLOC(size) capped_malloc(size)
#define STBI_REALLOC(pointer, size) capped_realloc(pointer, size)
#define STBI_FREE(pointer) std::free(pointer)
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 16384
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBIW_ZLIB_COMPRESS zlib_compress
#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wshadow"
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace pxos {

namespace {

constexpr std::uint8_t kSignature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

std::uint32_t read_be32(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

bool is_chunk_letter(std::uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

struct Header {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bit_depth = 0;
    int color_type = 0;
    bool interlaced = false;
};

int channels_of(int color_type)
{
    switch (color_type) {
    case 0: return 1; // greyscale
    case 2: return 3; // RGB
    case 3: return 1; // palette index
    case 4: return 2; // greyscale + alpha
    case 6: return 4; // RGBA
    }
    return 0;
}

bool valid_depth(int color_type, int depth)
{
    switch (color_type) {
    case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6: return depth == 8 || depth == 16;
    }
    return false;
}

// Walks every chunk, checking what stb would otherwise trust.
Result<Header> validate_structure(std::span<const std::uint8_t> bytes, const std::string& name, const PngLimits& limits)
{
    auto fail = [&](std::string message) { return Error::bad_input(name, std::move(message)); };
    if (bytes.size() < 8 || std::memcmp(bytes.data(), kSignature, 8) != 0)
        return fail("not a PNG file (the 8-byte PNG signature is missing)");

    Header header;
    bool seen_header = false;
    bool seen_data = false;
    bool seen_end = false;
    std::size_t offset = 8;
    while (offset < bytes.size() && !seen_end) {
        if (bytes.size() - offset < 12)
            return fail(fmt::format("truncated chunk at byte {}: {} bytes left, a chunk needs at least 12", offset,
                bytes.size() - offset));
        std::uint32_t length = read_be32(&bytes[offset]);
        const std::uint8_t* type = &bytes[offset + 4];
        std::string type_name(reinterpret_cast<const char*>(type), 4);
        if (!is_chunk_letter(type[0]) || !is_chunk_letter(type[1]) || !is_chunk_letter(type[2])
            || !is_chunk_letter(type[3]))
            return fail(fmt::format("chunk at byte {} has an invalid type (expected 4 letters)", offset));
        if (length > 0x7fffffffu || std::uint64_t(length) > bytes.size() - offset - 12)
            return fail(fmt::format("chunk '{}' at byte {} declares {} bytes of data but only {} remain in the file",
                type_name, offset, length, bytes.size() - offset - 12));
        const std::uint8_t* data = type + 4;
        std::uint32_t stored_crc = read_be32(data + length);
        std::uint32_t computed_crc = std::uint32_t(crc32(0, type, uInt(4 + length)));
        if (stored_crc != computed_crc)
            return fail(fmt::format("chunk '{}' at byte {} has a bad CRC (stored {:08x}, computed {:08x})", type_name,
                offset, stored_crc, computed_crc));

        if (!seen_header) {
            if (type_name != "IHDR")
                return fail(fmt::format("first chunk is '{}', expected 'IHDR'", type_name));
            if (length != 13)
                return fail(fmt::format("IHDR chunk is {} bytes, expected 13", length));
            header.width = read_be32(data);
            header.height = read_be32(data + 4);
            header.bit_depth = data[8];
            header.color_type = data[9];
            if (data[10] != 0 || data[11] != 0 || data[12] > 1)
                return fail("IHDR has an unknown compression, filter or interlace method");
            header.interlaced = data[12] == 1;
            if (channels_of(header.color_type) == 0 || !valid_depth(header.color_type, header.bit_depth))
                return fail(fmt::format("IHDR has an invalid colour type {} with bit depth {}", header.color_type,
                    header.bit_depth));
            if (header.width == 0 || header.height == 0 || header.width > std::uint32_t(limits.vram.max_dimension)
                || header.height > std::uint32_t(limits.vram.max_dimension))
                return fail(fmt::format("image size {}x{} is out of range: width and height must be 1..{}",
                    header.width, header.height, limits.vram.max_dimension));
            auto checked = limits.vram.check(int(header.width), int(header.height));
            if (!checked)
                return fail(checked.error().diagnostics().front().message);
            seen_header = true;
        } else if (type_name == "IHDR") {
            return fail(fmt::format("second IHDR chunk at byte {}", offset));
        } else if (type_name == "IDAT") {
            seen_data = true;
        } else if (type_name == "IEND") {
            seen_end = true;
        }
        offset += 12 + std::size_t(length);
    }
    if (!seen_header)
        return fail("no IHDR chunk");
    if (!seen_data)
        return fail("no IDAT chunk (the image has no pixel data)");
    if (!seen_end)
        return fail("truncated: the file ends before the IEND chunk");
    return header;
}

} // namespace

Result<SimulatedVRAM> decode_png(std::span<const std::uint8_t> bytes, const std::string& name, const PngLimits& limits)
{
    if (bytes.size() > limits.max_file_bytes)
        return Error::bad_input(name, fmt::format("file is {} bytes, over the {} byte limit", bytes.size(),
                                          limits.max_file_bytes));
    auto header = validate_structure(bytes, name, limits);
    if (!header)
        return std::move(header).error();

    // No single allocation may exceed twice the raw (filtered) image data at
    // 8 bytes a pixel, nor the compressed data stb gathers from the file.
    std::size_t pixels = std::size_t(header->width) * header->height;
    std::size_t raw = pixels * 8 + std::size_t(header->height) * 8 + 64;
    g_stbi_allocation_cap = std::max(2 * raw, bytes.size()) + (std::size_t(1) << 16);

    int width = 0;
    int height = 0;
    int channels = 0;
    unsigned char* decoded = stbi_load_from_memory(bytes.data(), int(bytes.size()), &width, &height, &channels, 4);
    g_stbi_allocation_cap = 0;
    if (!decoded)
        return Error::bad_input(name, fmt::format("cannot decode PNG data: {}", stbi_failure_reason()));

    std::vector<std::uint32_t> words(std::size_t(width) * std::size_t(height));
    std::memcpy(words.data(), decoded, words.size() * 4);
    std::free(decoded);
    auto vram = SimulatedVRAM::from_words(width, height, std::move(words), limits.vram);
    if (!vram)
        return Error::bad_input(name, vram.error().diagnostics().front().message);
    return vram;
}

Result<SimulatedVRAM> load_png(const std::string& path, const PngLimits& limits)
{
    auto bytes = read_file_bytes(path, limits.max_file_bytes);
    if (!bytes)
        return std::move(bytes).error();
    return decode_png(*bytes, path, limits);
}

Result<std::vector<std::uint8_t>> encode_png(const SimulatedVRAM& vram)
{
    stbi_write_force_png_filter = 2; // UP: cheap to compute, compresses layouts well
    int length = 0;
    unsigned char* png = stbi_write_png_to_mem(vram.bytes(), vram.width() * 4, vram.width(), vram.height(), 4, &length);
    if (!png)
        return Error::internal(fmt::format("PNG encoding of a {}x{} VRAM failed (out of memory?)", vram.width(),
            vram.height()));
    std::vector<std::uint8_t> bytes(png, png + length);
    STBIW_FREE(png);
    return bytes;
}

Result<void> save_png(const std::string& path, const SimulatedVRAM& vram)
{
    PXOS_TRY(check_output_path(path));
    auto bytes = encode_png(vram);
    if (!bytes)
        return std::move(bytes).error();
    return write_file_atomic(path, *bytes);
}

} // namespace pxos
