#include "pxos/roadmap/build.hpp"

#include "base/json_writer.hpp"

namespace pxos {

namespace {

void add_report(nlohmann::ordered_json& root, const BuildReport& report)
{
    root["roadmap"] = report.roadmap_name;
    root["roadmap_path"] = report.roadmap_path;
    root["width"] = report.width;
    root["height"] = report.height;
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const StepReport& step : report.steps) {
        nlohmann::ordered_json entry;
        entry["index"] = step.index + 1;
        entry["name"] = step.label;
        entry["step"] = step.step;
        entry["duration_ms"] = step.duration_ms;
        entry["pixels_written"] = step.pixels_written;
        entry["context_keys_set"] = step.context_keys_set;
        steps.push_back(std::move(entry));
    }
    root["steps"] = std::move(steps);
    root["total_ms"] = report.total_ms;
}

} // namespace

std::string build_report_to_json(const BuildReport& report)
{
    nlohmann::ordered_json root;
    add_report(root, report);
    return write_json(root, JsonLayout::Indented) + "\n";
}

std::string build_summary_to_json(const BuildReport& report, const std::string& output_path)
{
    nlohmann::ordered_json root;
    root["schema"] = 1;
    root["output"] = output_path;
    add_report(root, report);
    return write_json(root, JsonLayout::Indented) + "\n";
}

} // namespace pxos
