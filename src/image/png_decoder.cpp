// The PNG decoder (see include/pxos/image/png_io.hpp): chunks walked and
// checked, the image data inflated by libdeflate, filters undone, RGBA8 out.
#include "pxos/image/png_io.hpp"

#include "image/png_format.hpp"
#include "pxos/base/file_system.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <libdeflate.h>
#include <memory>
#include <utility>

namespace pxos {

namespace {

std::uint32_t read_be32(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

std::uint32_t read_be16(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 8) | std::uint32_t(p[1]);
}

bool is_chunk_letter(std::uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// One piece of the zlib stream: an IDAT chunk's data and where it sits in
// the file, so a position in the stream can be named as a byte of the file.
struct DataPiece {
    std::size_t file_offset = 0; // of the chunk's first data byte
    std::size_t length = 0;
};

// What the chunk walk found: the header, the palette and transparency, and
// the pieces of the zlib stream, all checked against each other.
struct Structure {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bit_depth = 0;
    int color_type = 0;
    bool interlaced = false;
    std::span<const std::uint8_t> palette;       // PLTE data, 3 bytes an entry
    std::size_t palette_offset = 0;              // of the PLTE chunk
    std::span<const std::uint8_t> transparency;  // tRNS data
    std::vector<DataPiece> data;                 // the IDAT chunks, in order
    std::size_t data_bytes = 0;
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

// The tRNS data a colour type takes: 2 bytes (grey), 6 (RGB), up to one
// byte per palette entry (palette); none where the pixels carry alpha.
Result<void> check_transparency(const Structure& png, std::size_t offset, std::size_t length, const std::string& name)
{
    auto fail = [&](std::string message) { return Error::bad_input(name, std::move(message)); };
    switch (png.color_type) {
    case 0:
    case 2: {
        std::size_t expected = png.color_type == 0 ? 2 : 6;
        if (length != expected)
            return fail(fmt::format("tRNS chunk at byte {} is {} bytes, colour type {} needs {}", offset, length,
                png.color_type, expected));
        return {};
    }
    case 3:
        if (png.palette.empty())
            return fail(fmt::format("tRNS chunk at byte {} comes before the PLTE chunk", offset));
        if (length > png.palette.size() / 3)
            return fail(fmt::format("tRNS chunk at byte {} has {} entries, more than the {} of the PLTE chunk at byte {}",
                offset, length, png.palette.size() / 3, png.palette_offset));
        return {};
    }
    return fail(fmt::format("tRNS chunk at byte {} is not allowed for colour type {} (its pixels have alpha)", offset,
        png.color_type));
}

// Walks every chunk, checking lengths against the file, CRCs, the header
// against the VRAM limits, and PLTE and tRNS against the header.
Result<Structure> walk_chunks(std::span<const std::uint8_t> bytes, const std::string& name, const PngLimits& limits)
{
    auto fail = [&](std::string message) { return Error::bad_input(name, std::move(message)); };
    if (bytes.size() < 8 || std::memcmp(bytes.data(), png_format::kSignature, 8) != 0)
        return fail("not a PNG file (the 8-byte PNG signature is missing)");

    Structure png;
    bool seen_header = false;
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
        std::uint32_t computed_crc = libdeflate_crc32(0, type, 4 + std::size_t(length));
        if (stored_crc != computed_crc)
            return fail(fmt::format("chunk '{}' at byte {} has a bad CRC (stored {:08x}, computed {:08x})", type_name,
                offset, stored_crc, computed_crc));

        if (!seen_header) {
            if (type_name != "IHDR")
                return fail(fmt::format("first chunk is '{}', expected 'IHDR'", type_name));
            if (length != 13)
                return fail(fmt::format("IHDR chunk is {} bytes, expected 13", length));
            png.width = read_be32(data);
            png.height = read_be32(data + 4);
            png.bit_depth = data[8];
            png.color_type = data[9];
            if (data[10] != 0 || data[11] != 0 || data[12] > 1)
                return fail("IHDR has an unknown compression, filter or interlace method");
            png.interlaced = data[12] == 1;
            if (channels_of(png.color_type) == 0 || !valid_depth(png.color_type, png.bit_depth))
                return fail(fmt::format("IHDR has an invalid colour type {} with bit depth {}", png.color_type,
                    png.bit_depth));
            if (png.width == 0 || png.height == 0 || png.width > std::uint32_t(limits.vram.max_dimension)
                || png.height > std::uint32_t(limits.vram.max_dimension))
                return fail(fmt::format("image size {}x{} is out of range: width and height must be 1..{}", png.width,
                    png.height, limits.vram.max_dimension));
            auto checked = limits.vram.check(int(png.width), int(png.height));
            if (!checked)
                return fail(checked.error().diagnostics().front().message);
            seen_header = true;
        } else if (type_name == "IHDR") {
            return fail(fmt::format("second IHDR chunk at byte {}", offset));
        } else if (type_name == "PLTE") {
            if (!png.palette.empty())
                return fail(fmt::format("second PLTE chunk at byte {}", offset));
            if (!png.data.empty())
                return fail(fmt::format("PLTE chunk at byte {} comes after the image data", offset));
            if (length == 0 || length % 3 != 0 || length > 3 * 256)
                return fail(fmt::format("PLTE chunk at byte {} is {} bytes, expected 1 to 256 entries of 3", offset,
                    length));
            png.palette = { data, length };
            png.palette_offset = offset;
        } else if (type_name == "tRNS") {
            if (!png.transparency.empty())
                return fail(fmt::format("second tRNS chunk at byte {}", offset));
            if (!png.data.empty())
                return fail(fmt::format("tRNS chunk at byte {} comes after the image data", offset));
            PXOS_TRY(check_transparency(png, offset, length, name));
            png.transparency = { data, length };
        } else if (type_name == "IDAT") {
            png.data.push_back(DataPiece { offset + 8, length });
            png.data_bytes += length;
        } else if (type_name == "IEND") {
            seen_end = true;
        } else if (type[0] >= 'A' && type[0] <= 'Z') {
            // Bit 5 of the first letter clear: a chunk a decoder must understand.
            return fail(fmt::format("unknown critical chunk '{}' at byte {}", type_name, offset));
        }
        offset += 12 + std::size_t(length);
    }
    if (!seen_header)
        return fail("no IHDR chunk");
    if (png.data.empty())
        return fail("no IDAT chunk (the image has no pixel data)");
    if (!seen_end)
        return fail("truncated: the file ends before the IEND chunk");
    if (png.color_type == 3 && png.palette.empty())
        return fail("palette image (colour type 3) has no PLTE chunk");
    return png;
}

// The file byte at `position` of the zlib stream (the IDATs' data joined).
std::size_t file_offset_of(const Structure& png, std::size_t position)
{
    for (const DataPiece& piece : png.data) {
        if (position < piece.length)
            return piece.file_offset + position;
        position -= piece.length;
    }
    const DataPiece& last = png.data.back();
    return last.file_offset + last.length;
}

// Adam7: where each pass starts and its step, in x and in y.
struct Pass {
    int x0, y0, dx, dy;
};
constexpr Pass kAdam7[7] = { { 0, 0, 8, 8 }, { 4, 0, 8, 8 }, { 0, 4, 4, 8 }, { 2, 0, 4, 4 }, { 0, 2, 2, 4 },
    { 1, 0, 2, 2 }, { 0, 1, 1, 2 } };
constexpr Pass kWhole = { 0, 0, 1, 1 };

// The pixels of a pass in x (or y) for an image `size` wide (or high).
std::size_t pass_extent(std::uint32_t size, int start, int step)
{
    return size > std::uint32_t(start) ? (size - std::uint32_t(start) + std::uint32_t(step) - 1) / std::uint32_t(step) : 0;
}

std::size_t row_bytes_of(const Structure& png, std::size_t pixels)
{
    return (pixels * std::size_t(channels_of(png.color_type)) * std::size_t(png.bit_depth) + 7) / 8;
}

// The inflated size the header promises: each row of each pass with its filter byte.
std::size_t raw_size_of(const Structure& png)
{
    if (!png.interlaced)
        return std::size_t(png.height) * (1 + row_bytes_of(png, png.width));
    std::size_t total = 0;
    for (const Pass& pass : kAdam7) {
        std::size_t columns = pass_extent(png.width, pass.x0, pass.dx);
        std::size_t rows = pass_extent(png.height, pass.y0, pass.dy);
        if (columns != 0)
            total += rows * (1 + row_bytes_of(png, columns));
    }
    return total;
}

struct DecompressorDeleter {
    void operator()(libdeflate_decompressor* decompressor) const { libdeflate_free_decompressor(decompressor); }
};

// Inflates the zlib stream of the IDATs into exactly the bytes the header
// promises: the zlib header, the deflate data, the Adler-32 of the result
// and the end of the stream are all checked, each failure naming its byte.
Result<std::vector<std::uint8_t>> inflate_image_data(std::span<const std::uint8_t> bytes, const Structure& png,
    const std::string& name)
{
    auto fail = [&](std::string message) { return Error::bad_input(name, std::move(message)); };
    std::vector<std::uint8_t> joined;
    std::span<const std::uint8_t> stream;
    if (png.data.size() == 1) {
        stream = bytes.subspan(png.data.front().file_offset, png.data.front().length);
    } else {
        joined.reserve(png.data_bytes);
        for (const DataPiece& piece : png.data)
            joined.insert(joined.end(), bytes.begin() + std::ptrdiff_t(piece.file_offset),
                bytes.begin() + std::ptrdiff_t(piece.file_offset + piece.length));
        stream = joined;
    }
    std::size_t start = png.data.front().file_offset;
    if (stream.size() < 2)
        return fail(fmt::format("zlib stream at byte {} is {} bytes, too short for its 2-byte header", start,
            stream.size()));
    unsigned method = stream[0] & 0x0f;
    unsigned window = stream[0] >> 4;
    if (method != 8 || window > 7)
        return fail(fmt::format("zlib header at byte {} is {:02x}{:02x}: expected deflate (method 8) with a window of "
                                "at most 32 KiB",
            start, stream[0], stream[1]));
    if ((unsigned(stream[0]) * 256 + stream[1]) % 31 != 0)
        return fail(fmt::format("zlib header at byte {} is {:02x}{:02x}: its check bits (FCHECK) are wrong", start,
            stream[0], stream[1]));
    if (stream[1] & 0x20)
        return fail(fmt::format("zlib header at byte {} asks for a preset dictionary, which PNG does not allow", start));

    // Deflate's densest code is 2 bits for 258 bytes: a stream that cannot
    // inflate to what the header promises is refused before the allocation.
    std::size_t expected = raw_size_of(png);
    if (expected / 1032 > stream.size())
        return fail(fmt::format("cannot decode PNG data: not enough pixels: the zlib stream at byte {} is {} bytes, "
                                "too short to inflate to the {} bytes the {}x{} image needs",
            start, stream.size(), expected, png.width, png.height));
    std::vector<std::uint8_t> raw(expected);
    static thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor(
        libdeflate_alloc_decompressor());
    if (!decompressor)
        return Error::internal("cannot allocate a PNG decompressor");
    std::size_t used_in = 0;
    std::size_t produced = 0;
    auto result = libdeflate_deflate_decompress_ex(decompressor.get(), stream.data() + 2, stream.size() - 2,
        raw.data(), raw.size(), &used_in, &produced);
    std::string image = fmt::format("the {}x{} image needs {} bytes", png.width, png.height, expected);
    if (result == LIBDEFLATE_INSUFFICIENT_SPACE)
        return fail(fmt::format("cannot decode PNG data: too many pixels: the zlib stream at byte {} inflates to "
                                "more bytes than {}",
            start, image));
    if (result != LIBDEFLATE_SUCCESS)
        return fail(fmt::format("cannot decode PNG data: corrupt compressed data in the zlib stream at byte {} "
                                "(or it is cut short)",
            start));
    if (produced != expected)
        return fail(fmt::format("cannot decode PNG data: not enough pixels: the zlib stream at byte {} inflates to "
                                "{} bytes, {}",
            start, produced, image));
    std::size_t trailer = 2 + used_in;
    if (stream.size() - trailer < 4)
        return fail(fmt::format("zlib stream is cut short at byte {}: its 4-byte Adler-32 is missing",
            file_offset_of(png, trailer)));
    std::uint32_t stored = read_be32(stream.data() + trailer);
    std::uint32_t computed = libdeflate_adler32(1, raw.data(), raw.size());
    if (stored != computed)
        return fail(fmt::format("zlib stream has a bad Adler-32 at byte {} (stored {:08x}, computed {:08x})",
            file_offset_of(png, trailer), stored, computed));
    if (stream.size() - trailer > 4)
        return fail(fmt::format("{} bytes of image data follow the end of the zlib stream at byte {}",
            stream.size() - trailer - 4, file_offset_of(png, trailer + 4)));
    return raw;
}

std::uint8_t paeth(std::uint8_t left, std::uint8_t above, std::uint8_t above_left)
{
    int estimate = int(left) + int(above) - int(above_left);
    int to_left = std::abs(estimate - int(left));
    int to_above = std::abs(estimate - int(above));
    int to_above_left = std::abs(estimate - int(above_left));
    if (to_left <= to_above && to_left <= to_above_left)
        return left;
    return to_above <= to_above_left ? above : above_left;
}

// Undoes a row's filter in place; `above` is the row before, unfiltered
// (null for a pass's first row), `step` the bytes of a whole pixel (at least 1).
bool unfilter_row(std::uint8_t filter, std::uint8_t* row, const std::uint8_t* above, std::size_t length, std::size_t step)
{
    switch (filter) {
    case 0:
        return true;
    case 1:
        for (std::size_t i = step; i < length; ++i)
            row[i] = std::uint8_t(row[i] + row[i - step]);
        return true;
    case 2:
        if (above)
            for (std::size_t i = 0; i < length; ++i)
                row[i] = std::uint8_t(row[i] + above[i]);
        return true;
    case 3:
        for (std::size_t i = 0; i < length; ++i) {
            unsigned left = i >= step ? row[i - step] : 0;
            unsigned up = above ? above[i] : 0;
            row[i] = std::uint8_t(row[i] + ((left + up) >> 1));
        }
        return true;
    case 4:
        for (std::size_t i = 0; i < length; ++i) {
            std::uint8_t left = i >= step ? row[i - step] : 0;
            std::uint8_t up = above ? above[i] : 0;
            std::uint8_t up_left = above && i >= step ? above[i - step] : 0;
            row[i] = std::uint8_t(row[i] + paeth(left, up, up_left));
        }
        return true;
    }
    return false;
}

// Turns unfiltered rows into RGBA8 pixels as stb_image did: samples of
// 1, 2 and 4 bits scaled to 0..255, 16-bit samples by their high byte,
// tRNS as alpha 0 for the matching colour or the palette's own alphas.
class PixelWriter {
public:
    PixelWriter(const Structure& png, std::vector<std::uint32_t>& words, const std::string& name)
        : m_png(png), m_out(reinterpret_cast<std::uint8_t*>(words.data())), m_name(name)
    {
        if (png.transparency.size() >= 2 && png.color_type != 3)
            for (std::size_t i = 0; i * 2 < png.transparency.size(); ++i)
                m_key[i] = read_be16(&png.transparency[i * 2]);
    }

    Result<void> write_row(const std::uint8_t* row, std::size_t columns, std::uint32_t y, const Pass& pass)
    {
        const Structure& png = m_png;
        if (png.color_type == 6 && png.bit_depth == 8 && pass.dx == 1) {
            std::memcpy(m_out + std::size_t(y) * png.width * 4, row, columns * 4);
            return {};
        }
        int channels = channels_of(png.color_type);
        for (std::size_t column = 0; column < columns; ++column) {
            std::uint32_t x = std::uint32_t(pass.x0 + column * std::size_t(pass.dx));
            std::uint32_t sample[4] = {};
            for (int c = 0; c < channels; ++c)
                sample[c] = sample_at(row, column * std::size_t(channels) + std::size_t(c));
            std::uint8_t* pixel = m_out + (std::size_t(y) * png.width + x) * 4;
            switch (png.color_type) {
            case 0:
                pixel[0] = pixel[1] = pixel[2] = to_8_bits(sample[0]);
                pixel[3] = has_key() && sample[0] == m_key[0] ? 0 : 255;
                break;
            case 2:
                for (int c = 0; c < 3; ++c)
                    pixel[c] = to_8_bits(sample[c]);
                pixel[3] = has_key() && sample[0] == m_key[0] && sample[1] == m_key[1] && sample[2] == m_key[2] ? 0 : 255;
                break;
            case 3: {
                std::size_t entries = png.palette.size() / 3;
                if (sample[0] >= entries)
                    return Error::bad_input(m_name, fmt::format("palette index {} at ({},{}) is past the {} entries of "
                                                                "the PLTE chunk at byte {}",
                                                        sample[0], x, y, entries, png.palette_offset));
                std::memcpy(pixel, &png.palette[sample[0] * 3], 3);
                pixel[3] = sample[0] < png.transparency.size() ? png.transparency[sample[0]] : 255;
                break;
            }
            case 4:
                pixel[0] = pixel[1] = pixel[2] = to_8_bits(sample[0]);
                pixel[3] = to_8_bits(sample[1]);
                break;
            case 6:
                for (int c = 0; c < 4; ++c)
                    pixel[c] = to_8_bits(sample[c]);
                break;
            }
        }
        return {};
    }

private:
    bool has_key() const { return !m_png.transparency.empty(); }

    std::uint32_t sample_at(const std::uint8_t* row, std::size_t index) const
    {
        int depth = m_png.bit_depth;
        if (depth == 8)
            return row[index];
        if (depth == 16)
            return read_be16(row + index * 2);
        std::size_t bit = index * std::size_t(depth);
        return (row[bit / 8] >> (8 - depth - int(bit % 8))) & ((1u << depth) - 1);
    }

    std::uint8_t to_8_bits(std::uint32_t sample) const
    {
        switch (m_png.bit_depth) {
        case 1: return std::uint8_t(sample * 0xff);
        case 2: return std::uint8_t(sample * 0x55);
        case 4: return std::uint8_t(sample * 0x11);
        case 16: return std::uint8_t(sample >> 8);
        }
        return std::uint8_t(sample);
    }

    const Structure& m_png;
    std::uint8_t* m_out;
    const std::string& m_name;
    std::uint32_t m_key[3] = {};
};

// Unfilters the inflated rows pass by pass and writes their pixels.
Result<std::vector<std::uint32_t>> decode_pixels(std::vector<std::uint8_t>& raw, const Structure& png,
    const std::string& name)
{
    std::vector<std::uint32_t> words(std::size_t(png.width) * png.height);
    PixelWriter writer(png, words, name);
    std::size_t step = std::max<std::size_t>(1, std::size_t(channels_of(png.color_type) * png.bit_depth) / 8);
    std::size_t at = 0;
    std::span<const Pass> passes = png.interlaced ? std::span<const Pass>(kAdam7) : std::span<const Pass>(&kWhole, 1);
    for (std::size_t pass_index = 0; pass_index < passes.size(); ++pass_index) {
        const Pass& pass = passes[pass_index];
        std::size_t columns = pass_extent(png.width, pass.x0, pass.dx);
        std::size_t rows = pass_extent(png.height, pass.y0, pass.dy);
        if (columns == 0)
            continue;
        std::size_t length = row_bytes_of(png, columns);
        const std::uint8_t* above = nullptr;
        for (std::size_t row = 0; row < rows; ++row) {
            std::uint8_t filter = raw[at];
            std::uint8_t* data = &raw[at + 1];
            if (!unfilter_row(filter, data, above, length, step)) {
                std::string where = png.interlaced ? fmt::format("row {} of interlace pass {}", row, pass_index + 1)
                                                   : fmt::format("row {}", row);
                return Error::bad_input(name, fmt::format("cannot decode PNG data: {} has filter type {}, expected 0..4",
                                                  where, filter));
            }
            PXOS_TRY(writer.write_row(data, columns, std::uint32_t(pass.y0 + row * std::size_t(pass.dy)), pass));
            above = data;
            at += 1 + length;
        }
    }
    return words;
}

} // namespace

Result<SimulatedVRAM> decode_png(std::span<const std::uint8_t> bytes, const std::string& name, const PngLimits& limits)
{
    if (bytes.size() > limits.max_file_bytes)
        return Error::bad_input(name, fmt::format("file is {} bytes, over {}", bytes.size(),
                                          cap_text(Cap::PngFile, limits.max_file_bytes)));
    auto png = walk_chunks(bytes, name, limits);
    if (!png)
        return std::move(png).error();
    auto raw = inflate_image_data(bytes, *png, name);
    if (!raw)
        return std::move(raw).error();
    auto words = decode_pixels(*raw, *png, name);
    if (!words)
        return std::move(words).error();
    auto vram = SimulatedVRAM::from_words(int(png->width), int(png->height), std::move(*words), limits.vram);
    if (!vram)
        return Error::bad_input(name, vram.error().diagnostics().front().message);
    return vram;
}

Result<SimulatedVRAM> load_png(FileSystem& files, const std::string& path, const PngLimits& limits)
{
    auto bytes = files.read_file_bytes(path, limits.max_file_bytes, Cap::PngFile);
    if (!bytes)
        return std::move(bytes).error();
    return decode_png(*bytes, path, limits);
}

} // namespace pxos
