#include "pxos/loop/proposer.hpp"

#include "pxos/loop/heuristic.hpp"

#include "pxos/asm/builtin_sources.hpp"
#include "pxos/eval/rubric.hpp"
#include "pxos/base/file_system.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <fmt/ranges.h>

namespace pxos {

namespace {

// Where each step belongs in a roadmap, so repairs insert in a working order.
int step_rank(std::string_view name)
{
    static const std::map<std::string_view, int> ranks = {
        { "init_background", 0 },
        { "layout_regions", 1 },
        { "write_boot_banner", 2 },
        { "write_opcode_palette", 3 },
        { "write_isa_palette", 4 },
        { "write_hello_program", 5 },
        { "install_kernel", 6 },
        { "add_process", 7 },
    };
    auto found = ranks.find(name);
    return found == ranks.end() ? 8 : found->second;
}

// The rubric's repairs (pxos/eval/rubric.hpp), in the order their steps
// belong in a roadmap (the rubric's order among equals).
std::vector<const RubricCheck*> repairs_in_step_order()
{
    std::vector<const RubricCheck*> rows;
    for (const RubricCheck& check : rubric())
        rows.push_back(&check);
    std::stable_sort(rows.begin(), rows.end(), [](const RubricCheck* a, const RubricCheck* b) {
        return step_rank(a->repair.step) < step_rank(b->repair.step);
    });
    return rows;
}

std::string program_of(const StepCall& call)
{
    for (const auto& [name, value] : call.params)
        if (name == "program_file")
            return std::get<std::string>(value);
    bool inline_source = std::any_of(call.params.begin(), call.params.end(),
        [](const auto& param) { return param.first == "program_source"; });
    return inline_source ? std::string("(inline)") : std::string("builtin:hello.pxasm");
}

} // namespace

HeuristicProposal propose_heuristic(const Roadmap& best, const EvalResult& evaluation, const StepRegistry& registry,
    std::uint64_t seed)
{
    Roadmap next = best;
    std::vector<std::string> notes;
    std::set<std::string> failing;
    for (const Check& check : evaluation.checks)
        if (!check.passed)
            failing.insert(check.id);

    auto has_step = [&](std::string_view name) {
        return std::any_of(next.steps.begin(), next.steps.end(),
            [&](const StepCall& call) { return call.definition->name == name; });
    };
    auto has_program = [&](std::string_view program) {
        return std::any_of(next.steps.begin(), next.steps.end(), [&](const StepCall& call) {
            return call.definition->name == "add_process" && program_of(call) == program;
        });
    };
    for (const RubricCheck* row : repairs_in_step_order()) {
        const Repair& repair = row->repair;
        if (!failing.count(std::string(row->id)))
            continue;
        if (repair.program.empty() ? has_step(repair.step) : has_program(repair.program))
            continue;
        const StepDefinition* definition = registry.find(repair.step);
        if (!definition)
            continue;
        StepCall call;
        call.definition = definition;
        call.label = std::string(definition->name);
        if (!repair.program.empty()) {
            call.params.emplace_back("program_file", std::string(repair.program));
            call.label = std::filesystem::path(std::string(repair.program.substr(kBuiltinPrefix.size()))).stem().string();
        }
        int rank = step_rank(repair.step);
        std::size_t at = 0;
        for (std::size_t i = 0; i < next.steps.size(); ++i)
            if (step_rank(next.steps[i].definition->name) <= rank)
                at = i + 1;
        next.steps.insert(next.steps.begin() + std::ptrdiff_t(at), std::move(call));
        notes.push_back(fmt::format("added {}{} for {}", repair.step,
            repair.program.empty() ? std::string() : fmt::format(" ({})", repair.program), row->id));
    }
    // The seed's palette step painted after the ISA palette breaks it.
    if (failing.count("structure.palette")) {
        auto isa = std::find_if(next.steps.begin(), next.steps.end(),
            [](const StepCall& call) { return call.definition->name == "write_isa_palette"; });
        auto late = std::find_if(isa, next.steps.end(),
            [](const StepCall& call) { return call.definition->name == "write_opcode_palette"; });
        if (isa != next.steps.end() && late != next.steps.end()) {
            next.steps.erase(late);
            notes.push_back("removed write_opcode_palette, which painted over the ISA palette");
        }
    }

    if (notes.empty()) {
        // Nothing to repair (the gates are full): move one lever that aims
        // at a metric (pxos/loop/heuristic.hpp).
        auto moved = move_lever(next, evaluation, seed);
        notes.push_back(moved ? *moved : std::string("nothing to repair or move; copied the best roadmap"));
    }
    HeuristicProposal proposal;
    proposal.roadmap_yaml = roadmap_to_yaml(next);
    proposal.note = fmt::format("{}", fmt::join(notes, "; "));
    return proposal;
}

Result<Roadmap> validate_proposal(FileSystem& files, std::string_view text, const std::string& name,
    const std::string& folder, const StepRegistry& registry, const RoadmapLimits& limits)
{
    auto roadmap = parse_roadmap(text, name, registry, limits, &files);
    if (!roadmap)
        return roadmap;
    // The same rule the build's reads apply (check_readable_path), here to
    // refuse the proposal up front with its place: the exact string, no
    // control characters, and a file that exists must resolve inside the
    // folder. A missing one is left to the build, whose confined read refuses
    // it the same way.
    ReadConfinement confinement { folder.empty() ? std::string(".") : folder };
    for (const StepCall& call : roadmap->steps)
        for (const auto& [param_name, value] : call.params) {
            const std::string& param = param_name; // a lambda below names it (clang 14 cannot capture a binding)
            if (param.size() < 5 || param.compare(param.size() - 5, 5, "_file") != 0)
                continue;
            const std::string& file = std::get<std::string>(value);
            if (file.rfind(kBuiltinPrefix, 0) == 0)
                continue;
            std::string path = !file.empty() && file.front() == '/' ? file : confinement.folder + "/" + file;
            auto refuse = [&](const Error& error) {
                return Error::bad_input(call.location.to_string(),
                    fmt::format("{} '{}': {}; proposals may only name files inside the roadmap's folder or builtin: "
                                "sources",
                        param, printable_path(file), error.diagnostics().front().message));
            };
            auto named = check_readable_name(file); // the name as given: a NUL's byte offset is in it
            if (!named)
                return refuse(named.error());
            if (!files.exists(path))
                continue;
            auto inside = files.check_readable_path(path, confinement);
            if (!inside)
                return refuse(inside.error());
        }
    roadmap->output = OutputSettings {}; // a proposal's own output path is never followed
    return roadmap;
}

} // namespace pxos
