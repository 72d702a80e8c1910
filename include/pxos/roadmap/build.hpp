// The build engine: runs a loaded roadmap's steps on a fresh VRAM. As in the
// seed, each step's parameters are merged into the build context before it
// runs and stay there for later steps. The engine measures each step (time
// from the Clock, pixels written through a counting write observer) and
// tells a BuildObserver as it goes; it never prints or writes files itself.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/asm/assembly_cache.hpp"
#include "pxos/base/clock.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/image/vram.hpp"

#include <string>
#include <vector>

namespace pxos {

struct StepReport {
    std::size_t index = 0; // 0-based position in the roadmap
    std::string label;
    std::string step; // canonical step name
    double duration_ms = 0;
    std::int64_t pixels_written = 0;
    std::vector<std::string> context_keys_set;
};

struct BuildReport {
    std::string roadmap_name;
    std::string roadmap_path;
    int width = 0;
    int height = 0;
    std::vector<StepReport> steps;
    double total_ms = 0;
};

class BuildObserver {
public:
    virtual ~BuildObserver() = default;
    virtual void step_started(std::size_t /*index*/, std::size_t /*count*/, const StepCall&) { }
    // An error returned here stops the build (e.g. an intermediate PNG that
    // could not be written).
    virtual Result<void> step_finished(const StepReport&, const SimulatedVRAM&) { return {}; }
};

struct BuildResult {
    SimulatedVRAM vram;
    BuildReport report;
    BuildContext context;
    SourceMap source_map; // pixel code assembled by the steps -> pxasm file:line
};

struct BuildOptions {
    VRAMLimits limits;
    CodeLimits code_limits; // pxasm the steps assemble
    BuildObserver* observer = nullptr; // not owned
    Clock* clock = nullptr;            // not owned; a SteadyClock when null
    // Observes every pixel write of every step (live viewer, provenance).
    WriteObserver* write_observer = nullptr;
    // Where steps read the files they name (kernel_file, program_file, includes); not owned.
    FileSystem* files = nullptr;
    // Remembers the steps' assemblies across builds (the loop's); not owned; null: none.
    AssemblyCache* assemblies = nullptr;
};

Result<BuildResult> build_roadmap(const Roadmap& roadmap, const BuildOptions& options = {});

// The report as JSON text (stable key order).
std::string build_report_to_json(const BuildReport& report);
// `pxos build --json`: {"schema": 1, "output": the PNG written, then the
// report's keys as build_report_to_json writes them}, indented.
std::string build_summary_to_json(const BuildReport& report, const std::string& output_path);

} // namespace pxos
