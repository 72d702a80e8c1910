// `pxos run IMAGE.png` (or a program: run_boot.hpp): boot it and run it.
// Guest console output goes to stdout as it is written (to stderr when -o -
// puts the PNG there); faults, the progress line (progress.hpp) and the
// summary to stderr. Console input: the --input file (`-`: stdin); else
// stdin when it is not a terminal; else, when the console goes to the
// terminal, the terminal itself, interactive (console_input.hpp). A Ctrl-C
// stops the machine between pieces of the run: the summary says where it
// was, and the files asked for are written.
#include "commands.hpp"
#include "console_input.hpp"
#include "progress.hpp"
#include "run_boot.hpp"
#include "std_streams.hpp"
#include "screen.hpp"
#include "terminal.hpp"

#include "pxos/host/posix/file_system.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/vm/machine.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/roadmap/provenance.hpp"
#include "pxos/vm/run_report.hpp"

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <spdlog/spdlog.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace pxos::cli {

namespace {

// The guest's console: stdout, or stderr when stdout carries the PNG (-o -).
// Before a byte is written the progress line is cleared, and where the
// guest's text goes is told whether its last line is unfinished.
class GuestConsole final : public ConsoleSink {
public:
    GuestConsole(std::FILE* stream, ProgressLine& progress)
        : m_file(stream)
        , m_stream(stream)
        , m_progress(progress)
    {
    }
    // Interactive: each byte reaches the terminal as it is written (a prompt has no '\n').
    void set_interactive(bool interactive) { m_interactive = interactive; }
    void write(char c) override
    {
        m_progress.clear();
        m_stream.write(std::string_view(&c, 1));
        m_last = c;
        if (m_interactive)
            std::fflush(m_file);
    }
    ConsoleStream& stream() { return m_stream; }
    std::FILE* file() const { return m_file; }
    // Whether the guest's last line so far has no '\n' yet.
    bool line_unfinished() const { return m_last && *m_last != '\n'; }

private:
    std::FILE* m_file;
    ConsoleStream m_stream;
    ProgressLine& m_progress;
    bool m_interactive = false;
    std::optional<char> m_last;
};

// Whether two descriptors write to the same file (the same terminal, or
// `> log 2>&1`): then what one prints goes on the other's line.
bool same_destination(int a, int b)
{
    struct stat first {}, second {};
    return ::fstat(a, &first) == 0 && ::fstat(b, &second) == 0 && first.st_dev == second.st_dev
        && first.st_ino == second.st_ino;
}

// Prints executed instructions on stderr, as text or JSON Lines, filtered
// by pid, by the region the pc is in, and from a step on; at most the trace
// lines cap of them (stopped() says when one more would have been printed:
// the run then goes on untraced).
class StderrTrace final : public TraceSink {
public:
    StderrTrace(int width, const SourceMap* source_map, const RunCommandOptions& options)
        : m_width(width)
        , m_source_map(source_map)
        , m_options(options)
        , m_region(options.trace_region.empty() ? nullptr : find_region(options.trace_region))
        , m_max_lines(options.caps.get(Cap::TraceLines))
    {
    }
    bool stopped() const { return m_stopped; }
    std::uint64_t max_lines() const { return m_max_lines; }
    void on_instruction(const TraceEvent& event) override
    {
        if (m_stopped || event.step < m_options.trace_from)
            return;
        if (m_options.trace_pid >= 0 && (!event.user_mode || event.pid != std::uint32_t(m_options.trace_pid)))
            return;
        if (m_region
            && !m_region->rect.contains(int(event.pc % std::uint32_t(m_width)), int(event.pc / std::uint32_t(m_width))))
            return;
        if (m_lines == m_max_lines) {
            m_stopped = true;
            return;
        }
        std::string line = m_options.trace_json ? format_trace_json(event, m_width, m_source_map)
                                                : format_trace_line(event, m_width, m_source_map);
        std::fprintf(stderr, "%s\n", escape_for_terminal(line).c_str());
        ++m_lines;
    }

private:
    int m_width;
    const SourceMap* m_source_map;
    const RunCommandOptions& m_options;
    const Region* m_region;
    std::uint64_t m_max_lines;
    std::uint64_t m_lines = 0;
    bool m_stopped = false;
};

// Steps between two looks at interrupted() and the progress line: a few
// milliseconds of guest computation, so a Ctrl-C stops the run at once.
constexpr std::uint64_t kChunk = 1 << 20;
// Steps between two looks while tracing: the trace's cap stops it soon.
constexpr std::uint64_t kTraceChunk = 4096;

// Processes not yet ended (ready, running, waiting, sleeping, blocked, dormant).
std::size_t processes_alive(const Machine& machine)
{
    std::size_t alive = 0;
    for (const ProcessInfo& process : machine.processes())
        if (process.state != std::uint32_t(isa::ProcessState::Free)
            && process.state != std::uint32_t(isa::ProcessState::Exited)
            && process.state != std::uint32_t(isa::ProcessState::Faulted))
            ++alive;
    return alive;
}

// Redraws the progress line when it is due: steps, their rate, processes
// alive. Not while the guest's line on the same terminal is unfinished
// (the `\r` would draw over it: a prompt waiting for keys).
void show_progress(ProgressLine& progress, const Machine& machine, const GuestConsole& console,
    bool console_shares_terminal)
{
    if (!progress.due() || (console_shares_terminal && console.line_unfinished()))
        return;
    double seconds = progress.elapsed_ms() / 1000;
    std::size_t alive = processes_alive(machine);
    progress.update(fmt::format("pxos run: {} steps, {} instructions/s, {} process{} alive",
        group_thousands(machine.steps()), group_thousands(std::uint64_t(double(machine.steps()) / seconds)), alive,
        alive == 1 ? "" : "es"));
}

// Runs up to `max_steps` in pieces: between them a Ctrl-C stops the run
// (inside one, while the guest waits for input, its input source stops it),
// the progress line is redrawn, and once the trace has stopped the rest runs
// untraced (at full speed).
RunResult run_in_pieces(Machine& machine, std::uint64_t max_steps, StderrTrace* trace,
    const std::function<void()>& between)
{
    RunResult result;
    result.reason = StopReason::BudgetExhausted;
    std::uint64_t start = machine.steps();
    for (;;) {
        std::uint64_t done = machine.steps() - start;
        if (interrupted()) {
            result.reason = StopReason::Interrupted;
            break;
        }
        if (done >= max_steps)
            break;
        if (trace && trace->stopped())
            machine.set_trace(nullptr);
        std::uint64_t chunk = std::min(max_steps - done, trace && !trace->stopped() ? kTraceChunk : kChunk);
        result = machine.run(chunk);
        if (result.reason != StopReason::BudgetExhausted)
            break;
        between();
    }
    result.steps = machine.steps();
    return result;
}

// "pid 2 was running, at (3,240) prog.pxasm:5"; in the kernel, the pc the
// process trapped at (EPC) and where the kernel is; "the kernel was
// running, at ..." before any process ran.
std::string running_text(const Machine& machine, const SourceMap* map)
{
    int width = machine.vram().width();
    auto place = [&](std::uint32_t pc) {
        std::string where = format_address(pc, width);
        if (map)
            if (auto location = map->find(pc))
                where += " " + location->to_string();
        return where;
    };
    std::uint32_t pid = machine.special(isa::Special::Pid);
    if (machine.user_mode())
        return fmt::format("pid {} was running, at {}", pid, place(machine.pc()));
    if (pid == 0)
        return fmt::format("the kernel was running, at {}", place(machine.pc()));
    return fmt::format("pid {} was running, at {} (the kernel at {})", pid, place(machine.special(isa::Special::Epc)),
        place(machine.pc()));
}

} // namespace

Result<std::unique_ptr<Machine>> boot_image_file(const std::string& image_path, const std::string& input_path,
    const CapValues& caps)
{
    auto image = load_bootable(image_path, caps);
    if (!image)
        return std::move(image).error();
    auto machine = Machine::boot(std::move(image->vram), image->name);
    if (!machine)
        return std::move(machine).error();
    (*machine)->set_record_limits(RunRecordLimits::from_caps(caps));
    if (!input_path.empty()) {
        auto input = host_files().read_file_text(input_path, caps.get(Cap::InputFile), Cap::InputFile);
        if (!input)
            return std::move(input).error();
        (*machine)->set_input(std::move(*input));
    }
    return machine;
}

int run_run_command(const RunCommandOptions& options)
{
    setup_logging(options.verbosity);
    const bool image_from_stdin = is_std_stream(options.image_path);
    const bool input_from_stdin = is_std_stream(options.input_path);
    const bool png_to_stdout = is_std_stream(options.output_path);
    if (image_from_stdin && input_from_stdin)
        return report_error(Error::usage("the image and --input cannot both be stdin ('-'): give one of them a file"));
    if (png_to_stdout && options.json)
        return report_error(Error::usage("--json and -o - both write to stdout: give -o a file"));
    if (is_std_stream(options.provenance_path))
        return report_error(Error::usage("--provenance is written as the run goes: give it a file, not '-'"));
    // The image, its console input and its source map are never overwritten;
    // frames, -o and --provenance appear when the run got to its end or was
    // stopped by Ctrl-C (what it did until then).
    std::string default_map = image_from_stdin ? std::string() : source_map_path_for(options.image_path);
    const std::string inputs[] = { options.image_path, options.input_path, options.source_map_path, default_map };
    StagedOutputs outputs(host_files(), { std::begin(inputs), std::end(inputs) });
    ThreadExecutor executor;
    for (const std::string* path : { &options.output_path, &options.provenance_path }) {
        if (path->empty())
            continue;
        if (auto checked = check_output_target(*path, inputs, OutputKind::Binary); !checked)
            return report_error(checked.error());
    }

    const std::uint64_t max_steps = options.caps.get(Cap::StepBudget);
    auto bootable = load_bootable(options.image_path, options.caps);
    if (!bootable)
        return report_error(bootable.error());
    const std::string name = bootable->name;
    std::optional<SourceMap> program_map = std::move(bootable->source_map);
    auto machine = Machine::boot(std::move(bootable->vram), name);
    if (!machine)
        return report_error(machine.error());
    (*machine)->set_record_limits(RunRecordLimits::from_caps(options.caps));
    if (!options.input_path.empty() && !input_from_stdin) {
        auto input = host_files().read_file_text(options.input_path, options.caps.get(Cap::InputFile), Cap::InputFile);
        if (!input)
            return report_error(input.error());
        (*machine)->set_input(std::move(*input));
    }
    // A program's map is the one its build made; an image's lies beside it (or --source-map).
    auto loaded_map = program_map && options.source_map_path.empty()
        ? Result<std::optional<SourceMap>>(std::move(program_map))
        : load_source_map(host_files(), options.source_map_path, image_from_stdin ? std::string() : options.image_path);
    if (!loaded_map)
        return report_error(loaded_map.error());
    const SourceMap* map = *loaded_map ? &**loaded_map : nullptr;
    // Ctrl-C stops the run between its pieces (or while the guest waits for
    // input): caught from before --provenance starts streaming, so a Ctrl-C
    // once its temporary file exists always gets the run's summary and files.
    InterruptCatcher catcher;
    ProvenanceLog provenance((*machine)->vram().width(), (*machine)->vram().height());
    RunProvenanceRecorder recorder(provenance, map, (*machine)->vram().width());
    if (!options.provenance_path.empty()) {
        if (auto streaming = provenance.stream_to(host_files(), options.provenance_path); !streaming)
            return report_error(streaming.error());
        (*machine)->set_store_observer(&recorder);
        if (options.provenance_reads)
            (*machine)->set_load_observer(&recorder);
    }
    LiveView view(options.view);
    const bool tracing = options.trace || options.trace_json;
    SteadyClock clock;
    // The trace and the live view own stderr and the screen: no progress line with them.
    ProgressLine progress = ProgressLine::for_stderr(
        tracing || view.active() ? Verbosity::Quiet : options.verbosity, clock);
    std::FILE* console_file = png_to_stdout ? stderr : stdout;
    const int console_fd = png_to_stdout ? STDERR_FILENO : STDOUT_FILENO;
    GuestConsole console(console_file, progress);
    bool console_shown = !options.json && !view.active(); // under a live view the console is printed after it
    if (console_shown)
        (*machine)->set_console(&console);
    // Stdin as a stream when asked, or when it is not a terminal (a pipe, a
    // file); the terminal itself when the console is shown on it too (a
    // run whose output goes to a file or a pipe does not wait for keys).
    bool stdin_terminal = ::isatty(STDIN_FILENO) == 1;
    bool stdin_stream = !image_from_stdin
        && (input_from_stdin || (options.input_path.empty() && !view.active() && !stdin_terminal));
    bool interactive = options.input_path.empty() && !image_from_stdin && stdin_terminal && console_shown
        && ::isatty(console_fd) == 1;
    std::optional<InteractiveTerminal> terminal;
    if (interactive) {
        terminal.emplace();
        interactive = terminal->active();
    }
    FdConsoleInput stdin_input(STDIN_FILENO, "stdin", options.caps.get(Cap::InputFile), interactive);
    if (stdin_stream || interactive)
        (*machine)->set_input_source(&stdin_input);
    console.set_interactive(interactive);
    int width = (*machine)->vram().width();
    if (!options.trace_region.empty() && !find_region(options.trace_region))
        return report_error(Error::usage(fmt::format("--trace-region '{}' is not a region", options.trace_region)));
    StderrTrace trace(width, map, options);
    if (tracing)
        (*machine)->set_trace(&trace);

    const bool console_shares_terminal = ::isatty(STDERR_FILENO) == 1 && same_destination(console_fd, STDERR_FILENO);
    auto between_pieces = [&] { show_progress(progress, **machine, console, console_shares_terminal); };
    RunResult result;
    if (view.active()) {
        const Palette* palette = &(*machine)->palette();
        std::uint64_t done = 0;
        while (done < max_steps && !(*machine)->halted()) {
            if (interrupted()) {
                result.reason = StopReason::Interrupted;
                break;
            }
            std::uint64_t chunk = std::min<std::uint64_t>(50'000, max_steps - done);
            result = (*machine)->run(chunk);
            done += chunk;
            view.show((*machine)->vram(), palette);
        }
        view.finish((*machine)->vram(), palette, !options.no_wait && result.reason != StopReason::Interrupted);
        if (!options.json)
            console.stream().write((*machine)->console_output());
    } else if (options.frames_dir.empty()) {
        result = run_in_pieces(**machine, max_steps, tracing ? &trace : nullptr, between_pieces);
    } else {
        // frame_000000.png is the image at boot, then one every --every steps.
        std::uint64_t done = 0;
        for (int frame = 0;; ++frame) {
            std::string path = (std::filesystem::path(options.frames_dir) / fmt::format("frame_{:06}.png", frame)).string();
            if (auto saved = stage_png(outputs, path, (*machine)->vram(), executor); !saved)
                return report_error(saved.error());
            if (done >= max_steps || (*machine)->halted())
                break;
            std::uint64_t chunk = std::min(options.every, max_steps - done);
            result = run_in_pieces(**machine, chunk, tracing ? &trace : nullptr, between_pieces);
            done += chunk;
            if (result.reason == StopReason::Interrupted)
                break;
            if (result.reason != StopReason::BudgetExhausted && !(*machine)->halted())
                break;
        }
        if (!(*machine)->halted() && done >= max_steps && result.reason != StopReason::Interrupted)
            result.reason = StopReason::BudgetExhausted;
    }
    progress.clear();
    console.stream().finish();
    // What follows the guest's output (the summary, the shell's prompt)
    // starts on a line of its own: on a terminal the console gets the '\n';
    // where stderr goes on the guest's own line otherwise (`> log 2>&1`),
    // the summary starts with one. A pipe or a file of the console alone
    // gets the guest's bytes as they are.
    bool summary_newline = false;
    if (console.line_unfinished()) {
        if (::isatty(console_fd) == 1)
            console.stream().write("\n");
        else if (console_fd != STDERR_FILENO && same_destination(console_fd, STDERR_FILENO))
            summary_newline = true;
    }
    std::fflush(console_file);
    terminal.reset(); // the terminal as it was, before anything more is printed
    if (stdin_input.error())
        return report_error(*stdin_input.error());
    if (summary_newline) {
        std::fputc('\n', stderr);
        std::fflush(stderr);
    }

    if (tracing && trace.stopped())
        spdlog::warn("{}: the trace stopped after {} lines: it reached {}", name, trace.max_lines(),
            cap_text(Cap::TraceLines, trace.max_lines()));
    for (const FaultRecord& fault : result.faults)
        spdlog::warn("{}: fault: {}", name, describe_fault(fault, width, map));
    if (result.faults_not_kept())
        spdlog::warn("{}: {}", name,
            not_kept_text(result.faults_not_kept(), "faults", Cap::FaultRecords, options.caps.get(Cap::FaultRecords)));
    if ((*machine)->console_bytes_not_kept())
        spdlog::warn("{}: {}", name,
            not_kept_text((*machine)->console_bytes_not_kept(), "bytes of console output", Cap::ConsoleOutput,
                options.caps.get(Cap::ConsoleOutput)));
    if (result.panic)
        spdlog::error("{}: kernel panic: {}", name, describe_fault(*result.panic, width, map));
    if (result.reason == StopReason::BudgetExhausted)
        spdlog::warn("{}: stopped: the run reached {}", name, cap_text(Cap::StepBudget, max_steps));
    else if (result.reason == StopReason::Halted)
        spdlog::info("{}: halted with code {} after {} ({}, {})", name, result.halt_code,
            plural(long(result.steps), "step"), plural(long(result.syscalls), "syscall"),
            plural(long(result.fault_count), "fault"));

    if (options.json)
        std::fputs(run_summary_json(**machine, result, map).c_str(), stdout);
    if (!options.output_path.empty())
        if (auto saved = stage_png(outputs, options.output_path, (*machine)->vram(), executor); !saved)
            return report_error(saved.error());
    if (!options.provenance_path.empty())
        if (auto staged = provenance.stage_file(outputs, options.provenance_path); !staged)
            return report_error(staged.error());
    if (auto committed = outputs.commit(); !committed)
        return report_error(committed.error());
    if (result.reason == StopReason::Interrupted) {
        // Stopped by hand: where it was, and what it wrote of what it had done.
        std::string written;
        for (const std::string* path : { &options.output_path, &options.provenance_path })
            if (!path->empty())
                written += (written.empty() ? "" : ", ") + (is_std_stream(*path) ? std::string("stdout") : *path);
        spdlog::warn("{}: stopped by Ctrl-C after {} steps ({} syscalls, {} faults): {}; {}", name, result.steps,
            result.syscalls, result.fault_count, running_text(**machine, map),
            written.empty() ? std::string("no files written") : "wrote " + written);
    }
    return run_exit_status(result);
}

} // namespace pxos::cli
