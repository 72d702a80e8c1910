// Inlining patched sources into a roadmap (reply_patch.hpp). Inline source
// resolves its .include lines from the roadmap's folder and cannot include
// built-in sources (docs/PXASM.md), so the text put into `*_source` has its
// kept includes renamed as roadmap_sources() names them (relative to the
// roadmap's folder) and every patched or built-in include inlined in place.
#include "loop/reply_patch.hpp"

#include "pxos/asm/builtin_sources.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>

namespace pxos::reply {

namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 16; // the assembler's include depth

bool is_builtin(const std::string& name) { return name.rfind(kBuiltinPrefix, 0) == 0; }

// A line's `.include "NAME"`: where `.include` starts, the name, and what follows its closing quote.
struct IncludeLine {
    std::size_t indent = 0;
    std::string name;
    std::string rest;
};

std::optional<IncludeLine> include_of(std::string_view line)
{
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line.substr(first, 8) != ".include")
        return std::nullopt;
    std::size_t open = line.find('"', first + 8);
    std::size_t close = open == std::string_view::npos ? open : line.find('"', open + 1);
    if (close == std::string_view::npos)
        return std::nullopt;
    return IncludeLine { first, std::string(line.substr(open + 1, close - open - 1)), std::string(line.substr(close + 1)) };
}

class Inliner {
public:
    Inliner(const Patched& patched, const std::vector<RoadmapSource>& sources)
        : m_patched(patched)
        , m_sources(sources)
    {
    }

    std::optional<std::string> text_of(const std::string& name) const
    {
        if (auto found = m_patched.texts.find(name); found != m_patched.texts.end())
            return found->second;
        for (const RoadmapSource& source : m_sources)
            if (source.name == name)
                return source.text;
        if (is_builtin(name))
            if (auto text = builtin_source(std::string_view(name).substr(kBuiltinPrefix.size())))
                return std::string(*text);
        return std::nullopt;
    }

    // An include's name as roadmap_sources() gives it: relative to the
    // roadmap's folder (or built-in), from the includer's name.
    static std::string resolve(const std::string& includer, const std::string& include, bool inline_top)
    {
        if (fs::path(include).is_absolute())
            return include;
        if (inline_top)
            return fs::path(include).lexically_normal().string();
        bool builtin = is_builtin(includer);
        std::string own = builtin ? includer.substr(kBuiltinPrefix.size()) : includer;
        std::string resolved = (fs::path(own).parent_path() / include).lexically_normal().string();
        return builtin ? std::string(kBuiltinPrefix) + resolved : resolved;
    }

    // Whether `text` (named `name`) or anything it includes is patched.
    bool touches(const std::string& name, const std::string& text, bool inline_top, int depth)
    {
        if (depth > kMaxDepth)
            return false;
        for (std::string_view line : split_lines(text, { .keep_final_empty = true })) {
            auto include = include_of(line);
            if (!include)
                continue;
            std::string resolved = resolve(name, include->name, inline_top);
            if (touched(resolved, depth + 1))
                return true;
        }
        return false;
    }

    bool touched(const std::string& name, int depth)
    {
        if (m_patched.texts.count(name))
            return true;
        if (auto known = m_touched.find(name); known != m_touched.end())
            return known->second;
        m_touched[name] = false; // an include cycle ends here (the build reports it)
        auto text = text_of(name);
        bool result = text && touches(name, *text, false, depth);
        m_touched[name] = result;
        return result;
    }

    // The text to put inline: `text` with patched and built-in includes in
    // place and the others renamed. `used` learns the patched sources met.
    std::string render(const std::string& name, const std::string& text, bool inline_top, int depth,
        std::set<std::string>& used)
    {
        if (m_patched.texts.count(name))
            used.insert(name);
        std::string out;
        std::vector<std::string_view> lines = split_lines(text, { .keep_final_empty = true });
        for (std::size_t i = 0; i < lines.size(); ++i) {
            std::string_view line = lines[i];
            auto include = include_of(line);
            if (include) {
                std::string resolved = resolve(name, include->name, inline_top);
                auto included = text_of(resolved);
                bool inline_it = is_builtin(resolved) || touched(resolved, depth + 1);
                if (included && inline_it && depth < kMaxDepth) {
                    std::string indent(line.substr(0, include->indent));
                    out += fmt::format("{}; ---- {} (inlined) ----\n", indent, resolved);
                    std::string body = render(resolved, *included, false, depth + 1, used);
                    out += body;
                    if (!body.empty() && body.back() != '\n')
                        out += '\n';
                    out += fmt::format("{}; ---- end of {} ----", indent, resolved);
                } else if (!is_builtin(resolved)) {
                    out += fmt::format("{}.include \"{}\"{}", line.substr(0, include->indent), resolved, include->rest);
                } else {
                    out += line;
                }
            } else {
                out += line;
            }
            if (i + 1 < lines.size())
                out += '\n';
        }
        return out;
    }

private:
    const Patched& m_patched;
    const std::vector<RoadmapSource>& m_sources;
    std::map<std::string, bool> m_touched;
};

std::string* own_string(StepCall& call, std::string_view name)
{
    for (auto& [key, value] : call.params)
        if (key == name)
            return std::get_if<std::string>(&value);
    return nullptr;
}

} // namespace

std::set<std::string> inline_patched(Roadmap& roadmap, const Patched& patched, const std::vector<PatchBlock>& blocks,
    const std::vector<RoadmapSource>& sources, std::vector<StepOrigin>& origins, std::vector<std::string>& notes)
{
    std::set<std::string> used_anywhere;
    if (patched.texts.empty())
        return used_anywhere;
    Inliner inliner(patched, sources);
    origins.resize(roadmap.steps.size());
    for (std::size_t i = 0; i < roadmap.steps.size(); ++i) {
        StepCall& call = roadmap.steps[i];
        const SourceParams* params = call.definition ? source_params(call.definition->name) : nullptr;
        if (!params)
            continue;
        std::set<std::string> used;
        std::string inlined;
        std::string from;
        if (std::string* own = own_string(call, params->source)) {
            std::string name = fmt::format("step {}: {}", i + 1, params->source);
            std::string text = inliner.text_of(name).value_or(*own);
            if (!patched.texts.count(name) && !inliner.touches(name, text, true, 0))
                continue;
            *own = inliner.render(name, text, true, 0, used);
            from = fmt::format("its {}", params->source);
        } else {
            std::string* own_file = own_string(call, params->file);
            std::string file = own_file ? *own_file : std::string();
            if (!own_file)
                if (const ParamSpec* spec = call.definition->find_param(params->file))
                    if (const std::string* fallback = std::get_if<std::string>(&spec->default_value))
                        file = *fallback;
            auto text = file.empty() ? std::nullopt : inliner.text_of(file);
            if (!text || !inliner.touched(file, 0))
                continue;
            std::string rendered = inliner.render(file, *text, false, 0, used);
            auto at = std::find_if(call.params.begin(), call.params.end(),
                [&](const auto& param) { return param.first == params->file; });
            if (at != call.params.end())
                *at = { std::string(params->source), rendered };
            else
                call.params.emplace_back(std::string(params->source), rendered);
            from = fmt::format("{} {} inlined as {}", params->file, file, params->source);
        }
        std::vector<std::string> names(used.begin(), used.end());
        notes.push_back(fmt::format("step {} ({}): {} (patched: {})", i + 1, call.definition->name, from,
            fmt::join(names, ", ")));
        used_anywhere.insert(used.begin(), used.end());
        for (const PatchBlock& block : blocks)
            if (used.count(block.source)) {
                origins[i] = { SourceLocation { "reply", block.line, 1 },
                    fmt::format("block {} (patch on {})", block.number, block.source) };
                break;
            }
    }
    return used_anywhere;
}

} // namespace pxos::reply
