// The isolation group: hostile processes (probes) injected into copies of
// the image, run side by side (its scenario), and one check judging each.
#include "eval/evaluation.hpp"
#include "pxos/base/text.hpp"

#include "pxos/abi/process.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/vm/run_report.hpp"

#include <algorithm>
#include <iterator>

namespace pxos {

namespace {

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

// Where each isolation check's probe is in run_probes's list.
enum ProbeIndex : std::size_t { kKernelWriteProbe, kPrivilegedProbe, kEndlessLoopProbe, kSyscallTableWriteProbe };

} // namespace

AssemblyCache& probe_assemblies()
{
    static AssemblyCache cache(256);
    return cache;
}

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
    ProcessSpec spec = abi::process_in_rows(*slot, isa::ProcessState::Ready, width, first_row, kRows, 64);
    AssembleOptions options;
    options.vram_width = width;
    options.vram_height = copy.height();
    options.origin = spec.base;
    auto program = probe_assemblies().assemble(probe.source, "probe.pxasm", options);
    if (!program) {
        probe.problem = "internal: the probe does not assemble: " + program.error().message();
        return;
    }
    // The probe lies inside the copy (its rows were checked above), so these writes cannot fail.
    (void)abi::place_process(copy, h.process_table, spec,
        [&](SimulatedVRAM& memory) { return write_program(*program, memory); });
    probe.image = std::move(copy);
    probe.pid = abi::pid_of_slot(*slot);
    probe.base = spec.base;
}

// Passes when the probe was stopped (the expected fault, or preemption for
// an endless loop) while every original process ended as it did alone.
void Evaluation::judge(Check& check, const Probe& probe)
{
    int width = m_image.width();
    if (!probe.image) {
        fail(check, fmt::format("cannot inject the {} probe: {}", probe.what, probe.problem));
        return;
    }
    const RunOutcome& run = probe.run;
    check.evidence = { { "probe_pid", std::int64_t(probe.pid) }, { "probe_memory", point_evidence(probe.base, width) },
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
    for (std::uint32_t address = probe.guarded_begin; address < probe.guarded_end && run.after(); ++address)
        if (run.after()->words()[address] != m_image.words()[address]) {
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
        pass(check, fmt::format("the {} probe (pid {} at {}) was stopped; the kernel and the other {} went on",
                        probe.what, probe.pid, format_address(probe.base, width),
                        plural(long(m_baseline->processes.size()), "process", "processes")));
    else
        fail(check, fmt::format("{} probe: {}", probe.what, fmt::join(problems, "; ")));
}

std::optional<std::string> Evaluation::run_probes()
{
    if (!m_boots)
        return std::string(kSkippedNoBoot);
    if (!m_baseline)
        m_baseline = run_image(m_image, m_name, m_options.max_steps, m_deadline);
    if (m_baseline->timed_out) {
        m_result.timed_out = true;
        return fmt::format("skipped: the image's own run was stopped at step {}: the evaluation reached {}",
            m_baseline->result.steps, m_deadline.cap());
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
            probe.run = run_image(std::move(*probe.image), m_name, budget, m_deadline,
                probe.expected_cause ? nullptr : &original_pids);
    });
    m_probes.assign(std::make_move_iterator(std::begin(probes)), std::make_move_iterator(std::end(probes)));
    return std::nullopt;
}

void Evaluation::check_kernel_write(Check& check)
{
    judge(check, m_probes[kKernelWriteProbe]);
}

void Evaluation::check_privileged(Check& check)
{
    judge(check, m_probes[kPrivilegedProbe]);
}

void Evaluation::check_endless_loop(Check& check)
{
    judge(check, m_probes[kEndlessLoopProbe]);
}

void Evaluation::check_syscall_table_write(Check& check)
{
    judge(check, m_probes[kSyscallTableWriteProbe]);
}

} // namespace pxos
