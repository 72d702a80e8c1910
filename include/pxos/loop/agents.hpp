// One agent per region of the OS (`--agent REGION=CMD`): the kernel
// (install_kernel), the programs (add_process, add_file) and the layout
// (every other step; pxos/loop/sources.hpp's step_region()). Each agent is
// asked with its own prompt (PromptContext::region) and may change only
// its region's steps; the layout agent alone may change the metadata and
// the output settings. The agents' proposals for one candidate combine
// into one roadmap, evaluated once.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/roadmap/step_registry.hpp"

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pxos {

// The regions, in the order agents are asked and their changes combined.
inline constexpr std::array<std::string_view, 3> kAgentRegions { "kernel", "programs", "layout" };

struct AgentSpec {
    std::string region;
    std::string command; // a shell command, or the name of a --llm-cmd model (whose command it then uses)
};

// One --agent value, REGION=CMD. A usage error names the bad value.
Result<AgentSpec> parse_agent_spec(std::string_view text);
// Every --agent, in region order; a region given twice is a usage error.
Result<std::vector<AgentSpec>> parse_agent_specs(const std::vector<std::string>& texts);

// Whether `proposed` changes only `region` of `parent`: every step of the
// other regions kept, in order, as it was (its name, label, description
// and parameters). The error (at `file`) names the first step that breaks
// this: a step of the proposal by its number there, or a step of the
// parent it dropped or changed, and the steps this agent may change.
Result<void> check_agent_change(const Roadmap& parent, const Roadmap& proposed, const std::string& region,
    const std::string& file);

// An agent's accepted reply (`text`, a canonical roadmap) as a roadmap, or
// the error of check_agent_change() (at reply.yaml) when it leaves its region.
Result<Roadmap> agent_roadmap(const std::string& text, const Roadmap& parent, const std::string& region,
    const StepRegistry& registry, const RoadmapLimits& limits);

// One agent's checked proposal.
struct AgentChange {
    std::string region;
    const Roadmap* proposed = nullptr;
};

// The candidate the agents' changes make together (each passed
// check_agent_change). Each agent's steps replace the parent's steps of its
// region: every step of a region with an agent is taken from that agent's
// proposal, placed right after the parent's step it followed there (the
// last step outside its region before it; at the start when none did).
// Regions with no agent keep the parent's steps. Steps of two agents after
// the same parent step come in region order (kernel, programs, layout).
// Regions do not overlap, so two agents never change the same step. The
// metadata and output come from the layout agent, else from the parent.
Roadmap combine_agent_changes(const Roadmap& parent, const std::vector<AgentChange>& changes);

} // namespace pxos
