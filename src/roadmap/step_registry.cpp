#include "pxos/roadmap/step_registry.hpp"

#include "base/json_writer.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace pxos {

const ParamSpec* StepDefinition::find_param(std::string_view param_name) const
{
    for (const ParamSpec& spec : params)
        if (spec.name == param_name)
            return &spec;
    return nullptr;
}

bool StepContext::has_own(std::string_view name) const
{
    for (const auto& [key, value] : m_own_params)
        if (key == name)
            return true;
    return false;
}

std::string StepContext::roadmap_folder() const
{
    const ParamValue* folder = m_context.find("roadmap_folder");
    if (folder && folder->index() == 3)
        return std::get<std::string>(*folder);
    return ".";
}

const ParamValue& StepContext::lookup(std::string_view name, ParamType type) const
{
    const ParamSpec* spec = m_definition.find_param(name);
    if (spec->scope == ParamSpec::Scope::OwnEntry) {
        for (const auto& [key, value] : m_own_params)
            if (key == name)
                return value;
        return spec->default_value;
    }
    const ParamValue* value = m_context.find(name);
    // The registry test guarantees that parameters sharing a name share a
    // type, so a context value of another type can only come from a key a
    // step set for itself; the schema default is then the right reading.
    if (value && (param_type_of(*value) == type || (type == ParamType::Number && value->index() == 0)))
        return *value;
    return spec->default_value;
}

std::int64_t StepContext::integer(std::string_view name) const
{
    return std::get<std::int64_t>(lookup(name, ParamType::Integer));
}

double StepContext::number(std::string_view name) const
{
    const ParamValue& value = lookup(name, ParamType::Number);
    if (auto* integer = std::get_if<std::int64_t>(&value))
        return double(*integer);
    return std::get<double>(value);
}

bool StepContext::boolean(std::string_view name) const
{
    return std::get<bool>(lookup(name, ParamType::Boolean));
}

std::string StepContext::string(std::string_view name) const
{
    return std::get<std::string>(lookup(name, ParamType::String));
}

RGBA StepContext::color(std::string_view name) const
{
    return std::get<RGBA>(lookup(name, ParamType::Color));
}

StepRegistry::StepRegistry(std::vector<StepDefinition> steps)
    : m_steps(std::move(steps))
{
}

const StepDefinition* StepRegistry::find(std::string_view name) const
{
    for (const StepDefinition& step : m_steps) {
        if (step.name == name)
            return &step;
        if (std::find(step.aliases.begin(), step.aliases.end(), name) != step.aliases.end())
            return &step;
    }
    return nullptr;
}

std::vector<std::string_view> StepRegistry::all_names() const
{
    std::vector<std::string_view> names;
    for (const StepDefinition& step : m_steps) {
        names.push_back(step.name);
        names.insert(names.end(), step.aliases.begin(), step.aliases.end());
    }
    return names;
}

std::vector<std::string_view> StepRegistry::modules() const
{
    std::vector<std::string_view> names;
    for (const StepDefinition& step : m_steps) {
        for (std::string_view module : { step.module, step.seed_module })
            if (!module.empty() && std::find(names.begin(), names.end(), module) == names.end())
                names.push_back(module);
    }
    return names;
}

namespace {

nlohmann::ordered_json value_to_json(const ParamValue& value)
{
    if (auto* integer = std::get_if<std::int64_t>(&value))
        return *integer;
    if (auto* number = std::get_if<double>(&value))
        return *number;
    if (auto* boolean = std::get_if<bool>(&value))
        return *boolean;
    if (auto* text = std::get_if<std::string>(&value))
        return *text;
    const RGBA& color = std::get<RGBA>(value);
    return nlohmann::ordered_json::array({ color.r, color.g, color.b, color.a });
}

} // namespace

std::string StepRegistry::to_json() const
{
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const StepDefinition& step : m_steps) {
        nlohmann::ordered_json entry;
        entry["name"] = step.name;
        entry["aliases"] = step.aliases;
        entry["module"] = step.module;
        if (!step.seed_module.empty())
            entry["seed_module"] = step.seed_module;
        entry["summary"] = step.summary;
        nlohmann::ordered_json params = nlohmann::ordered_json::array();
        for (const ParamSpec& spec : step.params) {
            nlohmann::ordered_json param;
            param["name"] = spec.name;
            param["type"] = param_type_name(spec.type);
            param["default"] = value_to_json(spec.default_value);
            if (spec.type == ParamType::Integer) {
                param["minimum"] = spec.minimum;
                param["maximum"] = spec.maximum;
            }
            param["inherited"] = spec.scope == ParamSpec::Scope::Inherited;
            param["doc"] = spec.doc;
            params.push_back(std::move(param));
        }
        entry["params"] = std::move(params);
        entry["context_outputs"] = step.context_outputs;
        steps.push_back(std::move(entry));
    }
    nlohmann::ordered_json root;
    root["schema"] = kJsonSchema;
    root["steps"] = std::move(steps);
    return write_json(root, JsonLayout::Indented) + "\n";
}

} // namespace pxos
