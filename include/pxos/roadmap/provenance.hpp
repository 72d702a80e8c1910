// Provenance: who wrote each pixel, and when. A log of every write (the
// pixel, its old and new word, and the writer: a build step, or a process
// at a pc with its pxasm line) in a compact binary file. `pxos blame`
// reads it back to tell a pixel's history. Recording is off unless asked
// for; the VRAM and the machine then pay one null-pointer check per write.
//
// File layout (little-endian), version 2:
//   "PXPV" | u32 version | u32 width | u32 height | u32 writer count | u64 record count
//   records: u32 address | u32 old word | u32 new word | u32 writer index   (16 bytes each)
//   writers: u8 kind (0 step, 1 process, 2 a process's read) | u32 id (step number or pid) | u32 pc
//            | u16 name length | name bytes (the step's name, or the source "file:line")
// Records come before the writers so that a recording can stream them to
// the file as it goes (memory stays one block); the counts in the header
// are filled in last. Version 1 (writers before records) is still read.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/vm/machine.hpp"
#include "pxos/image/vram.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace pxos {

struct ProvenanceWriter {
    enum class Kind : std::uint8_t { Step = 0, Process = 1, Reader = 2 } kind = Kind::Step; // Reader: a load, old == new
    std::uint32_t id = 0; // step number (1-based) or pid
    std::uint32_t pc = 0; // process writers: the storing instruction
    std::string name;     // the step's name, or the pxasm "file:line" (may be empty)
};

struct ProvenanceRecord {
    std::uint32_t address = 0;
    std::uint32_t old_word = 0;
    std::uint32_t new_word = 0;
    std::uint32_t writer = 0;
};

class ProvenanceLog {
public:
    ProvenanceLog() = default;
    ProvenanceLog(int width, int height) : m_width(std::uint32_t(width)), m_height(std::uint32_t(height)) { }

    std::uint32_t add_writer(ProvenanceWriter writer); // the same writer twice gives the same index
    void record(std::uint32_t address, std::uint32_t old_word, std::uint32_t new_word, std::uint32_t writer)
    {
        m_records.push_back({ address, old_word, new_word, writer });
        if (m_records.size() >= m_flush_at) [[unlikely]]
            flush_block();
    }

    void reserve_more(std::size_t count)
    {
        if (m_stream)
            return; // streaming: the block's room is all there is
        if (m_records.capacity() - m_records.size() < count)
            m_records.reserve(std::max(m_records.capacity() * 2, m_records.size() + count));
    }

    // From now on, records go to a temporary file beside `path` a block at a
    // time, so memory stays small however long the recording; save(path)
    // finishes the file and puts it in place. Without save, nothing appears.
    Result<void> stream_to(FileSystem& files, const std::string& path);

    int width() const { return int(m_width); }
    int height() const { return int(m_height); }
    const std::vector<ProvenanceWriter>& writers() const { return m_writers; }
    // Every record, unless streaming (then only those not yet in the file).
    const std::vector<ProvenanceRecord>& records() const { return m_records; }
    std::uint64_t record_count() const { return m_streamed + m_records.size(); }

    std::vector<std::uint8_t> to_bytes() const;
    // Writes the file atomically without copying the records (after
    // stream_to: finishes the streamed file, which must be the same path).
    Result<void> save(FileSystem& files, const std::string& path);
    // The same file, written and synced but not yet in place: for a command
    // that commits all its outputs together (StagedOutputs::adopt).
    Result<std::unique_ptr<OutputFile>> finish_file(FileSystem& files, const std::string& path);
    // finish_file, handed to `outputs` to appear with the command's other files.
    Result<void> stage_file(StagedOutputs& outputs, const std::string& path);
    static Result<ProvenanceLog> from_bytes(std::span<const std::uint8_t> bytes, const std::string& name);

    static constexpr std::size_t kStreamBlock = 65536; // records per write: 1 MiB

private:
    void flush_block();
    std::vector<std::uint8_t> header_bytes(std::uint64_t records) const;
    std::vector<std::uint8_t> writer_bytes() const;

    std::uint32_t m_width = 0, m_height = 0;
    std::vector<ProvenanceWriter> m_writers;
    std::map<std::tuple<std::uint8_t, std::uint32_t, std::uint32_t, std::string>, std::uint32_t> m_writer_index;
    std::vector<ProvenanceRecord> m_records;
    // Streaming: the file, the records already in it, the first write error.
    std::unique_ptr<OutputFile> m_stream;
    std::uint64_t m_streamed = 0;
    std::optional<Error> m_stream_error;
    std::size_t m_flush_at = std::numeric_limits<std::size_t>::max();
};

// Records the writes of build steps (a WriteObserver on the VRAM).
class BuildProvenanceRecorder final : public WriteObserver {
public:
    // Room for two writes of every pixel up front: a build repaints most of
    // the VRAM twice (background, regions), and growing the log costs more.
    BuildProvenanceRecorder(ProvenanceLog& log) : m_log(log)
    {
        m_log.reserve_more(2 * std::size_t(log.width()) * std::size_t(log.height()));
    }
    void begin_step(std::uint32_t number, const std::string& name)
    {
        m_writer = m_log.add_writer({ ProvenanceWriter::Kind::Step, number, 0, name });
    }
    void will_write(const SimulatedVRAM& vram, const Rect& rect) override;
    void did_write(const SimulatedVRAM& vram, const Rect& rect) override;

private:
    ProvenanceLog& m_log;
    std::uint32_t m_writer = 0;
    std::vector<std::uint32_t> m_before;
};

// Records the words a running machine stores: writer = the process (or the
// kernel, pid 0) at its pc, with the pxasm line when a source map is known.
class RunProvenanceRecorder final : public StoreObserver, public LoadObserver {
public:
    RunProvenanceRecorder(ProvenanceLog& log, const SourceMap* source_map, int width)
        : m_log(log)
        , m_source_map(source_map)
        , m_width(std::uint32_t(width))
    {
    }
    void on_store(std::uint32_t pid, bool user_mode, std::uint32_t pc, std::uint32_t address, std::uint32_t old_word,
        std::uint32_t new_word) override;
    // With --provenance-reads: loads are logged too (a Reader writer, old == new).
    void on_load(std::uint32_t pid, bool user_mode, std::uint32_t pc, std::uint32_t address, std::uint32_t word) override;

private:
    std::uint32_t writer_for(ProvenanceWriter::Kind kind, std::uint32_t pid, bool user_mode, std::uint32_t pc);
    std::string source_of(std::uint32_t pid, bool user_mode, std::uint32_t pc) const;
    ProvenanceLog& m_log;
    const SourceMap* m_source_map;
    std::uint32_t m_width;
    // (kind, user mode, pid, pc) -> writer index: a store in a loop formats
    // its source line once, not once per store.
    // A small direct-mapped cache in front of the map: a loop's few
    // loads and stores each keep their own slot.
    struct RecentWriter {
        std::uint64_t key = ~std::uint64_t(0);
        std::uint32_t writer = 0;
    };
    std::array<RecentWriter, 256> m_recent {};
    std::unordered_map<std::uint64_t, std::uint32_t> m_writer_cache;
};

struct Roadmap;
// Builds the roadmap (under these caps), recording the provenance of every pixel.
Result<ProvenanceLog> build_provenance(FileSystem& files, const Roadmap& roadmap, const VRAMLimits& limits = {},
    const CodeLimits& code_limits = {});

// One line of a pixel's history: "#4 write_opcode_palette (step 4) set (255,0,0,255) at write 1234".
std::string describe_provenance_writer(const ProvenanceWriter& writer, int width);

} // namespace pxos
