#include "pxos/loop/sources.hpp"

#include "pxos/asm/builtin_sources.hpp"
#include "pxos/base/limits.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <set>

namespace pxos {

namespace {

namespace fs = std::filesystem;

constexpr SourceParams kSourceSteps[] = {
    { "install_kernel", "kernel_file", "kernel_source" },
    { "add_process", "program_file", "program_source" },
    { "add_file", "program_file", "program_source" },
};

const std::string* own_string(const StepCall& call, std::string_view name)
{
    for (const auto& [key, value] : call.params)
        if (key == name)
            return std::get_if<std::string>(&value);
    return nullptr;
}

std::string default_string(const StepCall& call, std::string_view name)
{
    const ParamSpec* spec = call.definition ? call.definition->find_param(name) : nullptr;
    if (!spec)
        return {};
    const std::string* text = std::get_if<std::string>(&spec->default_value);
    return text ? *text : std::string();
}

// The names of a source's `.include "NAME"` lines, in order.
std::vector<std::string> includes_of(const std::string& text)
{
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string_view line(text.data() + start, end - start);
        std::size_t first = line.find_first_not_of(" \t");
        if (first != std::string_view::npos && line.substr(first, 8) == ".include") {
            std::size_t open = line.find('"', first + 8);
            std::size_t close = open == std::string_view::npos ? open : line.find('"', open + 1);
            if (close != std::string_view::npos)
                names.emplace_back(line.substr(open + 1, close - open - 1));
        }
        start = end + 1;
    }
    return names;
}

class Collector {
public:
    Collector(FileSystem& files, std::string folder)
        : m_files(files)
        , m_folder(std::move(folder))
    {
    }

    // A step's source and, depth first, what it includes. `builtin`: the
    // includes are built-in sources too; `folder`: where relative includes
    // resolve (relative to the roadmap's folder, as the names are shown).
    Result<void> add(RoadmapSource source, bool builtin, const std::string& folder, int depth)
    {
        if (depth > 16 || m_sources.size() >= 256)
            return {};
        std::vector<std::string> includes = includes_of(source.text);
        std::string includer = source.name;
        int step = source.step;
        std::string param = source.param;
        m_sources.push_back(std::move(source));
        for (const std::string& include : includes) {
            std::string name = builtin ? include : (fs::path(folder) / include).lexically_normal().string();
            std::string shown = builtin ? std::string(kBuiltinPrefix) + name : name;
            if (!m_seen.insert(shown).second)
                continue;
            RoadmapSource included { shown, step, param, includer, {} };
            if (builtin) {
                auto text = builtin_source(name);
                if (!text)
                    continue; // the build says what is wrong with it
                included.text = std::string(*text);
            } else {
                auto text = m_files.read_file_text((fs::path(m_folder) / name).string(),
                    cap_default(Cap::SourceFile), Cap::SourceFile);
                if (!text)
                    continue;
                included.text = std::move(*text);
            }
            PXOS_TRY(add(std::move(included), builtin, fs::path(name).parent_path().string(), depth + 1));
        }
        return {};
    }

    std::vector<RoadmapSource> take() { return std::move(m_sources); }
    bool seen(const std::string& name) { return !m_seen.insert(name).second; }

private:
    FileSystem& m_files;
    std::string m_folder;
    std::vector<RoadmapSource> m_sources;
    std::set<std::string> m_seen;
};

} // namespace

const SourceParams* source_params(std::string_view step_name)
{
    auto found = std::find_if(std::begin(kSourceSteps), std::end(kSourceSteps),
        [&](const SourceParams& p) { return p.step == step_name; });
    return found == std::end(kSourceSteps) ? nullptr : found;
}

std::string step_region(const std::string& step_name)
{
    if (step_name == "install_kernel")
        return "kernel";
    if (step_name == "add_process" || step_name == "add_file")
        return "programs";
    return "layout";
}

Result<std::vector<RoadmapSource>> roadmap_sources(const Roadmap& roadmap, FileSystem& files)
{
    std::string folder = fs::path(roadmap.path).parent_path().string();
    Collector collector(files, folder.empty() ? "." : folder);
    for (std::size_t i = 0; i < roadmap.steps.size(); ++i) {
        const StepCall& call = roadmap.steps[i];
        if (!call.definition)
            continue;
        auto kind = std::find_if(std::begin(kSourceSteps), std::end(kSourceSteps),
            [&](const SourceParams& p) { return p.step == call.definition->name; });
        if (kind == std::end(kSourceSteps))
            continue;
        int step = int(i + 1);
        if (const std::string* inline_text = own_string(call, kind->source)) {
            PXOS_TRY(collector.add({ fmt::format("step {}: {}", step, kind->source), step, std::string(kind->source),
                                       {}, *inline_text },
                false, ".", 0));
            continue;
        }
        const std::string* own_file = own_string(call, kind->file);
        std::string file = own_file ? *own_file : default_string(call, kind->file);
        if (file.empty() || collector.seen(file))
            continue;
        if (file.rfind(kBuiltinPrefix, 0) == 0) {
            auto text = builtin_source(std::string_view(file).substr(kBuiltinPrefix.size()));
            if (!text)
                return Error::bad_input(roadmap.path,
                    fmt::format("step {}: {} '{}' is not a built-in source", step, kind->file, file));
            PXOS_TRY(collector.add({ file, step, std::string(kind->file), {}, std::string(*text) }, true, "", 0));
            continue;
        }
        auto text = files.read_file_text((fs::path(folder.empty() ? "." : folder) / file).lexically_normal().string(),
            cap_default(Cap::SourceFile), Cap::SourceFile);
        if (!text)
            return Error::bad_input(roadmap.path, fmt::format("step {}: {} '{}': {}", step, kind->file, file,
                                                      text.error().diagnostics().front().message));
        PXOS_TRY(collector.add({ file, step, std::string(kind->file), {}, std::move(*text) }, false,
            fs::path(file).parent_path().string(), 0));
    }
    return collector.take();
}

} // namespace pxos
