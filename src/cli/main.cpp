// The pxos binary: one table of subcommands, parsed with CLI11 (kept in this
// one translation unit: it is the slowest header to compile). Each command's
// work lives in its own file behind commands.hpp.
#include "commands.hpp"

#include "pxos/host/posix/file_system.hpp"
#include "pxos/host/posix/memory.hpp"
#include "pxos/host/posix/shell_llm_client.hpp"
#include "pxos/base/suggest.hpp"
#include "pxos/base/text.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fmt/format.h>
#include <initializer_list>
#include <iostream>
#include <sstream>
#include <functional>
#include <string_view>
#include <sys/resource.h>
#include <vector>

namespace {

using namespace std::string_view_literals;
using pxos::Cap;

struct ParsedOptions {
    pxos::cli::BuildCommandOptions build;
    pxos::cli::RunCommandOptions run;
    pxos::cli::EvalCommandOptions eval;
    pxos::cli::LoopCommandOptions loop;
    pxos::cli::RenderCommandOptions render;
    pxos::cli::ViewCommandOptions view;
    pxos::cli::BlameCommandOptions blame;
    pxos::cli::DebugCommandOptions debug;
    pxos::cli::DiffCommandOptions diff;
    pxos::cli::AsmCommandOptions assemble;
    pxos::cli::DisasmCommandOptions disassemble;
    pxos::cli::OpsCommandOptions ops;
    pxos::cli::AbiCommandOptions abi;
    pxos::cli::StepsCommandOptions steps;
    pxos::cli::FsCommandOptions fs;
    pxos::cli::LimitsCommandOptions limits;
};

void add_verbosity_flags(CLI::App& command, pxos::cli::Verbosity& verbosity)
{
    command.add_flag_callback("-q,--quiet", [&verbosity] { verbosity = pxos::cli::Verbosity::Quiet; },
        "Print only warnings and errors on stderr");
    command.add_flag_callback("-v,--verbose", [&verbosity] { verbosity = pxos::cli::Verbosity::Verbose; },
        "Print more detail on stderr");
}

// The flags of the caps a command applies, from the caps table (limits.hpp),
// in a "Caps" section of its --help. Values are given in the cap's unit.
void add_cap_options(CLI::App& command, pxos::CapValues& caps, std::initializer_list<pxos::Cap> which)
{
    for (pxos::Cap cap : which) {
        const pxos::CapInfo& info = pxos::cap_info(cap);
        command
            .add_option_function<std::uint64_t>(std::string(info.flag),
                [&caps, cap, scale = info.scale](std::uint64_t units) { caps.set(cap, units * scale); },
                fmt::format("{}, in {}", info.protects, info.unit))
            ->check(CLI::Range(std::uint64_t(1), info.max_units))
            ->default_str(std::to_string(caps.get(cap) / info.scale))
            ->group("Caps");
    }
}

// Every option that names a file or folder to write: '' is a usage error,
// never "the default" (an empty -o used to fall back to output.png_path).
const CLI::Validator& output_name()
{
    static const CLI::Validator validator(
        [](std::string& value) { return value.empty() ? std::string("is empty, expected a file name") : std::string(); },
        "");
    return validator;
}

struct CommandEntry {
    std::string_view name;
    std::string_view summary;
    std::function<void(CLI::App&, ParsedOptions&)> define;
    std::function<int(const ParsedOptions&)> run;
};

const std::vector<CommandEntry>& command_table()
{
    static const std::vector<CommandEntry> table {
        {
            "build",
            "Paint VRAM from a roadmap's steps; write the PNG (and a JSON report)",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.build;
                command.add_option("roadmap", options.roadmap_path, "Roadmap YAML file")->required();
                command.add_option("-o,--output", options.output_path,
                    "PNG to write (default: the roadmap's output.png_path, else artifacts/<roadmap>.png); its "
                    "folder must exist, except artifacts/ (created, as is the folder output.png_path names)")
                    ->check(output_name());
                command.add_option("--report", options.report_path,
                    "Write a JSON build report (per step: duration, pixels written, context keys set)")
                    ->check(output_name());
                command.add_option("--frames", options.frames_dir,
                    "Also write one PNG per step into DIR (frame_0001_<step>.png, ...)")
                    ->check(output_name());
                command.add_flag("--view", options.view, "Watch the VRAM being painted, live in the terminal");
                command.add_option("--provenance", options.provenance_path,
                    "Record every pixel write (step, old and new value) into FILE, for pxos blame")
                    ->check(output_name());
                command.add_flag("--no-wait", options.no_wait, "With --view: exit at once instead of waiting for q");
                command.add_flag("--json", options.json,
                    "Print a JSON summary on stdout (schema 1: the PNG written, each step's duration and pixels) "
                    "instead of the PNG's path");
                add_cap_options(command, options.caps,
                    { Cap::VramMemory, Cap::RoadmapFile, Cap::RoadmapSteps, Cap::SourceFile, Cap::ProgramWords,
                        Cap::SourceIncludes, Cap::AssembledSource,
                        Cap::YamlNodes, Cap::YamlBytes, Cap::YamlDepth, Cap::BuildPixels });
                add_verbosity_flags(command, options.verbosity);
                command.footer("Exit status: 0 built, 2 usage, 65 bad roadmap, 70 internal error, 74 cannot write.");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_build_command(parsed.build); },
        },
        {
            "run",
            "Boot an image and run its kernel and processes; guest output on stdout",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.run;
                command.add_option("image", options.image_path, "PNG image to boot")->required();
                command.add_option("--input", options.input_path, "File whose bytes are the console input");
                command.add_option("--out", options.output_path, "Write the VRAM after the run as a PNG")
                    ->check(output_name());
                command.add_option("--source-map", options.source_map_path,
                    "pxasm source map (default: <image>.srcmap.json beside the image, written by pxos build)");
                command.add_flag("--trace", options.trace, "Print every executed instruction on stderr");
                command.add_option("--frames", options.frames_dir,
                    "Write the VRAM as a PNG into DIR every --every steps (frame_000000.png, ...)")
                    ->check(output_name());
                command.add_flag("--view", options.view, "Watch the VRAM live in the terminal while the machine runs");
                command.add_option("--provenance", options.provenance_path,
                    "Record every word the machine stores (pid, pc, pxasm line, old and new) into FILE")
                    ->check(output_name());
                command.add_flag("--provenance-reads", options.provenance_reads,
                    "With --provenance: log the words programs load too (which process looked at a pixel)");
                command.add_flag("--trace-json", options.trace_json, "Like --trace, as JSON Lines (one object per instruction)");
                command.add_option("--trace-pid", options.trace_pid, "Trace only this process's user-mode instructions");
                command.add_option("--trace-region", options.trace_region, "Trace only instructions in this layout region");
                command.add_option("--trace-from", options.trace_from, "Trace from this step on");
                command.add_flag("--no-wait", options.no_wait, "With --view: exit at once instead of waiting for q");
                command.add_option("--every", options.every, "Steps between frames")
                    ->check(CLI::Range(std::uint64_t(1), std::uint64_t(1) << 40))
                    ->default_val(options.every);
                command.add_flag("--json", options.json,
                    "Print a JSON summary (processes, faults, steps, syscalls, console) instead of the console");
                add_cap_options(command, options.caps,
                    { Cap::StepBudget, Cap::VramMemory, Cap::PngFile, Cap::InputFile, Cap::FaultRecords,
                        Cap::ConsoleOutput, Cap::TraceLines });
                add_verbosity_flags(command, options.verbosity);
                command.footer("Exit status: 0 clean halt, 1 a process exited non-zero (or deadlock), 3 a process "
                               "faulted, 4 step budget exhausted, 5 kernel panic, 65 not a bootable image, "
                               "130 stopped by Ctrl-C.");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_run_command(parsed.run); },
        },
        {
            "eval",
            "Score an image: gates (seed checks, structure, kernel, real execution, isolation probes), then metrics",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.eval;
                CLI::Option* image = command.add_option("image", options.image_path, "PNG image to evaluate")->required();
                CLI::Option* output = command
                    .add_option("output", options.output_path, "Also write the result as JSON to this file")
                    ->check(output_name());
                // Callbacks run before CLI11 checks what is required: with --markdown no image is.
                command
                    .add_flag_callback("--markdown",
                        [&options, image] {
                            options.markdown = true;
                            image->required(false);
                        },
                        "Print the rubric's and the metrics' tables (those of docs/EVAL.md) instead of evaluating an image")
                    ->excludes(image)
                    ->excludes(output);
                command.add_flag("--json", options.json, "Print the JSON result instead of the summary");
                command.add_option("--min-score", options.min_score,
                    "Exit 1 when the score is below N points, or below N% with a percent sign");
                command.add_option("--only", options.only_group,
                    "Run one group: seed, structure, kernel, execution or isolation");
                command.add_option("--baseline", options.baseline_path,
                    "Also evaluate this image and show each metric's delta against it");
                add_cap_options(command, options.caps, { Cap::StepBudget, Cap::VramMemory, Cap::PngFile, Cap::EvalSeconds });
                command.footer("Exit status: 0 evaluated (and at or above --min-score), 1 below --min-score, "
                               "2 usage, 65 unreadable image. An image that is not an OS just scores low.");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_eval_command(parsed.eval); },
        },
        {
            "loop",
            "Improve a roadmap: build -> eval -> reflect -> propose, N generations",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.loop;
                command.add_option("roadmap", options.roadmap_path, "Roadmap YAML to start from (generation 1)");
                command.add_option("generations", options.generations, "Number of generations, 1 and up");
                command.add_option("--out-dir", options.out_dir, "Where generations, prompts and the report go")
                    ->default_val(options.out_dir)
                    ->check(output_name());
                command.add_option("--llm-cmd", options.llm_commands,
                       "LLM command run with /bin/sh -c, prompt on stdin ({prompt_file}: a file with it); "
                       "repeatable as NAME=WEIGHT:CMD, a bandit picks one per call; default: $PXOS_LLM_CMD")
                    ->allow_extra_args(false);
                command.add_option("--agent", options.agents,
                       "REGION=CMD (kernel, programs, layout): an agent per region, told only its part, its changes "
                       "combined into one candidate; CMD may name an --llm-cmd model; repeatable")
                    ->allow_extra_args(false);
                command.add_option("--proposer", options.proposer,
                    "llm, heuristic (offline) or copy (the seed's); default: llm when a command is set")
                    ->check(CLI::IsMember({ "llm", "heuristic", "copy" }));
                command.add_option("--llm-timeout", options.llm_timeout, "Seconds per LLM call; the process group is killed")
                    ->default_val(options.llm_timeout);
                command.add_option("--retries", options.retries, "Extra LLM attempts per proposal, with the error fed back")
                    ->check(CLI::Range(0, 20))
                    ->default_val(options.retries);
                command.add_option("--candidates", options.candidates, "Proposals per generation; the best is kept")
                    ->check(CLI::Range(1, 64))
                    ->default_val(options.candidates);
                command.add_option("--jobs", options.jobs, "Proposals built and evaluated at once")
                    ->check(CLI::Range(1, 64))
                    ->default_val(options.jobs);
                command.add_option("--islands", options.islands,
                    "Islands, each with its own best and --candidates proposals per generation")
                    ->check(CLI::Range(1, 16))
                    ->default_val(options.islands);
                command.add_option("--migrate-every", options.migrate_every,
                    "Every M generations each island's best moves to the next island (0: never)")
                    ->check(CLI::Range(0, 1000000))
                    ->default_val(options.migrate_every);
                command.add_option("--archive-bins", options.archive_bins,
                    "MAP-Elites archive cells per doubling of kernel_words and of workload_steps")
                    ->check(CLI::Range(1, 64))
                    ->default_val(options.archive_bins);
                command.add_option("--seed", options.seed, "Seed of the heuristic proposer")->default_val(options.seed);
                command.add_flag("--resume", options.resume, "Continue the loop in --out-dir after its last generation");
                command.add_flag("--replay", options.replay, "Take LLM replies from the out-dir's cache only");
                command.add_option("--max-llm-calls", options.max_llm_calls, "Stop when this many LLM calls are spent");
                command.add_option("--max-seconds", options.max_seconds, "Stop after this many seconds");
                command.add_flag("--until-max", options.until_max, "Stop at a full score");
                command.add_option("--prompt-budget", options.prompt_budget,
                    "Bytes of an LLM prompt, at most: the least useful parts are trimmed first, and it says so")
                    ->check(CLI::Range(std::size_t(4096), std::size_t(16) << 20))
                    ->default_val(options.prompt_budget);
                command.add_option("--report", options.report_dir, "Only regenerate DIR/report.html");
                command.add_flag("--json", options.json,
                    "Print one JSON line per generation on stdout (schema 1, loop.jsonl's keys), then a summary "
                    "line, instead of the table and the best roadmap's path");
                add_cap_options(command, options.caps,
                    { Cap::StepBudget, Cap::LlmReply, Cap::VramMemory, Cap::RoadmapFile, Cap::RoadmapSteps,
                        Cap::SourceFile, Cap::ProgramWords, Cap::SourceIncludes, Cap::AssembledSource,
                        Cap::YamlNodes, Cap::YamlBytes, Cap::YamlDepth, Cap::BuildPixels, Cap::EvalSeconds });
                add_verbosity_flags(command, options.verbosity);
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_loop_command(parsed.loop); },
        },
        {
            "view",
            "Look at an image in the terminal: pan, zoom, region outlines, a pixel inspector",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.view;
                command.add_option("image", options.image_path, "PNG image")->required();
                command.add_flag("--once", options.once, "Print one frame and exit (also without a terminal)");
                command.add_option("--cols", options.columns, "Columns of the --once frame (default 80)")
                    ->check(CLI::Range(1, 1000));
                command.add_option("--rows", options.rows, "Rows of the --once frame, status line included (default 24)")
                    ->check(CLI::Range(2, 1000));
                command.add_flag("--regions", options.outlines, "Start with region outlines and names on (key g)");
                command.add_flag("--window", options.window, "A desktop window (SDL2) instead of the terminal, same keys");
                command.add_option("--screenshot", options.screenshot,
                    "With --window --once: save the window's pixels as a PNG (SDL_VIDEODRIVER=dummy works headless)")
                    ->check(output_name());
                add_cap_options(command, options.caps, { Cap::VramMemory, Cap::PngFile });
                command.footer("Keys: arrows or hjkl pan, + and - zoom (below 1:1 too), r reset, g regions, "
                               "i inspector (pixel, region, instruction), q or Ctrl-C quit. NO_COLOR=1: plain characters.");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_view_command(parsed.view); },
        },
        {
            "debug",
            "Step through pixel code: breakpoints, watchpoints, registers, processes, memory",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.debug;
                command.add_option("image", options.image_path, "PNG image to boot")->required();
                command.add_option("--commands", options.commands_path,
                    "Run the commands in FILE (one a line) and print the transcript");
                command.add_option("--source-map", options.source_map_path,
                    "pxasm source map (default: <image>.srcmap.json beside the image)");
                command.add_option("--input", options.input_path, "File whose bytes are the console input");
                add_cap_options(command, options.caps,
                    { Cap::StepBudget, Cap::VramMemory, Cap::PngFile, Cap::InputFile, Cap::FaultRecords,
                        Cap::ConsoleOutput });
                command.footer("Commands: step [n], next, continue, break X,Y | LABEL | syscall N | fault, watch X,Y, "
                               "delete, regs, ps, disasm [X,Y] [n], mem X,Y [n], where, set rN=V, help, quit.");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_debug_command(parsed.debug); },
        },
        {
            "blame",
            "Who wrote this pixel, and when: its history from the provenance of the build and the run",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.blame;
                command.add_option("image", options.image_path, "PNG image")->required();
                command.add_option("x", options.x, "Pixel x");
                command.add_option("y", options.y, "Pixel y");
                command.add_option("--provenance", options.provenance_paths,
                    "Provenance files, the build's then the run's (default: <image>.pxprov beside the image)");
                command.add_option("--roadmap", options.roadmap_path, "Without provenance: rebuild this roadmap to blame");
                command.add_option("--region", options.region, "Summarise which writers touched a region, and how much");
                command.add_flag("--json", options.json, "Print JSON");
                add_cap_options(command, options.caps,
                    { Cap::ProvenanceFile, Cap::VramMemory, Cap::PngFile, Cap::RoadmapFile, Cap::RoadmapSteps,
                        Cap::SourceFile, Cap::ProgramWords, Cap::SourceIncludes, Cap::AssembledSource,
                        Cap::YamlNodes, Cap::YamlBytes, Cap::YamlDepth, Cap::BuildPixels });
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_blame_command(parsed.blame); },
        },
        {
            "render",
            "Upscale an image for people: crisp pixels, region outlines and names, a pixel grid",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.render;
                command.add_option("image", options.image_path, "PNG image")->required();
                command.add_option("-o,--output", options.output_path, "PNG to write")->required()->check(output_name());
                command.add_option("--scale", options.scale, "Pixels per image pixel")
                    ->check(CLI::Range(1, 64))
                    ->default_val(options.scale);
                command.add_flag("--labels", options.labels, "Outline the layout regions and write their names");
                command.add_flag("--grid", options.grid, "Draw lines between pixels (scale 4 and up)");
                add_cap_options(command, options.caps, { Cap::VramMemory, Cap::PngFile });
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_render_command(parsed.render); },
        },
        {
            "diff",
            "Compare two images: per region, changed pixels and where; exit 0 equal, 1 different, 2 trouble",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.diff;
                command.add_option("a", options.a_path, "First PNG")->required();
                command.add_option("b", options.b_path, "Second PNG")->required();
                command.add_option("-o,--output", options.output_path,
                    "Write a picture: unchanged pixels dimmed, changed ones magenta, regions outlined")
                    ->check(output_name());
                command.add_flag("--json", options.json, "Print the difference as JSON");
                add_cap_options(command, options.caps, { Cap::VramMemory, Cap::PngFile });
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_diff_command(parsed.diff); },
        },
        {
            "asm",
            "Assemble a pxasm file into a program image (PNG) and its source map",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.assemble;
                command.add_option("source", options.source_path, "pxasm source file")->required();
                command.add_option("-o,--output", options.output_path, "PNG to write (and <name>.srcmap.json beside it)")
                    ->required()
                    ->check(output_name());
                command.add_option("--width", options.width, "Image width: addresses are y * width + x")
                    ->check(CLI::Range(1, 16384))
                    ->default_val(options.width);
                command.add_option("--height", options.height, "Image height (default: the rows the program needs)")
                    ->check(CLI::Range(0, 16384));
                command.add_option("--origin", options.origin, "X,Y where code before any .org goes (default 0,0)");
                command.add_flag("--program", options.program,
                    "Write a program file (header, code assembled at offset 0, relocations: what spawn and exec "
                    "load) instead of an image");
                add_cap_options(command, options.caps,
                    { Cap::SourceFile, Cap::ProgramWords, Cap::SourceIncludes, Cap::AssembledSource, Cap::VramMemory });
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_asm_command(parsed.assemble); },
        },
        {
            "disasm",
            "Disassemble pixels back into pxasm that re-assembles to the same pixels",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.disassemble;
                command.add_option("image", options.image_path, "PNG image, or a program file (pxos asm --program)")
                    ->required();
                command.add_option("--region", options.region, "A layout region (kernel, program_area, ...)");
                command.add_option("--at", options.at, "Start at X,Y");
                command.add_option("--count", options.count, "Words to disassemble (default 16 with --at)");
                add_cap_options(command, options.caps, { Cap::VramMemory, Cap::PngFile });
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_disasm_command(parsed.disassemble); },
        },
        {
            "ops",
            "Print the instruction set: every opcode, its colour, operands and meaning",
            [](CLI::App& command, ParsedOptions& parsed) {
                command.add_flag("--markdown", parsed.ops.markdown, "Print the reference tables of docs/ISA.md");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_ops_command(parsed.ops); },
        },
        {
            "abi",
            "Print the kernel ABI: the standard pxasm symbols (syscalls, traps, PCB, header, ...) and their values",
            [](CLI::App& command, ParsedOptions& parsed) {
                command.add_flag("--markdown", parsed.abi.markdown,
                    "Print the ABI tables of docs/ISA.md, then the system call table of docs/PXASM.md");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_abi_command(parsed.abi); },
        },
        {
            "fs",
            "Read and write the image's file store: ls, cat, put, get, rm, mkdir, check (an fsck)",
            [](CLI::App& command, ParsedOptions& parsed) {
                auto& options = parsed.fs;
                command.add_option("image", options.image_path, "PNG image with a file store")->required();
                command.add_option("action", options.action, "ls [PATH] | cat PATH | put HOSTFILE PATH | "
                                                              "get PATH [HOSTFILE] | rm PATH | mkdir PATH | check")
                    ->required()
                    ->check(CLI::IsMember({ "ls", "cat", "put", "get", "rm", "mkdir", "check" }));
                command.add_option("arguments", options.arguments, "The action's paths (store paths start with /)");
                command.add_flag("--words", options.words,
                    "put/get/cat: move raw little-endian 32-bit words (program files), not one byte per word");
                command.add_flag("--json", options.json, "ls and check: print JSON");
                add_cap_options(command, options.caps, { Cap::VramMemory, Cap::PngFile });
                command.footer("Every action recovers a cut-off undo log first; put, rm and mkdir then write the "
                               "PNG back atomically. Exit status: 0 done (check: the store is clean), 1 check found "
                               "problems, 2 usage, 65 bad image or path, 74 cannot write.");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_fs_command(parsed.fs); },
        },
        {
            "steps",
            "List the compiled-in build steps and their parameters",
            [](CLI::App& command, ParsedOptions& parsed) {
                command.add_flag("--json", parsed.steps.json, "Print the registry as JSON (what the LLM is given)");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_steps_command(parsed.steps); },
        },
        {
            "limits",
            "List the caps on input and runs, their defaults and the flags that raise them",
            [](CLI::App& command, ParsedOptions& parsed) {
                command.add_flag("--json", parsed.limits.json, "Print the caps as JSON");
                command.add_flag("--markdown", parsed.limits.markdown, "Print the table of docs/LIMITS.md");
            },
            [](const ParsedOptions& parsed) { return pxos::cli::run_limits_command(parsed.limits); },
        },
    };
    return table;
}

// CLI11 reports a mistyped subcommand as "A subcommand is required"; catch it
// first and suggest the closest name.
bool reject_unknown_command(int argc, char** argv)
{
    if (argc < 2 || argv[1][0] == '-')
        return false;
    std::string_view word = argv[1];
    std::vector<std::string_view> names;
    for (const CommandEntry& entry : command_table()) {
        if (entry.name == word)
            return false;
        names.push_back(entry.name);
    }
    std::fprintf(stderr, "pxos: error: unknown command '%s'%s\nRun 'pxos --help' for the list of commands.\n",
        pxos::escape_for_terminal(argv[1]).c_str(), pxos::escape_for_terminal(pxos::did_you_mean(word, names)).c_str());
    return true;
}

// An interrupted command leaves no temporary file behind (a long run
// streams its provenance into one) and no LLM command running, then dies of
// the signal as it would have.
void on_fatal_signal(int signal)
{
    pxos::kill_running_llm_commands();
    pxos::remove_pending_temporary_files();
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

} // namespace

pxos::FileSystem& pxos::cli::host_files()
{
    static pxos::PosixFileSystem files; // no state of its own: one for the process
    return files;
}

int main(int argc, char** argv)
{
    pxos::keep_freed_blocks_for_reuse();
    // A command holds each file it writes open until it commits them all
    // (StagedOutputs): a build with --frames and thousands of steps needs
    // more descriptors than the usual soft limit of 1024. pxos uses no select().
    if (struct rlimit files {}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, rlim_t(1) << 20);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    for (int signal : { SIGINT, SIGTERM, SIGHUP }) {
        struct sigaction current {};
        if (sigaction(signal, nullptr, &current) == 0 && current.sa_handler != SIG_IGN) // keep nohup's and a shell's &
            std::signal(signal, on_fatal_signal);
    }
    if (reject_unknown_command(argc, argv))
        return 2;

    CLI::App app { "pxos: an operating system that lives in pixels", "pxos" };
    app.set_version_flag("-V,--version", std::string("pxos ") + PXOS_VERSION);
    app.require_subcommand(1);
    app.footer("Run 'pxos COMMAND --help' for a command's options.");

    // Defining a command's options costs more than most commands' work (CLI11
    // builds each option: a quarter of a small build's instructions), so only
    // the command named is defined; all of them for `pxos limits` (it lists
    // which command takes which cap flag) and when none is named (--help).
    std::string_view named = argc > 1 ? std::string_view(argv[1]) : std::string_view();
    bool define_all = named.empty() || named == "limits"
        || std::none_of(command_table().begin(), command_table().end(),
            [&](const CommandEntry& entry) { return entry.name == named; });
    ParsedOptions parsed;
    std::vector<std::pair<CLI::App*, const CommandEntry*>> commands;
    for (const CommandEntry& entry : command_table()) {
        CLI::App* command = app.add_subcommand(std::string(entry.name), std::string(entry.summary));
        if (define_all || entry.name == named)
            entry.define(*command, parsed);
        commands.emplace_back(command, &entry);
    }
    for (const auto& [command, entry] : commands)
        for (const pxos::CapInfo& info : pxos::kCaps)
            if (command->get_option_no_throw(std::string(info.flag)))
                parsed.limits.commands[std::string(info.flag)].push_back(std::string(entry->name));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        std::ostringstream message; // it may quote an argument: escaped like every diagnostic
        int code = app.exit(error, std::cout, message);
        std::fputs(pxos::escape_for_terminal(message.str(), pxos::TerminalLayout::KeepLines).c_str(), stderr);
        return code == 0 ? 0 : 2;
    }

    for (const auto& [command, entry] : commands)
        if (command->parsed())
            return entry->run(parsed);
    return 2;
}
