// `pxos limits [--json | --markdown]`: the caps table (pxos/limits.hpp), with
// the commands that take each cap's flag (found in the parsed command table).
#include "commands.hpp"
#include "base/json_writer.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace pxos::cli {

namespace {

std::string amount(const CapInfo& info, std::uint64_t units)
{
    return fmt::format("{} {}", units, info.unit);
}

const std::vector<std::string>& commands_of(const LimitsCommandOptions& options, const CapInfo& info)
{
    static const std::vector<std::string> none;
    auto found = options.commands.find(std::string(info.flag));
    return found == options.commands.end() ? none : found->second;
}

} // namespace

int run_limits_command(const LimitsCommandOptions& options)
{
    std::string text;
    if (options.json) {
        nlohmann::ordered_json caps = nlohmann::ordered_json::array();
        for (const CapInfo& info : kCaps)
            caps.push_back({ { "cap", info.name }, { "flag", info.flag }, { "unit", info.unit },
                { "default", info.default_units }, { "maximum", info.max_units }, { "protects", info.protects },
                { "commands", commands_of(options, info) } });
        nlohmann::ordered_json document { { "schema", kJsonSchema }, { "caps", std::move(caps) } };
        text = write_json(document, JsonLayout::Indented) + "\n";
    } else if (options.markdown) {
        text = "| Cap | Flag | Default | Up to | Protects | Commands |\n|---|---|---|---|---|---|\n";
        for (const CapInfo& info : kCaps)
            text += fmt::format("| {} | `{}` | {} | {} | {} | {} |\n", info.name, info.flag,
                amount(info, info.default_units), amount(info, info.max_units), info.protects,
                fmt::join(commands_of(options, info), ", "));
    } else {
        text = fmt::format("{:<22} {:<16} {:<20} {}\n", "FLAG", "DEFAULT", "UP TO", "CAP");
        for (const CapInfo& info : kCaps)
            text += fmt::format("{:<22} {:<16} {:<20} {}: {}\n    commands: {}\n", info.flag,
                amount(info, info.default_units), amount(info, info.max_units), info.name, info.protects,
                fmt::join(commands_of(options, info), ", "));
        text += "A message that refuses input over a cap names the flag that raises it.\n";
    }
    std::fputs(text.c_str(), stdout);
    return 0;
}

} // namespace pxos::cli
