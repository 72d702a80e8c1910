#include "pxos/roadmap/provenance.hpp"

#include "builtin_steps.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>


TEST_CASE("the build's provenance blames every palette pixel on the palette step", "[provenance]")
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path("roadmaps/seed_stage1.yaml"), pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto recorded = pxos::build_provenance(pxos::test::files(), *roadmap);
    REQUIRE(recorded.ok());
    const pxos::ProvenanceLog& log = *recorded;
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    REQUIRE(built.ok());
    // The last writer of each palette pixel, replaying the log.
    std::vector<std::uint32_t> last(512 * 512, UINT32_MAX);
    std::vector<std::uint32_t> value(512 * 512, pxos::RGBA { 0, 0, 0, 255 }.to_word());
    for (const auto& record : log.records()) {
        CHECK(record.old_word == value[record.address]);
        value[record.address] = record.new_word;
        last[record.address] = record.writer;
    }
    for (int y = 16; y < 32; ++y)
        for (int x = 0; x < 512; ++x) {
            const auto& writer = log.writers()[last[std::size_t(y) * 512 + std::size_t(x)]];
            CHECK(writer.name == "write_opcode_palette");
            CHECK(writer.id == 4);
        }
    // Replaying the log gives the image.
    CHECK(std::equal(value.begin(), value.end(), built->vram.words()));

    auto bytes = log.to_bytes();
    auto read = pxos::ProvenanceLog::from_bytes(bytes, "p.pxprov");
    REQUIRE(read.ok());
    CHECK(read->records().size() == log.records().size());
    CHECK(read->writers().size() == log.writers().size());
    CHECK(read->records().back().new_word == log.records().back().new_word);
}

TEST_CASE("a pixel a guest process stores is blamed on its pid, pc and pxasm line", "[provenance]")
{
    auto image = pxos::test::build_os({ { "main:\n    LI r1, 7\n    LI r2, 400 * 512 + 3\n    STORE r1, r2, 0\n"
                                           "    LI r1, 0\n    SYSCALL SYS_EXIT\n" } });
    auto machine = pxos::Machine::boot(image.vram, "os.png");
    REQUIRE(machine.ok());
    pxos::ProvenanceLog log(512, 512);
    pxos::RunProvenanceRecorder recorder(log, &image.source_map, 512);
    (*machine)->set_store_observer(&recorder);
    (*machine)->run(1'000'000);
    const pxos::ProvenanceRecord* found = nullptr;
    for (const auto& record : log.records())
        if (record.address == 400 * 512 + 3)
            found = &record;
    REQUIRE(found);
    CHECK(found->new_word == 7);
    const auto& writer = log.writers()[found->writer];
    CHECK(writer.kind == pxos::ProvenanceWriter::Kind::Process);
    CHECK(writer.id == 1);
    CHECK(writer.pc == 240 * 512 + 6);
    CHECK(writer.name == "test.yaml:9:5(program_source):4");
    CHECK(pxos::describe_provenance_writer(writer, 512) == "pid 1 at (6,240) test.yaml:9:5(program_source):4");
}

TEST_CASE("every pixel of a built and run image is explained by the build's and the run's logs", "[provenance]")
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"), pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto built_log = pxos::build_provenance(pxos::test::files(), *roadmap);
    REQUIRE(built_log.ok());
    auto built = pxos::build_roadmap(*roadmap, pxos::test::on_disk());
    REQUIRE(built.ok());
    auto machine = pxos::Machine::boot(built->vram, "os.png");
    REQUIRE(machine.ok());
    pxos::ProvenanceLog run_log(built->vram.width(), built->vram.height());
    pxos::RunProvenanceRecorder recorder(run_log, nullptr, built->vram.width());
    (*machine)->set_store_observer(&recorder);
    (*machine)->run(100'000'000);
    REQUIRE(!run_log.records().empty());

    // Replaying both logs from new VRAM gives the final image, and each
    // record's old value is what the one before it left.
    auto fresh = pxos::SimulatedVRAM::create(built->vram.width(), built->vram.height());
    REQUIRE(fresh.ok());
    std::vector<std::uint32_t> replay(fresh->words(), fresh->words() + fresh->byte_size() / 4);
    std::size_t mismatched_old = 0;
    for (const pxos::ProvenanceLog* log : { &*built_log, &run_log })
        for (const pxos::ProvenanceRecord& record : log->records()) {
            REQUIRE(record.address < replay.size());
            REQUIRE(record.writer < log->writers().size());
            mismatched_old += record.old_word != replay[record.address];
            replay[record.address] = record.new_word;
        }
    CHECK(mismatched_old == 0);
    const pxos::SimulatedVRAM& after = (*machine)->vram();
    std::size_t mismatched = 0;
    for (std::size_t address = 0; address < replay.size(); ++address)
        mismatched += replay[address] != after.words()[address];
    CHECK(mismatched == 0);
}

TEST_CASE("the run recorder's writer cache keeps every (kind, pid, mode, pc) apart", "[provenance]")
{
    pxos::ProvenanceLog log(16, 16);
    pxos::RunProvenanceRecorder recorder(log, nullptr, 16);
    // pcs 256 apart share a cache slot; the same pc under another pid, mode
    // or kind must still be another writer.
    for (int round = 0; round < 3; ++round) {
        recorder.on_store(1, true, 5, 10, 0, 1);
        recorder.on_store(1, true, 5 + 256, 11, 0, 2);
        recorder.on_store(2, true, 5, 12, 0, 3);
        recorder.on_store(2, false, 5, 13, 0, 4);
        recorder.on_load(1, true, 5, 10, 1);
        recorder.on_store(1u << 24, true, 5, 14, 0, 5); // outside the cache's key space
    }
    REQUIRE(log.writers().size() == 6);
    REQUIRE(log.records().size() == 18);
    for (int round = 0; round < 3; ++round)
        for (std::uint32_t i = 0; i < 6; ++i)
            CHECK(log.records()[std::size_t(round) * 6 + i].writer == i);
    using Kind = pxos::ProvenanceWriter::Kind;
    CHECK(log.writers()[1].pc == 5 + 256);
    CHECK(log.writers()[3].id == 0); // kernel mode: the kernel, for pid 2
    CHECK(log.writers()[3].name == "for pid 2");
    CHECK(log.writers()[4].kind == Kind::Reader);
    CHECK(log.writers()[5].id == (1u << 24));
}

TEST_CASE("malformed provenance files are refused with the byte offset", "[provenance][malformed]")
{
    pxos::ProvenanceLog log(4, 4);
    log.record(3, 0, 1, log.add_writer({ pxos::ProvenanceWriter::Kind::Step, 1, 0, "init" }));
    auto bytes = log.to_bytes();
    CHECK(pxos::ProvenanceLog::from_bytes(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 3), "p").error().message()
        == "p@0: error: not a pxos provenance file (no 'PXPV' magic)");
    // Version 2: header (28 bytes), the record (16), the writer (11 + "init").
    REQUIRE(bytes.size() == 28 + 16 + 15);
    auto truncated = std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 1);
    CHECK(pxos::ProvenanceLog::from_bytes(truncated, "p").error().message()
        == "p@55: error: truncated name of writer 0");
    auto no_records = std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 40);
    CHECK(pxos::ProvenanceLog::from_bytes(no_records, "p").error().message()
        == "p@28: error: 1 records declared, 12 bytes left (16 per record)");
    auto bad_writer = bytes;
    bad_writer[28 + 12] = 9; // the record's writer index
    CHECK(pxos::ProvenanceLog::from_bytes(bad_writer, "p").error().message()
        == "p@28: error: record 0 names pixel 3 or writer 9 out of range");
    auto trailing = bytes;
    trailing.push_back(0);
    CHECK(pxos::ProvenanceLog::from_bytes(trailing, "p").error().message() == "p@59: error: 1 bytes after the last writer");
    auto huge = bytes;
    huge[16] = 0xff; // writer count
    huge[17] = 0xff;
    CHECK(pxos::ProvenanceLog::from_bytes(huge, "p").error().message().rfind("p@20: error: 65535 writers cannot fit", 0) == 0);
}

namespace {

// A version 1 file (writers before records), as pxos wrote them before.
std::vector<std::uint8_t> version1_file()
{
    std::vector<std::uint8_t> bytes = { 'P', 'X', 'P', 'V', 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
    bytes.insert(bytes.end(), { 0, 2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 'f', 'i', 'l', 'l' }); // step 2 "fill"
    bytes.insert(bytes.end(), { 5, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0 });       // pixel 5: 1 -> 9
    return bytes;
}

} // namespace

TEST_CASE("version 1 provenance files are still read", "[provenance]")
{
    auto log = pxos::ProvenanceLog::from_bytes(version1_file(), "old.pxprov");
    REQUIRE(log.ok());
    REQUIRE(log->writers().size() == 1);
    CHECK(log->writers()[0].name == "fill");
    CHECK(log->writers()[0].id == 2);
    REQUIRE(log->records().size() == 1);
    CHECK(log->records()[0].address == 5);
    CHECK(log->records()[0].old_word == 1);
    CHECK(log->records()[0].new_word == 9);
    auto bad = version1_file();
    bad.pop_back();
    CHECK(pxos::ProvenanceLog::from_bytes(bad, "old.pxprov").error().message()
        == "old.pxprov@43: error: 1 records declared, 15 bytes left (16 per record)");
}

TEST_CASE("a streamed recording gives the same file as one kept in memory, and nothing until saved", "[provenance]")
{
    pxos::test::ScratchDirectory scratch;
    auto fill = [](pxos::ProvenanceLog& log) {
        std::uint32_t a = log.add_writer({ pxos::ProvenanceWriter::Kind::Step, 1, 0, "first" });
        std::uint32_t b = log.add_writer({ pxos::ProvenanceWriter::Kind::Process, 2, 77, "p.pxasm:3" });
        // Over two blocks, so flushes happen mid-recording and a partial block is left.
        for (std::uint32_t i = 0; i < 2 * pxos::ProvenanceLog::kStreamBlock + 123; ++i)
            log.record(i % 4096, i, i + 1, i % 3 ? a : b);
    };
    pxos::ProvenanceLog memory(64, 64);
    fill(memory);
    REQUIRE(memory.save(pxos::test::files(), scratch.file("memory.pxprov")).ok());

    pxos::ProvenanceLog streamed(64, 64);
    REQUIRE(streamed.stream_to(pxos::test::files(), scratch.file("streamed.pxprov")).ok());
    fill(streamed);
    CHECK(streamed.records().size() == 123); // the rest is in the file already
    CHECK(streamed.record_count() == 2 * pxos::ProvenanceLog::kStreamBlock + 123);
    auto during = scratch.list(); // memory.pxprov and a hidden temporary file, not streamed.pxprov yet
    REQUIRE(during.size() == 2);
    CHECK(during[0] == ".streamed.pxprov.tmp");
    CHECK(during[1] == "memory.pxprov");
    REQUIRE(streamed.save(pxos::test::files(), scratch.file("streamed.pxprov")).ok());
    CHECK(pxos::test::read_bytes(scratch.file("streamed.pxprov")) == pxos::test::read_bytes(scratch.file("memory.pxprov")));
    CHECK(pxos::test::read_bytes(scratch.file("memory.pxprov")) == memory.to_bytes());
    auto read = pxos::ProvenanceLog::from_bytes(pxos::test::read_bytes(scratch.file("streamed.pxprov")), "streamed");
    REQUIRE(read.ok());
    CHECK(read->records().size() == 2 * pxos::ProvenanceLog::kStreamBlock + 123);

    {
        pxos::ProvenanceLog abandoned(64, 64);
        REQUIRE(abandoned.stream_to(pxos::test::files(), scratch.file("abandoned.pxprov")).ok());
        fill(abandoned);
    }
    CHECK(scratch.list() == std::vector<std::string> { "memory.pxprov", "streamed.pxprov" });
}
