#include "pxos/loop/agents.hpp"

#include "pxos/loop/sources.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <tuple>

namespace pxos {

namespace {

std::string shown(std::string_view text)
{
    std::string head(text.substr(0, 60));
    return fmt::format("--agent '{}{}'", head, text.size() > head.size() ? "..." : "");
}

std::string region_list()
{
    std::string text;
    for (std::string_view region : kAgentRegions)
        text += (text.empty() ? "" : ", ") + std::string(region);
    return text;
}

std::size_t region_order(const std::string& region)
{
    return std::size_t(std::find(kAgentRegions.begin(), kAgentRegions.end(), region) - kAgentRegions.begin());
}

std::string region_of(const StepCall& call) { return step_region(call.definition ? std::string(call.definition->name) : ""); }

// A step as the canonical text writes it: two steps are the same when these are.
std::string step_text(const StepCall& call)
{
    Roadmap alone;
    alone.steps.push_back(call);
    return roadmap_to_yaml(alone);
}

// The roadmap with no steps: its metadata and output as the canonical text writes them.
std::string frame_text(const Roadmap& roadmap)
{
    Roadmap frame;
    frame.metadata = roadmap.metadata;
    frame.output = roadmap.output;
    return roadmap_to_yaml(frame);
}

std::string step_name(const StepCall& call) { return call.definition ? std::string(call.definition->name) : call.label; }

// The steps of `roadmap` outside `region`, by index.
std::vector<std::size_t> outside(const Roadmap& roadmap, const std::string& region)
{
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < roadmap.steps.size(); ++i)
        if (region_of(roadmap.steps[i]) != region)
            indices.push_back(i);
    return indices;
}

std::string region_steps(const std::string& region)
{
    if (region == "kernel")
        return "install_kernel";
    if (region == "programs")
        return "add_process, add_file";
    return "every step but install_kernel, add_process and add_file, and the metadata";
}

} // namespace

Result<AgentSpec> parse_agent_spec(std::string_view text)
{
    std::size_t equals = text.find('=');
    if (equals == std::string_view::npos)
        return Error::usage(fmt::format("{}: give REGION=CMD (regions: {})", shown(text), region_list()));
    AgentSpec spec { std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)) };
    if (std::find(kAgentRegions.begin(), kAgentRegions.end(), spec.region) == kAgentRegions.end())
        return Error::usage(
            fmt::format("{}: unknown region '{}' (regions: {})", shown(text), spec.region, region_list()));
    if (spec.command.find_first_not_of(" \t\r\n") == std::string::npos)
        return Error::usage(fmt::format("{}: the {} agent has no command after the '='", shown(text), spec.region));
    return spec;
}

Result<std::vector<AgentSpec>> parse_agent_specs(const std::vector<std::string>& texts)
{
    std::vector<AgentSpec> specs;
    for (const std::string& text : texts) {
        auto spec = parse_agent_spec(text);
        if (!spec)
            return std::move(spec).error();
        if (std::any_of(specs.begin(), specs.end(), [&](const AgentSpec& s) { return s.region == spec->region; }))
            return Error::usage(fmt::format("{}: a second agent for the region '{}'; one agent per region",
                shown(text), spec->region));
        specs.push_back(std::move(*spec));
    }
    std::stable_sort(specs.begin(), specs.end(),
        [](const AgentSpec& a, const AgentSpec& b) { return region_order(a.region) < region_order(b.region); });
    return specs;
}

Result<void> check_agent_change(const Roadmap& parent, const Roadmap& proposed, const std::string& region,
    const std::string& file)
{
    std::string may = fmt::format("the {} agent may change only its region's steps ({})", region, region_steps(region));
    if (region != "layout" && frame_text(parent) != frame_text(proposed))
        return Error::bad_input(file, fmt::format("the metadata or output settings changed: {}; keep them as they are",
                                          may));
    std::vector<std::size_t> before = outside(parent, region);
    std::vector<std::size_t> after = outside(proposed, region);
    for (std::size_t k = 0; k < std::max(before.size(), after.size()); ++k) {
        bool same = k < before.size() && k < after.size()
            && step_text(parent.steps[before[k]]) == step_text(proposed.steps[after[k]]);
        if (same)
            continue;
        if (k < after.size()) {
            const StepCall& call = proposed.steps[after[k]];
            return Error::bad_input(file, fmt::format("step {} ({}) is in the region {} and is not the parent's "
                                                      "step there: {}; keep every other step as it is",
                                              after[k] + 1, step_name(call), region_of(call), may));
        }
        const StepCall& call = parent.steps[before[k]];
        return Error::bad_input(file, fmt::format("the parent's step {} ({}, region {}) was removed or changed: {}; "
                                                  "keep every other step as it is",
                                          before[k] + 1, step_name(call), region_of(call), may));
    }
    return {};
}

Result<Roadmap> agent_roadmap(const std::string& text, const Roadmap& parent, const std::string& region,
    const StepRegistry& registry, const RoadmapLimits& limits)
{
    auto proposed = parse_roadmap(text, "reply.yaml", registry, limits);
    if (!proposed)
        return std::move(proposed).error();
    PXOS_TRY(check_agent_change(parent, *proposed, region, "reply.yaml"));
    return proposed;
}

Roadmap combine_agent_changes(const Roadmap& parent, const std::vector<AgentChange>& changes)
{
    // (the parent's step it follows, 0: a parent step / 1: an agent's, region order, its order) -> the step
    using Key = std::tuple<std::size_t, int, std::size_t, std::size_t>;
    std::vector<std::pair<Key, const StepCall*>> placed;
    auto changed = [&](const std::string& region) {
        return std::any_of(changes.begin(), changes.end(), [&](const AgentChange& c) { return c.region == region; });
    };
    for (std::size_t i = 0; i < parent.steps.size(); ++i)
        if (!changed(region_of(parent.steps[i])))
            placed.push_back({ Key { i + 1, 0, 0, 0 }, &parent.steps[i] });
    Roadmap combined = parent;
    for (const AgentChange& change : changes) {
        std::vector<std::size_t> anchors = outside(parent, change.region); // the same steps as outside the proposal
        std::size_t seen = 0; // steps outside the region so far
        for (std::size_t j = 0; j < change.proposed->steps.size(); ++j) {
            const StepCall& call = change.proposed->steps[j];
            if (region_of(call) != change.region) {
                ++seen;
                continue;
            }
            std::size_t anchor = seen == 0 || seen > anchors.size() ? 0 : anchors[seen - 1] + 1;
            placed.push_back({ Key { anchor, 1, region_order(change.region), j }, &call });
        }
        if (change.region == "layout") {
            combined.metadata = change.proposed->metadata;
            combined.output = change.proposed->output;
        }
    }
    std::stable_sort(placed.begin(), placed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    combined.steps.clear();
    for (const auto& [key, call] : placed)
        combined.steps.push_back(*call);
    return combined;
}

} // namespace pxos
