// The PNG encoder (see include/pxos/image/png_io.hpp): RGBA8 rows in bands
// deflated at once on the executor, repeated rows by hand, one zlib stream.
#include "pxos/image/png_io.hpp"

#include "image/png_format.hpp"
#include "pxos/base/file_system.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <libdeflate.h>
#include <optional>
#include <utility>
#include <zlib.h>

namespace pxos {

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
    put_be32(out, libdeflate_crc32(0, out.data() + start, 4 + length));
}

// Deflate written by hand for the rows that repeat the row above:
// UP-filtered they are a 2 and zeros, which is a literal 2, a literal 0 and
// back-references of distance 1. One dynamic-Huffman block (RFC 1951,
// 3.2.7) holds a run of such rows with a code of five symbols: 258 bytes
// back in 2 bits, so a row 4096 wide is a memcmp and 18 bytes of output.
class RepeatedRowWriter {
public:
    RepeatedRowWriter(std::vector<std::uint8_t>& out, std::size_t row_bytes) : m_out(out)
    {
        // The zeros after the literal 0: runs of 258, then the rest.
        m_zeros = row_bytes - 1;
        std::size_t rest = m_zeros % 258;
        m_rest_symbol = rest >= 3 ? length_symbol(unsigned(rest)) : 257; // 257 unused when rest < 3
        std::uint8_t lengths[286] = {};
        lengths[0] = 3;
        lengths[2] = 3;
        lengths[256] = 3;
        lengths[m_rest_symbol] = 3;
        lengths[285] = 1; // complete: 1/2 + 4/8
        assign_codes(lengths, 286, m_codes);
        std::copy(std::begin(lengths), std::end(lengths), m_lengths);
        // A repeated row is the same bits every time: its codes, reversed
        // for the LSB-first stream, in 32-bit pieces.
        auto add = [this](unsigned value, int length) {
            if (m_row.empty() || m_row.back().second + length > 32)
                m_row.push_back({ 0, 0 });
            m_row.back().first |= value << m_row.back().second;
            m_row.back().second += length;
        };
        auto add_code = [&](unsigned symbol) { add(reversed(m_codes[symbol], m_lengths[symbol]), m_lengths[symbol]); };
        add_code(2);
        add_code(0);
        std::size_t left = m_zeros;
        for (; left >= 258; left -= 258) {
            add_code(285);
            add(0, 1); // distance 1: distance code 0, whose code is "0"
        }
        if (left >= 3) {
            add_code(m_rest_symbol);
            unsigned index = m_rest_symbol - 257;
            add(unsigned(left) - kLengthBase[index], kLengthExtra[index]);
            add(0, 1);
        } else {
            for (; left > 0; --left)
                add_code(0);
        }
    }

    void begin_block()
    {
        put_bits(0, 1); // not the last block
        put_bits(2, 2); // dynamic Huffman codes
        put_bits(286 - 257, 5);
        put_bits(1 - 1, 5);
        // The code-length code: symbols 0, 1 and 3 in 2 bits, 17 and 18 in 3.
        static constexpr std::uint8_t kOrder[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };
        std::uint8_t code_lengths[19] = {};
        code_lengths[0] = code_lengths[1] = code_lengths[3] = 2;
        code_lengths[17] = code_lengths[18] = 3;
        put_bits(18 - 4, 4); // up to symbol 1, the 18th in kOrder
        for (int i = 0; i < 18; ++i)
            put_bits(code_lengths[kOrder[i]], 3);
        std::uint16_t code_codes[19];
        assign_codes(code_lengths, 19, code_codes);
        // The 286 literal/length code lengths, then the one distance code's (1).
        std::size_t zeros = 0;
        auto flush_zeros = [&] {
            while (zeros >= 11) {
                std::size_t run = std::min<std::size_t>(zeros, 138);
                put_code(code_codes[18], 3);
                put_bits(unsigned(run - 11), 7);
                zeros -= run;
            }
            if (zeros >= 3) {
                put_code(code_codes[17], 3);
                put_bits(unsigned(zeros - 3), 3);
                zeros = 0;
            }
            for (; zeros > 0; --zeros)
                put_code(code_codes[0], 2);
        };
        for (int symbol = 0; symbol < 286; ++symbol) {
            if (m_lengths[symbol] == 0) {
                ++zeros;
                continue;
            }
            flush_zeros();
            put_code(code_codes[m_lengths[symbol]], 2);
        }
        flush_zeros();
        put_code(code_codes[1], 2);
    }

    void write_row()
    {
        for (const auto& [bits, length] : m_row)
            put_bits(bits, length);
    }

    // End of block, then an empty stored block so the output ends on a byte
    // boundary, as zlib's sync flush does: the next segment can follow.
    void end_block_aligned()
    {
        put_code(m_codes[256], 3);
        put_bits(0b000, 3);
        if (m_count > 0)
            put_bits(0, 8 - m_count);
        m_out.insert(m_out.end(), { 0x00, 0x00, 0xff, 0xff });
    }

private:
    static constexpr std::uint16_t kLengthBase[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43,
        51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
    static constexpr std::uint8_t kLengthExtra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4,
        4, 4, 5, 5, 5, 5, 0 };

    static unsigned length_symbol(unsigned length)
    {
        unsigned index = 28;
        while (kLengthBase[index] > length)
            --index;
        return 257 + index;
    }

    // Canonical Huffman codes from code lengths (RFC 1951, 3.2.2).
    static void assign_codes(const std::uint8_t* lengths, int count, std::uint16_t* codes)
    {
        unsigned next = 0;
        for (int length = 1; length <= 15; ++length) {
            for (int symbol = 0; symbol < count; ++symbol)
                if (lengths[symbol] == length)
                    codes[symbol] = std::uint16_t(next++);
            next <<= 1;
        }
    }

    // Huffman codes go most significant bit first into an LSB-first stream.
    static unsigned reversed(unsigned code, int length)
    {
        unsigned result = 0;
        for (int i = 0; i < length; ++i)
            result |= ((code >> i) & 1u) << (length - 1 - i);
        return result;
    }

    void put_code(unsigned code, int length) { put_bits(reversed(code, length), length); }

    void put_bits(unsigned value, int length)
    {
        m_bits |= std::uint64_t(value) << m_count;
        m_count += length;
        while (m_count >= 8) {
            m_out.push_back(std::uint8_t(m_bits));
            m_bits >>= 8;
            m_count -= 8;
        }
    }

    std::vector<std::uint8_t>& m_out;
    std::uint64_t m_bits = 0;
    int m_count = 0;
    std::size_t m_zeros = 0;
    unsigned m_rest_symbol = 257;
    std::uint8_t m_lengths[286] = {};
    std::uint16_t m_codes[286] = {};
    std::vector<std::pair<unsigned, int>> m_row;
};

constexpr std::uint32_t kAdlerModulus = 65521;

// The Adler-32 of `adler` followed by a 2 and `zeros` zero bytes, in O(1).
std::uint32_t adler_of_repeated_row(std::uint32_t adler, std::size_t zeros)
{
    std::uint64_t a = ((adler & 0xffff) + 2) % kAdlerModulus;
    std::uint64_t b = ((adler >> 16) + a) % kAdlerModulus;
    b = (b + (zeros % kAdlerModulus) * a) % kAdlerModulus;
    return std::uint32_t(b << 16 | a);
}

// One band of rows, deflated on its own into segments that each end on a
// byte boundary, so the bands' outputs concatenate into one deflate stream
// (as pigz does). A row that differs from the row above is UP-filtered and
// deflated by zlib (level 1, RLE strategy); a run of rows that repeat the
// row above becomes one block written by hand (RepeatedRowWriter).
struct Band {
    int first_row = 0;
    int rows = 0;
    std::vector<std::uint8_t> deflated;
    std::uint32_t adler = 1;
    bool ok = false;
};

class BandEncoder {
public:
    BandEncoder(const SimulatedVRAM& vram, Band& band)
        : m_vram(vram), m_band(band), m_row_bytes(std::size_t(vram.width()) * 4), m_filtered(m_row_bytes + 1)
    {
    }
    ~BandEncoder()
    {
        if (m_zlib_ready)
            deflateEnd(&m_stream);
    }
    BandEncoder(const BandEncoder&) = delete;
    BandEncoder& operator=(const BandEncoder&) = delete;

    bool run()
    {
        const std::uint8_t* pixels = m_vram.bytes();
        for (int row = m_band.first_row; row < m_band.first_row + m_band.rows; ++row) {
            const std::uint8_t* current = pixels + std::size_t(row) * m_row_bytes;
            bool repeats = row > 0 && std::memcmp(current, current - m_row_bytes, m_row_bytes) == 0;
            if (repeats) {
                if (m_in_zlib && !finish_zlib_segment())
                    return false;
                if (!m_in_repeat) {
                    m_repeat.emplace(m_band.deflated, m_row_bytes);
                    m_repeat->begin_block();
                    m_in_repeat = true;
                }
                write_repeated_row();
            } else {
                if (m_in_repeat)
                    finish_repeat_segment();
                if (!deflate_row(current, row))
                    return false;
            }
        }
        if (m_in_zlib && !finish_zlib_segment())
            return false;
        if (m_in_repeat)
            finish_repeat_segment();
        return true;
    }

private:
    void write_repeated_row()
    {
        m_repeat->write_row();
        m_band.adler = adler_of_repeated_row(m_band.adler, m_row_bytes);
    }

    void finish_repeat_segment()
    {
        m_repeat->end_block_aligned();
        m_repeat.reset();
        m_in_repeat = false;
    }

    bool deflate_row(const std::uint8_t* current, int row)
    {
        if (!m_zlib_ready) {
            if (deflateInit2(&m_stream, 1, Z_DEFLATED, -15, 8, Z_RLE) != Z_OK)
                return false;
            m_zlib_ready = true;
        } else if (!m_in_zlib && deflateReset(&m_stream) != Z_OK) {
            return false;
        }
        m_in_zlib = true;
        m_filtered[0] = 2; // UP: each byte minus the byte above (0 above the first row)
        if (row == 0) {
            std::memcpy(m_filtered.data() + 1, current, m_row_bytes);
        } else {
            const std::uint8_t* above = current - m_row_bytes;
            for (std::size_t i = 0; i < m_row_bytes; ++i)
                m_filtered[i + 1] = std::uint8_t(current[i] - above[i]);
        }
        m_band.adler = libdeflate_adler32(m_band.adler, m_filtered.data(), m_filtered.size());
        m_stream.next_in = m_filtered.data();
        m_stream.avail_in = uInt(m_filtered.size());
        return pump(Z_NO_FLUSH);
    }

    bool finish_zlib_segment()
    {
        m_in_zlib = false;
        return pump(Z_SYNC_FLUSH);
    }

    // Deflates what is pending, growing the output as needed.
    bool pump(int flush)
    {
        while (true) {
            std::size_t used = m_band.deflated.size();
            std::size_t room = 16 * 1024;
            m_band.deflated.resize(used + room);
            m_stream.next_out = m_band.deflated.data() + used;
            m_stream.avail_out = uInt(room);
            int status = deflate(&m_stream, flush);
            m_band.deflated.resize(used + room - m_stream.avail_out);
            if (status != Z_OK && status != Z_BUF_ERROR)
                return false;
            if (m_stream.avail_in == 0 && m_stream.avail_out != 0)
                return true;
        }
    }

    const SimulatedVRAM& m_vram;
    Band& m_band;
    std::size_t m_row_bytes;
    std::vector<std::uint8_t> m_filtered;
    z_stream m_stream {};
    bool m_zlib_ready = false;
    bool m_in_zlib = false;
    bool m_in_repeat = false;
    std::optional<RepeatedRowWriter> m_repeat;
};

} // namespace

Result<std::vector<std::uint8_t>> encode_png(const SimulatedVRAM& vram, Executor& executor)
{
    // Bands of 256 rows (at most 16), whatever the machine: the bytes depend
    // only on the pixels. Up to 8 are deflated at once, as many as the
    // executor has cores.
    int band_count = std::clamp(vram.height() / 256, 1, 16);
    std::vector<Band> bands(static_cast<std::size_t>(band_count));
    int rows_per_band = vram.height() / band_count;
    for (int i = 0; i < band_count; ++i) {
        bands[std::size_t(i)].first_row = i * rows_per_band;
        bands[std::size_t(i)].rows = i + 1 == band_count ? vram.height() - i * rows_per_band : rows_per_band;
    }
    executor.run_all(bands.size(), std::min<std::size_t>(executor.concurrency(), 8), [&vram, &bands](std::size_t i) {
        BandEncoder encoder(vram, bands[i]);
        bands[i].ok = encoder.run();
    });

    std::vector<std::uint8_t> idat = { 0x78, 0x01 }; // zlib header: deflate, 32K window, fastest
    uLong adler = 1;
    std::size_t row_bytes = std::size_t(vram.width()) * 4 + 1;
    for (const Band& band : bands) {
        if (!band.ok)
            return Error::internal(fmt::format("PNG encoding of a {}x{} VRAM failed in zlib", vram.width(), vram.height()));
        idat.insert(idat.end(), band.deflated.begin(), band.deflated.end());
        adler = adler32_combine(adler, band.adler, z_off_t(row_bytes * std::size_t(band.rows)));
    }
    idat.insert(idat.end(), { 0x03, 0x00 }); // the last block: fixed codes, empty
    put_be32(idat, std::uint32_t(adler));

    std::vector<std::uint8_t> png(png_format::kSignature, png_format::kSignature + 8);
    std::vector<std::uint8_t> header;
    put_be32(header, std::uint32_t(vram.width()));
    put_be32(header, std::uint32_t(vram.height()));
    header.insert(header.end(), { 8, 6, 0, 0, 0 }); // 8-bit RGBA, deflate, adaptive filters, no interlace
    put_chunk(png, "IHDR", header.data(), header.size());
    put_chunk(png, "IDAT", idat.data(), idat.size());
    put_chunk(png, "IEND", nullptr, 0);
    return png;
}

Result<void> save_png(FileSystem& files, const std::string& path, const SimulatedVRAM& vram, Executor& executor)
{
    PXOS_TRY(files.check_output_path(path));
    auto bytes = encode_png(vram, executor);
    if (!bytes)
        return std::move(bytes).error();
    return files.write_file_atomic(path, *bytes);
}

Result<void> stage_png(StagedOutputs& outputs, const std::string& path, const SimulatedVRAM& vram, Executor& executor)
{
    auto bytes = encode_png(vram, executor);
    if (!bytes)
        return std::move(bytes).error();
    return outputs.write(path, *bytes);
}

} // namespace pxos
