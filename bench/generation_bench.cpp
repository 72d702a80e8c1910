// The loop's generation benchmark: `pxos loop` run in process on the default
// roadmap with the heuristic proposer and the full cascade (gates, then the
// metrics), its out-dir on tmpfs when the machine has /dev/shm (so the figure
// is the loop's work, not the disk's fsyncs), each generation timed as the
// loop times it (timings.jsonl: propose, build, evaluate, choose, write the
// files); then the same parts one at a time, to see where the time goes.
#include "generation_bench.hpp"

#include "builtin_steps.hpp"
#include "pxos/eval/evaluator.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/loop/loop.hpp"
#include "pxos/loop/proposer.hpp"
#include "pxos/roadmap/build.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <nlohmann/json.hpp>

namespace pxos::bench {

namespace {

double wall_ms()
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time of the whole process (every thread), in milliseconds.
double cpu_ms()
{
    timespec now {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    std::size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

[[noreturn]] void fail(const std::string& what)
{
    std::fprintf(stderr, "pxos_bench: %s\n", what.c_str());
    std::exit(1);
}

template<typename T>
T need(Result<T> result, const std::string& what)
{
    if (!result)
        fail(what + ": " + result.error().message());
    return std::move(*result);
}

void need(const Result<void>& result, const std::string& what)
{
    if (!result)
        fail(what + ": " + result.error().message());
}

struct Timing {
    double wall = 0;
    double cpu = 0;
};

// Medians of wall and CPU time of `runs` runs of `body` (after one warm-up).
Timing time_part(int runs, const std::function<void()>& body)
{
    body();
    std::vector<double> walls, cpus;
    for (int i = 0; i < runs; ++i) {
        double cpu = cpu_ms(), wall = wall_ms();
        body();
        walls.push_back(wall_ms() - wall);
        cpus.push_back(cpu_ms() - cpu);
    }
    return { median(walls), median(cpus) };
}

// Each generation's time as the loop measured it, and the CPU time the
// process spent from the end of one generation to the end of the next.
class Recorder final : public LoopObserver {
public:
    void generation_done(const GenerationRecord& record, double milliseconds) override
    {
        double cpu = cpu_ms();
        if (record.generation == 1)
            first_ms = milliseconds;
        else if (record.proposer != "duplicate") // a duplicate is not evaluated again: not a generation's work
            timed.push_back({ milliseconds, cpu - m_last_cpu });
        else
            ++duplicates;
        m_last_cpu = cpu;
        best_note = record.note;
    }
    double first_ms = 0;
    int duplicates = 0;
    std::vector<Timing> timed;
    std::string best_note;

private:
    double m_last_cpu = cpu_ms();
};

// Issue 15's check of the same run: the best combined_score never went
// down and rose at least once, and report.html has the islands' curves and
// the archive's grid; the bench fails otherwise.
BenchRow climb_row(FileSystem& files, const std::string& out_dir)
{
    auto text = need(files.read_file_text(out_dir + "/loop.jsonl", 64 << 20), "loop.jsonl");
    std::vector<double> best;
    std::size_t begin = 0;
    while (begin < text.size()) {
        std::size_t end = std::min(text.find('\n', begin), text.size());
        auto line = nlohmann::json::parse(text.substr(begin, end - begin));
        best.push_back(line.value("best_combined_score", 0.0));
        begin = end + 1;
    }
    int rises = 0;
    for (std::size_t i = 1; i < best.size(); ++i) {
        if (best[i] < best[i - 1])
            fail(fmt::format("the best combined_score went down at generation {}: {} -> {}", i + 1, best[i - 1],
                best[i]));
        rises += best[i] > best[i - 1];
    }
    if (best.size() < 2 || rises == 0)
        fail(fmt::format("the best combined_score never rose in {} generations", best.size()));
    auto report = need(files.read_file_text(out_dir + "/report.html", 64 << 20), "report.html");
    for (const char* part : { "aria-label='best per island'", "aria-label='archive'" })
        if (report.find(part) == std::string::npos)
            fail(fmt::format("report.html lacks the svg with {}", part));
    return { "loop best combined_score after the run", best.back(), "",
        fmt::format("from {:.4f}, rose {} times in {} generations, never down; report.html has the islands' curves "
                    "and the archive",
            best.front(), rises, best.size()) };
}

} // namespace

std::vector<BenchRow> generation_rows(const GenerationBenchOptions& options)
{
    namespace fs = std::filesystem;
    std::vector<BenchRow> rows;
    PosixFileSystem files;
    ThreadExecutor executor;
    const StepRegistry& registry = steps::builtin_registry();
    fs::path scratch = options.scratch;
    bool on_tmpfs = scratch.string().rfind("/dev/shm", 0) == 0;

    // The whole generation, as the loop runs it.
    {
        fs::path out_dir = scratch / "loop";
        fs::remove_all(out_dir);
        LoopOptions loop;
        loop.roadmap_path = options.roadmap;
        loop.generations = options.generations;
        loop.out_dir = out_dir.string();
        loop.proposer = ProposerKind::Heuristic;
        loop.files = &files;
        loop.executor = &executor;
        loop.eval.executor = &executor;
        Recorder recorder;
        SteadyClock clock;
        need(run_loop(loop, registry, nullptr, recorder, clock), "pxos loop " + options.roadmap);
        std::vector<double> walls, cpus;
        for (const Timing& timing : recorder.timed) {
            walls.push_back(timing.wall);
            cpus.push_back(timing.cpu);
        }
        std::string where = on_tmpfs ? "out-dir on tmpfs" : "out-dir on " + scratch.string();
        rows.push_back({ "loop generation, full cascade (wall)", median(walls), "ms",
            fmt::format("{} heuristic generations of {} ({} duplicates not counted), {} threads, {}; min {:.1f}, "
                        "max {:.1f}",
                walls.size(), options.roadmap, recorder.duplicates, executor.concurrency(), where,
                walls.empty() ? 0.0 : *std::min_element(walls.begin(), walls.end()),
                walls.empty() ? 0.0 : *std::max_element(walls.begin(), walls.end())) });
        rows.push_back({ "loop generation, full cascade (CPU)", median(cpus), "ms", "CPU time of every thread" });
        rows.push_back({ "loop generation 1 (the given roadmap)", recorder.first_ms, "ms",
            "load, build, evaluate, files (no proposal)" });
        rows.push_back(climb_row(files, out_dir.string()));
    }

    // Its parts, one at a time, on the default roadmap and its image.
    auto roadmap = need(load_roadmap(files, options.roadmap, registry, RoadmapLimits {}), options.roadmap);
    std::string folder = fs::path(options.roadmap).parent_path().string();
    BuildOptions build_options;
    build_options.files = &files;
    auto built = need(build_roadmap(roadmap, build_options), "build " + options.roadmap);
    EvalOptions gates_only;
    gates_only.executor = &executor;
    gates_only.metrics = false;
    EvalOptions full = gates_only;
    full.metrics = true;
    EvalResult evaluation = evaluate(built.vram, "bench.png", full);
    auto add = [&](const std::string& name, const Timing& timing, const std::string& note) {
        rows.push_back({ name, timing.wall, "ms", fmt::format("CPU {:.2f} ms; {}", timing.cpu, note) });
    };
    int runs = options.part_runs;
    std::string text;
    add("generation part: propose (heuristic)", time_part(runs, [&] {
        text = propose_heuristic(roadmap, evaluation, registry, 7).roadmap_yaml;
    }), "the next roadmap's canonical text");
    add("generation part: parse + validate", time_part(runs, [&] {
        (void)need(validate_proposal(files, text, "proposal.yaml", folder, registry, RoadmapLimits {}), "proposal");
    }), "the proposal read back as the loop reads it");
    add("generation part: build", time_part(runs, [&] {
        (void)need(build_roadmap(roadmap, build_options), "build");
    }), "kernel and programs assembled, store written");
    AssemblyCache assemblies;
    BuildOptions cached = build_options;
    cached.assemblies = &assemblies;
    add("generation part: build, assemblies cached", time_part(runs, [&] {
        (void)need(build_roadmap(roadmap, cached), "build");
    }), "as the loop builds: the same sources assembled once (pxos/asm/assembly_cache.hpp)");
    add("generation part: evaluate, gates only", time_part(runs, [&] {
        (void)evaluate(built.vram, "bench.png", gates_only);
    }), "the rubric: its runs and isolation probes");
    std::string metric_note = evaluation.metrics.measured
        ? fmt::format("gates, then the metrics (combined_score {:.4f}, {} steps of metric runs)",
              evaluation.metrics.combined_score, evaluation.metrics.steps)
        : "gates, then the metrics: not measured (" + evaluation.metrics.skipped + ")";
    add("generation part: evaluate, full cascade", time_part(runs, [&] {
        (void)evaluate(built.vram, "bench.png", full);
    }), metric_note);
    add("generation part: PNG encode", time_part(runs, [&] {
        (void)need(encode_png(built.vram, executor), "encode");
    }), fmt::format("{}x{}", built.vram.width(), built.vram.height()));
    fs::path files_dir = scratch / "files";
    fs::create_directories(files_dir);
    add("generation part: files", time_part(runs, [&] {
        need(save_png(files, (files_dir / "image.png").string(), built.vram, executor), "save");
        need(files.write_file_atomic((files_dir / "eval.json").string(), eval_result_to_json(evaluation)), "json");
        need(files.write_file_atomic((files_dir / "roadmap.yaml").string(), text), "yaml");
    }), fmt::format("PNG, eval JSON and roadmap written atomically, {}", on_tmpfs ? "on tmpfs" : "on disk"));
    return rows;
}

} // namespace pxos::bench
