#include "pxos/png_io.hpp"

#include "pxos/file_io.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>
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

} // namespace

#define STBI_MALLOC(size) capped_malloc(size)
#define STBI_REALLOC(pointer, size) capped_realloc(pointer, size)
#define STBI_FREE(pointer) std::free(pointer)
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 16384
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wshadow"
#include <stb/stb_image.h>
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
        return Error::bad_input(name, fmt::format("file is {} bytes, over {}", bytes.size(),
                                          cap_text(Cap::PngFile, limits.max_file_bytes)));
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
    if (!decoded) {
        const char* reason = stbi_failure_reason(); // null for some zlib errors
        return Error::bad_input(name, fmt::format("cannot decode PNG data: {}", reason ? reason : "corrupt compressed data"));
    }

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
    auto bytes = read_file_bytes(path, limits.max_file_bytes, Cap::PngFile);
    if (!bytes)
        return std::move(bytes).error();
    return decode_png(*bytes, path, limits);
}

namespace {

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(std::uint8_t(value >> shift));
}

void put_chunk(std::vector<std::uint8_t>& out, const char* type, const std::uint8_t* data, std::size_t length)
{
    put_be32(out, std::uint32_t(length));
    std::size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data, data + length);
    put_be32(out, std::uint32_t(crc32(0, out.data() + start, uInt(4 + length))));
}

// One band of rows, UP-filtered and deflated on its own (raw deflate, level
// 1, RLE strategy). Bands end with a sync flush, the last with finish, so
// their outputs concatenate into one valid deflate stream (as pigz does).
struct Band {
    int first_row = 0;
    int rows = 0;
    bool last = false;
    std::vector<std::uint8_t> deflated;
    uLong adler = 1;
    bool ok = false;
};

void compress_band(const SimulatedVRAM& vram, Band& band)
{
    z_stream stream {};
    if (deflateInit2(&stream, 1, Z_DEFLATED, -15, 8, Z_RLE) != Z_OK)
        return;
    std::size_t row_bytes = std::size_t(vram.width()) * 4;
    std::vector<std::uint8_t> filtered(row_bytes + 1);
    band.deflated.resize(deflateBound(&stream, uLong((row_bytes + 1) * std::size_t(band.rows))) + 64);
    stream.next_out = band.deflated.data();
    stream.avail_out = uInt(band.deflated.size());
    const std::uint8_t* pixels = vram.bytes();
    bool ok = true;
    for (int row = band.first_row; row < band.first_row + band.rows && ok; ++row) {
        const std::uint8_t* current = pixels + std::size_t(row) * row_bytes;
        filtered[0] = 2; // UP: each byte minus the byte above (0 above the first row)
        if (row == 0) {
            std::memcpy(filtered.data() + 1, current, row_bytes);
        } else {
            const std::uint8_t* above = current - row_bytes;
            for (std::size_t i = 0; i < row_bytes; ++i)
                filtered[i + 1] = std::uint8_t(current[i] - above[i]);
        }
        band.adler = adler32(band.adler, filtered.data(), uInt(filtered.size()));
        stream.next_in = filtered.data();
        stream.avail_in = uInt(filtered.size());
        bool last_row = row == band.first_row + band.rows - 1;
        int flush = last_row ? (band.last ? Z_FINISH : Z_SYNC_FLUSH) : Z_NO_FLUSH;
        int status = deflate(&stream, flush);
        ok = stream.avail_in == 0 && (status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR);
        if (last_row && band.last)
            ok = ok && status == Z_STREAM_END;
    }
    band.deflated.resize(stream.total_out);
    deflateEnd(&stream);
    band.ok = ok;
}

} // namespace

Result<std::vector<std::uint8_t>> encode_png(const SimulatedVRAM& vram)
{
    // Bands of at least 64 rows, one per core.
    int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    int band_count = std::clamp(vram.height() / 64, 1, std::min(cores, 8));
    std::vector<Band> bands(static_cast<std::size_t>(band_count));
    int rows_per_band = vram.height() / band_count;
    for (int i = 0; i < band_count; ++i) {
        bands[std::size_t(i)].first_row = i * rows_per_band;
        bands[std::size_t(i)].rows = i + 1 == band_count ? vram.height() - i * rows_per_band : rows_per_band;
        bands[std::size_t(i)].last = i + 1 == band_count;
    }
    std::vector<std::thread> workers;
    for (std::size_t i = 1; i < bands.size(); ++i)
        workers.emplace_back([&vram, &band = bands[i]] { compress_band(vram, band); });
    compress_band(vram, bands[0]);
    for (std::thread& worker : workers)
        worker.join();

    std::vector<std::uint8_t> idat = { 0x78, 0x01 }; // zlib header: deflate, 32K window, fastest
    uLong adler = 1;
    std::size_t row_bytes = std::size_t(vram.width()) * 4 + 1;
    for (const Band& band : bands) {
        if (!band.ok)
            return Error::internal(fmt::format("PNG encoding of a {}x{} VRAM failed in zlib", vram.width(), vram.height()));
        idat.insert(idat.end(), band.deflated.begin(), band.deflated.end());
        adler = adler32_combine(adler, band.adler, z_off_t(row_bytes * std::size_t(band.rows)));
    }
    put_be32(idat, std::uint32_t(adler));

    std::vector<std::uint8_t> png(kSignature, kSignature + 8);
    std::vector<std::uint8_t> header;
    put_be32(header, std::uint32_t(vram.width()));
    put_be32(header, std::uint32_t(vram.height()));
    header.insert(header.end(), { 8, 6, 0, 0, 0 }); // 8-bit RGBA, deflate, adaptive filters, no interlace
    put_chunk(png, "IHDR", header.data(), header.size());
    put_chunk(png, "IDAT", idat.data(), idat.size());
    put_chunk(png, "IEND", nullptr, 0);
    return png;
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
