// `pxos run IMAGE.png`: boot the image and run it. Guest console output goes
// to stdout as it is written; faults and the summary to stderr.
#include "commands.hpp"
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
#include <spdlog/spdlog.h>

namespace pxos::cli {

namespace {

class StdoutConsole final : public ConsoleSink {
public:
    void write(char c) override { m_stream.write(std::string_view(&c, 1)); }
    ConsoleStream& stream() { return m_stream; }

private:
    ConsoleStream m_stream;
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

// Runs up to `max_steps`; a traced run goes in chunks so that once the
// trace has stopped the rest runs untraced (at full speed).
RunResult run_traced(Machine& machine, std::uint64_t max_steps, StderrTrace* trace)
{
    if (!trace)
        return machine.run(max_steps);
    constexpr std::uint64_t kChunk = 4096;
    RunResult result;
    std::uint64_t done = 0;
    while (done < max_steps && !trace->stopped()) {
        std::uint64_t chunk = std::min(kChunk, max_steps - done);
        result = machine.run(chunk);
        done += chunk;
        if (result.reason != StopReason::BudgetExhausted)
            return result;
    }
    machine.set_trace(nullptr);
    return done < max_steps ? machine.run(max_steps - done) : result;
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
    const std::string inputs[] = { options.image_path, options.input_path, options.source_map_path, default_map };
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
    auto machine = boot_image_file(options.image_path, options.input_path, options.caps);
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
    if (!options.json && !view.active()) // under a live view the console is printed after it
        (*machine)->set_console(&console);
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
        result = run_traced(**machine, max_steps, tracing ? &trace : nullptr);
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
            result = (*machine)->run(chunk);
            done += chunk;
            if (result.reason != StopReason::BudgetExhausted && !(*machine)->halted())
                break;
        }
        if (!(*machine)->halted() && done >= max_steps)
            result.reason = StopReason::BudgetExhausted;
    }
    console.stream().finish();
    std::fflush(stdout);

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
    else if (result.reason == StopReason::Halted)
        spdlog::info("{}: halted with code {} after {} steps ({} syscalls, {} faults)", options.image_path,
            result.halt_code, result.steps, result.syscalls, result.fault_count);

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
    return run_exit_status(result);
}

} // namespace pxos::cli
