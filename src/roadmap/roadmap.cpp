#include "pxos/roadmap/roadmap.hpp"

#include "pxos/base/file_system.hpp"
#include "pxos/base/suggest.hpp"
#include "roadmap/yaml_document.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

namespace pxos {

namespace {

constexpr std::string_view kTopLevelKeys[] = { "metadata", "steps", "output" };
constexpr std::string_view kMetadataKeys[] = { "name", "version", "description", "vram_width", "vram_height",
    "generation" };
constexpr std::string_view kOutputKeys[] = { "png_path", "save_intermediate" };
constexpr std::string_view kStepKeys[] = { "step", "name", "module", "function", "description", "params" };

std::string describe(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence: return fmt::format("a list of {} items", node.size());
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Undefined: return "nothing";
    }
    return "something else";
}

std::optional<std::int64_t> parse_integer_text(const std::string& text)
{
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
    }
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    if (digits.empty())
        return std::nullopt;
    std::uint64_t magnitude = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (error != std::errc() || end != digits.data() + digits.size() || magnitude > std::uint64_t(INT64_MAX))
        return std::nullopt;
    return negative ? -std::int64_t(magnitude) : std::int64_t(magnitude);
}

std::optional<bool> parse_boolean_text(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (text == "true" || text == "yes" || text == "on")
        return true;
    if (text == "false" || text == "no" || text == "off")
        return false;
    return std::nullopt;
}

std::optional<double> parse_number_text(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// Walks one roadmap document, collecting every diagnostic.
class Loader {
public:
    Loader(const std::string& file, const StepRegistry& registry, const RoadmapLimits& limits, FileSystem* files)
        : m_file(file)
        , m_registry(registry)
        , m_limits(limits)
        , m_files(files)
    {
    }

    Result<Roadmap> load(std::string_view text);

private:
    SourceLocation location(const YAML::Node& node) const
    {
        YAML::Mark mark = node.Mark();
        if (mark.is_null())
            return SourceLocation { m_file, 0, 0 };
        return SourceLocation { m_file, mark.line + 1, mark.column + 1 };
    }
    void error(const YAML::Node& node, std::string message)
    {
        m_diagnostics.push_back(Diagnostic { Severity::Error, location(node), std::move(message) });
    }
    void warning(const YAML::Node& node, std::string message)
    {
        m_warnings.push_back(Diagnostic { Severity::Warning, location(node), std::move(message) });
    }

    // Checks a map's keys against the allowed set: unknown keys and
    // duplicates are reported (as errors, or warnings when lenient).
    enum class UnknownKeys { Error, Warn };
    void check_keys(const YAML::Node& map, std::span<const std::string_view> allowed, std::string_view what,
        UnknownKeys policy);

    // False (and an error) when a scalar's tag names another type than the
    // one expected: `!!int 5` where a string is read. `kinds` are core tag
    // names ("str", "int"...).
    bool check_tag(const YAML::Node& node, std::string_view what, std::initializer_list<std::string_view> kinds,
        std::string_view expected);
    std::optional<std::string> read_string(const YAML::Node& node, std::string_view what);
    std::optional<std::int64_t> read_integer(const YAML::Node& node, std::string_view what, std::int64_t minimum,
        std::int64_t maximum);
    std::optional<bool> read_boolean(const YAML::Node& node, std::string_view what);
    std::optional<RGBA> read_color(const YAML::Node& node, std::string_view what);
    std::optional<ParamValue> read_param(const YAML::Node& node, const ParamSpec& spec, std::string_view step_name);

    void load_metadata(const YAML::Node& node, Roadmap& roadmap);
    void load_output(const YAML::Node& node, Roadmap& roadmap);
    void load_steps(const YAML::Node& node, Roadmap& roadmap);
    std::optional<StepCall> load_step(const YAML::Node& node, std::size_t index);
    const StepDefinition* resolve_step(const YAML::Node& entry, StepCall& call);

    const std::string& m_file;
    const StepRegistry& m_registry;
    const RoadmapLimits& m_limits;
    FileSystem* m_files; // not owned; may be null (no folder check on output.png_path)
    std::vector<Diagnostic> m_diagnostics;
    std::vector<Diagnostic> m_warnings;
};

void Loader::check_keys(const YAML::Node& map, std::span<const std::string_view> allowed, std::string_view what,
    UnknownKeys policy)
{
    std::vector<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            error(key, fmt::format("{} keys must be plain names, found {}", what, describe(key)));
            continue;
        }
        const std::string& name = key.Scalar();
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
            error(key, fmt::format("duplicate key '{}' in {}", name, what));
            continue;
        }
        seen.push_back(name);
        if (std::find(allowed.begin(), allowed.end(), name) != allowed.end())
            continue;
        std::string message = fmt::format("unknown key '{}' in {}{}", name, what, did_you_mean(name, allowed));
        if (policy == UnknownKeys::Error)
            error(key, message);
        else
            warning(key, message + " (ignored)");
    }
}

bool Loader::check_tag(const YAML::Node& node, std::string_view what, std::initializer_list<std::string_view> kinds,
    std::string_view expected)
{
    if (!node.IsScalar() || yaml_tag_fits(node, kinds))
        return true;
    error(node, fmt::format("{} must be {}, found '{}' tagged {}", what, expected, node.Scalar(),
                    yaml_tag_text(node.Tag())));
    return false;
}

std::optional<std::string> Loader::read_string(const YAML::Node& node, std::string_view what)
{
    if (!node.IsScalar()) {
        error(node, fmt::format("{} must be a string, found {}", what, describe(node)));
        return std::nullopt;
    }
    if (!check_tag(node, what, { "str" }, "a string"))
        return std::nullopt;
    return node.Scalar();
}

std::optional<std::int64_t> Loader::read_integer(const YAML::Node& node, std::string_view what, std::int64_t minimum,
    std::int64_t maximum)
{
    if (!check_tag(node, what, { "int" }, "an integer"))
        return std::nullopt;
    std::optional<std::int64_t> value;
    if (node.IsScalar())
        value = parse_integer_text(node.Scalar());
    if (!value) {
        error(node, fmt::format("{} must be an integer, found {}", what, describe(node)));
        return std::nullopt;
    }
    if (*value < minimum || *value > maximum) {
        error(node, fmt::format("{} is {}, out of range {}..{}", what, *value, minimum, maximum));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> Loader::read_boolean(const YAML::Node& node, std::string_view what)
{
    if (!check_tag(node, what, { "bool" }, "true or false"))
        return std::nullopt;
    std::optional<bool> value;
    if (node.IsScalar())
        value = parse_boolean_text(node.Scalar());
    if (!value)
        error(node, fmt::format("{} must be true or false, found {}", what, describe(node)));
    return value;
}

std::optional<RGBA> Loader::read_color(const YAML::Node& node, std::string_view what)
{
    if (!check_tag(node, what, { "str" }, "a colour"))
        return std::nullopt;
    if (node.IsScalar() && !node.Scalar().empty() && node.Scalar().front() == '#') {
        const std::string& text = node.Scalar();
        std::uint32_t value = 0;
        auto [end, parse_error] = std::from_chars(text.data() + 1, text.data() + text.size(), value, 16);
        if ((text.size() == 7 || text.size() == 9) && parse_error == std::errc() && end == text.data() + text.size()) {
            if (text.size() == 7)
                return RGBA { std::uint8_t(value >> 16), std::uint8_t(value >> 8), std::uint8_t(value), 255 };
            return RGBA { std::uint8_t(value >> 24), std::uint8_t(value >> 16), std::uint8_t(value >> 8),
                std::uint8_t(value) };
        }
    }
    if (!node.IsSequence() || node.size() < 3 || node.size() > 4) {
        error(node, fmt::format("{} must be a colour: a list of 3 or 4 integers 0-255 (or \"#rrggbb[aa]\"), found {}",
                        what, describe(node)));
        return std::nullopt;
    }
    std::uint8_t components[4] = { 0, 0, 0, 255 };
    bool valid = true;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const YAML::Node& component = node[i];
        std::optional<std::int64_t> value;
        if (component.IsScalar() && yaml_tag_fits(component, { "int" }))
            value = parse_integer_text(component.Scalar());
        if (!value || *value < 0 || *value > 255) {
            error(component, fmt::format("{} component {} must be an integer 0-255, found {}", what, i + 1,
                                 describe(component)));
            valid = false;
            continue;
        }
        components[i] = std::uint8_t(*value);
    }
    if (!valid)
        return std::nullopt;
    return RGBA { components[0], components[1], components[2], components[3] };
}

std::optional<ParamValue> Loader::read_param(const YAML::Node& node, const ParamSpec& spec, std::string_view step_name)
{
    std::string what = fmt::format("parameter '{}' of step '{}'", spec.name, step_name);
    switch (spec.type) {
    case ParamType::Integer:
        if (auto value = read_integer(node, what, spec.minimum, spec.maximum))
            return ParamValue(*value);
        return std::nullopt;
    case ParamType::Number:
        if (!check_tag(node, what, { "int", "float" }, "a number"))
            return std::nullopt;
        if (node.IsScalar())
            if (auto value = parse_number_text(node.Scalar()))
                return ParamValue(*value);
        error(node, fmt::format("{} must be a number, found {}", what, describe(node)));
        return std::nullopt;
    case ParamType::Boolean:
        if (auto value = read_boolean(node, what))
            return ParamValue(*value);
        return std::nullopt;
    case ParamType::String:
        if (auto value = read_string(node, what))
            return ParamValue(*value);
        return std::nullopt;
    case ParamType::Color:
        if (auto value = read_color(node, what))
            return ParamValue(*value);
        return std::nullopt;
    }
    return std::nullopt;
}

void Loader::load_metadata(const YAML::Node& node, Roadmap& roadmap)
{
    if (node.IsNull())
        return;
    if (!node.IsMap()) {
        error(node, fmt::format("'metadata' must be a map, found {}", describe(node)));
        return;
    }
    check_keys(node, kMetadataKeys, "metadata", UnknownKeys::Warn);
    RoadmapMetadata& metadata = roadmap.metadata;
    if (const YAML::Node name = node["name"])
        if (auto value = read_string(name, "metadata.name"))
            metadata.name = *value;
    if (const YAML::Node version = node["version"])
        if (auto value = read_string(version, "metadata.version"))
            metadata.version = *value;
    if (const YAML::Node description = node["description"])
        if (auto value = read_string(description, "metadata.description"))
            metadata.description = *value;
    if (const YAML::Node generation = node["generation"])
        if (auto value = read_integer(generation, "metadata.generation", 0, INT32_MAX))
            metadata.generation = *value;

    int max = m_limits.vram.max_dimension;
    const YAML::Node width = node["vram_width"];
    const YAML::Node height = node["vram_height"];
    bool sizes_valid = true;
    if (width) {
        if (auto value = read_integer(width, "metadata.vram_width", 1, max))
            metadata.vram_width = int(*value);
        else
            sizes_valid = false;
    }
    if (height) {
        if (auto value = read_integer(height, "metadata.vram_height", 1, max))
            metadata.vram_height = int(*value);
        else
            sizes_valid = false;
    }
    if (sizes_valid) {
        auto checked = m_limits.vram.check(metadata.vram_width, metadata.vram_height);
        if (!checked)
            error(width ? width : (height ? height : node), checked.error().diagnostics().front().message);
    }
}

void Loader::load_output(const YAML::Node& node, Roadmap& roadmap)
{
    if (node.IsNull())
        return;
    if (!node.IsMap()) {
        error(node, fmt::format("'output' must be a map, found {}", describe(node)));
        return;
    }
    check_keys(node, kOutputKeys, "output", UnknownKeys::Error);
    if (const YAML::Node path = node["png_path"]) {
        if (auto value = read_string(path, "output.png_path")) {
            if (value->empty())
                error(path, "output.png_path is empty, expected a file name");
            else if (auto named = check_output_name(*value); !named && value->back() != '/') // a NUL would cut the name short
                error(path, "output.png_path: " + named.error().diagnostics().front().message);
            else if (value->back() == '/' || (m_files && m_files->kind_of(*value) == FileKind::Directory))
                error(path, fmt::format("output.png_path '{}' is a directory, expected a file name", *value));
            else {
                roadmap.output.png_path = *value;
                roadmap.output.png_path_location = location(path);
            }
        }
    }
    if (const YAML::Node intermediate = node["save_intermediate"])
        if (auto value = read_boolean(intermediate, "output.save_intermediate"))
            roadmap.output.save_intermediate = *value;
}

const StepDefinition* Loader::resolve_step(const YAML::Node& entry, StepCall& call)
{
    const YAML::Node step_node = entry["step"];
    const YAML::Node function_node = entry["function"];
    const YAML::Node module_node = entry["module"];
    if (step_node && function_node) {
        error(step_node, "a step entry takes either 'step:' (pxos form) or 'function:' (seed form), not both");
        return nullptr;
    }
    const YAML::Node& name_node = step_node ? step_node : function_node;
    if (!name_node) {
        if (module_node)
            error(entry, "seed-form step entry has 'module:' but no 'function:'");
        else
            error(entry, "step entry needs 'step: NAME' (or the seed's 'module:' and 'function:')");
        return nullptr;
    }
    call.form = step_node ? StepForm::Native : StepForm::Seed;
    auto name = read_string(name_node, step_node ? "'step'" : "'function'");
    if (!name)
        return nullptr;
    const StepDefinition* definition = m_registry.find(*name);
    if (!definition) {
        std::vector<std::string_view> names = m_registry.all_names();
        error(name_node, fmt::format("unknown step '{}'{}", *name, did_you_mean(*name, names)));
        return nullptr;
    }
    if (module_node) {
        auto module = read_string(module_node, "'module'");
        if (!module)
            return nullptr;
        call.module = *module;
        std::vector<std::string_view> modules = m_registry.modules();
        if (std::find(modules.begin(), modules.end(), *module) == modules.end()) {
            error(module_node, fmt::format("unknown module '{}'{}", *module, did_you_mean(*module, modules)));
            return nullptr;
        }
        if (*module != definition->module && *module != definition->seed_module) {
            error(module_node, fmt::format("step '{}' is not in module '{}'; it is in '{}'", definition->name, *module,
                                   definition->seed_module.empty() ? definition->module : definition->seed_module));
            return nullptr;
        }
    }
    return definition;
}

std::optional<StepCall> Loader::load_step(const YAML::Node& entry, std::size_t index)
{
    if (!entry.IsMap()) {
        error(entry, fmt::format("step {} must be a map (e.g. '- step: layout_regions'), found {}", index + 1,
                         describe(entry)));
        return std::nullopt;
    }
    check_keys(entry, kStepKeys, fmt::format("step {}", index + 1), UnknownKeys::Error);

    StepCall call;
    call.location = location(entry);
    const StepDefinition* definition = resolve_step(entry, call);
    if (const YAML::Node label = entry["name"])
        if (auto value = read_string(label, "step 'name'"))
            call.label = *value;
    if (const YAML::Node description = entry["description"])
        if (auto value = read_string(description, "step 'description'"))
            call.description = *value;
    if (!definition)
        return std::nullopt;
    call.definition = definition;
    if (call.label.empty())
        call.label = std::string(definition->name);

    const YAML::Node params = entry["params"];
    if (!params || params.IsNull())
        return call;
    if (!params.IsMap()) {
        error(params, fmt::format("'params' of step '{}' must be a map of name: value, found {}", definition->name,
                          describe(params)));
        return std::nullopt;
    }
    bool valid = true;
    std::vector<std::string_view> known;
    for (const ParamSpec& spec : definition->params)
        known.push_back(spec.name);
    for (auto it = params.begin(); it != params.end(); ++it) {
        const YAML::Node key = it->first;
        std::string name = key.IsScalar() ? key.Scalar() : std::string();
        const ParamSpec* spec = definition->find_param(name);
        if (!spec) {
            std::string hint = did_you_mean(name, known);
            if (hint.empty())
                hint = known.empty() ? " (it takes no parameters)"
                                     : fmt::format(" (it takes: {})", fmt::join(known, ", "));
            error(key, fmt::format("unknown parameter '{}' for step '{}'{}", name, definition->name, hint));
            valid = false;
            continue;
        }
        auto duplicate = std::find_if(call.params.begin(), call.params.end(),
            [&](const auto& param) { return param.first == name; });
        if (duplicate != call.params.end()) {
            error(key, fmt::format("duplicate parameter '{}' for step '{}'", name, definition->name));
            valid = false;
            continue;
        }
        auto value = read_param(it->second, *spec, definition->name);
        if (!value) {
            valid = false;
            continue;
        }
        call.params.emplace_back(name, std::move(*value));
    }
    if (!valid)
        return std::nullopt;
    return call;
}

void Loader::load_steps(const YAML::Node& node, Roadmap& roadmap)
{
    if (!node.IsSequence()) {
        error(node, fmt::format("'steps' must be a list of steps, found {}", describe(node)));
        return;
    }
    if (node.size() > m_limits.max_steps) {
        error(node, fmt::format("roadmap has {} steps, over {}", node.size(), cap_text(Cap::RoadmapSteps, m_limits.max_steps)));
        return;
    }
    if (node.size() == 0)
        warning(node, "roadmap has no steps; the image will be the blank VRAM");
    for (std::size_t i = 0; i < node.size(); ++i)
        if (auto call = load_step(node[i], i))
            roadmap.steps.push_back(std::move(*call));
}

Result<Roadmap> Loader::load(std::string_view text)
{
    auto loaded = load_yaml_document(text, m_file, m_limits.yaml);
    if (!loaded)
        return std::move(loaded).error();
    const YAML::Node& document = *loaded; // const: lookups never insert keys
    Roadmap roadmap;
    roadmap.path = m_file;
    if (!document.IsMap()) {
        if (document.IsNull())
            return Error::bad_input(m_file, "roadmap is empty; expected a map with 'steps:'");
        return Error::bad_input(location(document),
            fmt::format("roadmap must be a map with 'steps:', found {}", describe(document)));
    }
    check_keys(document, kTopLevelKeys, "the roadmap", UnknownKeys::Error);
    if (const YAML::Node metadata = document["metadata"])
        load_metadata(metadata, roadmap);
    if (const YAML::Node steps = document["steps"])
        load_steps(steps, roadmap);
    else
        error(document, "roadmap has no 'steps:' list");
    if (const YAML::Node output = document["output"])
        load_output(output, roadmap);

    if (!m_diagnostics.empty()) {
        m_diagnostics.insert(m_diagnostics.end(), m_warnings.begin(), m_warnings.end());
        return Error(ErrorKind::BadInput, std::move(m_diagnostics));
    }
    roadmap.warnings = std::move(m_warnings);
    return roadmap;
}

} // namespace

Result<Roadmap> parse_roadmap(std::string_view text, const std::string& file, const StepRegistry& registry,
    const RoadmapLimits& limits, FileSystem* files)
{
    if (text.size() > limits.max_file_bytes)
        return Error::bad_input(file, fmt::format("roadmap is {} bytes, over {}", text.size(),
                                          cap_text(Cap::RoadmapFile, limits.max_file_bytes)));
    Loader loader(file, registry, limits, files);
    try {
        return loader.load(text);
    } catch (const YAML::Exception& exception) {
        // yaml-cpp may still throw while walking odd documents; keep its place.
        return Error::bad_input(yaml_location(file, exception.mark), "YAML: " + exception.msg);
    }
}

Result<Roadmap> load_roadmap(FileSystem& files, const std::string& path, const StepRegistry& registry,
    const RoadmapLimits& limits)
{
    auto text = files.read_file_text(path, limits.max_file_bytes, Cap::RoadmapFile);
    if (!text)
        return std::move(text).error();
    return parse_roadmap(*text, path, registry, limits, &files);
}

} // namespace pxos
