#include "pxos/roadmap/roadmap.hpp"

#include <fmt/format.h>

namespace pxos {

namespace {

// A YAML double-quoted scalar (JSON's escapes are valid YAML).
std::string quoted(std::string_view text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20)
                out += fmt::format("\\x{:02x}", c);
            else
                out += char(c);
        }
    }
    return out + "\"";
}

std::string value_text(const ParamValue& value)
{
    if (auto* text = std::get_if<std::string>(&value))
        return quoted(*text);
    return format_param_value(value);
}

} // namespace

std::string roadmap_to_yaml(const Roadmap& roadmap)
{
    const RoadmapMetadata& metadata = roadmap.metadata;
    std::string text = "metadata:\n";
    text += fmt::format("  name: {}\n", quoted(metadata.name));
    if (!metadata.version.empty())
        text += fmt::format("  version: {}\n", quoted(metadata.version));
    if (!metadata.description.empty())
        text += fmt::format("  description: {}\n", quoted(metadata.description));
    text += fmt::format("  vram_width: {}\n  vram_height: {}\n", metadata.vram_width, metadata.vram_height);
    if (metadata.generation)
        text += fmt::format("  generation: {}\n", metadata.generation);
    text += roadmap.steps.empty() ? "steps: []\n" : "steps:\n";
    for (const StepCall& call : roadmap.steps) {
        text += fmt::format("  - step: {}\n", call.definition->name);
        if (call.label != call.definition->name)
            text += fmt::format("    name: {}\n", quoted(call.label));
        if (!call.description.empty())
            text += fmt::format("    description: {}\n", quoted(call.description));
        if (!call.params.empty()) {
            text += "    params:\n";
            for (const auto& [name, value] : call.params)
                text += fmt::format("      {}: {}\n", name, value_text(value));
        }
    }
    if (!roadmap.output.png_path.empty() || roadmap.output.save_intermediate) {
        text += "output:\n";
        if (!roadmap.output.png_path.empty())
            text += fmt::format("  png_path: {}\n", quoted(roadmap.output.png_path));
        if (roadmap.output.save_intermediate)
            text += "  save_intermediate: true\n";
    }
    return text;
}

} // namespace pxos
