// The heuristic proposer's levers (pxos/loop/heuristic.hpp): the table, its
// markdown, and one move of a lever on a roadmap.
//
// Which levers are in the table was measured on the default roadmap
// (Release `pxos eval --json` of variants; docs/LOOP.md, "What the heuristic
// can move"): the time slice moves workload_steps (the switches it pays
// for) and fairness_max_wait a little, the order of the processes moves
// fairness_max_wait a lot (mostly for the worse). Process placement (memory_rows, stack_words), the store's
// log_blocks and inode_blocks and the colours moved no metric, so they are
// not levers: a proposal that changes them would only cost an evaluation.
#include "pxos/loop/heuristic.hpp"

#include "pxos/eval/metrics.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <random>
#include <set>
#include <vector>

namespace pxos {

namespace {

constexpr std::array kLevers {
    HeuristicLever { LeverId::QuantumShorter, "quantum-shorter", "install_kernel", "quantum",
        "the kernel's time slice times 1/2, 2/3, 3/4, 4/5, 7/8 or 15/16", "fairness_max_wait",
        "more timer interrupts and switches: workload_steps" },
    HeuristicLever { LeverId::QuantumLonger, "quantum-longer", "install_kernel", "quantum",
        "the kernel's time slice times 16/15, 8/7, 5/4, 4/3, 3/2 or 2", "workload_steps",
        "a ready process waits longer: fairness_max_wait" },
    HeuristicLever { LeverId::ProcessEarlier, "process-earlier", "add_process", "",
        "one process swapped with the one before it (its slot, pid and memory rows come earlier)",
        "workload_steps fairness_max_wait", "the other one runs later" },
};

std::vector<std::string_view> words_of(std::string_view text)
{
    std::vector<std::string_view> words;
    while (!text.empty()) {
        std::size_t space = text.find(' ');
        words.push_back(text.substr(0, space));
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    }
    return words;
}

// The integer parameter as the step reads it: its own entry, else the schema's default.
std::int64_t integer_param(const StepCall& call, std::string_view name)
{
    for (const auto& [key, value] : call.params)
        if (key == name)
            if (const auto* integer = std::get_if<std::int64_t>(&value))
                return *integer;
    const ParamSpec* spec = call.definition->find_param(name);
    return spec ? std::get<std::int64_t>(spec->default_value) : 0;
}

void set_param(StepCall& call, std::string_view name, ParamValue value)
{
    for (auto& [key, existing] : call.params)
        if (key == name) {
            existing = std::move(value);
            return;
        }
    call.params.emplace_back(std::string(name), std::move(value));
}

// One way to move a lever on this roadmap: `apply` changes it and returns the note.
struct Move {
    const HeuristicLever* lever;
    std::size_t step;  // index of the step it changes
    std::int64_t to;   // the parameter's new value, or the index of the step it swaps with
};

std::string aims_text(const HeuristicLever& lever)
{
    return fmt::format("aims at {}", fmt::join(words_of(lever.aims), ", "));
}

// The quantum a factor gives, within the parameter's range; `from` when it stays.
std::int64_t scaled(std::int64_t from, int numerator, int denominator, const ParamSpec& spec)
{
    std::int64_t to = from * numerator / denominator;
    return std::clamp(to, spec.minimum, spec.maximum);
}

} // namespace

std::span<const HeuristicLever> heuristic_levers()
{
    return kLevers;
}

std::string heuristic_levers_markdown()
{
    std::string text = "| lever | changes | aims at | may cost |\n|---|---|---|---|\n";
    std::set<std::string_view> aimed;
    for (const HeuristicLever& lever : kLevers) {
        std::string where = lever.param.empty() ? fmt::format("`{}` steps", lever.step)
                                                : fmt::format("`{}.{}`", lever.step, lever.param);
        std::vector<std::string> aims;
        for (std::string_view key : words_of(lever.aims)) {
            aims.push_back(fmt::format("`{}`", key));
            aimed.insert(key);
        }
        text += fmt::format("| `{}` | {}: {} | {} | {} |\n", lever.name, where, lever.change, fmt::join(aims, ", "),
            lever.costs);
    }
    std::vector<std::string> unreached;
    for (const MetricRow& row : metric_table())
        if (!aimed.count(row.key))
            unreached.push_back(fmt::format("`{}`", row.key));
    text += fmt::format("\nNo lever aims at {}: only new kernel or program code moves them.\n",
        fmt::join(unreached, ", "));
    return text;
}

std::optional<std::string> move_lever(Roadmap& roadmap, const EvalResult& evaluation, std::uint64_t seed)
{
    std::mt19937_64 random(seed);
    // A lever whose metric measured below its baseline weighs twice.
    auto weight = [&](const HeuristicLever& lever) {
        for (std::string_view key : words_of(lever.aims))
            for (const MetricValue& value : evaluation.metrics.values)
                if (value.key == key && value.measured && value.ratio < 1.0)
                    return 2;
        return 1;
    };
    std::vector<Move> moves;
    std::vector<int> weights;
    std::vector<std::size_t> processes;
    for (std::size_t i = 0; i < roadmap.steps.size(); ++i)
        if (roadmap.steps[i].definition->name == "add_process")
            processes.push_back(i);
    for (const HeuristicLever& lever : kLevers) {
        std::vector<Move> options;
        if (lever.id == LeverId::ProcessEarlier) {
            for (std::size_t k = 1; k < processes.size(); ++k)
                options.push_back({ &lever, processes[k], std::int64_t(processes[k - 1]) });
        } else {
            // Steps of several sizes, so a walk from the best rarely proposes what it proposed before.
            static constexpr int kShorter[][2] = { { 1, 2 }, { 2, 3 }, { 3, 4 }, { 4, 5 }, { 7, 8 }, { 15, 16 } };
            static constexpr int kLonger[][2] = { { 16, 15 }, { 8, 7 }, { 5, 4 }, { 4, 3 }, { 3, 2 }, { 2, 1 } };
            const auto& factors = lever.id == LeverId::QuantumShorter ? kShorter : kLonger;
            for (std::size_t i = 0; i < roadmap.steps.size(); ++i) {
                const StepCall& call = roadmap.steps[i];
                const ParamSpec* spec = call.definition->name == lever.step ? call.definition->find_param(lever.param)
                                                                             : nullptr;
                if (!spec)
                    continue;
                std::int64_t from = integer_param(call, lever.param);
                const auto& factor = factors[random() % std::size(factors)];
                std::int64_t to = scaled(from, factor[0], factor[1], *spec);
                if (to != from)
                    options.push_back({ &lever, i, to });
            }
        }
        if (options.empty())
            continue;
        moves.push_back(options[random() % options.size()]);
        weights.push_back(weight(lever));
    }
    if (moves.empty())
        return std::nullopt;
    int total = 0;
    for (int w : weights)
        total += w;
    int pick = int(random() % std::uint64_t(total));
    std::size_t chosen = 0;
    while (pick >= weights[chosen])
        pick -= weights[chosen++];
    const Move& move = moves[chosen];
    const HeuristicLever& lever = *move.lever;
    StepCall& call = roadmap.steps[move.step];
    if (lever.id == LeverId::ProcessEarlier) {
        StepCall& before = roadmap.steps[std::size_t(move.to)];
        std::string note = fmt::format("{}: moved add_process '{}' before '{}' (step {} <-> {}; {})", lever.name,
            call.label, before.label, move.to + 1, move.step + 1, aims_text(lever));
        std::swap(call, before);
        return note;
    }
    std::int64_t from = integer_param(call, lever.param);
    set_param(call, lever.param, move.to);
    return fmt::format("{}: {}.{} {} -> {} ({})", lever.name, lever.step, lever.param, from, move.to,
        aims_text(lever));
}

} // namespace pxos
