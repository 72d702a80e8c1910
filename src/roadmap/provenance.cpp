#include "pxos/roadmap/provenance.hpp"

#include "pxos/roadmap/build.hpp"
#include "pxos/base/file_system.hpp"

#include <bit>
#include <cstring>
#include <fmt/format.h>

namespace pxos {

std::uint32_t ProvenanceLog::add_writer(ProvenanceWriter writer)
{
    auto key = std::make_tuple(std::uint8_t(writer.kind), writer.id, writer.pc, writer.name);
    auto found = m_writer_index.find(key);
    if (found != m_writer_index.end())
        return found->second;
    std::uint32_t index = std::uint32_t(m_writers.size());
    m_writers.push_back(std::move(writer));
    m_writer_index.emplace(std::move(key), index);
    return index;
}

namespace {

void put32(std::vector<std::uint8_t>& out, std::uint32_t value)
{
    for (int shift = 0; shift < 32; shift += 8)
        out.push_back(std::uint8_t(value >> shift));
}

class Reader {
public:
    Reader(std::span<const std::uint8_t> bytes) : m_bytes(bytes) { }
    bool u8(std::uint8_t& value) { return take(&value, 1); }
    bool u16(std::uint16_t& value)
    {
        std::uint8_t raw[2];
        if (!take(raw, 2))
            return false;
        value = std::uint16_t(raw[0] | (raw[1] << 8));
        return true;
    }
    bool u32(std::uint32_t& value)
    {
        std::uint8_t raw[4];
        if (!take(raw, 4))
            return false;
        value = std::uint32_t(raw[0]) | (std::uint32_t(raw[1]) << 8) | (std::uint32_t(raw[2]) << 16)
            | (std::uint32_t(raw[3]) << 24);
        return true;
    }
    bool u64(std::uint64_t& value)
    {
        std::uint32_t low = 0, high = 0;
        if (!u32(low) || !u32(high))
            return false;
        value = low | (std::uint64_t(high) << 32);
        return true;
    }
    bool take(void* out, std::size_t count)
    {
        if (m_bytes.size() - m_position < count)
            return false;
        std::memcpy(out, m_bytes.data() + m_position, count);
        m_position += count;
        return true;
    }
    bool skip(std::size_t count)
    {
        if (m_bytes.size() - m_position < count)
            return false;
        m_position += count;
        return true;
    }
    std::size_t remaining() const { return m_bytes.size() - m_position; }
    std::size_t position() const { return m_position; }

private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_position = 0;
};

// The records as file bytes: on a little-endian host, the array itself.
std::span<const std::uint8_t> record_bytes(std::span<const ProvenanceRecord> records, std::vector<std::uint8_t>& scratch)
{
    static_assert(sizeof(ProvenanceRecord) == 16);
    if constexpr (std::endian::native == std::endian::little) {
        return { reinterpret_cast<const std::uint8_t*>(records.data()), records.size() * sizeof(ProvenanceRecord) };
    } else {
        scratch.clear();
        for (const ProvenanceRecord& record : records)
            for (std::uint32_t word : { record.address, record.old_word, record.new_word, record.writer })
                put32(scratch, word);
        return scratch;
    }
}

} // namespace

std::vector<std::uint8_t> ProvenanceLog::header_bytes(std::uint64_t records) const
{
    std::vector<std::uint8_t> out = { 'P', 'X', 'P', 'V' };
    put32(out, 2);
    put32(out, m_width);
    put32(out, m_height);
    put32(out, std::uint32_t(m_writers.size()));
    put32(out, std::uint32_t(records));
    put32(out, std::uint32_t(records >> 32));
    return out;
}

std::vector<std::uint8_t> ProvenanceLog::writer_bytes() const
{
    std::vector<std::uint8_t> out;
    for (const ProvenanceWriter& writer : m_writers) {
        out.push_back(std::uint8_t(writer.kind));
        put32(out, writer.id);
        put32(out, writer.pc);
        std::size_t length = std::min<std::size_t>(writer.name.size(), 65535);
        out.push_back(std::uint8_t(length));
        out.push_back(std::uint8_t(length >> 8));
        out.insert(out.end(), writer.name.begin(), writer.name.begin() + std::ptrdiff_t(length));
    }
    return out;
}

Result<void> ProvenanceLog::stream_to(FileSystem& files, const std::string& path)
{
    auto file = files.create_output(path);
    if (!file)
        return std::move(file).error();
    PXOS_TRY((*file)->write(header_bytes(0))); // the counts are filled in by save()
    m_stream = std::move(*file);
    m_streamed = 0;
    m_stream_error.reset();
    m_flush_at = kStreamBlock;
    m_records.reserve(kStreamBlock);
    return {};
}

void ProvenanceLog::flush_block()
{
    if (m_stream && !m_stream_error) {
        std::vector<std::uint8_t> scratch;
        if (auto written = m_stream->write(record_bytes(m_records, scratch)); !written)
            m_stream_error = std::move(written).error(); // reported by save(); recording goes on in vain
    }
    m_streamed += m_records.size();
    m_records.clear();
}

Result<void> ProvenanceLog::save(FileSystem& files, const std::string& path)
{
    auto file = finish_file(files, path);
    if (!file)
        return std::move(file).error();
    return (*file)->commit();
}

Result<std::unique_ptr<OutputFile>> ProvenanceLog::finish_file(FileSystem& files, const std::string& path)
{
    std::vector<std::uint8_t> scratch;
    if (!m_stream) {
        std::vector<std::uint8_t> header = header_bytes(m_records.size());
        std::vector<std::uint8_t> writers = writer_bytes();
        auto file = files.create_output(path);
        if (!file)
            return std::move(file).error();
        for (std::span<const std::uint8_t> part :
            { std::span<const std::uint8_t>(header), record_bytes(m_records, scratch), std::span<const std::uint8_t>(writers) })
            PXOS_TRY((*file)->write(part));
        PXOS_TRY((*file)->finish());
        return file;
    }
    if (path != m_stream->path())
        return Error::internal(fmt::format("provenance streamed to {} but saved as {}", m_stream->path(), path));
    flush_block();
    std::unique_ptr<OutputFile> file = std::move(m_stream);
    m_flush_at = std::numeric_limits<std::size_t>::max();
    if (m_stream_error)
        return *std::exchange(m_stream_error, std::nullopt);
    PXOS_TRY(file->write(writer_bytes()));
    PXOS_TRY(file->write_at(0, header_bytes(m_streamed)));
    PXOS_TRY(file->finish());
    return file;
}

std::vector<std::uint8_t> ProvenanceLog::to_bytes() const
{
    std::vector<std::uint8_t> out = header_bytes(m_records.size());
    std::vector<std::uint8_t> scratch;
    std::span<const std::uint8_t> records = record_bytes(m_records, scratch);
    out.insert(out.end(), records.begin(), records.end());
    std::vector<std::uint8_t> writers = writer_bytes();
    out.insert(out.end(), writers.begin(), writers.end());
    return out;
}

Result<ProvenanceLog> ProvenanceLog::from_bytes(std::span<const std::uint8_t> bytes, const std::string& name)
{
    auto fail = [&](std::size_t at, std::string what) {
        return Error::bad_input(fmt::format("{}@{}", name, at), std::move(what));
    };
    Reader reader(bytes);
    char magic[4];
    if (!reader.take(magic, 4) || std::memcmp(magic, "PXPV", 4) != 0)
        return fail(0, "not a pxos provenance file (no 'PXPV' magic)");
    std::uint32_t version = 0, width = 0, height = 0, writers = 0;
    std::uint64_t records = 0;
    if (!reader.u32(version) || !reader.u32(width) || !reader.u32(height) || !reader.u32(writers) || !reader.u64(records))
        return fail(reader.position(), "truncated header");
    if (version != 1 && version != 2)
        return fail(4, fmt::format("provenance version {} is not supported (this pxos reads versions 1 and 2)", version));
    if (width == 0 || height == 0 || width > 16384 || height > 16384)
        return fail(8, fmt::format("image size {}x{} is out of range", width, height));
    ProvenanceLog log { static_cast<int>(width), static_cast<int>(height) };

    // Version 1: writers, then records to the end. Version 2: records, then writers to the end.
    const std::size_t header_end = reader.position();
    auto records_declared = [&](std::size_t at, std::size_t left) {
        return fail(at, fmt::format("{} records declared, {} bytes left (16 per record)", records, left));
    };
    std::size_t records_at = header_end;
    if (version == 2) {
        if (records > reader.remaining() / 16)
            return records_declared(header_end, reader.remaining());
        reader.skip(std::size_t(records) * 16);
    }
    if (writers > reader.remaining() / 11)
        return fail(20, fmt::format("{} writers cannot fit in the {} bytes left", writers, reader.remaining()));
    for (std::uint32_t i = 0; i < writers; ++i) {
        ProvenanceWriter writer;
        std::uint8_t kind = 0;
        std::uint16_t length = 0;
        if (!reader.u8(kind) || !reader.u32(writer.id) || !reader.u32(writer.pc) || !reader.u16(length))
            return fail(reader.position(), fmt::format("truncated writer {}", i));
        if (kind > 2)
            return fail(reader.position(), fmt::format("writer {} has an unknown kind {}", i, kind));
        writer.kind = ProvenanceWriter::Kind(kind);
        writer.name.resize(length);
        if (!reader.take(writer.name.data(), length))
            return fail(reader.position(), fmt::format("truncated name of writer {}", i));
        log.m_writers.push_back(std::move(writer));
    }
    if (version == 1) {
        records_at = reader.position();
        if (records != reader.remaining() / 16 || reader.remaining() % 16 != 0)
            return records_declared(reader.position(), reader.remaining());
    } else if (reader.remaining() != 0) {
        return fail(reader.position(), fmt::format("{} bytes after the last writer", reader.remaining()));
    }

    Reader record_reader(bytes.subspan(records_at, std::size_t(records) * 16));
    std::uint64_t pixels = std::uint64_t(width) * height;
    log.m_records.reserve(std::size_t(records));
    for (std::uint64_t i = 0; i < records; ++i) {
        ProvenanceRecord record;
        record_reader.u32(record.address);
        record_reader.u32(record.old_word);
        record_reader.u32(record.new_word);
        record_reader.u32(record.writer);
        if (record.address >= pixels || record.writer >= writers)
            return fail(records_at + std::size_t(i) * 16, fmt::format("record {} names pixel {} or writer {} out of range",
                                                              i, record.address, record.writer));
        log.m_records.push_back(record);
    }
    return log;
}

void BuildProvenanceRecorder::will_write(const SimulatedVRAM& vram, const Rect& rect)
{
    m_before.clear();
    for (int y = rect.y; y < rect.y + rect.height; ++y) {
        const std::uint32_t* row = vram.words() + std::size_t(y) * std::size_t(vram.width()) + std::size_t(rect.x);
        m_before.insert(m_before.end(), row, row + rect.width);
    }
}

void BuildProvenanceRecorder::did_write(const SimulatedVRAM& vram, const Rect& rect)
{
    m_log.reserve_more(std::size_t(rect.area()));
    std::size_t i = 0;
    for (int y = rect.y; y < rect.y + rect.height; ++y) {
        std::uint32_t address = std::uint32_t(y) * std::uint32_t(vram.width()) + std::uint32_t(rect.x);
        const std::uint32_t* row = vram.words() + address;
        for (int x = 0; x < rect.width; ++x, ++i)
            m_log.record(address + std::uint32_t(x), m_before[i], row[x], m_writer);
    }
}

std::string RunProvenanceRecorder::source_of(std::uint32_t pid, bool user_mode, std::uint32_t pc) const
{
    std::string source;
    if (m_source_map)
        if (auto location = m_source_map->find(pc))
            source = location->to_string();
    // The kernel works on behalf of the process it serves (a syscall).
    if (!user_mode && pid)
        source = source.empty() ? fmt::format("for pid {}", pid) : fmt::format("{} for pid {}", source, pid);
    return source;
}

std::uint32_t RunProvenanceRecorder::writer_for(
    ProvenanceWriter::Kind kind, std::uint32_t pid, bool user_mode, std::uint32_t pc)
{
    auto make_writer = [&] {
        return m_log.add_writer({ kind, user_mode ? pid : 0, pc, source_of(pid, user_mode, pc) });
    };
    if (pid >= (1u << 24)) // not a pid the kernel hands out: no cache key, take the slow path
        return make_writer();
    std::uint64_t key = std::uint64_t(pc) | std::uint64_t(pid) << 32 | std::uint64_t(user_mode) << 56
        | std::uint64_t(kind) << 57;
    RecentWriter& recent = m_recent[(pc ^ pid * 0x9e37u ^ std::uint32_t(kind) * 0x55u ^ std::uint32_t(user_mode) * 0xaau) % m_recent.size()];
    if (recent.key == key)
        return recent.writer;
    auto [found, inserted] = m_writer_cache.try_emplace(key, 0);
    if (inserted)
        found->second = make_writer();
    recent = { key, found->second };
    return recent.writer;
}

void RunProvenanceRecorder::on_store(std::uint32_t pid, bool user_mode, std::uint32_t pc, std::uint32_t address,
    std::uint32_t old_word, std::uint32_t new_word)
{
    m_log.record(address, old_word, new_word, writer_for(ProvenanceWriter::Kind::Process, pid, user_mode, pc));
}

void RunProvenanceRecorder::on_load(std::uint32_t pid, bool user_mode, std::uint32_t pc, std::uint32_t address,
    std::uint32_t word)
{
    m_log.record(address, word, word, writer_for(ProvenanceWriter::Kind::Reader, pid, user_mode, pc));
}

Result<ProvenanceLog> build_provenance(FileSystem& files, const Roadmap& roadmap, const VRAMLimits& limits,
    const CodeLimits& code_limits)
{
    ProvenanceLog log(roadmap.metadata.vram_width, roadmap.metadata.vram_height);
    BuildProvenanceRecorder recorder(log);
    struct StepNames final : BuildObserver {
        explicit StepNames(BuildProvenanceRecorder& target) : recorder(target) { }
        void step_started(std::size_t index, std::size_t, const StepCall& call) override
        {
            recorder.begin_step(std::uint32_t(index + 1), call.label);
        }
        BuildProvenanceRecorder& recorder;
    } names(recorder);
    BuildOptions options;
    options.limits = limits;
    options.code_limits = code_limits;
    options.observer = &names;
    options.write_observer = &recorder;
    options.files = &files;
    auto built = build_roadmap(roadmap, options);
    if (!built)
        return std::move(built).error();
    return log;
}

std::string describe_provenance_writer(const ProvenanceWriter& writer, int width)
{
    if (writer.kind == ProvenanceWriter::Kind::Step)
        return fmt::format("{} (step {})", writer.name, writer.id);
    std::string who = writer.id ? fmt::format("pid {}", writer.id) : std::string("kernel");
    std::string text = fmt::format("{}{} at ({},{})", writer.kind == ProvenanceWriter::Kind::Reader ? "read by " : "", who,
        writer.pc % std::uint32_t(width), writer.pc / std::uint32_t(width));
    if (!writer.name.empty())
        text += " " + writer.name;
    return text;
}

Result<void> ProvenanceLog::stage_file(StagedOutputs& outputs, const std::string& path)
{
    auto file = finish_file(outputs.files(), path);
    if (!file)
        return std::move(file).error();
    return outputs.adopt(std::move(*file));
}

} // namespace pxos
