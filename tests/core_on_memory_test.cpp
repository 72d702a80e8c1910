// The core with no host: roadmaps, pxasm files and includes, images, staged
// outputs, provenance and the improvement loop, all on MemoryFileSystem.
// These run in the PXOS_HOST=none build (`make test-core`).
#include "builtin_steps.hpp"
#include "pxos/asm/builtin_sources.hpp"
#include "pxos/base/memory_file_system.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/loop/loop.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/roadmap/provenance.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

// A folder holding the shipped kernel and a program that includes a file.
void add_os_folder(pxos::MemoryFileSystem& files)
{
    files.add_file("os/kernel.pxasm", std::string(pxos::builtin_source("kernel.pxasm").value()));
    for (std::string_view name : pxos::builtin_source_names()) // the files the kernel includes
        if (name.rfind("kernel/", 0) == 0)
            files.add_file("os/" + std::string(name), std::string(pxos::builtin_source(name).value()));
    files.add_file("os/lib/text.pxasm", std::string(pxos::builtin_source("hello.pxasm").value()));
    files.add_file("os/hello.pxasm", ".include \"lib/text.pxasm\"\n");
}

const std::string kRoadmap = "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                             "  - step: install_kernel\n    params: {kernel_file: KERNEL}\n"
                             "  - step: add_process\n    params: {program_file: PROGRAM}\n";

std::string roadmap_with(const std::string& kernel, const std::string& program)
{
    std::string text = kRoadmap;
    text.replace(text.find("KERNEL"), 6, kernel);
    text.replace(text.find("PROGRAM"), 7, program);
    return text;
}

pxos::Result<pxos::BuildResult> build_in(pxos::MemoryFileSystem& files, const std::string& path)
{
    auto roadmap = pxos::load_roadmap(files, path, pxos::steps::builtin_registry());
    if (!roadmap)
        return std::move(roadmap).error();
    pxos::BuildOptions options;
    options.files = &files;
    return pxos::build_roadmap(*roadmap, options);
}

std::vector<std::uint32_t> words_of(const pxos::SimulatedVRAM& vram)
{
    return std::vector<std::uint32_t>(vram.words(), vram.words() + vram.byte_size() / 4);
}

} // namespace

TEST_CASE("a roadmap on the in-memory file system builds from its kernel file, program file and includes", "[pure]")
{
    pxos::MemoryFileSystem files;
    add_os_folder(files);
    files.add_file("os/roadmap.yaml", roadmap_with("kernel.pxasm", "hello.pxasm"));
    files.add_file("os/builtin.yaml", roadmap_with("builtin:kernel.pxasm", "builtin:hello.pxasm"));
    auto from_files = build_in(files, "os/roadmap.yaml");
    REQUIRE(from_files.ok());
    auto from_builtins = build_in(files, "os/builtin.yaml");
    REQUIRE(from_builtins.ok());
    CHECK(words_of(from_files->vram) == words_of(from_builtins->vram));
    // (hello.pxasm only includes: its words come from lib/text.pxasm)
    std::vector<std::string> sources = from_files->source_map.files();
    CHECK(sources.front() == "os/kernel.pxasm");
    CHECK(sources.back() == "os/lib/text.pxasm");
    for (std::size_t i = 1; i + 1 < sources.size(); ++i)
        CHECK(sources[i].rfind("os/kernel/", 0) == 0);

    files.add_file("os/missing.yaml", roadmap_with("kernel.pxasm", "nowhere.pxasm"));
    auto missing = build_in(files, "os/missing.yaml");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message()
        == "os/nowhere.pxasm: error: step 5 'add_process': cannot open: No such file or directory");
}

TEST_CASE("a build without a file system reads builtin sources and refuses files", "[pure]")
{
    auto builtin = pxos::parse_roadmap(roadmap_with("builtin:kernel.pxasm", "builtin:hello.pxasm"), "r.yaml",
        pxos::steps::builtin_registry());
    REQUIRE(builtin.ok());
    CHECK(pxos::build_roadmap(*builtin).ok());
    auto on_disk = pxos::parse_roadmap(roadmap_with("kernel.pxasm", "hello.pxasm"), "r.yaml",
        pxos::steps::builtin_registry());
    REQUIRE(on_disk.ok());
    auto refused = pxos::build_roadmap(*on_disk);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message()
        == "r.yaml:5:5: error: step 4 'install_kernel': assemble_file(kernel.pxasm): no file system to read it from");
}

TEST_CASE("an output path naming a folder of the in-memory file system is refused when the roadmap loads", "[pure]")
{
    pxos::MemoryFileSystem files;
    files.add_folder("artifacts");
    files.add_file("r.yaml", "steps: []\noutput:\n  png_path: artifacts\n");
    auto roadmap = pxos::load_roadmap(files, "r.yaml", pxos::steps::builtin_registry());
    REQUIRE_FALSE(roadmap.ok());
    CHECK(roadmap.error().message() == "r.yaml:3:13: error: output.png_path 'artifacts' is a directory, expected a file name");
}

TEST_CASE("images, staged outputs and provenance go through the in-memory file system", "[pure]")
{
    pxos::MemoryFileSystem files;
    add_os_folder(files);
    files.add_file("os/roadmap.yaml", roadmap_with("kernel.pxasm", "hello.pxasm"));
    auto built = build_in(files, "os/roadmap.yaml");
    REQUIRE(built.ok());
    pxos::SerialExecutor serial;
    REQUIRE(pxos::save_png(files, "out/os.png", built->vram, serial).ok());
    auto loaded = pxos::load_png(files, "out/os.png");
    REQUIRE(loaded.ok());
    CHECK(words_of(*loaded) == words_of(built->vram));

    auto roadmap = pxos::load_roadmap(files, "os/roadmap.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    auto recorded = pxos::build_provenance(files, *roadmap);
    REQUIRE(recorded.ok());
    {
        pxos::StagedOutputs outputs(files, { "os/roadmap.yaml" });
        REQUIRE(pxos::stage_png(outputs, "staged/os.png", built->vram, serial).ok());
        REQUIRE(recorded->stage_file(outputs, "staged/os.pxprov").ok());
        CHECK_FALSE(files.exists("staged/os.png"));
        REQUIRE(outputs.commit().ok());
    }
    CHECK(words_of(pxos::load_png(files, "staged/os.png").value()) == words_of(built->vram));
    auto bytes = files.read_file_bytes("staged/os.pxprov", 1u << 30).value();
    auto log = pxos::ProvenanceLog::from_bytes(bytes, "staged/os.pxprov");
    REQUIRE(log.ok());
    CHECK(log->record_count() == recorded->record_count());
    CHECK(bytes == recorded->to_bytes());
}

TEST_CASE("the improvement loop runs on the in-memory file system and locks its out-dir there", "[pure][loop]")
{
    pxos::MemoryFileSystem files;
    files.add_file("roadmaps/minimal.yaml", "steps:\n  - step: layout_regions\n");
    pxos::LoopOptions options;
    options.roadmap_path = "roadmaps/minimal.yaml";
    options.generations = 3;
    options.out_dir = "loop";
    options.files = &files;
    pxos::LoopObserver observer;
    pxos::FakeClock clock;
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, observer, clock);
    REQUIRE(summary.ok());
    CHECK(summary->generations.size() == 3);
    for (const char* name : { "loop/loop.jsonl", "loop/timings.jsonl", "loop/report.html", "loop/loop.lock",
             "loop/minimal.gen001.yaml", "loop/minimal.gen003.png", "loop/minimal.gen003.json",
             "loop/minimal.gen003.diff.png", "loop/reflect.gen002.json" })
        CHECK(files.kind_of(name) == pxos::FileKind::Regular);
    CHECK(files.contents("loop/loop.jsonl")->find("\"generation\":3") != std::string::npos);

    auto held = files.lock("loop/loop.lock", "busy");
    REQUIRE(held.ok());
    options.resume = true;
    options.generations = 4;
    auto locked = pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, observer, clock);
    REQUIRE_FALSE(locked.ok());
    CHECK(locked.error().message()
        == "loop/loop.lock: error: the out-dir is in use by another pxos loop (held in this process)");
    held->reset();
    auto resumed = pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, observer, clock);
    REQUIRE(resumed.ok());
    CHECK(resumed->generations.size() == 1);
    CHECK(resumed->generations[0].generation == 4);

    files.add_file("file-not-folder", "x");
    options.out_dir = "file-not-folder";
    auto not_a_folder = pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, observer, clock);
    REQUIRE_FALSE(not_a_folder.ok());
    CHECK(not_a_folder.error().message() == "file-not-folder: error: the out-dir is a file, not a directory");
}
