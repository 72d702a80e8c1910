#include "pxos/eval/evaluator.hpp"

#include "base/json_writer.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/base/executor.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/vm/machine.hpp"
#include "pxos/vm/run_report.hpp"
#include "pxos/abi/syscalls.hpp"

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>

namespace pxos {

const std::vector<std::string>& eval_groups()
{
    static const std::vector<std::string> groups = { "seed", "structure", "kernel", "execution", "isolation" };
    return groups;
}

namespace {

constexpr std::string_view kHelloLine = "Hello from pxOS!";
constexpr std::size_t kCheckCapacity = 32;

std::vector<std::int64_t> point(int x, int y)
{
    return { x, y };
}

std::vector<std::int64_t> colour(RGBA c)
{
    return { c.r, c.g, c.b, c.a };
}

std::string at(int x, int y)
{
    return fmt::format("({},{})", x, y);
}

// The rows [begin, end) of a region, as addresses, in an image of this width.
std::pair<std::uint32_t, std::uint32_t> region_rows(RegionId id, int width)
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
    std::optional<SimulatedVRAM> after;
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

// Runs an image to its end, `max_steps`, or the deadline. With
// `finished_pids`, stops as soon as every one of those processes has
// ended (the others may loop).
RunOutcome run_image(const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps, Deadline& deadline,
    const std::vector<std::uint32_t>* finished_pids = nullptr)
{
    RunOutcome outcome;
    auto machine = Machine::boot(image, name);
    if (!machine)
        return outcome;
    {
        const std::uint64_t chunk_steps = finished_pids ? 50'000 : EvalOptions::kDeadlineCheckSteps;
        std::uint64_t done = 0;
        while (done < max_steps) {
            if (deadline.passed()) {
                outcome.timed_out = true;
                outcome.result = (*machine)->run(0);
                break;
            }
            std::uint64_t chunk = std::min(chunk_steps, max_steps - done);
            outcome.result = (*machine)->run(chunk);
            done += chunk;
            if (outcome.result.reason != StopReason::BudgetExhausted)
                break;
            if (!finished_pids)
                continue;
            bool all_ended = true;
            for (const ProcessInfo& process : (*machine)->processes())
                if (std::find(finished_pids->begin(), finished_pids->end(), process.pid) != finished_pids->end())
                    all_ended &= process.state == std::uint32_t(isa::ProcessState::Exited)
                        || process.state == std::uint32_t(isa::ProcessState::Faulted);
            if (all_ended)
                break;
        }
    }
    outcome.output = (*machine)->console_output();
    outcome.processes = (*machine)->processes();
    outcome.after = (*machine)->vram();
    return outcome;
}

struct Probe;

class Evaluator {
public:
    Evaluator(const SimulatedVRAM& image, const std::string& name, const EvalOptions& options)
        : m_image(image)
        , m_name(name)
        , m_options(options)
        , m_deadline(options.clock, options.max_seconds)
    {
    }

    EvalResult run();

private:
    bool wanted(const std::string& group) const { return m_options.only_group.empty() || m_options.only_group == group; }
    Check& add(std::string id, std::string group, int max_points)
    {
        if (m_result.checks.size() == m_result.checks.capacity())
            throw std::logic_error("evaluator: raise kCheckCapacity"); // would invalidate references
        Check check;
        check.id = std::move(id);
        check.group = std::move(group);
        check.max_points = max_points;
        m_result.checks.push_back(std::move(check));
        return m_result.checks.back();
    }
    void pass(Check& check, std::string message)
    {
        check.passed = true;
        check.points = check.max_points;
        check.message = std::move(message);
    }
    void fail(Check& check, std::string message)
    {
        check.passed = false;
        check.points = 0;
        check.message = std::move(message);
    }

    void seed_checks();
    void structure_checks();
    void kernel_checks();
    void execution_checks();
    void isolation_checks();
    void judge(Check& check, const Probe& probe);

    const SimulatedVRAM& m_image;
    std::string m_name;
    EvalOptions m_options;
    Deadline m_deadline;
    EvalResult m_result;
    std::optional<BootHeader> m_header;
    bool m_boots = false;
    std::string m_boot_error;
    std::optional<RunOutcome> m_baseline;
};

void Evaluator::seed_checks()
{
    SeedFigures& seed = m_result.seed;
    const SimulatedVRAM& image = m_image;

    Check& metadata = add("seed.metadata_initialized", "seed", 1);
    if (image.contains(10, 2)) {
        RGBA pixel = image.pixel_unchecked(10, 2);
        seed.metadata_initialized = pixel.r || pixel.g || pixel.b;
        metadata.evidence = { { "pixel", point(10, 2) }, { "found", colour(pixel) } };
        if (seed.metadata_initialized)
            pass(metadata, fmt::format("pixel {} is {}: the metadata region is initialised", at(10, 2), pixel.to_string()));
        else
            fail(metadata, fmt::format("pixel {} is {}: expected a non-zero R, G or B (the boot banner)", at(10, 2),
                               pixel.to_string()));
    } else {
        fail(metadata, fmt::format("pixel {} is outside the {}x{} image", at(10, 2), image.width(), image.height()));
    }

    Check& palette = add("seed.opcode_palette_sufficient", "seed", 1);
    std::set<std::uint32_t> samples;
    std::vector<std::int64_t> xs;
    for (int i = 0; i < 16; ++i) {
        int x = i * image.width() / 16;
        xs.push_back(x);
        if (image.contains(x, 24))
            samples.insert(image.pixel_unchecked(x, 24).to_word());
    }
    seed.opcode_palette_unique_colors = int(samples.size());
    seed.opcode_palette_sufficient = samples.size() >= 4;
    palette.evidence = { { "row", std::int64_t(24) }, { "xs", xs }, { "unique_colors", std::int64_t(samples.size()) } };
    if (seed.opcode_palette_sufficient)
        pass(palette, fmt::format("{} distinct colours among the 16 samples of row 24 (at least 4 needed)", samples.size()));
    else
        fail(palette, fmt::format("only {} distinct colours among the 16 samples of row 24 at x = 0, {}, ...; at least 4 "
                                  "needed (paint the opcode palette)",
                          samples.size(), image.width() / 16));

    Check& hello = add("seed.hello_program_exists", "seed", 1);
    int differing = 0;
    for (int y = 232; y < 240; ++y)
        for (int x = 32; x < 64; ++x)
            if (image.contains(x, y)) {
                RGBA pixel = image.pixel_unchecked(x, y);
                differing += !(pixel.r == 20 && pixel.g == 20 && pixel.b == 20);
            }
    seed.hello_program_pixels = differing;
    seed.hello_program_exists = differing > 0;
    hello.evidence = { { "block", std::vector<std::int64_t> { 32, 232, 32, 8 } }, { "pixels", std::int64_t(differing) } };
    if (seed.hello_program_exists)
        pass(hello, fmt::format("{} pixels of the 32x8 block at {} differ from the program area colour", differing,
                        at(32, 232)));
    else
        fail(hello, fmt::format("every pixel of the 32x8 block at {} is the program area colour (20,20,20): no hello "
                                "program there",
                        at(32, 232)));

    Check& regions = add("seed.all_regions_ok", "seed", 1);
    std::vector<std::string> wrong;
    for (RegionId id : { RegionId::Metadata, RegionId::Kernel, RegionId::SyscallTable, RegionId::ProcessTable }) {
        const Region& entry = region(id);
        int x = entry.rect.x + entry.rect.width / 2;
        int y = entry.rect.y + entry.rect.height / 2;
        ++seed.regions_checked;
        if (!image.contains(x, y)) {
            wrong.push_back(fmt::format("{} centre {} is outside the image", entry.name, at(x, y)));
            continue;
        }
        RGBA found = image.pixel_unchecked(x, y);
        RGBA band = *entry.band_color;
        if (std::abs(found.r - band.r) <= 10 && std::abs(found.g - band.g) <= 10 && std::abs(found.b - band.b) <= 10)
            ++seed.regions_ok;
        else
            wrong.push_back(fmt::format("{} centre {} is {}, expected within 10 of {}", entry.name, at(x, y),
                found.to_string(), band.to_string()));
    }
    seed.all_regions_ok = seed.regions_ok == seed.regions_checked;
    regions.evidence = { { "regions_checked", std::int64_t(seed.regions_checked) },
        { "regions_ok", std::int64_t(seed.regions_ok) } };
    if (seed.all_regions_ok)
        pass(regions, "the centres of metadata, kernel, syscall_table and process_table have their band colours");
    else
        fail(regions, fmt::format("{} of 4 regions off: {}", wrong.size(), fmt::join(wrong, "; ")));
}

void Evaluator::structure_checks()
{
    const SimulatedVRAM& image = m_image;
    int width = image.width();

    Check& header = add("structure.header", "structure", 1);
    auto read = read_header(image, m_name);
    header.evidence = { { "pixel", point(0, isa::kHeaderRow) } };
    if (read) {
        m_header = *read;
        pass(header, fmt::format("boot header at {}: magic PXOS, ISA version {}", at(0, isa::kHeaderRow), read->version));
    } else {
        const Diagnostic& problem = read.error().diagnostics().front();
        fail(header, fmt::format("{}: {}", problem.where, problem.message));
    }

    Check& pointers = add("structure.header_pointers", "structure", 1);
    if (!m_header) {
        fail(pointers, "skipped: no valid boot header (see structure.header)");
    } else {
        const BootHeader& h = *m_header;
        std::vector<std::string> problems;
        auto inside = [&](std::uint32_t address, std::uint32_t count, RegionId id, std::string_view what) {
            auto [begin, end] = region_rows(id, width);
            if (address < begin || std::uint64_t(address) + count > end)
                problems.push_back(fmt::format("{} {} is not inside the {} region", what, format_address(address, width),
                    region(id).name));
        };
        inside(h.kernel_entry, 1, RegionId::Kernel, "kernel entry");
        inside(h.trap_vector, 1, RegionId::Kernel, "trap vector");
        inside(h.syscall_table, h.syscall_count, RegionId::SyscallTable, "syscall table");
        inside(h.process_table, h.process_slots * h.pcb_words, RegionId::ProcessTable, "process table");
        inside(h.palette, 1, RegionId::OpcodePalette, "palette");
        Rect program = region(RegionId::ProgramArea).rect;
        if (!(h.display.intersected(program) == h.display))
            problems.push_back(fmt::format("display area {}x{} at {} is not inside the program area", h.display.width,
                h.display.height, at(h.display.x, h.display.y)));
        if (h.syscall_count != kSyscalls.size())
            problems.push_back(fmt::format("syscall table has {} entries, expected {}", h.syscall_count, kSyscalls.size()));
        pointers.evidence = { { "kernel_entry", format_address(h.kernel_entry, width) },
            { "syscall_table", format_address(h.syscall_table, width) },
            { "process_table", format_address(h.process_table, width) } };
        if (problems.empty())
            pass(pointers, "every header pointer lies inside its region");
        else
            fail(pointers, fmt::format("{}", fmt::join(problems, "; ")));
    }

    Check& regions = add("structure.regions", "structure", 1);
    std::vector<std::string> off;
    for (const Region& entry : layout_regions()) {
        if (!entry.band_color)
            continue;
        Rect rect = entry.rect.intersected(image.bounds());
        std::int64_t matching = 0;
        for (int y = rect.y; y < rect.y + rect.height; ++y)
            for (int x = rect.x; x < rect.x + rect.width; ++x)
                matching += image.pixel_unchecked(x, y) == *entry.band_color;
        if (rect.empty() || matching * 2 < entry.rect.area())
            off.push_back(fmt::format("{} ({}x{} at {}): {} of {} pixels are {}", entry.name, entry.rect.width,
                entry.rect.height, at(entry.rect.x, entry.rect.y), matching, entry.rect.area(),
                entry.band_color->to_string()));
    }
    if (off.empty())
        pass(regions, "every region with a band colour is mostly that colour, as the layout table says");
    else
        fail(regions, fmt::format("regions not laid out as the layout table says (at least half their pixels in the band "
                                  "colour): {}",
                          fmt::join(off, "; ")));

    Check& palette = add("structure.palette", "structure", 2);
    int palette_y = region(RegionId::OpcodePalette).rect.y;
    int mismatches = 0;
    std::string first;
    std::set<std::uint32_t> seen;
    bool unique = true;
    for (const isa::OpcodeInfo& entry : isa::kOpcodes) {
        int x = int(entry.opcode) * isa::kPaletteCellWidth;
        RGBA found = image.contains(x, palette_y) ? image.pixel_unchecked(x, palette_y) : RGBA {};
        unique &= seen.insert(found.to_word()).second;
        if (!(found == entry.color) && mismatches++ == 0)
            first = fmt::format("{}: {} expected {}, found {}", at(x, palette_y), entry.mnemonic, entry.color.to_string(),
                found.to_string());
    }
    palette.evidence = { { "cells", std::int64_t(isa::kOpcodeCount) }, { "mismatches", std::int64_t(mismatches) } };
    if (mismatches == 0 && unique)
        pass(palette, fmt::format("all {} opcode colours present, unique and as the opcode table says",
                          isa::kOpcodeCount));
    else
        fail(palette, fmt::format("{} of {} palette cells differ from the opcode table{}; first {}", mismatches,
                          isa::kOpcodeCount, unique ? "" : " and colours repeat", first));
}

void Evaluator::kernel_checks()
{
    int width = m_image.width();
    Check& boots = add("kernel.boots", "kernel", 1);
    auto machine = Machine::boot(m_image, m_name);
    if (!machine) {
        const Diagnostic& problem = machine.error().diagnostics().front();
        m_boot_error = fmt::format("{}: {}", problem.where, problem.message);
        fail(boots, "the image does not boot: " + m_boot_error);
    } else {
        auto entry = decode(m_image.words(), m_image.pixel_count(), (*machine)->header().kernel_entry,
            (*machine)->palette());
        if (!entry) {
            m_boot_error = "the kernel entry is not an instruction";
            fail(boots, fmt::format("the kernel entry {} is not an instruction of the image's palette",
                            format_address((*machine)->header().kernel_entry, width)));
        } else {
            m_boots = true;
            m_header = (*machine)->header();
            pass(boots, fmt::format("boots: kernel entry {} starts with {}",
                            format_address((*machine)->header().kernel_entry, width), format_instruction(*entry)));
        }
    }

    Check& syscalls = add("kernel.syscall_table", "kernel", 1);
    Check& processes = add("kernel.process_table", "kernel", 1);
    if (!m_boots) {
        fail(syscalls, "skipped: the image does not boot (see kernel.boots)");
        fail(processes, "skipped: the image does not boot (see kernel.boots)");
        return;
    }
    const BootHeader& h = *m_header;
    Palette palette = (*machine)->palette();
    const std::uint32_t* words = m_image.words();
    auto [kernel_begin, kernel_end] = region_rows(RegionId::Kernel, width);
    Findings bad;
    for (std::uint32_t n = 0; n < h.syscall_count; ++n) {
        std::uint32_t handler = words[h.syscall_table + n];
        auto name = [n] { return n < kSyscalls.size() ? std::string(kSyscalls[n].name) : std::to_string(n); };
        if (handler < kernel_begin || handler >= kernel_end)
            bad.add([&] {
                return fmt::format("entry {} ({}) at {} points at {}, outside the kernel region", n, name(),
                    format_address(h.syscall_table + n, width), format_address(handler, width));
            });
        else if (!decode(words, m_image.pixel_count(), handler, palette))
            bad.add([&] {
                return fmt::format("entry {} ({}) points at {}, which is not an instruction", n, name(),
                    format_address(handler, width));
            });
    }
    syscalls.evidence = { { "entries", std::int64_t(h.syscall_count) }, { "bad", std::int64_t(bad.count()) } };
    if (bad.empty())
        pass(syscalls, fmt::format("all {} syscall entries point at kernel code", h.syscall_count));
    else
        fail(syscalls, bad.text());

    // PCBs: in range, inside the program area, not overlapping each other or the display.
    Findings problems;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
    int runnable = 0;
    auto [program_begin, program_end] = region_rows(RegionId::ProgramArea, width);
    std::uint32_t display_begin = std::uint32_t(h.display.y) * std::uint32_t(width);
    std::uint32_t display_end = std::uint32_t(h.display.y + h.display.height) * std::uint32_t(width);
    for (std::uint32_t slot = 0; slot < h.process_slots; ++slot) {
        const std::uint32_t* pcb = words + h.process_table + std::size_t(slot) * h.pcb_words;
        std::uint32_t state = pcb[int(isa::PcbField::State)];
        if (state == std::uint32_t(isa::ProcessState::Free))
            continue;
        std::string where = fmt::format("slot {} at {}", slot, format_address(h.process_table + slot * h.pcb_words, width));
        std::uint32_t base = pcb[int(isa::PcbField::Base)], limit = pcb[int(isa::PcbField::Limit)];
        std::uint32_t entry = pcb[int(isa::PcbField::Entry)], stack = pcb[int(isa::PcbField::StackBase)];
        if (state > std::uint32_t(isa::ProcessState::Dormant))
            problems.add([&] { return fmt::format("{}: state {} is not a process state", where, state); });
        if (state == std::uint32_t(isa::ProcessState::Ready))
            ++runnable;
        if (pcb[int(isa::PcbField::Pid)] != slot + 1)
            problems.add([&] {
                return fmt::format("{}: pid {} (expected {})", where, pcb[int(isa::PcbField::Pid)], slot + 1);
            });
        if (base >= limit || base < program_begin || limit > program_end)
            problems.add([&] { return fmt::format("{}: memory {}..{} is empty or outside the program area", where,
                format_address(base, width), format_address(limit, width)); });
        else if (entry < base || entry >= limit || stack < base || stack > limit)
            problems.add([&] { return fmt::format("{}: entry {} or stack base {} outside its memory", where,
                format_address(entry, width), format_address(stack, width)); });
        if (base < display_end && limit > display_begin)
            problems.add([&] { return fmt::format("{}: memory overlaps the display area", where); });
        for (const auto& [other_base, other_limit] : ranges)
            if (base < other_limit && limit > other_base)
                problems.add([&] { return fmt::format("{}: memory overlaps another process's", where); });
        ranges.emplace_back(base, limit);
    }
    processes.evidence = { { "processes", std::int64_t(ranges.size()) }, { "ready", std::int64_t(runnable) } };
    if (ranges.empty())
        fail(processes, fmt::format("the process table at {} lists no process", format_address(h.process_table, width)));
    else if (runnable == 0)
        fail(processes, "no process is ready to run at boot");
    else if (!problems.empty())
        fail(processes, problems.text());
    else
        pass(processes, fmt::format("{} valid PCBs ({} ready at boot), memories disjoint and inside the program area",
                            ranges.size(), runnable));
}

void Evaluator::execution_checks()
{
    Check& clean = add("execution.clean_exit", "execution", 2);
    Check& hello = add("execution.hello", "execution", 1);
    Check& display = add("execution.display_changed", "execution", 1);
    Check& faults = add("execution.no_faults", "execution", 1);
    Check& deterministic = add("execution.deterministic", "execution", 1);
    if (!m_boots) {
        for (Check* check : { &clean, &hello, &display, &faults, &deterministic })
            fail(*check, "skipped: the image does not boot (see kernel.boots)");
        return;
    }
    int width = m_image.width();
    // The determinism run goes on the second core while the baseline runs.
    SerialExecutor serial;
    Executor& executor = m_options.executor ? *m_options.executor : serial;
    std::optional<RunOutcome> second;
    executor.run_all(2, 2, [this, &second](std::size_t run_index) {
        std::optional<RunOutcome>& outcome = run_index == 0 ? m_baseline : second;
        outcome = run_image(m_image, m_name, m_options.max_steps, m_deadline);
    });
    const RunOutcome& run = *m_baseline;
    if (run.timed_out) {
        m_result.timed_out = true;
        std::string message = fmt::format("skipped: the run was stopped at step {}: the evaluation reached {}",
            run.result.steps, m_deadline.cap());
        for (Check* check : { &clean, &hello, &display, &faults, &deterministic })
            fail(*check, message);
        return;
    }

    std::vector<std::string> unclean;
    if (run.result.reason == StopReason::BudgetExhausted)
        unclean.push_back("the run did not end within " + cap_text(Cap::StepBudget, m_options.max_steps));
    if (run.result.reason == StopReason::KernelPanic)
        unclean.push_back("kernel panic: " + describe_fault(*run.result.panic, width, nullptr));
    for (const ProcessInfo& process : run.processes) {
        if (process.state == std::uint32_t(isa::ProcessState::Dormant))
            continue;
        if (process.state == std::uint32_t(isa::ProcessState::Exited) && process.exit_code == 0)
            continue;
        if (process.state == std::uint32_t(isa::ProcessState::Exited))
            unclean.push_back(fmt::format("pid {} exited with {}", process.pid, process.exit_code));
        else if (process.state == std::uint32_t(isa::ProcessState::Faulted))
            unclean.push_back(fmt::format("pid {} faulted ({})", process.pid,
                isa::trap_cause_name(std::uint32_t(process.exit_code))));
        else
            unclean.push_back(fmt::format("pid {} did not finish (state {})", process.pid,
                isa::process_state_name(process.state)));
    }
    clean.evidence = { { "stop", std::string(stop_reason_name(run.result.reason)) },
        { "steps", std::int64_t(run.result.steps) }, { "halt_code", std::int64_t(run.result.halt_code) } };
    if (unclean.empty() && run.result.reason == StopReason::Halted && run.result.halt_code == 0)
        pass(clean, fmt::format("every process exited with 0 and the kernel halted after {} steps", run.result.steps));
    else
        fail(clean, unclean.empty() ? fmt::format("the kernel halted with code {}", run.result.halt_code)
                                    : fmt::format("{}", fmt::join(unclean, "; ")));

    hello.evidence = { { "console_bytes", std::int64_t(run.output.size()) } };
    if (run.output.find(kHelloLine) != std::string::npos)
        pass(hello, fmt::format("the console shows \"{}\"", kHelloLine));
    else
        fail(hello, fmt::format("the console output ({} bytes{}) lacks \"{}\"", run.output.size(),
                        run.output.empty() ? "" : fmt::format(", starting \"{}\"", run.output.substr(0, 40)), kHelloLine));

    Rect area = m_header->display.intersected(m_image.bounds());
    std::int64_t changed = 0;
    for (int y = area.y; y < area.y + area.height; ++y)
        for (int x = area.x; x < area.x + area.width; ++x)
            changed += !(m_image.pixel_unchecked(x, y) == run.after->pixel_unchecked(x, y));
    display.evidence = { { "display", std::vector<std::int64_t> { area.x, area.y, area.width, area.height } },
        { "changed_pixels", changed } };
    if (changed > 0)
        pass(display, fmt::format("{} pixels of the display area changed during the run", changed));
    else
        fail(display, fmt::format("no pixel of the display area ({}x{} at {}) changed: no process drew anything",
                          area.width, area.height, at(area.x, area.y)));

    // The message names the first few faults; the evidence counts them all.
    Findings described;
    for (const FaultRecord& fault : run.result.faults)
        described.add([&] { return describe_fault(fault, width, nullptr); });
    described.count_more(run.result.faults_not_kept());
    faults.evidence = { { "faults", std::int64_t(run.result.fault_count) } };
    if (described.empty() && !run.result.panic)
        pass(faults, "no process faulted");
    else
        fail(faults, described.empty() ? std::string("kernel panic") : described.text());

    const RunOutcome& again = *second;
    if (again.timed_out) {
        m_result.timed_out = true;
        fail(deterministic, fmt::format("the second boot was stopped at step {}: the evaluation reached {}",
                                again.result.steps, m_deadline.cap()));
        return;
    }
    bool same = again.output == run.output && again.result.steps == run.result.steps && *again.after == *run.after;
    deterministic.evidence = { { "steps", std::int64_t(run.result.steps) } };
    if (same)
        pass(deterministic, "two boots gave the same output, pixels and step count");
    else
        fail(deterministic, fmt::format("two boots differ: steps {} vs {}, output {}, pixels {}", run.result.steps,
                                again.result.steps, again.output == run.output ? "same" : "different",
                                *again.after == *run.after ? "same" : "different"));
}

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

// A process that tries to rewrite the syscall table's first entry by way
// of the display area, the one place outside its memory it may write:
// SYS_DRAW at display-relative coordinates that land on the table (the
// kernel must refuse them), then PSET straight onto it (the machine must
// fault it). It passes only if the table is unchanged and the PSET faulted.
std::string syscall_table_probe(const BootHeader& h, int width)
{
    std::int64_t table_x = std::int64_t(h.syscall_table % std::uint32_t(width));
    std::int64_t table_y = std::int64_t(h.syscall_table / std::uint32_t(width));
    return fmt::format("main:\n"
                       "    LI r1, {}\n    LI r2, {}\n    LI r3, 0x12345678\n    SYSCALL SYS_DRAW\n"
                       "    LI r1, {}\n    LI r2, {}\n    PSET r1, r2, r3\n"
                       "    LI r1, 0\n    SYSCALL SYS_EXIT\n",
        table_x - h.display.x, table_y - h.display.y, table_x, table_y);
}

// Puts the probe's program into a free slot and free rows of a copy.
void inject(Probe& probe, const SimulatedVRAM& image, const BootHeader& h)
{
    int width = image.width();
    SimulatedVRAM copy = image;
    const std::uint32_t* words = copy.words();
    std::optional<std::uint32_t> slot;
    std::uint32_t end = region_rows(RegionId::ProgramArea, width).first + 16 * std::uint32_t(width);
    for (std::uint32_t i = 0; i < h.process_slots; ++i) {
        const std::uint32_t* pcb = words + h.process_table + std::size_t(i) * h.pcb_words;
        if (pcb[int(isa::PcbField::State)] == std::uint32_t(isa::ProcessState::Free)) {
            if (!slot)
                slot = i;
        } else {
            end = std::max(end, pcb[int(isa::PcbField::Limit)]);
        }
    }
    constexpr std::uint32_t kRows = 4;
    std::uint32_t first_row = (end + std::uint32_t(width) - 1) / std::uint32_t(width);
    if (!slot || first_row + kRows > std::uint32_t(h.display.y)) {
        probe.problem = slot ? "no 4 free rows between the processes and the display area" : "no free process slot";
        return;
    }
    std::uint32_t base = first_row * std::uint32_t(width);
    std::uint32_t limit = base + kRows * std::uint32_t(width);
    AssembleOptions options;
    options.vram_width = width;
    options.vram_height = copy.height();
    options.origin = base;
    auto program = assemble(probe.source, "probe.pxasm", options);
    if (!program) {
        probe.problem = "internal: the probe does not assemble: " + program.error().message();
        return;
    }
    copy.fill_rect(Rect { 0, int(first_row), width, int(kRows) }, RGBA::from_word(0));
    (void)write_program(*program, copy);
    ProcessSpec spec { *slot, isa::ProcessState::Ready, base, base, limit, limit - 64 };
    (void)write_pcb(copy, h.process_table, spec);
    probe.image = std::move(copy);
    probe.pid = *slot + 1;
    probe.base = base;
}

// Passes when the probe was stopped (the expected fault, or preemption for
// an endless loop) while every original process ended as it did alone.
void Evaluator::judge(Check& check, const Probe& probe)
{
    int width = m_image.width();
    if (!probe.image) {
        fail(check, fmt::format("cannot inject the {} probe: {}", probe.what, probe.problem));
        return;
    }
    const RunOutcome& run = probe.run;
    check.evidence = { { "probe_pid", std::int64_t(probe.pid) }, { "probe_memory", format_address(probe.base, width) },
        { "steps", std::int64_t(run.result.steps) } };
    if (run.timed_out) {
        m_result.timed_out = true;
        fail(check, fmt::format("{} probe: the run was stopped at step {}: the evaluation reached {}", probe.what,
                        run.result.steps, m_deadline.cap()));
        return;
    }
    std::vector<std::string> problems;
    if (run.result.reason == StopReason::KernelPanic)
        problems.push_back("kernel panic: " + describe_fault(*run.result.panic, width, nullptr));
    for (std::uint32_t address = probe.guarded_begin; address < probe.guarded_end && run.after; ++address)
        if (run.after->words()[address] != m_image.words()[address]) {
            problems.push_back(fmt::format("the probe changed the {} at {}", probe.guarded_name,
                format_address(address, width)));
            break;
        }
    bool stopped = false;
    if (probe.expected_cause) {
        for (const FaultRecord& fault : run.result.faults)
            stopped |= fault.pid == probe.pid && fault.cause == probe.expected_cause;
        if (!stopped)
            problems.push_back(fmt::format("the probe (pid {}) was not stopped by a {} fault", probe.pid,
                isa::trap_cause_name(probe.expected_cause)));
    } else {
        for (const ProcessInfo& process : run.processes)
            if (process.pid == probe.pid)
                stopped = process.state == std::uint32_t(isa::ProcessState::Ready)
                    || process.state == std::uint32_t(isa::ProcessState::Running);
        if (!stopped)
            problems.push_back(fmt::format("the looping probe (pid {}) ended instead of being preempted", probe.pid));
    }
    for (const ProcessInfo& original : m_baseline->processes) {
        auto found = std::find_if(run.processes.begin(), run.processes.end(),
            [&](const ProcessInfo& process) { return process.pid == original.pid; });
        if (found == run.processes.end() || found->state != original.state || found->exit_code != original.exit_code)
            problems.push_back(fmt::format("pid {} ended {} instead of {} as it did alone", original.pid,
                found == run.processes.end() ? std::string("missing") : std::string(isa::process_state_name(found->state)),
                isa::process_state_name(original.state)));
    }
    if (problems.empty())
        pass(check, fmt::format("the {} probe (pid {} at {}) was stopped; the kernel and the other {} processes went on",
                        probe.what, probe.pid, format_address(probe.base, width), m_baseline->processes.size()));
    else
        fail(check, fmt::format("{} probe: {}", probe.what, fmt::join(problems, "; ")));
}

void Evaluator::isolation_checks()
{
    Check& kernel_write = add("isolation.kernel_write", "isolation", 1);
    Check& privileged = add("isolation.privileged", "isolation", 1);
    Check& endless = add("isolation.endless_loop", "isolation", 1);
    Check& table_write = add("isolation.syscall_table_write", "isolation", 1);
    if (!m_boots) {
        for (Check* check : { &kernel_write, &privileged, &endless, &table_write })
            fail(*check, "skipped: the image does not boot (see kernel.boots)");
        return;
    }
    if (!m_baseline)
        m_baseline = run_image(m_image, m_name, m_options.max_steps, m_deadline);
    if (m_baseline->timed_out) {
        m_result.timed_out = true;
        for (Check* check : { &kernel_write, &privileged, &endless, &table_write })
            fail(*check, fmt::format("skipped: the image's own run was stopped at step {}: the evaluation reached {}",
                             m_baseline->result.steps, m_deadline.cap()));
        return;
    }
    Probe probes[] = {
        { "kernel-write", "main:\n    LI r1, REGION_KERNEL\n    LI r2, 0x12345678\n    STORE r2, r1, 0\n",
            std::uint32_t(isa::TrapCause::MemoryViolation), {}, 0, 0, {}, {}, 0, 0, {} },
        { "privileged-instruction", "main:\n    HALT\n", std::uint32_t(isa::TrapCause::Privileged), {}, 0, 0, {}, {}, 0, 0,
            {} },
        { "endless-loop", "main:\n    JMP main\n", 0, {}, 0, 0, {}, {}, 0, 0, {} },
        { "syscall-table-write", syscall_table_probe(*m_header, m_image.width()),
            std::uint32_t(isa::TrapCause::MemoryViolation), {}, 0, 0, {}, {}, m_header->syscall_table,
            m_header->syscall_table + m_header->syscall_count, "syscall table" },
    };
    std::vector<std::uint32_t> original_pids;
    for (const ProcessInfo& process : m_baseline->processes)
        if (process.state != std::uint32_t(isa::ProcessState::Dormant))
            original_pids.push_back(process.pid);
    // Room for the others to finish while the probe takes its time slices.
    std::uint64_t budget = 3 * m_baseline->result.steps + 200'000;
    // The probes are independent runs: use the second core.
    SerialExecutor serial;
    Executor& executor = m_options.executor ? *m_options.executor : serial;
    executor.run_all(std::size(probes), std::size(probes), [&probes, &original_pids, budget, this](std::size_t i) {
        Probe& probe = probes[i];
        inject(probe, m_image, *m_header);
        if (probe.image)
            probe.run = run_image(*probe.image, m_name, budget, m_deadline,
                probe.expected_cause ? nullptr : &original_pids);
    });
    judge(kernel_write, probes[0]);
    judge(privileged, probes[1]);
    judge(endless, probes[2]);
    judge(table_write, probes[3]);
}

EvalResult Evaluator::run()
{
    m_result.image_name = m_name;
    // The groups hold references to their checks while they fill them in:
    // no push_back may reallocate (there are 20 checks).
    m_result.checks.reserve(kCheckCapacity);
    if (wanted("seed"))
        seed_checks();
    // Later groups build on the structure and the boot, even when filtered out.
    if (wanted("structure"))
        structure_checks();
    else if (auto read = read_header(m_image, m_name))
        m_header = *read;
    if (wanted("kernel") || wanted("execution") || wanted("isolation")) {
        std::size_t before = m_result.checks.size();
        kernel_checks();
        if (!wanted("kernel"))
            m_result.checks.resize(before);
    }
    if (wanted("execution"))
        execution_checks();
    if (wanted("isolation"))
        isolation_checks();
    for (const Check& check : m_result.checks) {
        m_result.score += check.points;
        m_result.max_score += check.max_points;
    }
    m_result.score_pct = m_result.max_score ? 100.0 * m_result.score / m_result.max_score : 0.0;
    return std::move(m_result);
}

nlohmann::ordered_json evidence_json(const std::vector<Evidence>& evidence)
{
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const Evidence& item : evidence) {
        if (auto* integer = std::get_if<std::int64_t>(&item.value))
            object[item.key] = *integer;
        else if (auto* text = std::get_if<std::string>(&item.value))
            object[item.key] = *text;
        else
            object[item.key] = std::get<std::vector<std::int64_t>>(item.value);
    }
    return object;
}

} // namespace

EvalResult evaluate(const SimulatedVRAM& image, const std::string& image_name, const EvalOptions& options)
{
    Evaluator evaluator(image, image_name, options);
    return evaluator.run();
}

std::string eval_result_to_json(const EvalResult& result)
{
    nlohmann::ordered_json root;
    root["metadata_initialized"] = result.seed.metadata_initialized;
    root["opcode_palette_unique_colors"] = result.seed.opcode_palette_unique_colors;
    root["opcode_palette_sufficient"] = result.seed.opcode_palette_sufficient;
    root["hello_program_pixels"] = result.seed.hello_program_pixels;
    root["hello_program_exists"] = result.seed.hello_program_exists;
    root["regions_checked"] = result.seed.regions_checked;
    root["regions_ok"] = result.seed.regions_ok;
    root["all_regions_ok"] = result.seed.all_regions_ok;
    root["score"] = result.score;
    root["max_score"] = result.max_score;
    root["score_pct"] = std::round(result.score_pct * 100.0) / 100.0;
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const Check& check : result.checks) {
        nlohmann::ordered_json entry;
        entry["id"] = check.id;
        entry["group"] = check.group;
        entry["passed"] = check.passed;
        entry["points"] = check.points;
        entry["max_points"] = check.max_points;
        entry["message"] = check.message;
        entry["evidence"] = evidence_json(check.evidence);
        checks.push_back(std::move(entry));
    }
    root["checks"] = std::move(checks);
    if (result.timed_out) // only then: the JSON of an evaluation that finished stays as it was
        root["timed_out"] = true;
    return write_json(root, JsonLayout::Indented) + "\n";
}

std::string eval_result_to_text(const EvalResult& result)
{
    std::string text;
    for (const Check& check : result.checks)
        text += fmt::format("[{}] {:<32} {}/{}  {}\n", check.passed ? "PASS" : "FAIL", check.id, check.points,
            check.max_points, check.message);
    text += fmt::format("score {}/{} ({:.1f}%)\n", result.score, result.max_score, result.score_pct);
    return text;
}

} // namespace pxos
