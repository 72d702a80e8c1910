// The cascade's second stage: the metrics of the table (pxos/eval/metrics.hpp)
// measured by running copies of the image, once every gate passed. The
// independent runs (usertests, the workload, the efficiency probes, the
// scenario suite, the robustness probes) go through the executor at once;
// each has the evaluation's step budget and deadline. Also the run figures
// of the image's own run (EvalResult::run), for the loop's prompt.
#include "eval/evaluation.hpp"

#include "eval/metric_runs.hpp"
#include "pxos/asm/builtin_sources.hpp"
#include "pxos/asm/program_file.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/store/store.hpp"
#include "pxos/vm/run_report.hpp"

#include <algorithm>
#include <map>
#include <mutex>

namespace pxos {

namespace {

constexpr std::size_t kConsoleHeadBytes = 2048;
constexpr std::size_t kConsoleTailBytes = 2048;
constexpr std::string_view kUsertestsPath = "/bin/usertests";

// The rows of usertests' test table the evaluator's copy leaves out, to keep
// the evaluation fast: store_full_nospc fills the store twice, 7.4 M of the
// 10 M steps of the whole table on the default image (tests/os/usertests_test
// runs it on the real kernel).
constexpr std::string_view kLeftOutTests[] = { "    .word n_nospc, t_nospc\n" };

// The evaluator's own usertests as a program file for a VRAM of this size:
// assembled once per size from the sources compiled into the binary, so a
// candidate's edits to its own usertests cannot change the count.
Result<std::vector<std::uint32_t>> usertests_program(int width, int height)
{
    static std::mutex mutex;
    static std::map<std::pair<int, int>, Result<std::vector<std::uint32_t>>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto found = cache.find({ width, height });
    if (found != cache.end())
        return found->second;
    auto assembled = [&]() -> Result<std::vector<std::uint32_t>> {
        auto builtin = builtin_source("user/usertests.pxasm");
        if (!builtin)
            return Error::internal("user/usertests.pxasm is not compiled in");
        std::string text(*builtin);
        for (std::string_view row : kLeftOutTests) {
            auto at = text.find(row);
            if (at == std::string::npos)
                return Error::internal(fmt::format("user/usertests.pxasm has no test row '{}'", row.substr(4, row.size() - 5)));
            text.erase(at, row.size());
        }
        AssembleOptions options;
        options.vram_width = width;
        options.vram_height = height;
        options.origin = 0;
        options.relocatable = true;
        options.read_include = [](const std::string& path) -> Result<std::string> {
            if (auto included = builtin_source(path))
                return std::string(*included);
            return Error::bad_input(path, "not a built-in source");
        };
        auto program = assemble(text, "user/usertests.pxasm", options);
        if (!program)
            return std::move(program).error();
        return program_file_words(*program, std::string(kUsertestsPath));
    }();
    return cache.emplace(std::pair { width, height }, std::move(assembled)).first->second;
}

// A copy of the image with the evaluator's usertests at /bin/usertests.
Result<SimulatedVRAM> with_usertests(const SimulatedVRAM& image, const std::string& name)
{
    auto program = usertests_program(image.width(), image.height());
    if (!program)
        return Error::internal("the evaluator's usertests do not assemble: " + program.error().message());
    auto words = store::read_store(image, name);
    if (!words)
        return std::move(words).error();
    store::CheckReport report = store::check(words->words);
    if (!report.clean())
        return Error::bad_input(name, fmt::format("the store check fails: {}", report.problems.front().line()));
    auto opened = store::Store::open(words->words, name + ": store");
    if (!opened)
        return std::move(opened).error();
    PXOS_TRY(opened->write_file(kUsertestsPath, *program, store::Parents::Create));
    SimulatedVRAM copy = image;
    PXOS_TRY(store::write_store(copy, *words));
    return copy;
}

std::string first_message(const Error& error)
{
    const Diagnostic& diagnostic = error.diagnostics().front();
    return diagnostic.where.empty() ? diagnostic.message : diagnostic.where + ": " + diagnostic.message;
}

// The lines of the console that start with `ok NAME`: the tests that passed.
std::vector<std::string> passed_tests(const std::string& output)
{
    std::vector<std::string> names;
    std::size_t begin = 0;
    while (begin < output.size()) {
        std::size_t end = output.find('\n', begin);
        if (end == std::string::npos)
            end = output.size();
        std::string_view line(output.data() + begin, end - begin);
        if (line.rfind("ok ", 0) == 0 && line.size() > 3)
            names.emplace_back(line.substr(3));
        begin = end + 1;
    }
    return names;
}

// Words of the kernel region the kernel's code and data took: those that
// differ from the region's fill (its last word, below the kernel stack's
// top, which the build never writes). Exact, wherever in the region the
// kernel put its code and its data.
std::uint64_t kernel_words(const SimulatedVRAM& image)
{
    auto [begin, end] = region_rows(RegionId::Kernel, image.width());
    end = std::min<std::uint32_t>(end, std::uint32_t(image.pixel_count()));
    if (begin >= end)
        return 0;
    const std::uint32_t* words = image.words();
    std::uint32_t fill = words[end - 1];
    std::uint64_t count = 0;
    for (std::uint32_t address = begin; address < end; ++address)
        count += words[address] != fill;
    return count;
}

std::string state_text(const ProcessInfo& process, const RunResult& result, int width)
{
    switch (isa::ProcessState(process.state)) {
    case isa::ProcessState::Exited: return fmt::format("exited {}", process.exit_code);
    case isa::ProcessState::Faulted: {
        std::string text = fmt::format("faulted: {}", isa::trap_cause_name(std::uint32_t(process.exit_code)));
        for (auto fault = result.faults.rbegin(); fault != result.faults.rend(); ++fault)
            if (fault->pid == process.pid)
                return text + " at " + format_address(fault->pc, width);
        return text;
    }
    default: return std::string(isa::process_state_name(process.state));
    }
}

// Each measured value of a task, written only by that task.
struct Measured {
    bool measured = false;
    double value = 0;
    std::string message;
    std::vector<std::string> capabilities;
    std::uint64_t steps = 0;
    bool timed_out = false;
};

std::string stopped_text(const MetricRun& run, std::uint64_t max_steps, Deadline& deadline)
{
    if (run.timed_out)
        return fmt::format("stopped at step {}: the evaluation reached {}", run.result.steps, deadline.cap());
    if (run.result.reason == StopReason::BudgetExhausted)
        return "did not halt within " + cap_text(Cap::StepBudget, max_steps);
    if (run.result.reason == StopReason::KernelPanic)
        return "kernel panic";
    return fmt::format("halted with code {}", run.result.halt_code);
}

} // namespace

void FairnessWatch::read(const Machine& machine, std::uint64_t steps)
{
    const BootHeader& h = machine.header();
    waiting.resize(h.process_slots, 0);
    const std::uint32_t* table = machine.vram().words() + h.process_table;
    ++readings;
    for (std::uint32_t slot = 0; slot < h.process_slots; ++slot) {
        if (table[std::size_t(slot) * h.pcb_words + int(isa::PcbField::State)] != std::uint32_t(isa::ProcessState::Ready)) {
            waiting[slot] = 0;
            continue;
        }
        waiting[slot] += steps;
        ready_steps += steps;
        if (waiting[slot] > max_wait) {
            max_wait = waiting[slot];
            max_wait_pid = abi::pid_of_slot(slot);
        }
    }
}

namespace {

// The metric run's loop from `machine` as it is: chunks up to each next
// multiple of kFairnessWatchSteps after `watched_to` (when watching), the
// deadline checked between them.
void go_on(Machine& m, std::uint64_t max_steps, Deadline& deadline, FairnessWatch* watch, std::uint64_t watched_to,
    MetricRun& run)
{
    const std::uint64_t chunk_steps = watch ? kFairnessWatchSteps : EvalOptions::kDeadlineCheckSteps;
    std::uint64_t since_deadline_check = 0;
    while (m.steps() < max_steps) {
        if (since_deadline_check >= EvalOptions::kDeadlineCheckSteps || since_deadline_check == 0) {
            since_deadline_check = 0;
            if (deadline.passed()) {
                run.timed_out = true;
                run.result = m.run(0);
                break;
            }
        }
        std::uint64_t before = m.steps();
        std::uint64_t chunk_start = watch ? watched_to : before;
        run.result = m.run(std::min(chunk_start + chunk_steps, max_steps) - before);
        since_deadline_check += m.steps() - before;
        if (watch) {
            watch->read(m, m.steps() - chunk_start);
            watched_to = m.steps();
        }
        if (run.result.reason != StopReason::BudgetExhausted)
            break;
    }
    if (watch) {
        run.max_ready_wait = watch->max_wait;
        run.max_ready_wait_pid = watch->max_wait_pid;
        run.watch = *watch;
    }
    run.output = m.console_output();
    run.processes = m.processes();
}

} // namespace

MetricRun run_metric_image(SimulatedVRAM image, const std::string& name, const std::string& input,
    std::uint64_t max_steps, Deadline& deadline, bool watch)
{
    MetricRun run;
    auto machine = Machine::boot(std::move(image), name);
    if (!machine) {
        run.boot_error = first_message(machine.error());
        return run;
    }
    run.booted = true;
    (*machine)->set_input(input);
    FairnessWatch watching;
    go_on(**machine, max_steps, deadline, watch ? &watching : nullptr, 0, run);
    return run;
}

MetricRun run_metric_from(const BootPrefix& prefix, const std::string& input, std::uint64_t max_steps,
    Deadline& deadline, bool watch)
{
    MetricRun run;
    run.booted = true;
    std::unique_ptr<Machine> machine = prefix.machine->clone();
    machine->set_input(input);
    FairnessWatch watching = prefix.watch;
    go_on(*machine, max_steps, deadline, watch ? &watching : nullptr, prefix.watched_to, run);
    return run;
}

void Evaluation::run_metrics()
{
    MetricsResult& metrics = m_result.metrics;
    const std::uint64_t max_steps = m_options.max_steps;
    std::span<const OperationProbe> probes = operation_probes();
    // The longest runs first, so two cores finish together.
    enum Task : std::size_t { kScenarios, kUsertests, kWorkload, kRobustness, kProbeRuns };
    const std::size_t task_count = kProbeRuns + 2 * probes.size();
    Measured usertests, workload, fairness;
    SuiteOutcome scenarios, robustness;
    std::vector<MetricRun> probe_runs(2 * probes.size());
    std::vector<std::string> probe_problems(2 * probes.size());
    std::string workload_input(builtin_source("eval/workload.txt").value_or(""));
    SerialExecutor serial;
    Executor& executor = m_options.executor ? *m_options.executor : serial;
    executor.run_all(task_count, executor.concurrency(), [&](std::size_t task) {
        switch (task) {
        case kUsertests: {
            auto image = with_usertests(m_image, m_name);
            if (!image) {
                usertests.measured = true;
                usertests.message = "0: the image's store cannot take the evaluator's usertests: "
                    + first_message(image.error());
                return;
            }
            MetricRun run = run_metric_image(std::move(*image), m_name, "usertests\n", max_steps, m_deadline);
            std::vector<std::string> names = passed_tests(run.output);
            usertests.steps = run.result.steps;
            usertests.timed_out = run.timed_out;
            usertests.measured = !run.timed_out;
            usertests.value = double(names.size());
            usertests.message = run.timed_out
                ? "usertests " + stopped_text(run, max_steps, m_deadline)
                : fmt::format("{} `ok` lines of the evaluator's usertests typed into the shell ({} steps, {})",
                      names.size(), run.result.steps, stopped_text(run, max_steps, m_deadline));
            for (const std::string& test : names)
                usertests.capabilities.push_back("usertests." + test);
            return;
        }
        case kWorkload: {
            MetricRun run = m_boot ? run_metric_from(*m_boot, workload_input, max_steps, m_deadline, true)
                                   : run_metric_image(m_image, m_name, workload_input, max_steps, m_deadline, true);
            workload.steps = run.result.steps;
            workload.timed_out = fairness.timed_out = run.timed_out;
            bool halted = run.result.reason == StopReason::Halted && !run.timed_out;
            workload.measured = fairness.measured = halted;
            workload.value = double(run.result.steps);
            fairness.value = double(run.max_ready_wait);
            if (!halted) {
                workload.message = fairness.message = "the workload " + stopped_text(run, max_steps, m_deadline);
                return;
            }
            workload.message = fmt::format("boot and the workload's shell session of {} bytes: {} steps to the halt",
                workload_input.size(), run.result.steps);
            fairness.message = fmt::format("pid {} was ready for {} steps without running (read every {} steps)",
                run.max_ready_wait_pid, run.max_ready_wait, kFairnessWatchSteps);
            return;
        }
        case kScenarios:
            scenarios = run_scenario_suite(m_image, m_name, max_steps, m_deadline, nullptr, m_boot ? &*m_boot : nullptr);
            return;
        case kRobustness:
            robustness = run_robustness_probes(m_image, m_name, max_steps, m_deadline, nullptr);
            return;
        default: {
            std::size_t index = task - kProbeRuns;
            const OperationProbe& probe = probes[index / 2];
            std::uint32_t operations = index % 2 == 0 ? probe.count : 0;
            auto image = image_with_only(m_image, *m_header, probe.sources(operations));
            if (!image) {
                probe_problems[index] = first_message(image.error());
                return;
            }
            probe_runs[index] = run_metric_image(std::move(*image), m_name, "", max_steps, m_deadline);
            return;
        }
        }
    });

    std::vector<Measured> measured(metric_table().size());
    auto set = [&](std::string_view key, Measured value) {
        for (std::size_t i = 0; i < metric_table().size(); ++i)
            if (metric_table()[i].key == key)
                measured[i] = std::move(value);
    };
    set("usertests_passed", usertests);
    set("workload_steps", workload);
    set("fairness_max_wait", fairness);
    for (std::size_t p = 0; p < probes.size(); ++p) {
        const OperationProbe& probe = probes[p];
        Measured value;
        const MetricRun& with = probe_runs[2 * p];
        const MetricRun& without = probe_runs[2 * p + 1];
        value.steps = with.result.steps + without.result.steps;
        std::string problem = !probe_problems[2 * p].empty() ? probe_problems[2 * p] : probe_problems[2 * p + 1];
        for (const MetricRun* run : { &with, &without }) {
            if (!problem.empty())
                break;
            value.timed_out |= run->timed_out;
            if (!run->booted)
                problem = "the probe's copy does not boot: " + run->boot_error;
            else if (run->timed_out || run->result.reason != StopReason::Halted || run->result.halt_code != 0)
                problem = "the probe's run " + stopped_text(*run, max_steps, m_deadline);
            else
                for (const ProcessInfo& process : run->processes)
                    if (process.state == std::uint32_t(isa::ProcessState::Faulted)
                        || (process.state == std::uint32_t(isa::ProcessState::Exited) && process.exit_code != 0))
                        problem = fmt::format("the probe (pid {}) ended {}", process.pid,
                            state_text(process, run->result, m_image.width()));
        }
        if (problem.empty() && with.result.steps <= without.result.steps)
            problem = fmt::format("{} {} took no more steps ({}) than none ({})", probe.count, probe.what,
                with.result.steps, without.result.steps);
        if (!problem.empty()) {
            value.message = fmt::format("cannot measure {}: {}", probe.what, problem);
        } else {
            value.measured = true;
            value.value = double(with.result.steps - without.result.steps) / double(probe.count);
            value.message = fmt::format("{} {}: {} steps, none: {} steps; {} per operation", probe.count,
                probe.what, with.result.steps, without.result.steps, value.value);
        }
        set(probe.key, std::move(value));
    }
    auto suite = [&](const SuiteOutcome& outcome, std::string_view what, std::string_view prefix) {
        Measured value;
        value.measured = true;
        value.value = outcome.passed;
        value.steps = outcome.steps;
        value.message = fmt::format("{} of {} {} passed", outcome.passed, outcome.total, what);
        if (!outcome.failures.empty())
            value.message += fmt::format("; {}", fmt::join(outcome.failures, "; "));
        for (const std::string& id : outcome.passed_ids)
            value.capabilities.push_back(id.rfind(prefix, 0) == 0 ? id : std::string(prefix) + id);
        return value;
    };
    set("scenarios_passed", suite(scenarios, "scenarios", "scenario."));
    set("robustness_probes", suite(robustness, "robustness probes", "robustness."));
    Measured size;
    size.measured = true;
    size.value = double(kernel_words(m_image));
    size.message = fmt::format("{} words of the kernel region hold the kernel's code and data", size.value);
    set("kernel_words", size);

    metrics.measured = true;
    for (std::size_t i = 0; i < metric_table().size(); ++i) {
        const MetricRow& row = metric_table()[i];
        Measured& value = measured[i];
        m_result.timed_out |= value.timed_out;
        MetricValue entry;
        entry.key = std::string(row.key);
        entry.measured = value.measured;
        entry.value = value.measured ? value.value : 0;
        entry.ratio = value.measured ? metric_ratio(row, value.value) : 0;
        entry.message = std::move(value.message);
        metrics.values.push_back(std::move(entry));
        metrics.steps += value.steps;
        for (std::string& capability : value.capabilities)
            metrics.capabilities.push_back(std::move(capability));
    }
    std::sort(metrics.capabilities.begin(), metrics.capabilities.end());
    metrics.capabilities.erase(
        std::unique(metrics.capabilities.begin(), metrics.capabilities.end()), metrics.capabilities.end());
    metrics.combined_score = combined_score(metrics.values);
}

void Evaluation::fill_run_figures()
{
    if (!m_baseline)
        return;
    const RunOutcome& run = *m_baseline;
    RunFigures& figures = m_result.run;
    figures.ran = true;
    figures.steps = run.result.steps;
    figures.syscalls = run.result.syscalls;
    figures.faults = run.result.fault_count;
    figures.halt_code = run.result.reason == StopReason::Halted ? std::int64_t(run.result.halt_code) : -1;
    const std::string& output = run.output;
    std::size_t head = output.size();
    if (head > kConsoleHeadBytes) {
        std::size_t cut = output.rfind('\n', kConsoleHeadBytes - 1);
        head = cut == std::string::npos ? kConsoleHeadBytes : cut + 1;
    }
    figures.console_head = output.substr(0, head);
    if (head < output.size()) {
        std::size_t from = std::max(head, output.size() - std::min(output.size(), kConsoleTailBytes));
        std::size_t line = output.find('\n', from);
        if (from > head && line != std::string::npos && line + 1 < output.size())
            from = line + 1;
        figures.console_tail = output.substr(from);
    }
    for (const ProcessInfo& process : run.processes) {
        if (process.state == std::uint32_t(isa::ProcessState::Free))
            continue;
        ProcessFigures entry;
        entry.pid = process.pid;
        // The process table keeps no names: a process is its pid.
        entry.name = fmt::format("pid {}", process.pid);
        entry.state = state_text(process, run.result, m_image.width());
        // The machine counts steps and system calls for the run as a whole,
        // not per process: entry.steps and entry.syscalls stay 0.
        figures.processes.push_back(std::move(entry));
    }
}

} // namespace pxos
