// pxos benchmarks: medians over repeated runs, printed as a table and
// written as JSON. Whole-process figures spawn the real binary (what a user
// or CI script pays); the rest call the core library in process.
//   pxos_bench --pxos build-release/pxos [--json bench/results.json] [--quick] [--only generation]
// --only generation: only the loop's generation (bench/generation_bench.cpp).
#include "base/json_writer.hpp"
#include "generation_bench.hpp"
#include "builtin_steps.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/host/posix/memory.hpp"
#include "pxos/vm/machine.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

double now_ms()
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    std::size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

// `prepare` runs before each run of `body`, outside the timing.
double median_ms(int runs, const std::function<void()>& body, const std::function<void()>& prepare = [] { })
{
    std::vector<double> times;
    prepare();
    body(); // warm-up
    for (int i = 0; i < runs; ++i) {
        prepare();
        double start = now_ms();
        body();
        times.push_back(now_ms() - start);
    }
    return median(times);
}

// Runs a command (no shell), output to /dev/null; exits the bench on failure.
void spawn_and_wait(const std::vector<std::string>& arguments)
{
    std::vector<char*> argv;
    for (const std::string& argument : arguments)
        argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
        std::fprintf(stderr, "pxos_bench: cannot run %s\n", argv[0]);
        std::exit(1);
    }
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "pxos_bench: '%s' failed\n", fmt::format("{}", fmt::join(arguments, " ")).c_str());
        std::exit(1);
    }
}

using Row = pxos::bench::BenchRow;

// The table on stdout, and the JSON file when asked for.
void report(const std::vector<Row>& rows, const std::string& json_path)
{
    std::printf("%-40s %12s  %-5s  %s\n", "benchmark (median)", "value", "unit", "note");
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (const Row& row : rows) {
        std::printf("%-40s %12.3f  %-5s  %s\n", row.name.c_str(), row.value, row.unit.c_str(), row.note.c_str());
        results.push_back({ { "name", row.name }, { "value", row.value }, { "unit", row.unit }, { "note", row.note } });
    }
    if (!json_path.empty()) {
        nlohmann::ordered_json root;
        root["machine"] = { { "cores", sysconf(_SC_NPROCESSORS_ONLN) } };
        root["results"] = results;
        std::ofstream(json_path) << pxos::write_json(root, pxos::JsonLayout::Indented) << "\n";
    }
}

// The loop's generation (bench/generation_bench.cpp), its out-dir on tmpfs
// when there is one: the loop's work, without the disk's fsyncs.
std::vector<Row> generation_rows(bool quick)
{
    std::filesystem::path scratch = (std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                              : std::filesystem::temp_directory_path())
        / fmt::format("pxos-bench-generation-{}", getpid());
    std::filesystem::create_directories(scratch);
    pxos::bench::GenerationBenchOptions options;
    options.generations = quick ? 6 : 31;
    options.part_runs = quick ? 3 : 15;
    options.scratch = scratch.string();
    std::vector<Row> rows = pxos::bench::generation_rows(options);
    std::filesystem::remove_all(scratch);
    return rows;
}

pxos::SimulatedVRAM build_default(int width, int height)
{
    std::string text = fmt::format("metadata: {{vram_width: {}, vram_height: {}}}\nsteps:\n"
                                   "  - step: init_background\n  - step: layout_regions\n  - step: write_boot_banner\n"
                                   "  - step: write_opcode_palette\n  - step: write_hello_program\n",
        width, height);
    pxos::RoadmapLimits limits;
    limits.vram.max_bytes = pxos::VRAMLimits::kHardMaxBytes;
    auto roadmap = pxos::parse_roadmap(text, "bench.yaml", pxos::steps::builtin_registry(), limits);
    auto built = pxos::build_roadmap(roadmap.value());
    return std::move(built.value().vram);
}

} // namespace

int main(int argc, char** argv)
{
    pxos::keep_freed_blocks_for_reuse(); // as pxos's main does
    std::string pxos_binary = "build-release/pxos";
    std::string json_path;
    bool quick = false;
    bool only_generation = false;
    for (int i = 1; i < argc; ++i) {
        std::string argument = argv[i];
        if (argument == "--pxos" && i + 1 < argc)
            pxos_binary = argv[++i];
        else if (argument == "--json" && i + 1 < argc)
            json_path = argv[++i];
        else if (argument == "--quick")
            quick = true;
        else if (argument == "--only" && i + 1 < argc && std::string(argv[i + 1]) == "generation")
            only_generation = true, ++i;
        else {
            std::fprintf(stderr, "usage: pxos_bench [--pxos PATH] [--json OUT.json] [--quick] [--only generation]\n");
            return 2;
        }
    }
    std::vector<Row> rows = generation_rows(quick);
    if (only_generation) {
        report(rows, json_path);
        return 0;
    }
    int process_runs = quick ? 5 : 31;
    int heavy_runs = quick ? 3 : 9;

    std::filesystem::path scratch = std::filesystem::temp_directory_path() / fmt::format("pxos-bench-{}", getpid());
    std::filesystem::create_directories(scratch);
    std::string out_png = (scratch / "out.png").string();
    std::string big_roadmap = (scratch / "big.yaml").string();
    std::ofstream(big_roadmap) << "metadata: {vram_width: 4096, vram_height: 4096}\nsteps:\n"
                                  "  - step: init_background\n  - step: layout_regions\n  - step: write_boot_banner\n"
                                  "  - step: write_opcode_palette\n  - step: write_hello_program\n";

    rows.push_back({ "pxos --version start-up", median_ms(process_runs, [&] { spawn_and_wait({ pxos_binary, "--version" }); }),
        "ms", "per process" });
    rows.push_back({ "pxos build default roadmap (512x512)",
        median_ms(process_runs,
            [&] { spawn_and_wait({ pxos_binary, "build", "roadmaps/ROADMAP_VRAM_OS.yaml", "-q", "-o", out_png }); }),
        "ms", "per process: kernel + 3 programs assembled, PNG and source map written" });
    rows.push_back({ "pxos build seed roadmap (512x512)",
        median_ms(process_runs,
            [&] { spawn_and_wait({ pxos_binary, "build", "roadmaps/seed_stage1.yaml", "-q", "-o", out_png }); }),
        "ms", "per process, PNG written (prototype: ~180 ms)" });
    spawn_and_wait({ pxos_binary, "build", "roadmaps/ROADMAP_VRAM_OS.yaml", "-q", "-o", out_png });
    rows.push_back({ "pxos eval default image (512x512)",
        median_ms(process_runs, [&] { spawn_and_wait({ pxos_binary, "eval", out_png, "--json" }); }), "ms",
        "per process: 19 checks incl. 2 runs and 3 isolation probes" });
    {
        std::filesystem::path loop_dir = scratch / "loop";
        std::vector<double> per_generation;
        rows.push_back({ "pxos loop, 6 heuristic generations (default roadmap)",
            median_ms(quick ? 1 : 5,
                [&] {
                    std::filesystem::remove_all(loop_dir);
                    spawn_and_wait({ pxos_binary, "loop", "roadmaps/ROADMAP_VRAM_OS.yaml", "6", "--proposer",
                        "heuristic", "--out-dir", loop_dir.string(), "-q" });
                })
                / 6,
            "ms", "per generation incl. start-up (build, eval, reflect, propose, files)" });
    }
    // Provenance: what recording costs against the plain command.
    {
        std::string log = (scratch / "out.pxpv").string();
        // The log from the run before is removed untimed: replacing a 20 MB
        // file makes the file system free the old one's blocks (10-30 ms
        // here), which is not the cost of recording.
        auto ratio_row = [&](const std::string& name, const std::vector<std::string>& plain, std::vector<std::string> recorded,
                             const std::string& note) {
            double plain_ms = median_ms(process_runs, [&] { spawn_and_wait(plain); });
            double recorded_ms = median_ms(process_runs, [&] { spawn_and_wait(recorded); },
                [&] { std::filesystem::remove(log); });
            rows.push_back({ name, recorded_ms / plain_ms, "x",
                fmt::format("{:.1f} ms against {:.1f} ms plain; {}", recorded_ms, plain_ms, note) });
        };
        std::vector<std::string> build = { pxos_binary, "build", "roadmaps/ROADMAP_VRAM_OS.yaml", "-q", "-o", out_png };
        std::vector<std::string> build_recorded = build;
        build_recorded.insert(build_recorded.end(), { "--provenance", log });
        ratio_row("pxos build --provenance, default roadmap", build, build_recorded, "every pixel write of every step");
        spawn_and_wait(build);
        // An empty console input: pxos run reads only regular files (not /dev/null).
        std::string no_input = (scratch / "no_input.txt").string();
        std::ofstream(no_input).flush();
        std::vector<std::string> run = { pxos_binary, "run", out_png, "-q", "--input", no_input };
        std::vector<std::string> run_recorded = run;
        run_recorded.insert(run_recorded.end(), { "--provenance", log });
        ratio_row("pxos run --provenance, default image", run, run_recorded, "every word stored");
        run_recorded.push_back("--provenance-reads");
        ratio_row("pxos run --provenance-reads, default image", run, run_recorded, "every word stored and loaded");

        auto text = pxos::read_file_text("bench/roadmaps/stores.yaml.in", 1 << 20);
        if (!text) {
            std::fprintf(stderr, "pxos_bench: run me from the repository root (%s)\n", text.error().message().c_str());
            return 1;
        }
        std::string stores = *text;
        for (std::size_t at; (at = stores.find("@COUNT@")) != std::string::npos;)
            stores.replace(at, 7, quick ? "2000" : "20000");
        for (std::size_t at; (at = stores.find("../../roadmaps/")) != std::string::npos;)
            stores.replace(at, 15, std::filesystem::absolute("roadmaps/").string());
        std::string stores_roadmap = (scratch / "stores.yaml").string();
        std::string stores_png = (scratch / "stores.png").string();
        std::ofstream(stores_roadmap) << stores;
        spawn_and_wait({ pxos_binary, "build", stores_roadmap, "-q", "-o", stores_png });
        std::vector<std::string> stress = { pxos_binary, "run", stores_png, "-q" };
        std::vector<std::string> stress_recorded = stress;
        stress_recorded.insert(stress_recorded.end(), { "--provenance", log });
        ratio_row("pxos run --provenance, store loop", stress, stress_recorded,
            "worst case: a store every 5 instructions (bench/roadmaps/stores.yaml.in)");
        stress_recorded.push_back("--provenance-reads");
        ratio_row("pxos run --provenance-reads, store loop", stress, stress_recorded, "a store and a load every 5 instructions");
    }
    rows.push_back({ "pxos build 4096x4096 with save",
        median_ms(heavy_runs, [&] { spawn_and_wait({ pxos_binary, "build", big_roadmap, "-q", "-o", out_png }); }),
        "ms", "per process, PNG written" });

    // In-process: VRAM fills against memset, and copies.
    auto vram = pxos::SimulatedVRAM::create(4096, 4096).value();
    double bytes = double(vram.byte_size());
    double fill = median_ms(heavy_runs * 2, [&] { vram.fill_rect(vram.bounds(), pxos::RGBA { 1, 2, 3, 4 }); });
    std::vector<std::uint8_t> raw(vram.byte_size());
    double memset_ms = median_ms(heavy_runs * 2, [&] { std::memset(raw.data(), int(raw[7]) + 1, raw.size()); });
    double copy = median_ms(heavy_runs * 2, [&] { vram.copy_rect(pxos::Rect { 0, 0, 4096, 2048 }, 0, 2048); });
    rows.push_back({ "VRAM fill 4096x4096", bytes / fill / 1e6, "GB/s", fmt::format("memset: {:.1f} GB/s", bytes / memset_ms / 1e6) });
    rows.push_back({ "VRAM copy 4096x2048", bytes / 2 / copy / 1e6, "GB/s", "rows copied" });

    for (int size : { 512, 4096 }) {
        pxos::SimulatedVRAM image = build_default(size, size);
        double image_bytes = double(image.byte_size());
        std::vector<std::uint8_t> encoded;
        pxos::ThreadExecutor executor;
        double encode = median_ms(size == 512 ? process_runs : heavy_runs,
            [&] { encoded = pxos::encode_png(image, executor).value(); });
        double decode = median_ms(size == 512 ? process_runs : heavy_runs, [&] { (void)pxos::decode_png(encoded, "bench.png").value(); });
        rows.push_back({ fmt::format("PNG encode {}x{}", size, size), image_bytes / encode / 1e3, "MB/s",
            fmt::format("{:.2f} ms, {} bytes", encode, encoded.size()) });
        rows.push_back({ fmt::format("PNG decode {}x{}", size, size), image_bytes / decode / 1e3, "MB/s",
            fmt::format("{:.2f} ms", decode) });
    }
    // The machine: the countdown benchmark (bench/roadmaps/countdown.yaml.in).
    {
        std::int64_t count = quick ? 20'000'000 : 200'000'000;
        auto text = pxos::read_file_text("bench/roadmaps/countdown.yaml.in", 1 << 20);
        if (!text) {
            std::fprintf(stderr, "pxos_bench: run me from the repository root (%s)\n", text.error().message().c_str());
            return 1;
        }
        std::string roadmap_text = *text;
        for (std::size_t at; (at = roadmap_text.find("@COUNT@")) != std::string::npos;)
            roadmap_text.replace(at, 7, std::to_string(count));
        auto roadmap = pxos::parse_roadmap(roadmap_text, "bench/roadmaps/countdown.yaml", pxos::steps::builtin_registry());
        pxos::PosixFileSystem files;
        pxos::BuildOptions build_options;
        build_options.files = &files; // the kernel_file it names
        auto built = pxos::build_roadmap(roadmap.value(), build_options);
        if (!built) {
            std::fprintf(stderr, "pxos_bench: %s\n", built.error().message().c_str());
            return 1;
        }
        std::uint64_t steps = 0;
        double run_ms = median_ms(quick ? 1 : 3, [&] {
            auto machine = pxos::Machine::boot(built->vram, "countdown.png").value();
            steps = machine->run(4'000'000'000ull).steps;
        });
        rows.push_back({ "machine countdown (ADDI + JNZ)", double(steps) / run_ms / 1e3, "M/s",
            fmt::format("{} pxos instructions in {:.0f} ms", steps, run_ms) });
    }
    std::filesystem::remove_all(scratch);

    report(rows, json_path);
    return 0;
}
