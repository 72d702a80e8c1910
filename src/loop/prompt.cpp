#include "pxos/loop/prompt.hpp"

#include "base/json_writer.hpp"
#include "prompt_sections.hpp"
#include "pxos/loop/reply.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <utility>

namespace pxos {

namespace {

using prompt::kAll;

constexpr std::size_t kRecentShown = 8; // attempts, at most
constexpr std::size_t kTopShown = 5;    // top candidates, at most
constexpr std::size_t kScreenful = 12;  // lines: the least of a source worth showing (its header, mostly)

// How much of each part the prompt shows; the budget lowers these, least
// useful first.
struct Plan {
    RegistryDetail registry = RegistryDetail::Docs;
    bool registry_shown = true;
    std::size_t recent = kRecentShown;
    std::size_t top = kTopShown;
    std::size_t console_lines = kAll;
    CheatSheetExample example = CheatSheetExample::With;
    // The sources shown (indices into the region's) and how many of their
    // first lines (kAll: the whole source).
    std::map<std::size_t, std::size_t> shown;
    bool summaries = true;          // sources listed with what their header says
};

std::string kilobytes(std::size_t bytes)
{
    return fmt::format("{:.1f} KB", double(bytes) / 1000.0);
}

// Words (4 letters and more, lower case) of a text, to match sources against.
std::set<std::string> words_of(std::string_view text)
{
    std::set<std::string> words;
    std::string word;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        char c = i < text.size() ? char(std::tolower(static_cast<unsigned char>(text[i]))) : ' ';
        if (std::isalnum(static_cast<unsigned char>(c))) {
            word += c;
            continue;
        }
        if (word.size() >= 4)
            words.insert(word);
        word.clear();
    }
    return words;
}

class PromptBuilder {
public:
    explicit PromptBuilder(const PromptContext& context)
        : m_context(context)
        , m_steps(prompt::step_names(context.roadmap_text))
    {
        for (const RoadmapSource& source : context.sources)
            if (m_context.region.empty() || prompt::source_region(source, m_steps) == m_context.region)
                m_sources.push_back(&source);
        m_main = main_source();
        m_ranked = ranked_sources();
        m_fixed_head = prompt::task_section(context, m_steps) + prompt::roadmap_section(context, m_steps);
        m_run_full = run(kAll);
        m_fixed_middle = prompt::metrics_section(context) + prompt::gates_section(*context.evaluation);
        m_reply = reply_format_help(); // its own heading: "## Reply format"
        std::vector<RoadmapSource> own; // the conventions the region's sources state
        for (const RoadmapSource* source : m_sources)
            own.push_back(*source);
        m_cheat_sheet = "## pxasm cheat sheet\n" + pxasm_cheat_sheet(own, CheatSheetExample::With) + "\n";
        m_cheat_sheet_short = "## pxasm cheat sheet\n" + pxasm_cheat_sheet(own, CheatSheetExample::Without) + "\n";
    }

    std::string build()
    {
        Plan plan;
        if (m_main < m_sources.size())
            plan.shown[m_main] = kAll;
        if (!m_ranked.empty())
            plan.shown[m_ranked.front()] = kAll;
        std::size_t second = m_ranked.empty() ? kAll : m_ranked.front();
        // Least useful first: registry details, old attempts, the console's
        // middle, the other candidates, the example; then the second source's
        // end, the second source, the registry, the last attempts and the
        // console, what the listed sources offer; last the main source's end.
        const std::vector<std::function<bool(Plan&)>> reductions = {
            [](Plan& p) { return lower(p.registry, RegistryDetail::Params); },
            [](Plan& p) { return lower(p.recent, 4); },
            [](Plan& p) { return lower(p.console_lines, 20); },
            [](Plan& p) { return lower(p.top, 3); },
            [](Plan& p) { return lower(p.registry, RegistryDetail::Names); },
            [](Plan& p) { return lower(p.recent, 2); },
            [](Plan& p) { return lower(p.console_lines, 8); },
            [](Plan& p) { return lower(p.top, 1); },
            [](Plan& p) {
                bool changed = p.example == CheatSheetExample::With;
                p.example = CheatSheetExample::Without;
                return changed;
            },
        };
        std::size_t budget = m_context.budget_bytes;
        auto fits = [&](const Plan& p) { return render(p).size() <= budget; };
        for (const auto& reduce : reductions) {
            if (fits(plan))
                break;
            reduce(plan);
        }
        // Then the second source's end, half at a time, down to a screenful.
        shorten(plan, second, fits);
        const std::vector<std::function<bool(Plan&)>> last_resorts = {
            [second](Plan& p) { return p.shown.erase(second) > 0; },
            [](Plan& p) { return std::exchange(p.registry_shown, false); },
            [](Plan& p) { return lower(p.recent, 0); },
            [](Plan& p) { return lower(p.top, 0); },
            [](Plan& p) { return lower(p.console_lines, 0); },
            [](Plan& p) { return std::exchange(p.summaries, false); },
        };
        for (const auto& reduce : last_resorts) {
            if (fits(plan))
                break;
            reduce(plan);
        }
        shorten(plan, m_main, fits);
        if (!fits(plan))
            plan.shown.erase(m_main); // a budget below the essentials: the cheat sheet matters more
        // What room is left goes to more sources, whole, in their rank's order.
        for (std::size_t index : m_ranked) {
            if (plan.shown.count(index))
                continue;
            plan.shown[index] = kAll;
            if (!fits(plan))
                plan.shown.erase(index);
        }
        return cut_to_budget(render(plan), budget);
    }

private:
    // Halves what a source shows until the prompt fits, down to a screenful
    // (kept: a short start of a file still tells a model what is in it).
    template <typename Fits>
    void shorten(Plan& plan, std::size_t index, const Fits& fits) const
    {
        auto shown = plan.shown.find(index);
        if (shown == plan.shown.end())
            return;
        while (!fits(plan)) {
            std::size_t lines = std::min(shown->second, prompt::line_count(m_sources[index]->text));
            if (lines / 2 < kScreenful)
                return;
            shown->second = lines / 2;
        }
    }

    static bool lower(std::size_t& value, std::size_t to)
    {
        if (value <= to)
            return false;
        value = to;
        return true;
    }
    static bool lower(RegistryDetail& value, RegistryDetail to)
    {
        if (int(value) >= int(to))
            return false;
        value = to;
        return true;
    }

    // The source always shown: the kernel's own (for the whole OS), else the region's first own source.
    std::size_t main_source() const
    {
        for (std::size_t i = 0; i < m_sources.size(); ++i)
            if (m_sources[i]->included_by.empty() && m_sources[i]->param.rfind("kernel", 0) == 0)
                return i;
        for (std::size_t i = 0; i < m_sources.size(); ++i)
            if (m_sources[i]->included_by.empty())
                return i;
        return m_sources.empty() ? kAll : 0;
    }

    // The other sources in the order they get room: the one most relevant
    // to the failing gates and the weakest metrics first, then the rest
    // from a start that moves with the generation, so over generations a
    // loop sees every one.
    std::vector<std::size_t> ranked_sources() const
    {
        std::vector<std::size_t> others;
        for (std::size_t i = 0; i < m_sources.size(); ++i)
            if (i != m_main)
                others.push_back(i);
        if (others.empty())
            return others;
        std::size_t start = std::size_t(std::max(0, m_context.generation)) % others.size();
        std::rotate(others.begin(), others.begin() + std::ptrdiff_t(start), others.end());
        std::set<std::string> focus = focus_words();
        std::size_t best = 0;
        int best_score = 0;
        for (std::size_t i = 0; i < others.size(); ++i) {
            const RoadmapSource& source = *m_sources[others[i]];
            std::string stem = source.name.substr(source.name.find_last_of("/:") + 1);
            stem = stem.substr(0, stem.find('.'));
            int score = 0;
            std::set<std::string> header = words_of(prompt::source_summary(source));
            for (const std::string& word : focus) {
                if (word.rfind(stem, 0) == 0 || stem.rfind(word, 0) == 0)
                    score += 10;
                score += int(header.count(word));
            }
            if (score > best_score) {
                best_score = score;
                best = i;
            }
        }
        std::rotate(others.begin(), others.begin() + std::ptrdiff_t(best), others.begin() + std::ptrdiff_t(best) + 1);
        return others;
    }

    // The words of the failing gates and of the two weakest metrics worse
    // than the default OS's (none: the sources simply take turns).
    std::set<std::string> focus_words() const
    {
        const EvalResult& evaluation = *m_context.evaluation;
        std::string text;
        for (const Check& check : evaluation.checks)
            if (!check.passed)
                text += check.id + " " + check.message + " ";
        std::vector<std::pair<double, const MetricRow*>> weakest;
        for (const MetricRow& row : metric_table())
            for (const MetricValue& value : evaluation.metrics.values)
                if (value.key == row.key && value.measured && value.ratio < 1.0
                    && prompt::metric_in_region(row, m_context.region))
                    weakest.emplace_back(value.ratio, &row);
        std::stable_sort(weakest.begin(), weakest.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (std::size_t i = 0; i < weakest.size() && i < 2; ++i)
            text += std::string(weakest[i].second->key) + " ";
        return words_of(text);
    }

    std::string run(std::size_t console_lines) const
    {
        return prompt::run_section(*m_context.evaluation, console_lines);
    }

    std::string sources_section(const Plan& plan) const
    {
        std::string text = "## Sources (a patch names a source as its heading does; the `N| ` line numbers are not "
                           "part of the text)\n";
        if (!m_context.sources_error.empty())
            text += "The sources could not be read: " + m_context.sources_error + "\n";
        if (m_sources.empty())
            return text + (m_context.region.empty() ? "The roadmap assembles no pxasm.\n\n"
                                                    : "This region's steps assemble no pxasm.\n\n");
        std::string listed;
        for (std::size_t i = 0; i < m_sources.size(); ++i) {
            const RoadmapSource& source = *m_sources[i];
            std::size_t lines = prompt::line_count(source.text);
            std::string where = source.included_by.empty()
                ? fmt::format("step {}: {}", source.step, source.param)
                : fmt::format("included by {}, step {}", source.included_by, source.step);
            if (!plan.shown.count(i)) {
                listed += fmt::format("- {}, {} lines, {} bytes", source.name, lines, source.text.size());
                if (plan.summaries)
                    if (std::string summary = prompt::source_summary(source); !summary.empty())
                        listed += ": " + summary;
                listed += "\n";
                continue;
            }
            std::size_t shown = std::min(plan.shown.at(i), lines);
            text += fmt::format("### {} ({}; {} lines{})\n```pxasm\n{}```\n", source.name, where, lines,
                shown < lines ? fmt::format(", lines {}-{} left out", shown + 1, lines) : "",
                prompt::numbered_source(source, shown));
        }
        if (!listed.empty())
            text += "Not shown here for the budget (they take turns by generation; a patch may still name any of "
                    "them):\n" + listed;
        return text + "\n";
    }

    std::string left_out(const Plan& plan) const
    {
        std::vector<std::string> notes;
        std::size_t hidden = 0, hidden_bytes = 0;
        for (std::size_t i = 0; i < m_sources.size(); ++i)
            if (!plan.shown.count(i)) {
                ++hidden;
                hidden_bytes += m_sources[i]->text.size();
            }
        if (hidden)
            notes.push_back(fmt::format("{} of {} sources listed by name only ({})", hidden, m_sources.size(),
                kilobytes(hidden_bytes)));
        for (const auto& [index, lines] : plan.shown)
            if (lines < prompt::line_count(m_sources[index]->text))
                notes.push_back(fmt::format("the end of {} from line {}", m_sources[index]->name, lines + 1));
        if (plan.console_lines != kAll)
            if (std::size_t bytes = m_run_full.size() - run(plan.console_lines).size())
                notes.push_back(fmt::format("the console's middle ({})", kilobytes(bytes)));
        auto records = [&](const std::vector<GenerationRecord>& all, std::size_t keep, std::size_t most,
                           std::string_view what) {
            std::size_t shown = std::min(all.size(), std::min(keep, most));
            if (shown < all.size())
                notes.push_back(fmt::format("{} {}", all.size() - shown, what));
        };
        records(m_context.recent, plan.recent, kRecentShown, "older attempts");
        records(m_context.top, plan.top, kTopShown, "of the top candidates");
        if (plan.example == CheatSheetExample::Without)
            notes.push_back("the cheat sheet's example program");
        if (m_context.registry) {
            if (!plan.registry_shown)
                notes.push_back(fmt::format("the step registry ({}; `pxos steps` lists it)",
                    kilobytes(registry(Plan {}).size())));
            else if (plan.registry != RegistryDetail::Docs)
                notes.push_back(fmt::format("the step registry's {} ({})",
                    plan.registry == RegistryDetail::Params ? "parameter docs" : "parameters",
                    kilobytes(registry(Plan {}).size() - registry(plan).size())));
        }
        if (!plan.summaries)
            notes.push_back("what the listed sources' headers say");
        if (notes.empty())
            return {};
        std::string text = fmt::format("## Left out to fit the prompt's budget of {} bytes\n", m_context.budget_bytes);
        for (const std::string& note : notes)
            text += "- " + note + "\n";
        return text + "\n";
    }

    std::string registry(const Plan& plan) const
    {
        if (!m_context.registry || !plan.registry_shown)
            return {};
        return "## Build steps you may use\n" + step_registry_table(*m_context.registry, plan.registry, m_context.region)
            + "\n";
    }

    std::string render(const Plan& plan) const
    {
        std::string text = m_fixed_head + sources_section(plan) + run(plan.console_lines) + m_fixed_middle;
        text += prompt::records_section("The last attempts (newest last)", m_context.recent,
            std::min(plan.recent, kRecentShown), true);
        text += prompt::records_section("The top candidates (best first)", m_context.top,
            std::min(plan.top, kTopShown), false);
        text += plan.example == CheatSheetExample::With ? m_cheat_sheet : m_cheat_sheet_short;
        text += registry(plan);
        text += left_out(plan);
        return text + m_reply;
    }

    // The last resort of a budget smaller than the prompt's essentials: the
    // text before the reply format is cut where it crosses the budget.
    static std::string cut_to_budget(std::string text, std::size_t budget)
    {
        if (text.size() <= budget)
            return text;
        std::size_t reply = text.rfind("## Reply format\n");
        std::string tail = reply == std::string::npos ? std::string() : text.substr(reply);
        std::string note = fmt::format("\n[the prompt was cut here: {} bytes over its budget of {} bytes]\n\n",
            text.size() - budget, budget);
        if (tail.size() + note.size() >= budget)
            return text.substr(0, budget);
        std::string head = text.substr(0, budget - tail.size() - note.size());
        if (std::size_t line = head.rfind('\n'); line != std::string::npos)
            head.resize(line);
        return head + note + tail;
    }

    const PromptContext& m_context;
    std::vector<std::string> m_steps;
    std::vector<const RoadmapSource*> m_sources; // the region's
    std::size_t m_main = kAll;
    std::vector<std::size_t> m_ranked;
    std::string m_fixed_head;
    std::string m_run_full;
    std::string m_fixed_middle;
    std::string m_reply;
    std::string m_cheat_sheet;
    std::string m_cheat_sheet_short;
};

} // namespace

std::string build_prompt(const PromptContext& context)
{
    if (!context.evaluation)
        return "pxos: build_prompt needs the parent's evaluation\n";
    return PromptBuilder(context).build();
}

std::string step_registry_table(const StepRegistry& registry, RegistryDetail detail, const std::string& region)
{
    std::string text;
    for (const StepDefinition& step : registry.steps()) {
        if (!region.empty() && step_region(std::string(step.name)) != region)
            continue;
        text += fmt::format("{}: {}\n", step.name, step.summary);
        if (detail == RegistryDetail::Names)
            continue;
        for (const ParamSpec& param : step.params) {
            std::string range = param.type == ParamType::Integer
                ? fmt::format(" {}..{}", param.minimum, param.maximum)
                : std::string();
            text += fmt::format("  {} {}{} = {}", param.name, param_type_name(param.type), range,
                format_param_value(param.default_value));
            if (detail == RegistryDetail::Docs && !param.doc.empty())
                text += fmt::format(": {}", param.doc);
            text += "\n";
        }
    }
    return text;
}

std::string retry_prompt(const std::string& base_prompt, std::string_view rejected_reply, const std::string& errors)
{
    // The rejected reply (bounded, its lines numbered as the errors name
    // them), then its exact errors (bounded too).
    constexpr std::size_t kMaxErrors = 4 * 1024;
    std::string shown = errors;
    if (shown.size() > kMaxErrors) {
        std::size_t cut = shown.rfind('\n', kMaxErrors);
        cut = cut == std::string::npos ? kMaxErrors : cut + 1;
        shown = shown.substr(0, cut) + fmt::format("... ({} more bytes of errors left out)\n", errors.size() - cut);
    }
    return base_prompt + "\n## Your previous reply was rejected\nYour reply, its lines numbered as the errors name them "
        + "(reply:LINE:COLUMN):\n" + numbered_reply_excerpt(rejected_reply) + "\nIts errors:\n" + shown
        + "Reply again with the errors fixed (patches, one ```yaml block, or both, as the reply format says).\n";
}

std::string reflection_json(int generation, const EvalResult& best, int best_generation,
    const std::vector<GenerationRecord>& history)
{
    nlohmann::ordered_json root;
    root["generation"] = generation;
    root["best_generation"] = best_generation;
    root["best_score"] = best.score;
    root["max_score"] = best.max_score;
    nlohmann::ordered_json failing = nlohmann::ordered_json::array();
    for (const Check& check : best.checks)
        if (!check.passed)
            failing.push_back({ { "id", check.id }, { "points", check.max_points }, { "message", check.message } });
    root["failing_checks"] = std::move(failing);
    nlohmann::ordered_json attempts = nlohmann::ordered_json::array();
    std::size_t first = history.size() > 5 ? history.size() - 5 : 0;
    for (std::size_t i = first; i < history.size(); ++i)
        attempts.push_back({ { "generation", history[i].generation }, { "parent", history[i].parent },
            { "proposer", history[i].proposer }, { "score", history[i].score }, { "note", history[i].note } });
    root["previous_attempts"] = std::move(attempts);
    return write_json(root, JsonLayout::Indented) + "\n";
}

} // namespace pxos
