// `pxos run IMAGE.png`: boot the image and run it. Guest console output goes
// to stdout as it is written; faults and the summary to stderr. Console
// input: the --input file; else stdin when it is not a terminal (or with
// `--input -`); else, when the console goes to the terminal, the terminal
// itself, interactive (console_input.hpp).
#include "commands.hpp"
#include "console_input.hpp"
#include "screen.hpp"
#include "terminal.hpp"

#include "pxos/host/posix/file_system.hpp"
#include "pxos/image/layout.hpp"
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
#include <unistd.h>

namespace pxos::cli {

namespace {

class StdoutConsole final : public ConsoleSink {
public:
    // Interactive: each byte reaches the terminal as it is written (a prompt has no '\n').
    void set_interactive(bool interactive) { m_interactive = interactive; }
    void write(char c) override
    {
        m_stream.write(std::string_view(&c, 1));
        m_last = c;
        if (m_interactive)
            std::fflush(stdout);
    }
    ConsoleStream& stream() { return m_stream; }
    // Whether the guest's last line so far has no '\n' yet.
    bool line_unfinished() const { return m_last && *m_last != '\n'; }

private:
    ConsoleStream m_stream;
    bool m_interactive = false;
    std::optional<char> m_last;
};

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

// Steps between two looks at interrupted() in an interactive run: a few
// milliseconds of guest computation, so a Ctrl-C stops it at once.
constexpr std::uint64_t kInteractiveChunk = 1 << 20;

// Runs up to `max_steps`; a traced run goes in chunks so that once the
// trace has stopped the rest runs untraced (at full speed), an interactive
// one so that a Ctrl-C stops it between chunks too (inside one, while the
// guest waits for a key, its input source stops it).
RunResult run_traced(Machine& machine, std::uint64_t max_steps, StderrTrace* trace, bool interactive)
{
    if (!trace && !interactive)
        return machine.run(max_steps);
    constexpr std::uint64_t kChunk = 4096;
    RunResult result;
    result.reason = StopReason::BudgetExhausted;
    std::uint64_t start = machine.steps();
    for (;;) {
        std::uint64_t done = machine.steps() - start;
        if (interactive && interrupted()) {
            result.reason = StopReason::Interrupted;
            break;
        }
        if (done >= max_steps)
            break;
        if (trace && trace->stopped())
            machine.set_trace(nullptr);
        std::uint64_t chunk = max_steps - done;
        if (trace && !trace->stopped())
            chunk = std::min(kChunk, chunk);
        if (interactive)
            chunk = std::min(kInteractiveChunk, chunk);
        result = machine.run(chunk);
        if (result.reason != StopReason::BudgetExhausted)
            break;
    }
    result.steps = machine.steps();
    return result;
}

} // namespace

Result<std::unique_ptr<Machine>> boot_image_file(const std::string& image_path, const std::string& input_path,
    const CapValues& caps)
{
    auto image = load_png(host_files(), image_path, PngLimits::from_caps(caps));
    if (!image)
        return std::move(image).error();
    auto machine = Machine::boot(std::move(*image), image_path);
    if (!machine)
        return std::move(machine).error();
    (*machine)->set_record_limits(RunRecordLimits::from_caps(caps));
    if (!input_path.empty()) {
        auto input = read_file_text(input_path, caps.get(Cap::InputFile), Cap::InputFile);
        if (!input)
            return std::move(input).error();
        (*machine)->set_input(std::move(*input));
    }
    return machine;
}

int run_run_command(const RunCommandOptions& options)
{
    setup_logging(options.verbosity);
    // The image, its console input and its source map are never overwritten;
    // frames, --out and --provenance appear only when the run got to its end.
    std::string default_map = source_map_path_for(options.image_path);
    const bool input_from_stdin = options.input_path == "-";
    const std::string inputs[] = { options.image_path, input_from_stdin ? std::string() : options.input_path,
        options.source_map_path, default_map };
    StagedOutputs outputs(host_files(), { std::begin(inputs), std::end(inputs) });
    ThreadExecutor executor;
    for (const std::string* path : { &options.output_path, &options.provenance_path }) {
        if (path->empty())
            continue;
        if (auto checked = check_output_path(*path); !checked)
            return report_error(checked.error());
        if (auto checked = check_output_not_input(*path, inputs); !checked)
            return report_error(checked.error());
    }

    const std::uint64_t max_steps = options.caps.get(Cap::StepBudget);
    auto machine = boot_image_file(options.image_path, input_from_stdin ? std::string() : options.input_path,
        options.caps);
    if (!machine)
        return report_error(machine.error());
    auto loaded_map = load_source_map(host_files(), options.source_map_path, options.image_path);
    if (!loaded_map)
        return report_error(loaded_map.error());
    const SourceMap* map = *loaded_map ? &**loaded_map : nullptr;
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
    StdoutConsole console;
    bool console_on_stdout = !options.json && !view.active(); // under a live view the console is printed after it
    if (console_on_stdout)
        (*machine)->set_console(&console);
    // Stdin as a stream when asked, or when it is not a terminal (a pipe, a
    // file); the terminal itself when the console is shown on it too (a
    // run whose output goes to a file or a pipe does not wait for keys).
    bool stdin_terminal = ::isatty(STDIN_FILENO) == 1;
    bool stdin_stream = input_from_stdin || (options.input_path.empty() && !view.active() && !stdin_terminal);
    bool interactive = options.input_path.empty() && stdin_terminal && console_on_stdout
        && ::isatty(STDOUT_FILENO) == 1;
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
    bool tracing = options.trace || options.trace_json;
    if (tracing)
        (*machine)->set_trace(&trace);

    RunResult result;
    if (view.active()) {
        const Palette* palette = &(*machine)->palette();
        std::uint64_t done = 0;
        while (done < max_steps && !(*machine)->halted()) {
            std::uint64_t chunk = std::min<std::uint64_t>(50'000, max_steps - done);
            result = (*machine)->run(chunk);
            done += chunk;
            view.show((*machine)->vram(), palette);
        }
        view.finish((*machine)->vram(), palette, !options.no_wait);
        if (!options.json)
            console.stream().write((*machine)->console_output());
    } else if (options.frames_dir.empty()) {
        result = run_traced(**machine, max_steps, tracing ? &trace : nullptr, interactive);
    } else {
        // frame_000000.png is the image at boot, then one every --every steps.
        std::uint64_t done = 0;
        for (int frame = 0;; ++frame) {
            std::string path = (std::filesystem::path(options.frames_dir) / fmt::format("frame_{:06}.png", frame)).string();
            if (auto saved = stage_png(outputs, path, (*machine)->vram(), executor); !saved)
                return report_error(saved.error());
            if (done >= max_steps || (*machine)->halted())
                break;
            if (interactive && interrupted()) {
                result.reason = StopReason::Interrupted;
                break;
            }
            std::uint64_t chunk = std::min(options.every, max_steps - done);
            result = (*machine)->run(chunk);
            done += chunk;
            if (result.reason != StopReason::BudgetExhausted && !(*machine)->halted())
                break;
        }
        if (!(*machine)->halted() && done >= max_steps && result.reason != StopReason::Interrupted)
            result.reason = StopReason::BudgetExhausted;
    }
    console.stream().finish();
    // On a terminal, what follows the guest's output (the summary, the
    // shell's prompt) starts on a line of its own; a pipe or a file gets the
    // guest's bytes as they are.
    if (console.line_unfinished() && ::isatty(STDOUT_FILENO) == 1)
        console.stream().write("\n");
    std::fflush(stdout);
    terminal.reset(); // the terminal as it was, before anything more is printed
    if (stdin_input.error())
        return report_error(*stdin_input.error());

    if (tracing && trace.stopped())
        spdlog::warn("{}: the trace stopped after {} lines: it reached {}", options.image_path, trace.max_lines(),
            cap_text(Cap::TraceLines, trace.max_lines()));
    for (const FaultRecord& fault : result.faults)
        spdlog::warn("{}: fault: {}", options.image_path, describe_fault(fault, width, map));
    if (result.faults_not_kept())
        spdlog::warn("{}: {}", options.image_path,
            not_kept_text(result.faults_not_kept(), "faults", Cap::FaultRecords, options.caps.get(Cap::FaultRecords)));
    if ((*machine)->console_bytes_not_kept())
        spdlog::warn("{}: {}", options.image_path,
            not_kept_text((*machine)->console_bytes_not_kept(), "bytes of console output", Cap::ConsoleOutput,
                options.caps.get(Cap::ConsoleOutput)));
    if (result.panic)
        spdlog::error("{}: kernel panic: {}", options.image_path, describe_fault(*result.panic, width, map));
    if (result.reason == StopReason::BudgetExhausted)
        spdlog::warn("{}: stopped: the run reached {}", options.image_path, cap_text(Cap::StepBudget, max_steps));
    else if (result.reason == StopReason::Interrupted)
        spdlog::warn("{}: stopped by Ctrl-C after {} ({}, {}); no files written", options.image_path,
            plural(long(result.steps), "step"), plural(long(result.syscalls), "syscall"),
            plural(long(result.fault_count), "fault"));
    else if (result.reason == StopReason::Halted)
        spdlog::info("{}: halted with code {} after {} ({}, {})", options.image_path, result.halt_code,
            plural(long(result.steps), "step"), plural(long(result.syscalls), "syscall"),
            plural(long(result.fault_count), "fault"));

    if (options.json)
        std::fputs(run_summary_json(**machine, result, map).c_str(), stdout);
    if (result.reason == StopReason::Interrupted) // stopped by hand: the run did not get to its end
        return run_exit_status(result);
    if (!options.output_path.empty())
        if (auto saved = stage_png(outputs, options.output_path, (*machine)->vram(), executor); !saved)
            return report_error(saved.error());
    if (!options.provenance_path.empty())
        if (auto staged = provenance.stage_file(outputs, options.provenance_path); !staged)
            return report_error(staged.error());
    if (auto committed = outputs.commit(); !committed)
        return report_error(committed.error());
    return run_exit_status(result);
}

} // namespace pxos::cli
