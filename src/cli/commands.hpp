// The subcommands' entry points. main.cpp (the only file that includes
// CLI11) parses the command line into these option structs; each command
// file turns them into calls on the core library and owns the I/O.
#pragma once

#include "pxos/base/file_system.hpp"
#include "pxos/eval/evaluator.hpp"
#include "pxos/base/limits.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pxos {
class Machine;
}

namespace pxos::cli {

// The host's file system (host/posix), which every command hands the core.
FileSystem& host_files();

enum class Verbosity { Quiet, Normal, Verbose };

// --color: auto is colour on a terminal when NO_COLOR is unset.
enum class ColorMode { Auto, Always, Never };

// What every command takes the same way (-q/-v, --color); main.cpp sets it
// before the command runs.
struct CommonOptions {
    Verbosity verbosity = Verbosity::Normal;
    ColorMode color = ColorMode::Auto;
};
void set_common_options(const CommonOptions& options);
const CommonOptions& common_options();
// Whether to write colour to the stream `fd` (1 or 2) under --color.
bool use_color(int fd);

// The caps of eval and loop: each run of an image gets EvalOptions' budget.
inline CapValues evaluation_caps()
{
    CapValues caps;
    caps.set(Cap::StepBudget, EvalOptions::kDefaultMaxSteps);
    return caps;
}

struct BuildCommandOptions {
    std::string roadmap_path;
    std::string output_path; // -o; empty: the roadmap's output.png_path or artifacts/<stem>.png
    std::string report_path; // --report; empty: none
    std::string frames_dir;  // --frames DIR: one PNG per step
    bool view = false;       // --view: repaint live in the terminal
    bool no_wait = false;
    std::string provenance_path; // --provenance FILE: every pixel write
    bool json = false;           // --json: a JSON summary on stdout instead of the PNG's path
    CapValues caps;
    Verbosity verbosity = Verbosity::Normal;
};
int run_build_command(const BuildCommandOptions& options);

struct RunCommandOptions {
    std::string image_path;
    CapValues caps;
    std::string input_path;      // --input; empty: no console input
    std::string output_path;     // --out: the VRAM after the run
    std::string source_map_path; // --source-map; default: <image stem>.srcmap.json beside the image
    std::string frames_dir;      // --frames DIR: a PNG every --every steps
    bool view = false;
    bool no_wait = false;
    std::string provenance_path; // --provenance FILE: every word the machine stores
    bool provenance_reads = false; // --provenance-reads: loads too
    bool trace_json = false;       // --trace-json: JSON Lines on stderr
    int trace_pid = -1;            // --trace-pid N
    std::string trace_region;      // --trace-region NAME
    std::uint64_t trace_from = 0;  // --trace-from STEP
    std::uint64_t every = 100'000;
    bool trace = false;
    bool json = false;
    Verbosity verbosity = Verbosity::Normal;
};
int run_run_command(const RunCommandOptions& options);

// Loads the image and boots it, with the bytes of `input_path` (if any) as
// console input, under the caps given: what run and debug start with.
Result<std::unique_ptr<Machine>> boot_image_file(const std::string& image_path, const std::string& input_path,
    const CapValues& caps);

struct EvalCommandOptions {
    std::string image_path;
    std::string output_path; // OUT.json, as in the seed's CLI
    bool json = false;
    std::string min_score; // "N" or "N%"
    std::string only_group;
    std::string baseline_path; // --baseline IMAGE: each metric's delta against that image's evaluation
    bool markdown = false; // print the rubric's and metrics' tables (docs/EVAL.md) instead; no image
    CapValues caps = evaluation_caps();
};
int run_eval_command(const EvalCommandOptions& options);

struct LoopCommandOptions {
    std::string roadmap_path;
    int generations = 0;
    std::string out_dir = "artifacts/loop";
    std::vector<std::string> llm_commands; // each CMD or NAME=WEIGHT:CMD; none: PXOS_LLM_CMD
    std::vector<std::string> agents;       // each REGION=CMD
    std::string proposer;    // empty: llm when a command is configured, else heuristic
    double llm_timeout = 120;
    int retries = 2;
    int candidates = 1;
    int jobs = 1;
    int islands = 1;
    int migrate_every = 5;
    int archive_bins = 4;
    std::uint64_t seed = 1;
    bool resume = false;
    bool replay = false;
    int max_llm_calls = -1;
    double max_seconds = 0;
    bool until_max = false;
    std::size_t prompt_budget = 32 * 1024;
    std::string report_dir; // --report DIR: only regenerate report.html
    bool json = false;      // --json: JSON Lines on stdout instead of the table
    CapValues caps = evaluation_caps();
    Verbosity verbosity = Verbosity::Normal;
};
int run_loop_command(const LoopCommandOptions& options);

struct ViewCommandOptions {
    std::string image_path;
    bool once = false;
    int columns = 0; // --once: 0 means the terminal's when stdout is one, else 80
    int rows = 0;    // likewise, else 24
    bool outlines = false;
    bool window = false;    // --window: SDL2 desktop window
    std::string screenshot; // --window --screenshot FILE: one frame saved, then exit
    CapValues caps;
};
int run_view_command(const ViewCommandOptions& options);

struct DebugCommandOptions {
    std::string image_path;
    std::string commands_path; // --commands FILE: run a script, print the transcript
    std::string source_map_path;
    CapValues caps; // the step budget is per continue
    std::string input_path;
};
int run_debug_command(const DebugCommandOptions& options);

struct BlameCommandOptions {
    std::string image_path;
    int x = -1;
    int y = -1;
    std::vector<std::string> provenance_paths; // build's, then run's
    std::string roadmap_path;                  // rebuild to blame when no provenance file is given
    std::string region;                        // --region NAME: a summary of the writers of a region
    bool json = false;
    CapValues caps;
};
int run_blame_command(const BlameCommandOptions& options);

struct RenderCommandOptions {
    std::string image_path;
    std::string output_path;
    int scale = 4;
    bool labels = false;
    bool grid = false;
    CapValues caps;
};
int run_render_command(const RenderCommandOptions& options);

struct DiffCommandOptions {
    std::string a_path;
    std::string b_path;
    std::string output_path; // -o DIFF.png
    int scale = 0;           // --scale N for -o; 0: default_difference_scale
    bool json = false;
    CapValues caps;
};
int run_diff_command(const DiffCommandOptions& options);

struct AsmCommandOptions {
    std::string source_path;
    std::string output_path;
    int width = 512;
    int height = 0; // 0: as many rows as the program needs
    std::string origin; // "X,Y" or an address; default 0
    bool program = false; // write a program file (relocatable, at offset 0) instead of an image
    CapValues caps;
};
int run_asm_command(const AsmCommandOptions& options);

struct DisasmCommandOptions {
    std::string image_path;
    std::string region;
    std::string at; // "X,Y"
    std::uint32_t count = 0;
    bool json = false; // one object per instruction, coordinates as [x, y]
    CapValues caps;
};
int run_disasm_command(const DisasmCommandOptions& options);

struct OpsCommandOptions {
    bool markdown = false;
    bool json = false;
};
int run_ops_command(const OpsCommandOptions& options);

struct AbiCommandOptions {
    bool markdown = false;
    bool json = false; // the standard symbols and their values
};
int run_abi_command(const AbiCommandOptions& options);

struct LimitsCommandOptions {
    bool json = false;
    bool markdown = false;
    std::map<std::string, std::vector<std::string>> commands; // flag -> the commands that take it (main.cpp fills it)
};
int run_limits_command(const LimitsCommandOptions& options);

struct FsCommandOptions {
    std::string image_path;
    std::string action;                 // ls, cat, put, get, rm, mkdir, check
    std::vector<std::string> arguments; // the action's paths
    bool words = false;                 // --words: raw little-endian 32-bit words, not one byte a word
    bool json = false;                  // --json: ls and check
    CapValues caps;
};
int run_fs_command(const FsCommandOptions& options);

struct StepsCommandOptions {
    bool json = false;
    bool markdown = false; // the steps table of docs/ROADMAP_FORMAT.md
};
int run_steps_command(const StepsCommandOptions& options);

} // namespace pxos::cli
