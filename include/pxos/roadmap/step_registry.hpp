// The step registry: one explicit table of build steps (name, aliases such
// as the seed's `step_*` function names, module, summary, parameter schema,
// function). The same table validates roadmaps, lists steps for people and
// for the LLM (`pxos steps [--json]`), and runs builds. The table itself
// lives in steps/; the core only knows its shape, so the core has no
// dependency on any particular step.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/roadmap/param.hpp"
#include "pxos/image/vram.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

struct StepDefinition;
struct CodeLimits;
class AssemblyCache;
class SourceMap;

// What a running step sees: the VRAM, the context, and typed access to its
// parameters (the context's value when set, else the schema default).
class StepContext {
public:
    using OwnParams = std::vector<std::pair<std::string, ParamValue>>;
    StepContext(SimulatedVRAM& vram, BuildContext& context, const StepDefinition& definition,
        const OwnParams& own_params, SourceMap& source_map, const CodeLimits& code_limits, std::string where,
        FileSystem* files = nullptr, AssemblyCache* assemblies = nullptr)
        : m_vram(vram)
        , m_context(context)
        , m_definition(definition)
        , m_own_params(own_params)
        , m_source_map(source_map)
        , m_code_limits(code_limits)
        , m_where(std::move(where))
        , m_files(files)
        , m_assemblies(assemblies)
    {
    }

    SimulatedVRAM& vram() { return m_vram; }
    BuildContext& context() { return m_context; }
    // Where pixel code assembled by steps came from, for faults and traces.
    SourceMap& source_map() { return m_source_map; }
    // The caps on pxasm the step assembles (--max-source-mib, --max-program-words).
    const CodeLimits& code_limits() const { return m_code_limits; }
    // Where the step reads the files its parameters name (not owned; null: none).
    FileSystem* files() const { return m_files; }
    // Where the step's assemblies are remembered across builds (not owned; null: assemble every time).
    AssemblyCache* assemblies() const { return m_assemblies; }
    // The roadmap entry running ("roadmap.yaml:12:5"), for messages.
    const std::string& where() const { return m_where; }
    // True when this entry of the roadmap gave the parameter itself.
    bool has_own(std::string_view name) const;
    // The folder relative paths in parameters are resolved against.
    std::string roadmap_folder() const;

    std::int64_t integer(std::string_view name) const;
    double number(std::string_view name) const;
    bool boolean(std::string_view name) const;
    std::string string(std::string_view name) const;
    RGBA color(std::string_view name) const;

    // Records a result for later steps, as the seed's steps did (ctx[key] = v).
    void set(const std::string& key, ParamValue value) { m_context.set(key, std::move(value)); }

private:
    const ParamValue& lookup(std::string_view name, ParamType type) const;

    SimulatedVRAM& m_vram;
    BuildContext& m_context;
    const StepDefinition& m_definition;
    const OwnParams& m_own_params;
    SourceMap& m_source_map;
    const CodeLimits& m_code_limits;
    std::string m_where;
    FileSystem* m_files;
    AssemblyCache* m_assemblies;
};

using StepFunction = Result<void> (*)(StepContext&);

struct StepDefinition {
    std::string_view name;                     // canonical, e.g. "layout_regions"
    std::vector<std::string_view> aliases;     // e.g. "step_layout_regions"
    std::string_view module;                   // pxos's own module, e.g. "pxos.steps.layout"
    std::string_view seed_module;              // the seed's module path, or empty
    std::string_view summary;                  // one line
    std::vector<ParamSpec> params;
    std::vector<std::string_view> context_outputs; // keys the step sets besides its parameters
    StepFunction function = nullptr;

    const ParamSpec* find_param(std::string_view param_name) const;
};

class StepRegistry {
public:
    explicit StepRegistry(std::vector<StepDefinition> steps);

    std::span<const StepDefinition> steps() const { return m_steps; }
    // By canonical name or alias.
    const StepDefinition* find(std::string_view name) const;
    // Canonical names and aliases, for "did you mean".
    std::vector<std::string_view> all_names() const;
    // Every module path a roadmap may name (pxos's own and the seed's).
    std::vector<std::string_view> modules() const;

    // The registry as JSON text (for `pxos steps --json` and the LLM prompt).
    std::string to_json() const;

private:
    std::vector<StepDefinition> m_steps;
};

} // namespace pxos
