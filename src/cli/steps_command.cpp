// `pxos steps [--json]`: the step registry for people and for the LLM.
#include "commands.hpp"

#include "builtin_steps.hpp"

#include <cstdio>
#include <fmt/format.h>

namespace pxos::cli {

int run_steps_command(const StepsCommandOptions& options)
{
    const StepRegistry& registry = steps::builtin_registry();
    if (options.json) {
        std::fputs(registry.to_json().c_str(), stdout);
        return 0;
    }
    std::string text;
    if (options.markdown) {
        text = "| Step | Module | What it does | Parameters |\n|---|---|---|---|\n";
        for (const StepDefinition& step : registry.steps()) {
            std::string name = fmt::format("`{}`", step.name);
            for (std::string_view alias : step.aliases)
                name += fmt::format(" (alias `{}`)", alias);
            std::string params;
            for (const ParamSpec& param : step.params) {
                std::string range;
                if (param.type == ParamType::Integer)
                    range = fmt::format(", {}..{}", param.minimum, param.maximum);
                params += fmt::format("{}`{}` ({}{}, default `{}`): {}", params.empty() ? "" : "<br>", param.name,
                    param_type_name(param.type), range, format_param_value(param.default_value), param.doc);
            }
            text += fmt::format("| {} | {} | {} | {} |\n", name, step.module, step.summary, params.empty() ? "none" : params);
        }
        std::fputs(text.c_str(), stdout);
        return 0;
    }
    for (const StepDefinition& step : registry.steps()) {
        text += fmt::format("{}  ({}", step.name, step.module);
        for (std::string_view alias : step.aliases)
            text += fmt::format("; alias {}", alias);
        text += fmt::format(")\n    {}\n", step.summary);
        for (const ParamSpec& param : step.params) {
            std::string range;
            if (param.type == ParamType::Integer)
                range = fmt::format(", {}..{}", param.minimum, param.maximum);
            text += fmt::format("    - {} ({}{}, default {}): {}\n", param.name, param_type_name(param.type), range,
                format_param_value(param.default_value), param.doc);
        }
    }
    std::fputs(text.c_str(), stdout);
    return 0;
}

} // namespace pxos::cli
