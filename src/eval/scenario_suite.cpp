// The scenario suite (roadmaps/scenarios/): each scenario types its input
// into a copy of the booted image and compares the console, the pixels and
// the store with what it expects.
//
// Every scenario's run starts the same way: the boot, the demo and init,
// up to the shell's first read of the console; what a scenario types
// cannot change that part, since nothing has read it yet. So the suite
// runs that part once, stopping at that first read (ConsoleInput::kStop),
// and each scenario goes on from a copy of that machine (Machine::clone)
// with its own input: the same run, step for step, as a boot of a copy of
// the image with that input, at a fraction of the cost.
#include "eval/metric_runs.hpp"
#include "eval/scenario_file.hpp"
#include "eval/suite_support.hpp"

#include "pxos/store/store.hpp"
#include "pxos/vm/run_report.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>

namespace pxos {

namespace {

std::string escaped(const std::string& text)
{
    std::string out;
    for (char c : text) {
        if (c == '\n')
            out += "\\n";
        else if (c == '"')
            out += "\\\"";
        else if (std::uint8_t(c) < 0x20 || std::uint8_t(c) >= 0x7f)
            out += fmt::format("\\x{:02x}", std::uint8_t(c));
        else
            out += c;
    }
    return out;
}

std::string text_of(const std::vector<std::uint32_t>& words)
{
    std::string text;
    for (std::uint32_t word : words)
        text += char(word & 0xff);
    return text;
}

// What differed, or nothing when the scenario passed.
std::optional<std::string> judge_scenario(const Scenario& s, const RunResult& result, const Machine& machine,
    const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps)
{
    std::vector<std::string> problems;
    const std::string& output = machine.console_output();
    const SimulatedVRAM& after = machine.vram();
    if (result.reason == StopReason::KernelPanic && result.panic)
        problems.push_back("kernel panic: " + describe_fault(*result.panic, image.width(), nullptr));
    if (s.halt) {
        if (result.reason != StopReason::Halted)
            problems.push_back(fmt::format("the kernel did not halt within {} steps", max_steps));
        else if (result.halt_code != *s.halt)
            problems.push_back(fmt::format("the kernel halted with code {}, not {}", result.halt_code, *s.halt));
    }
    std::vector<std::string_view> lines = split_lines(output);
    std::size_t next = 0;
    for (const ScenarioLine& expected : s.expect) {
        std::size_t found = next;
        while (found < lines.size()
            && !(expected.whole ? lines[found] == expected.text : lines[found].find(expected.text) != std::string::npos))
            ++found;
        if (found == lines.size()) {
            problems.push_back(fmt::format("{}:{}: no {} \"{}\"{} in the output (it ends \"{}\")", s.file, expected.line,
                expected.whole ? "line" : "line holding", escaped(expected.text),
                next > 0 ? fmt::format(" after line {}", next) : "", output_tail(output)));
            break;
        }
        next = found + 1;
    }
    for (const ScenarioLine& unwanted : s.absent)
        if (std::size_t at = output.find(unwanted.text); at != std::string::npos)
            problems.push_back(fmt::format("{}:{}: the output holds \"{}\"", s.file, unwanted.line, escaped(unwanted.text)));
    for (const ScenarioPixel& pixel : s.pixels) {
        if (!after.bounds().contains(pixel.x, pixel.y)) {
            problems.push_back(fmt::format("{}:{}: the pixel {} is outside the {}x{} image", s.file, pixel.line,
                at(pixel.x, pixel.y), after.width(), after.height()));
            continue;
        }
        RGBA got = after.pixel_unchecked(pixel.x, pixel.y);
        if (!(got == pixel.colour))
            problems.push_back(fmt::format("{}:{}: the pixel {} is ({},{},{},{}), not ({},{},{},{})", s.file, pixel.line,
                at(pixel.x, pixel.y), got.r, got.g, got.b, got.a, pixel.colour.r, pixel.colour.g, pixel.colour.b,
                pixel.colour.a));
    }
    for (const ScenarioArea& area : s.areas) {
        Rect rect { area.x, area.y, area.width, area.height };
        if (!(rect.intersected(after.bounds()) == rect)) {
            problems.push_back(fmt::format("{}:{}: the area {}x{} at {} is not inside the {}x{} image", s.file, area.line,
                area.width, area.height, at(area.x, area.y), after.width(), after.height()));
            continue;
        }
        std::int64_t changed = 0;
        std::optional<std::pair<int, int>> first;
        for (int y = rect.y; y < rect.y + rect.height; ++y)
            for (int x = rect.x; x < rect.x + rect.width; ++x)
                if (!(after.pixel_unchecked(x, y) == image.pixel_unchecked(x, y))) {
                    ++changed;
                    if (!first)
                        first = { x, y };
                }
        if (area.changed && changed < area.at_least)
            problems.push_back(fmt::format("{}:{}: {} pixels of the area {}x{} at {} changed, not at least {}", s.file,
                area.line, changed, area.width, area.height, at(area.x, area.y), area.at_least));
        if (!area.changed && changed > 0)
            problems.push_back(fmt::format("{}:{}: {} pixels of the area {}x{} at {} changed (the first at {}), none "
                                           "should",
                s.file, area.line, changed, area.width, area.height, at(area.x, area.y), at(first->first, first->second)));
    }
    if (!s.files.empty()) {
        auto store = store::read_store(after, name);
        std::optional<store::Store> opened;
        std::string store_error;
        if (!store) {
            store_error = store.error().message();
        } else if (auto recovered = store::recover(store->words, name + ": store"); !recovered) {
            store_error = recovered.error().message();
        } else if (auto open = store::Store::open(store->words, name + ": store"); !open) {
            store_error = open.error().message();
        } else {
            opened.emplace(std::move(*open));
        }
        for (const ScenarioStoreFact& fact : s.files) {
            if (!opened) {
                problems.push_back(fmt::format("{}:{}: the store cannot be read: {}", s.file, fact.line, store_error));
                break;
            }
            auto data = opened->read_file(fact.path);
            if (!fact.exists) {
                if (data)
                    problems.push_back(fmt::format("{}:{}: the store still has {}", s.file, fact.line, fact.path));
                continue;
            }
            if (!data)
                problems.push_back(fmt::format("{}:{}: the store has no file {}", s.file, fact.line, fact.path));
            else if (std::string text = text_of(*data); text != fact.content)
                problems.push_back(fmt::format("{}:{}: {} holds \"{}\", not \"{}\"", s.file, fact.line, fact.path,
                    escaped(text.substr(0, 80)), escaped(fact.content)));
        }
    }
    if (problems.empty())
        return std::nullopt;
    std::string text = fmt::format("{}", fmt::join(problems, "; "));
    if (result.reason == StopReason::BudgetExhausted)
        text += fmt::format(" (the run did not end within {} steps)", max_steps);
    return text;
}

} // namespace

bool run_until(Machine& machine, std::uint64_t until_steps, Deadline& deadline, RunResult& result)
{
    result.steps = machine.steps();
    while (!machine.halted() && machine.steps() < until_steps) {
        if (deadline.passed())
            return false;
        std::uint64_t chunk = std::min<std::uint64_t>(EvalOptions::kDeadlineCheckSteps, until_steps - machine.steps());
        result = machine.run(chunk);
        if (result.reason != StopReason::BudgetExhausted)
            break;
    }
    return true;
}

std::string store_problems(const SimulatedVRAM& after, const SimulatedVRAM& before, const std::string& name)
{
    auto store = store::read_store(after, name);
    if (!store)
        return store::read_store(before, name).ok() ? store.error().message() : std::string();
    if (auto recovered = store::recover(store->words, name + ": store"); !recovered)
        return recovered.error().message();
    store::CheckReport report = store::check(store->words);
    std::vector<std::string> lines;
    for (const store::Problem& problem : report.problems) {
        if (lines.size() == 4) {
            lines.push_back(fmt::format("and {} more", report.problems.size() - 4));
            break;
        }
        lines.push_back(problem.line());
    }
    return fmt::format("{}", fmt::join(lines, "; "));
}

std::string output_tail(const std::string& output, std::size_t keep)
{
    std::string tail = output.size() > keep ? output.substr(output.size() - keep) : output;
    return (output.size() > keep ? "..." : "") + escaped(tail);
}

SuiteOutcome run_scenario_suite(const SimulatedVRAM& image, const std::string& name, std::uint64_t max_steps,
    Deadline& deadline, Executor* executor, const BootPrefix* boot)
{
    SuiteOutcome outcome;
    const auto& scenarios = builtin_scenarios();
    if (!scenarios) {
        // A malformed file is the build's error (the tests parse every file);
        // a binary with one still scores nothing rather than crashing.
        outcome.failures.push_back("the scenario files: " + scenarios.error().message());
        return outcome;
    }
    outcome.total = int(scenarios->size());
    std::shared_ptr<const Machine> prefix;
    RunResult prefix_result;
    if (boot) {
        prefix = boot->machine;
        prefix_result = boot->result;
    } else {
        auto booted = Machine::boot(image, name);
        if (!booted) {
            outcome.failures.push_back("the image does not boot: " + booted.error().message());
            return outcome;
        }
        StopAtFirstRead stop;
        (*booted)->set_input_source(&stop);
        if (!run_until(**booted, max_steps, deadline, prefix_result)) {
            outcome.failures.push_back(fmt::format("the boot was stopped at step {}: the evaluation reached {}",
                (*booted)->steps(), deadline.cap()));
            outcome.steps = (*booted)->steps();
            return outcome;
        }
        (*booted)->set_input_source(nullptr);
        prefix = std::move(*booted);
    }
    if (prefix_result.reason == StopReason::Interrupted)
        prefix_result.reason = StopReason::BudgetExhausted; // it goes on in each scenario

    struct Ran {
        std::optional<std::string> failure;
        std::uint64_t steps = 0;
    };
    std::vector<Ran> ran(scenarios->size());
    SerialExecutor serial;
    Executor& run_on = executor ? *executor : serial;
    // One machine per task, reset to the prefix before each of its
    // scenarios (Machine::reset_to copies only the words that differ and
    // keeps the decoded code): a machine for each scenario would cost more
    // in copying than the scenario's own steps.
    const std::size_t tasks = std::clamp<std::size_t>(run_on.concurrency(), 1, std::max<std::size_t>(1, ran.size()));
    run_on.run_all(tasks, tasks, [&](std::size_t task) {
        std::unique_ptr<Machine> machine;
        for (std::size_t i = task; i < ran.size(); i += tasks) {
            const Scenario& s = scenarios.value()[i];
            if (!machine)
                machine = prefix->clone();
            else
                (void)machine->reset_to(*prefix); // a clone of the prefix: always the same boot
            machine->set_input(s.input);
            RunResult result = prefix_result;
            bool in_time = run_until(*machine, max_steps, deadline, result);
            ran[i].steps = machine->steps() - prefix->steps();
            if (!in_time)
                ran[i].failure
                    = fmt::format("stopped at step {}: the evaluation reached {}", machine->steps(), deadline.cap());
            else
                ran[i].failure = judge_scenario(s, result, *machine, image, name, max_steps);
        }
    });
    outcome.steps = prefix->steps();
    for (std::size_t i = 0; i < ran.size(); ++i) {
        const Scenario& s = scenarios.value()[i];
        outcome.steps += ran[i].steps;
        if (!ran[i].failure) {
            ++outcome.passed;
            outcome.passed_ids.push_back("scenario." + s.id);
        } else if (outcome.failures.size() < kSuiteFailuresKept) {
            outcome.failures.push_back(s.id + ": " + *ran[i].failure);
        }
    }
    return outcome;
}

} // namespace pxos
