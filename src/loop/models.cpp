#include "pxos/loop/models.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <set>

namespace pxos {

namespace {

bool name_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

// "--llm-cmd 'TEXT'" for messages, shortened.
std::string shown(std::string_view text)
{
    std::string head(text.substr(0, 60));
    return fmt::format("--llm-cmd '{}{}'", head, text.size() > head.size() ? "..." : "");
}

// splitmix64: a small, well-mixed generator whose output is the same on every host.
class SplitMix {
public:
    explicit SplitMix(std::uint64_t seed) : m_state(seed) { }
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in (0, 1].
    double uniform() { return double((next() >> 11) + 1) * 0x1.0p-53; }

private:
    std::uint64_t m_state;
};

// Gamma(k, 1) for a whole k >= 1: the sum of k exponential draws.
double gamma_whole(SplitMix& random, int k)
{
    double sum = 0;
    for (int i = 0; i < k; ++i)
        sum -= std::log(random.uniform());
    return sum;
}

// Beta(a, b) for whole a, b >= 1.
double beta_whole(SplitMix& random, int a, int b)
{
    double x = gamma_whole(random, a);
    double y = gamma_whole(random, b);
    return x / (x + y);
}

} // namespace

Result<ModelSpec> parse_model_spec(std::string_view text)
{
    std::size_t name_end = 0;
    while (name_end < text.size() && name_char(text[name_end]))
        ++name_end;
    std::size_t colon = text.find(':', name_end);
    bool named = name_end > 0 && name_end < text.size() && text[name_end] == '=' && colon != std::string_view::npos
        && text.substr(name_end, colon - name_end).find_first_of(" \t\n") == std::string_view::npos;
    if (!named) {
        if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
            return Error::usage(fmt::format("{}: the command is empty", shown(text)));
        return ModelSpec { "llm", 1, std::string(text) };
    }
    ModelSpec spec;
    spec.name = std::string(text.substr(0, name_end));
    if (!std::isalpha(static_cast<unsigned char>(spec.name.front())))
        return Error::usage(fmt::format("{}: the model name '{}' must start with a letter (NAME=WEIGHT:CMD)",
            shown(text), spec.name));
    std::string_view weight = text.substr(name_end + 1, colon - name_end - 1);
    double value = 0;
    auto [end, problem] = std::from_chars(weight.data(), weight.data() + weight.size(), value);
    if (weight.empty() || problem != std::errc() || end != weight.data() + weight.size() || !std::isfinite(value)
        || value <= 0 || value > 1e6)
        return Error::usage(fmt::format("{}: the weight '{}' of model '{}' is not a number above 0 and at most 1e6 "
                                        "(NAME=WEIGHT:CMD; a plain command that starts with NAME=...: put `env ` "
                                        "before it)",
            shown(text), weight, spec.name));
    spec.weight = value;
    spec.command = std::string(text.substr(colon + 1));
    if (spec.command.find_first_not_of(" \t\r\n") == std::string::npos)
        return Error::usage(fmt::format("{}: model '{}' has no command after the ':'", shown(text), spec.name));
    return spec;
}

Result<std::vector<ModelSpec>> parse_model_specs(const std::vector<std::string>& texts)
{
    std::vector<ModelSpec> specs;
    std::set<std::string> names;
    for (const std::string& text : texts) {
        auto spec = parse_model_spec(text);
        if (!spec)
            return std::move(spec).error();
        if (!names.insert(spec->name).second)
            return Error::usage(fmt::format("{}: a second model named '{}'; give each --llm-cmd its own name "
                                            "(NAME=WEIGHT:CMD)",
                shown(text), spec->name));
        specs.push_back(std::move(*spec));
    }
    return specs;
}

std::vector<ModelStats> model_stats(const std::vector<NamedLlm>& names, const std::vector<GenerationRecord>& records)
{
    std::vector<ModelStats> stats;
    for (const NamedLlm& named : names)
        stats.push_back({ named.name, named.weight, 0, 0 });
    for (const GenerationRecord& record : records)
        for (const GenerationRecord& attempt : record.attempts)
            for (std::size_t start = 0; !attempt.model.empty() && start <= attempt.model.size();) {
                std::size_t plus = std::min(attempt.model.find('+', start), attempt.model.size());
                std::string name = attempt.model.substr(start, plus - start);
                start = plus + 1;
                auto found = std::find_if(stats.begin(), stats.end(), [&](const ModelStats& s) { return s.name == name; });
                if (found == stats.end())
                    continue;
                ++found->candidates;
                found->improved += attempt.improved && !attempt.fallback ? 1 : 0;
            }
    return stats;
}

std::string model_stats_text(const std::vector<ModelStats>& stats, bool weights)
{
    std::string text;
    for (const ModelStats& s : stats)
        text += fmt::format("{}{}{}: {}, {} improved", text.empty() ? "" : "; ", s.name,
            weights ? fmt::format(" (weight {})", s.weight) : "", plural(s.candidates, "candidate"), s.improved);
    return text;
}

std::size_t pick_model(const std::vector<ModelStats>& stats, std::uint64_t seed, int generation, int candidate)
{
    if (stats.size() <= 1)
        return 0;
    SplitMix random(seed * 0x2545f4914f6cdd1dull ^ (std::uint64_t(generation) << 20) ^ std::uint64_t(candidate));
    random.next();
    std::size_t best = 0;
    double best_value = -1;
    for (std::size_t i = 0; i < stats.size(); ++i) {
        double rate = beta_whole(random, 1 + stats[i].improved, 1 + stats[i].candidates - stats[i].improved);
        double value = stats[i].weight * rate;
        if (value > best_value) {
            best_value = value;
            best = i;
        }
    }
    return best;
}

std::string reply_key(const std::string& model, const std::string& prompt)
{
    if (model == "llm")
        return prompt;
    return "model " + model + "\n\n" + prompt;
}

} // namespace pxos
