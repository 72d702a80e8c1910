// The image's own runs (the scenario of the execution group: booted and
// run twice, the second run on another core) and the checks that read them.
#include "eval/evaluation.hpp"
#include "pxos/base/text.hpp"
#include "eval/suite_support.hpp"

#include "pxos/isa/isa.hpp"
#include "pxos/vm/run_report.hpp"

#include <algorithm>

namespace pxos {

RunOutcome run_image(SimulatedVRAM image, const std::string& name, std::uint64_t max_steps, Deadline& deadline,
    const std::vector<std::uint32_t>* finished_pids)
{
    RunOutcome outcome;
    auto machine = Machine::boot(std::move(image), name);
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
    outcome.machine = std::move(*machine);
    return outcome;
}

RunOutcome run_image_keeping_boot(const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps,
    Deadline& deadline, std::optional<BootPrefix>& prefix)
{
    RunOutcome outcome;
    auto booted = Machine::boot(image, name);
    if (!booted)
        return outcome;
    Machine& machine = **booted;
    // The boot, read as the workload's fairness watch reads it (chunks of
    // kFairnessWatchSteps from step 0), until the first console read.
    StopAtFirstRead stop;
    machine.set_input_source(&stop);
    FairnessWatch watch;
    RunResult last; // the run's latest result
    std::uint64_t since_deadline_check = 0;
    while (machine.steps() < max_steps) {
        if (since_deadline_check >= EvalOptions::kDeadlineCheckSteps || since_deadline_check == 0) {
            since_deadline_check = 0;
            if (deadline.passed())
                break; // the loop below stops the run
        }
        std::uint64_t before = machine.steps();
        RunResult result = machine.run(std::min(kFairnessWatchSteps, max_steps - before));
        since_deadline_check += machine.steps() - before;
        if (result.reason == StopReason::Interrupted) {
            prefix = BootPrefix { machine.clone(), result, watch, before };
            break;
        }
        last = result;
        watch.read(machine, machine.steps() - before);
        if (result.reason != StopReason::BudgetExhausted)
            break;
    }
    machine.set_input_source(nullptr);
    // On to the end with no input, as run_image runs it.
    while (!machine.halted() && machine.steps() < max_steps) {
        if (deadline.passed()) {
            outcome.timed_out = true;
            last = machine.run(0);
            break;
        }
        last = machine.run(std::min(EvalOptions::kDeadlineCheckSteps, max_steps - machine.steps()));
        if (last.reason != StopReason::BudgetExhausted)
            break;
    }
    outcome.result = last;
    outcome.output = machine.console_output();
    outcome.processes = machine.processes();
    outcome.machine = std::move(*booted);
    return outcome;
}

std::optional<std::string> Evaluation::run_twice()
{
    if (!m_boots)
        return std::string(kSkippedNoBoot);
    // The determinism run goes on the second core while the baseline runs.
    SerialExecutor serial;
    Executor& executor = m_options.executor ? *m_options.executor : serial;
    executor.run_all(2, 2, [this](std::size_t run_index) {
        if (run_index == 0)
            m_baseline = run_image_keeping_boot(m_image, m_name, m_options.max_steps, m_deadline, m_boot);
        else
            m_second = run_image(m_image, m_name, m_options.max_steps, m_deadline);
    });
    const RunOutcome& run = *m_baseline;
    if (run.timed_out) {
        m_result.timed_out = true;
        return fmt::format("skipped: the run was stopped at step {}: the evaluation reached {}", run.result.steps,
            m_deadline.cap());
    }
    return std::nullopt;
}

void Evaluation::check_clean_exit(Check& clean)
{
    int width = m_image.width();
    const RunOutcome& run = *m_baseline;
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
        pass(clean, fmt::format("every process exited with 0 and the kernel halted after {}",
            plural(long(run.result.steps), "step")));
    else
        fail(clean, unclean.empty() ? fmt::format("the kernel halted with code {}", run.result.halt_code)
                                    : fmt::format("{}", fmt::join(unclean, "; ")));
}

void Evaluation::check_hello(Check& hello)
{
    const RunOutcome& run = *m_baseline;
    hello.evidence = { { "console_bytes", std::int64_t(run.output.size()) } };
    if (run.output.find(kHelloLine) != std::string::npos)
        pass(hello, fmt::format("the console shows \"{}\"", kHelloLine));
    else
        fail(hello, fmt::format("the console output ({} bytes{}) lacks \"{}\"", run.output.size(),
                        run.output.empty() ? "" : fmt::format(", starting \"{}\"", run.output.substr(0, 40)), kHelloLine));
}

void Evaluation::check_display_changed(Check& display)
{
    const RunOutcome& run = *m_baseline;
    Rect area = m_header->display.intersected(m_image.bounds());
    std::int64_t changed = 0;
    for (int y = area.y; y < area.y + area.height; ++y)
        for (int x = area.x; x < area.x + area.width; ++x)
            changed += !(m_image.pixel_unchecked(x, y) == run.after()->pixel_unchecked(x, y));
    display.evidence = { { "display", std::vector<std::int64_t> { area.x, area.y, area.width, area.height } },
        { "changed_pixels", changed } };
    if (changed > 0)
        pass(display, fmt::format("{} of the display area changed during the run", plural(long(changed), "pixel")));
    else
        fail(display, fmt::format("no pixel of the display area ({}x{} at {}) changed: no process drew anything",
                          area.width, area.height, at(area.x, area.y)));
}

void Evaluation::check_no_faults(Check& faults)
{
    int width = m_image.width();
    const RunOutcome& run = *m_baseline;
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
}

void Evaluation::check_deterministic(Check& deterministic)
{
    const RunOutcome& run = *m_baseline;
    const RunOutcome& again = *m_second;
    if (again.timed_out) {
        m_result.timed_out = true;
        fail(deterministic, fmt::format("the second boot was stopped at step {}: the evaluation reached {}",
                                again.result.steps, m_deadline.cap()));
        return;
    }
    bool same = again.output == run.output && again.result.steps == run.result.steps && *again.after() == *run.after();
    deterministic.evidence = { { "steps", std::int64_t(run.result.steps) } };
    if (same)
        pass(deterministic, "two boots gave the same output, pixels and step count");
    else
        fail(deterministic, fmt::format("two boots differ: steps {} vs {}, output {}, pixels {}", run.result.steps,
                                again.result.steps, again.output == run.output ? "same" : "different",
                                *again.after() == *run.after() ? "same" : "different"));
}

} // namespace pxos
