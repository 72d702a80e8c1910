// One evaluation of an image (private to src/eval): what the checks found
// so far (the header, the boot, the runs), one member function per row of
// the rubric (rubric.cpp) and one per scenario. evaluator.cpp runs the
// groups in the rubric's order; checks.cpp holds the checks that read the
// image (seed, structure, kernel), scenarios.cpp the image's own runs and
// the execution checks, probes.cpp the isolation probes.
#pragma once

#include "pxos/asm/assembly_cache.hpp"
#include "pxos/base/clock.hpp"
#include "pxos/base/executor.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/eval/evaluator.hpp"
#include "pxos/eval/rubric.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/vm/machine.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pxos {

inline constexpr std::string_view kHelloLine = "Hello from pxOS!";

inline std::vector<std::int64_t> point(int x, int y)
{
    return { x, y };
}

inline std::vector<std::int64_t> colour(RGBA c)
{
    return { c.r, c.g, c.b, c.a };
}

inline std::string at(int x, int y)
{
    return fmt::format("({},{})", x, y);
}

// The rows [begin, end) of a region, as addresses, in an image of this width.
inline std::pair<std::uint32_t, std::uint32_t> region_rows(RegionId id, int width)
{
    const Rect& rect = region(id).rect;
    return { std::uint32_t(rect.y) * std::uint32_t(width), std::uint32_t(rect.y + rect.height) * std::uint32_t(width) };
}

// What a check found wrong: the first few named in its message, every one
// counted. A hostile image can be wrong in millions of places (a syscall
// table as long as the image, a fault every other step); the message, the
// evidence and the loop's prompt stay short.
class Findings {
public:
    static constexpr std::size_t kNamed = 8;
    // `describe` runs only for the ones named.
    template<typename Describe>
    void add(Describe describe)
    {
        if (m_named.size() < kNamed)
            m_named.push_back(describe());
        ++m_count;
    }
    void count_more(std::uint64_t count) { m_count += count; }
    bool empty() const { return m_count == 0; }
    std::uint64_t count() const { return m_count; }
    // "first; second; ...; and 12 more"
    std::string text() const
    {
        std::string text = fmt::format("{}", fmt::join(m_named, "; "));
        if (m_count > m_named.size())
            text += fmt::format("; and {} more", m_count - m_named.size());
        return text;
    }

private:
    std::vector<std::string> m_named;
    std::uint64_t m_count = 0;
};

struct RunOutcome {
    RunResult result;
    std::string output;
    std::vector<ProcessInfo> processes;
    // The machine after its run, kept rather than copying its memory out:
    // its vram is the after-image.
    std::shared_ptr<const Machine> machine;
    const SimulatedVRAM* after() const { return machine ? &machine->vram() : nullptr; }
    bool timed_out = false; // stopped at the evaluation's time cap
};

// The evaluation's wall-clock bound, read by its concurrent runs between
// chunks of steps (a run cannot be interrupted inside one, so a chunk is
// small: EvalOptions::kDeadlineCheckSteps).
class Deadline {
public:
    Deadline(Clock* clock, std::uint64_t seconds)
        : m_clock(clock ? clock : &m_steady)
        , m_seconds(seconds)
        , m_end_ms(m_clock->now_ms() + 1000.0 * double(seconds))
    {
    }
    bool passed()
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_passed)
            m_passed = m_clock->now_ms() >= m_end_ms;
        return m_passed;
    }
    // "the evaluation time cap of 120 seconds (raise it with --max-eval-seconds, ...)"
    std::string cap() const { return cap_text(Cap::EvalSeconds, m_seconds); }

private:
    SteadyClock m_steady;
    Clock* m_clock;
    std::uint64_t m_seconds;
    double m_end_ms;
    std::mutex m_mutex;
    bool m_passed = false;
};

// The fairness metric's reading of the process table every
// kFairnessWatchSteps steps of a run, counted from its boot: how long each
// slot has been ready without running, and the longest such wait.
inline constexpr std::uint64_t kFairnessWatchSteps = 1000; // the metric's granularity (its row says so)
struct FairnessWatch {
    std::vector<std::uint64_t> waiting; // per slot, in steps
    std::uint64_t max_wait = 0;
    std::uint32_t max_wait_pid = 0;
    std::uint64_t readings = 0;
    std::uint64_t ready_steps = 0; // the sum over readings of its steps times the slots ready at it
    // Reads the table after `steps` more steps (the reading before it).
    void read(const Machine& machine, std::uint64_t steps);
};

// The image's boot up to its first read of the console, as the gates' own
// run passes it (it stops there, keeps a copy and goes on): the scenario
// suite and the workload go on from the copy instead of booting again,
// which gives what booting again would (the read is the first thing the
// console input can change).
struct BootPrefix {
    std::shared_ptr<const Machine> machine; // stopped before the read
    RunResult result;                       // the run so far
    FairnessWatch watch;                    // as read at the last multiple of kFairnessWatchSteps
    std::uint64_t watched_to = 0;           // that multiple
};

// Runs an image to its end, `max_steps`, or the deadline. With
// `finished_pids`, stops as soon as every one of those processes has
// ended (the others may loop). (scenarios.cpp)
RunOutcome run_image(SimulatedVRAM image, const std::string& name, std::uint64_t max_steps, Deadline& deadline,
    const std::vector<std::uint32_t>* finished_pids = nullptr);
// run_image with no console input and no finished_pids, also filling in
// `prefix` when the run reads the console before it ends. (scenarios.cpp)
RunOutcome run_image_keeping_boot(const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps,
    Deadline& deadline, std::optional<BootPrefix>& prefix);

// A hostile process injected into a copy of the image.
struct Probe {
    std::string what;
    std::string source;
    std::uint32_t expected_cause; // 0: an endless loop, to be preempted
    std::optional<SimulatedVRAM> image;
    std::uint32_t pid = 0;
    std::uint32_t base = 0;
    std::string problem; // why it could not be injected
    RunOutcome run;
    // Words [begin, end) that must be as they were after the run (the
    // kernel structure the probe attacks).
    std::uint32_t guarded_begin = 0, guarded_end = 0;
    std::string guarded_name;
};

// The metrics' runs (metrics_measure.cpp, efficiency.cpp): a copy of an
// image booted with console input and run to its halt, `max_steps` or the
// deadline. With `watch_steps`, the process table is read every that many
// steps: `max_ready_wait` is the longest a process stayed ready (not
// running) across consecutive readings, in steps.
struct MetricRun {
    bool booted = false;
    std::string boot_error;
    RunResult result;
    std::string output;
    std::vector<ProcessInfo> processes;
    bool timed_out = false;
    std::uint64_t max_ready_wait = 0;
    std::uint32_t max_ready_wait_pid = 0;
    FairnessWatch watch; // with the fairness watch: its readings
};
MetricRun run_metric_image(SimulatedVRAM image, const std::string& name, const std::string& input,
    std::uint64_t max_steps, Deadline& deadline, bool watch = false);
// The same run of the image the prefix is the boot of, gone on from it.
MetricRun run_metric_from(const BootPrefix& prefix, const std::string& input, std::uint64_t max_steps,
    Deadline& deadline, bool watch = false);

// Instructions per operation of one efficiency probe (efficiency.cpp): the
// probe processes run alone in a copy of the image (every other slot
// freed), once doing `count` operations and once doing none; the value is
// the difference of the two runs' steps over the operations.
struct OperationProbe {
    std::string_view key;    // the metric's key
    std::string_view what;   // "getpid calls"
    std::uint32_t count = 0; // operations of the measuring run
    // The probes' sources for a run of `operations` operations (one per process).
    std::vector<std::string> (*sources)(std::uint32_t operations);
};
std::span<const OperationProbe> operation_probes();
// The copy of `image` with only these processes (each a pxasm source), or why not.
Result<SimulatedVRAM> image_with_only(const SimulatedVRAM& image, const BootHeader& header,
    const std::vector<std::string>& sources);

// The evaluator's own programs (probes, the spawn bomb), assembled once per
// source and layout for the whole process: each evaluation injects the same
// ones into every image of the same size. (probes.cpp)
AssemblyCache& probe_assemblies();

// Puts the probe's program into a free slot and 4 free rows (below the
// processes, above the display) of a copy of the image: fills in image,
// pid and base, or problem. (probes.cpp; the robustness probes use it too)
void inject(Probe& probe, const SimulatedVRAM& image, const BootHeader& h);

// The message of every check that needs a boot, on an image that does not.
inline constexpr std::string_view kSkippedNoBoot = "skipped: the image does not boot (see kernel.boots)";

class Evaluation {
public:
    Evaluation(const SimulatedVRAM& image, const std::string& name, const EvalOptions& options)
        : m_image(image)
        , m_name(name)
        , m_options(options)
        , m_deadline(options.clock, options.max_seconds)
    {
    }

    EvalResult run();

    // The checks, one per row of the rubric, each filling in its Check.
    // seed (checks.cpp): the prototype's pixel checks, which also fill in
    // the result's SeedFigures
    void check_metadata_initialized(Check& check);
    void check_opcode_palette_sufficient(Check& check);
    void check_hello_program_exists(Check& check);
    void check_all_regions_ok(Check& check);
    // structure (checks.cpp)
    void check_header(Check& check);
    void check_header_pointers(Check& check);
    void check_regions(Check& check);
    void check_palette(Check& check);
    // kernel (checks.cpp): check_boots boots the image; the others need it
    void check_boots(Check& check);
    void check_syscall_table(Check& check);
    void check_process_table(Check& check);
    // execution (scenarios.cpp): the image runs twice, then its checks read the runs
    std::optional<std::string> run_twice();
    void check_clean_exit(Check& check);
    void check_hello(Check& check);
    void check_display_changed(Check& check);
    void check_no_faults(Check& check);
    void check_deterministic(Check& check);
    // isolation (probes.cpp): the probes run, then each check judges one
    std::optional<std::string> run_probes();
    void check_kernel_write(Check& check);
    void check_privileged(Check& check);
    void check_endless_loop(Check& check);
    void check_syscall_table_write(Check& check);
    // the cascade's second stage (metrics_measure.cpp): after every gate passed
    void run_metrics();
    void fill_run_figures();

private:
    bool wanted(CheckGroup group) const
    {
        return m_options.only_group.empty() || m_options.only_group == rubric_group(group).name;
    }
    // Runs the group's scenario, then adds and fills in each of its checks.
    void run_group(CheckGroup group);
    static void pass(Check& check, std::string message)
    {
        check.passed = true;
        check.points = check.max_points;
        check.message = std::move(message);
    }
    static void fail(Check& check, std::string message)
    {
        check.passed = false;
        check.points = 0;
        check.message = std::move(message);
    }
    // Not judged: what it needs (a boot header, a boot, a run that finished) is missing.
    static void skip(Check& check, std::string message)
    {
        fail(check, std::move(message));
        check.skipped = true;
    }
    void judge(Check& check, const Probe& probe);

    const SimulatedVRAM& m_image;
    std::string m_name;
    EvalOptions m_options;
    Deadline m_deadline;
    EvalResult m_result;
    std::optional<BootHeader> m_header;
    bool m_boots = false;
    std::string m_boot_error;
    std::optional<Palette> m_palette; // the booted image's
    std::optional<RunOutcome> m_baseline;
    std::optional<RunOutcome> m_second; // the determinism run
    std::optional<BootPrefix> m_boot;   // the baseline's boot, up to its first console read
    std::vector<Probe> m_probes;      // run_probes's, in the order of the isolation checks
};

} // namespace pxos
