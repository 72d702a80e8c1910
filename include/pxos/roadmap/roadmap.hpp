// Roadmaps: YAML files that say which compiled-in steps paint the VRAM, in
// what order, with which parameters. Loading is two passes in one walk:
// yaml-cpp parses the text, then every node is checked against the step
// registry and its parameter schemas, collecting every error of the file
// (each with file:line:col) before giving up. Two step forms are accepted:
// the seed prototype's (`module` + `function`, `step_*` names) and pxos's
// short form (`- step: layout_regions`).
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/roadmap/param.hpp"
#include "pxos/roadmap/step_registry.hpp"
#include "pxos/image/vram.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pxos {

struct RoadmapMetadata {
    std::string name = "pxOS";
    std::string version;
    std::string description;
    int vram_width = 512;
    int vram_height = 512;
    std::int64_t generation = 0;
};

struct OutputSettings {
    std::string png_path; // empty: the CLI's default (artifacts/<roadmap stem>.png)
    SourceLocation png_path_location; // where png_path was given, for the CLI's messages
    bool save_intermediate = false;
};

enum class StepForm { Native, Seed };

struct StepCall {
    const StepDefinition* definition = nullptr;
    std::string label; // the entry's `name:`, else the step's name
    std::string description;
    StepForm form = StepForm::Native;
    std::string module; // as written (seed form), may be empty
    std::vector<std::pair<std::string, ParamValue>> params; // in file order
    SourceLocation location;
};

struct Roadmap {
    std::string path;
    RoadmapMetadata metadata;
    std::vector<StepCall> steps;
    OutputSettings output;
    std::vector<Diagnostic> warnings; // things worth saying that do not stop a build
};

// Caps on YAML read from outside (a roadmap, an LLM reply), counted on the
// document as its aliases expand it.
struct YamlLimits {
    std::uint64_t max_nodes = cap_default(Cap::YamlNodes);
    std::uint64_t max_bytes = cap_default(Cap::YamlBytes); // of scalars
    std::uint64_t max_depth = cap_default(Cap::YamlDepth); // lists and maps nested

    static YamlLimits from_caps(const CapValues& caps)
    {
        return YamlLimits { caps.get(Cap::YamlNodes), caps.get(Cap::YamlBytes), caps.get(Cap::YamlDepth) };
    }
};

struct RoadmapLimits {
    static constexpr std::uint64_t kDefaultMaxFileBytes = cap_default(Cap::RoadmapFile);
    static constexpr std::size_t kDefaultMaxSteps = cap_default(Cap::RoadmapSteps);
    VRAMLimits vram;
    std::uint64_t max_file_bytes = kDefaultMaxFileBytes;
    std::size_t max_steps = kDefaultMaxSteps;
    YamlLimits yaml;

    static RoadmapLimits from_caps(const CapValues& caps)
    {
        return RoadmapLimits { VRAMLimits::from_caps(caps), caps.get(Cap::RoadmapFile), caps.get(Cap::RoadmapSteps),
            YamlLimits::from_caps(caps) };
    }
};

// `file` names the text in diagnostics. With `files`, an output.png_path
// that names an existing folder there is an error too.
Result<Roadmap> parse_roadmap(std::string_view text, const std::string& file, const StepRegistry& registry,
    const RoadmapLimits& limits = {}, FileSystem* files = nullptr);
Result<Roadmap> load_roadmap(FileSystem& files, const std::string& path, const StepRegistry& registry,
    const RoadmapLimits& limits = {});

// The roadmap in pxos's short form, canonical: the same roadmap always gives
// the same text (the improvement loop compares and stores roadmaps this
// way). Comments and the seed form are not kept.
std::string roadmap_to_yaml(const Roadmap& roadmap);

} // namespace pxos
