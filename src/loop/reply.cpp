#include "pxos/loop/reply.hpp"

#include "loop/reply_patch.hpp"
#include "pxos/loop/proposer.hpp"
#include "pxos/base/text.hpp"
#include "roadmap/yaml_document.hpp"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <yaml-cpp/yaml.h>

namespace pxos {

namespace {

using reply::StepOrigin;

constexpr std::size_t kMaxRationale = 2000;

// <think> sections blanked, their line breaks kept: the reply's lines stay
// numbered as the model wrote them (and as llm/*.reply.txt holds them).
std::string blank_think(std::string_view reply)
{
    std::string text(reply);
    std::size_t position = 0;
    for (;;) {
        auto open = text.find("<think>", position);
        if (open == std::string::npos)
            break;
        auto close = text.find("</think>", open);
        std::size_t end = close == std::string::npos ? text.size() : close + 8;
        for (std::size_t i = open; i < end; ++i)
            if (text[i] != '\n')
                text[i] = ' ';
        position = end;
    }
    return text;
}

struct Fence {
    int number = 0;         // 1-based among the reply's fenced blocks
    int open_line = 0;      // 1-based
    std::string tag;        // the info string's first word, lower case; empty: untagged
    std::size_t first = 0;  // its content: lines [first, end), 0-based
    std::size_t end = 0;
    std::size_t indent = 0; // of the opening fence, taken off its lines
    bool patch = false;     // holds SEARCH/REPLACE blocks
};

// CommonMark's fences: ``` or ~~~ (three or more, indented at most 3),
// closed by a run at least as long of the same character; an unclosed one
// runs to the end.
std::vector<Fence> find_fences(const std::vector<std::string_view>& lines, const std::vector<bool>& in_patch)
{
    std::vector<Fence> fences;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string_view::npos || indent > 3)
            continue;
        char c = line[indent];
        if (c != '`' && c != '~')
            continue;
        std::size_t run = line.find_first_not_of(c, indent);
        std::size_t count = (run == std::string_view::npos ? line.size() : run) - indent;
        if (count < 3)
            continue;
        Fence fence;
        fence.number = int(fences.size() + 1);
        fence.open_line = int(i + 1);
        fence.indent = indent;
        std::string_view info = run == std::string_view::npos ? std::string_view() : trim(line.substr(run));
        std::string tag(info.substr(0, info.find_first_of(" \t{")));
        std::transform(tag.begin(), tag.end(), tag.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
        fence.tag = tag;
        fence.first = i + 1;
        fence.end = lines.size();
        for (std::size_t k = i + 1; k < lines.size(); ++k) {
            std::string_view closing = trim(lines[k]);
            if (closing.size() >= count && closing.find_first_not_of(c) == std::string_view::npos
                && lines[k].find_first_not_of(' ') <= 3) {
                fence.end = k;
                break;
            }
        }
        for (std::size_t k = fence.first; k < fence.end && !fence.patch; ++k)
            fence.patch = in_patch[k] || reply::marker_of(lines[k]) != reply::MarkerKind::None;
        fences.push_back(fence);
        i = fence.end; // past its closing line
    }
    return fences;
}

std::string ordinal(int n)
{
    const char* suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    return fmt::format("{}{}", n, suffix);
}

// Lines [first, end) of the reply, padded with empty lines in front so
// that yaml-cpp's marks are the reply's lines.
std::string padded_text(const std::vector<std::string_view>& lines, std::size_t first, std::size_t end, std::size_t indent)
{
    std::string text(first, '\n');
    for (std::size_t k = first; k < end; ++k) {
        std::string_view line = lines[k];
        std::size_t strip = std::min(indent, line.find_first_not_of(' ') == std::string_view::npos ? line.size() : line.find_first_not_of(' '));
        text += line.substr(strip);
        text += '\n';
    }
    return text;
}

std::string bounded(std::string text)
{
    std::size_t first = text.find_first_not_of(" \t\r\n");
    std::size_t last = text.find_last_not_of(" \t\r\n");
    text = first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
    if (text.size() > kMaxRationale)
        text = text.substr(0, kMaxRationale) + " ...";
    return text;
}

// A "Rationale:" paragraph outside the fences and patches: that line's rest
// and the lines after it up to a blank line or a fence.
std::string prose_rationale(const std::vector<std::string_view>& lines, const std::vector<Fence>& fences,
    const std::vector<bool>& in_patch)
{
    std::vector<bool> fenced(lines.size(), false);
    for (const Fence& fence : fences)
        for (std::size_t k = fence.first - 1; k < std::min(lines.size(), fence.end + 1); ++k)
            fenced[k] = true;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (fenced[i] || in_patch[i])
            continue;
        std::string_view line = trim(lines[i]);
        while (!line.empty() && (line.front() == '#' || line.front() == '*' || line.front() == '_'))
            line = trim(line.substr(1));
        std::string head(line.substr(0, 9));
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
        if (head != "rationale")
            continue;
        std::string_view rest = line.substr(9);
        while (!rest.empty() && (rest.front() == '*' || rest.front() == '_'))
            rest.remove_prefix(1);
        if (rest.empty() || rest.front() != ':')
            continue;
        rest.remove_prefix(1);
        while (!rest.empty() && (rest.front() == '*' || rest.front() == '_'))
            rest.remove_prefix(1);
        std::string text(trim(rest));
        for (std::size_t k = i + 1; k < lines.size() && !fenced[k] && !in_patch[k] && !trim(lines[k]).empty()
             && text.size() <= kMaxRationale;
             ++k)
            text += (text.empty() ? "" : " ") + std::string(trim(lines[k]));
        return bounded(text);
    }
    return {};
}

std::string rationale_of(const YAML::Node& node)
{
    if (node.IsScalar())
        return bounded(node.as<std::string>());
    YAML::Emitter emitter;
    emitter << node;
    return bounded(emitter.c_str());
}

// The roadmap text without its `rationale:` key (which a roadmap does not
// have), its other lines where they were.
std::string without_rationale(const std::string& text, const YAML::Node& document)
{
    int rationale_line = -1;
    int next_line = -1;
    bool shared = false;
    for (auto it = document.begin(); it != document.end(); ++it) {
        int line = it->first.Mark().line;
        if (it->first.as<std::string>() == "rationale")
            rationale_line = line;
        else if (rationale_line >= 0 && next_line < 0 && line >= rationale_line)
            next_line = line;
    }
    for (auto it = document.begin(); it != document.end(); ++it)
        if (it->first.as<std::string>() != "rationale" && it->first.Mark().line == rationale_line)
            shared = true;
    if (rationale_line < 0)
        return text;
    if (shared) { // a flow map on one line: written out again without it
        YAML::Node copy = YAML::Clone(document);
        copy.remove("rationale");
        YAML::Emitter emitter;
        emitter << copy;
        return std::string(emitter.c_str()) + "\n";
    }
    std::string out;
    int line = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        bool blank = line >= rationale_line && (next_line < 0 || line < next_line);
        if (!blank)
            out.append(text, start, end - start);
        out += '\n';
        ++line;
        start = end + 1;
    }
    return out;
}

// Edits apply to the roadmap's canonical form; `origins` follows its steps.
Result<std::string> apply_edits(const YAML::Node& edits, const Roadmap& base, std::vector<StepOrigin>& origins)
{
    YAML::Node roadmap = YAML::Load(roadmap_to_yaml(base));
    // The steps' nodes stay where they are: yaml-cpp's Node assignment
    // rebinds the node it refers to, so shifting them inside a vector (an
    // insert, an erase) would alias one step to another. Edits move indices.
    std::vector<YAML::Node> nodes;
    for (const YAML::Node& step : roadmap["steps"])
        nodes.push_back(YAML::Clone(step));
    std::vector<std::size_t> steps;
    for (std::size_t i = 0; i < nodes.size(); ++i)
        steps.push_back(i);
    origins.resize(steps.size());
    std::vector<Diagnostic> errors;
    std::size_t number = 0;
    for (const YAML::Node& edit : edits) {
        ++number;
        SourceLocation where = yaml_location(std::string(kReplyFile), edit.Mark());
        auto refuse = [&](std::string message) { errors.emplace_back(Severity::Error, where, std::move(message)); };
        auto index = [&](const YAML::Node& node, std::size_t limit) -> std::optional<std::size_t> {
            if (!node || !node.IsScalar())
                return std::nullopt;
            try {
                long value = node.as<long>();
                if (value < 1 || std::size_t(value) > limit)
                    return std::nullopt;
                return std::size_t(value - 1);
            } catch (const YAML::Exception&) {
                return std::nullopt;
            }
        };
        if (!edit.IsMap() || edit.size() != 1 || !edit.begin()->first.IsScalar()) {
            refuse(fmt::format("edit {} must be one of set:, add:, remove:, move:", number));
            continue;
        }
        std::string op = edit.begin()->first.as<std::string>();
        YAML::Node args = edit.begin()->second;
        if (op != "set" && op != "add" && op != "remove" && op != "move") {
            refuse(fmt::format("edit {}: unknown edit '{}' (use set, add, remove or move)", number, op));
            continue;
        }
        if (!args.IsMap()) {
            refuse(fmt::format("edit {} ({}) must be a map of its arguments, e.g. {{set: {{step: 2, param: NAME, "
                               "value: V}}}}",
                number, op));
            continue;
        }
        StepOrigin origin { where, fmt::format("edit {} ({})", number, op) };
        if (op == "set") {
            auto at = index(args["step"], steps.size());
            if (!at || !args["param"] || !args["param"].IsScalar() || !args["value"]) {
                refuse(fmt::format("edit {} (set) needs step: 1..{}, param: and value:", number, steps.size()));
                continue;
            }
            nodes[steps[*at]]["params"][args["param"].as<std::string>()] = args["value"];
            origins[*at] = origin;
        } else if (op == "add") {
            auto at = args["at"] ? index(args["at"], steps.size() + 1) : std::optional<std::size_t>(steps.size());
            if (!at || !args["step"]) {
                refuse(fmt::format("edit {} (add) needs step: NAME and at: 1..{}", number, steps.size() + 1));
                continue;
            }
            YAML::Node step;
            step["step"] = args["step"];
            if (args["name"])
                step["name"] = args["name"];
            if (args["params"])
                step["params"] = args["params"];
            nodes.push_back(step);
            steps.insert(steps.begin() + std::ptrdiff_t(*at), nodes.size() - 1);
            origins.insert(origins.begin() + std::ptrdiff_t(*at), origin);
        } else if (op == "remove") {
            auto at = index(args["step"], steps.size());
            if (!at) {
                refuse(fmt::format("edit {} (remove) needs step: 1..{}", number, steps.size()));
                continue;
            }
            steps.erase(steps.begin() + std::ptrdiff_t(*at));
            origins.erase(origins.begin() + std::ptrdiff_t(*at));
        } else { // move
            auto from = index(args["from"], steps.size());
            auto to = index(args["to"], steps.size());
            if (!from || !to) {
                refuse(fmt::format("edit {} (move) needs from: and to: 1..{}", number, steps.size()));
                continue;
            }
            std::size_t moved = steps[*from];
            StepOrigin moved_origin = origins[*from].place.line > 0 ? origins[*from] : origin;
            steps.erase(steps.begin() + std::ptrdiff_t(*from));
            origins.erase(origins.begin() + std::ptrdiff_t(*from));
            steps.insert(steps.begin() + std::ptrdiff_t(*to), moved);
            origins.insert(origins.begin() + std::ptrdiff_t(*to), moved_origin);
        }
    }
    if (!errors.empty())
        return Error(ErrorKind::BadInput, std::move(errors));
    YAML::Node sequence(YAML::NodeType::Sequence);
    for (std::size_t step : steps)
        sequence.push_back(nodes[step]);
    roadmap["steps"] = sequence;
    YAML::Emitter emitter;
    emitter << roadmap;
    return std::string(emitter.c_str()) + "\n";
}

constexpr std::string_view kMergedFile = "proposed roadmap";

// Errors at lines of the merged roadmap (which the model never saw) put at
// the place in the reply that made the step, naming the step.
Error map_errors(const Error& error, const std::string& merged, const std::vector<StepOrigin>& origins)
{
    std::vector<int> step_lines; // 1-based first line of each step in `merged`
    std::vector<std::string> step_names;
    try {
        YAML::Node document = YAML::Load(merged);
        for (const YAML::Node& step : document["steps"]) {
            step_lines.push_back(step.Mark().line + 1);
            const YAML::Node name = step.IsMap() ? step["step"] : YAML::Node();
            step_names.push_back(name && name.IsScalar() ? name.as<std::string>() : std::string("?"));
        }
    } catch (const YAML::Exception&) {
    }
    std::vector<Diagnostic> mapped;
    for (const Diagnostic& diagnostic : error.diagnostics()) {
        bool merged_place = diagnostic.where.rfind(std::string(kMergedFile), 0) == 0;
        if (!merged_place) {
            mapped.push_back(diagnostic);
            continue;
        }
        int line = diagnostic.location.line;
        if (line <= 0) // a place given as text: "proposed roadmap:LINE:COL"
            line = std::atoi(diagnostic.where.c_str() + std::min(diagnostic.where.size(), kMergedFile.size() + 1));
        std::size_t step = step_lines.size();
        for (std::size_t k = 0; k < step_lines.size(); ++k)
            if (line >= step_lines[k])
                step = k;
        if (line <= 0 || step == step_lines.size()) {
            mapped.emplace_back(diagnostic.severity, std::string(kReplyFile),
                fmt::format("the proposed roadmap: {}", diagnostic.message));
            continue;
        }
        const StepOrigin origin = step < origins.size() ? origins[step] : StepOrigin {};
        std::string named = fmt::format("step {} ({})", step + 1, step_names[step]);
        if (origin.place.line > 0)
            mapped.emplace_back(diagnostic.severity, origin.place,
                origin.what.empty() ? fmt::format("{}: {}", named, diagnostic.message)
                                    : fmt::format("{} -> {}: {}", origin.what, named, diagnostic.message));
        else
            mapped.emplace_back(diagnostic.severity, std::string(kReplyFile),
                fmt::format("{}, which the reply did not change: {}", named, diagnostic.message));
    }
    return Error(error.kind(), std::move(mapped));
}

// A message for a rejected reply: its place in the reply is the first line.
Error refuse(std::vector<Diagnostic> errors) { return Error(ErrorKind::BadInput, std::move(errors)); }

} // namespace

Result<AcceptedReply> parse_reply(std::string_view reply_text, const ReplyContext& context)
{
    if (!context.base || !context.sources || !context.registry)
        return Error::internal("parse_reply: the context needs base, sources and registry");
    const std::string reply_file(kReplyFile);
    std::string text = blank_think(reply_text);
    std::vector<std::string_view> lines = split_lines(text, { .strip_cr = true });
    reply::FoundPatches found = reply::find_patches(lines);
    std::vector<Diagnostic> errors = std::move(found.errors);
    std::vector<Fence> fences = find_fences(lines, found.in_patch);
    bool has_patches = !found.blocks.empty() || !errors.empty();

    // The YAML block: the last tagged yaml/yml, else the last untagged, else
    // (no patches) the last fence of any tag, else the whole reply.
    const Fence* chosen = nullptr;
    auto last_with = [&](auto wanted) {
        const Fence* last = nullptr;
        for (const Fence& fence : fences)
            if (!fence.patch && wanted(fence.tag))
                last = &fence;
        return last;
    };
    chosen = last_with([](const std::string& tag) { return tag == "yaml" || tag == "yml"; });
    if (!chosen)
        chosen = last_with([](const std::string& tag) { return tag.empty(); });
    if (!chosen && !has_patches)
        chosen = last_with([](const std::string&) { return true; });
    std::vector<std::string> notes;
    std::optional<std::string> yaml;
    if (chosen) {
        if (fences.size() > 1) // with a choice, say which block was read
            notes.push_back(fmt::format("used the {} of {} fenced blocks ({}, line {})", ordinal(chosen->number),
                fences.size(), chosen->tag.empty() ? "untagged" : chosen->tag, chosen->open_line));
        yaml = padded_text(lines, chosen->first, chosen->end, chosen->indent);
    } else if (!has_patches) {
        notes.push_back("no fenced block: read the whole reply as YAML");
        yaml = padded_text(lines, 0, lines.size(), 0);
    }

    AcceptedReply accepted;
    enum class Kind { None, Roadmap, Edits } kind = Kind::None;
    YAML::Node document;
    if (yaml) {
        auto loaded = load_yaml_document(*yaml, reply_file, context.limits.yaml);
        if (!loaded) {
            for (const Diagnostic& diagnostic : loaded.error().diagnostics())
                errors.push_back(diagnostic);
            return refuse(std::move(errors));
        }
        document = *loaded;
        try {
            if (document.IsMap() && document["rationale"])
                accepted.rationale = rationale_of(document["rationale"]);
            if (document.IsMap() && document["steps"])
                kind = Kind::Roadmap;
            else if (document.IsMap() && document["edits"] && document["edits"].IsSequence())
                kind = Kind::Edits;
            else if (!(has_patches && document.IsMap() && document["rationale"] && document.size() == 1))
                errors.emplace_back(Severity::Error, reply_file,
                    "the reply is neither a roadmap (a map with 'steps:') nor an edit list (a map with 'edits:'); "
                    "put it in one ```yaml block");
        } catch (const YAML::Exception& exception) {
            errors.emplace_back(Severity::Error, yaml_location(reply_file, exception.mark), exception.msg);
        }
    }
    if (accepted.rationale.empty())
        accepted.rationale = prose_rationale(lines, fences, found.in_patch);

    // The roadmap the patches and edits apply to.
    Roadmap roadmap = *context.base;
    std::vector<StepOrigin> origins(roadmap.steps.size());
    if (kind == Kind::Roadmap) {
        auto parsed = parse_roadmap(without_rationale(*yaml, document), reply_file, *context.registry, context.limits);
        if (!parsed) {
            for (const Diagnostic& diagnostic : parsed.error().diagnostics())
                errors.push_back(diagnostic);
            return refuse(std::move(errors));
        }
        roadmap = std::move(*parsed);
        roadmap.path = context.base->path;
        origins.assign(roadmap.steps.size(), StepOrigin {});
        for (std::size_t i = 0; i < roadmap.steps.size(); ++i)
            origins[i].place = roadmap.steps[i].location;
    }
    reply::Patched patched = reply::apply_patches(found.blocks, *context.sources, errors);
    if (!errors.empty())
        return refuse(std::move(errors));
    std::vector<std::string> inlined;
    std::set<std::string> used
        = reply::inline_patched(roadmap, patched, found.blocks, *context.sources, origins, inlined);
    for (const std::string& name : patched.names)
        if (!used.count(name)) {
            auto block = std::find_if(found.blocks.begin(), found.blocks.end(),
                [&](const reply::PatchBlock& b) { return b.source == name; });
            errors.emplace_back(Severity::Error, SourceLocation { reply_file, block->line, 1 },
                fmt::format("block {}: no step of the reply's roadmap uses {}", block->number, name));
        }
    if (!errors.empty())
        return refuse(std::move(errors));
    if (!patched.names.empty())
        notes.push_back(fmt::format("applied {} patch{} to {}", found.blocks.size(), found.blocks.size() == 1 ? "" : "es",
                fmt::join(patched.names, ", ")));
    for (const std::string& note : patched.notes)
        notes.push_back(note);
    for (const std::string& note : inlined)
        notes.push_back(note);

    std::string merged;
    if (kind == Kind::Edits) {
        try {
            auto edited = apply_edits(document["edits"], roadmap, origins);
            if (!edited)
                return std::move(edited).error();
            merged = std::move(*edited);
        } catch (const YAML::Exception& exception) {
            return Error::bad_input(yaml_location(reply_file, exception.mark), "edit list: " + exception.msg);
        }
    } else {
        merged = roadmap_to_yaml(roadmap);
    }
    const std::string merged_file(kMergedFile);
    auto validated = context.files
        ? validate_proposal(*context.files, merged, merged_file, context.folder, *context.registry, context.limits)
        : parse_roadmap(merged, merged_file, *context.registry, context.limits);
    if (!validated)
        return map_errors(validated.error(), merged, origins);
    validated->output = OutputSettings {};
    accepted.text = roadmap_to_yaml(*validated);
    accepted.note = fmt::format("{}", fmt::join(notes, "; "));
    return accepted;
}

std::string reply_format_help()
{
    using reply::kDividerMarker;
    using reply::kReplaceMarker;
    using reply::kSearchMarker;
    std::string text = "## Reply format\n"
                       "Reply with patches to the sources, a ```yaml block, or both; prose around them is ignored.\n\n";
    text += fmt::format(
        "**Patches** change the pxasm sources the prompt lists (the kernel, the programs, the files they include). "
        "Each patch is: a line naming the source exactly as listed (e.g. `kernel.pxasm`, `kernel/proc.pxasm`, "
        "`step 7: program_source`); a line `{0}`; the old lines, copied exactly from that source without the "
        "line numbers, enough of them to match ONE place; a line `{1}`; the new lines; a line `{2}`. Example:\n"
        "```\nkernel.pxasm\n{0}\n    LI r1, 5\n{1}\n    LI r1, 6\n{2}\n```\n"
        "Several patches may follow one another, in or out of ``` fences; one with no name line of its own "
        "patches the source of the one before. Patches to one source apply in order, each to the text the one "
        "before left. A patched source is put into the roadmap inline (its step's kernel_file or program_file "
        "becomes kernel_source or program_source, holding the patched text).\n\n",
        kSearchMarker, kDividerMarker, kReplaceMarker);
    text += "**The yaml block** (at most one; with several fenced blocks the last ```yaml one is used, else the "
            "last untagged one) is either a whole roadmap (metadata:, steps:) or edits to the current roadmap, "
            "steps numbered from 1 as shown:\n"
            "```yaml\nedits:\n"
            "  - set: {step: 3, param: boot_banner_color, value: [0, 255, 0]}\n"
            "  - add: {at: 5, step: add_process, params: {program_file: builtin:draw.pxasm}}\n"
            "  - remove: {step: 2}\n  - move: {from: 4, to: 2}\n"
            "rationale: why this should score higher, in a sentence\n```\n"
            "Patches and edits go together (the patches apply first; both count the current roadmap's steps); "
            "patches with a whole roadmap apply to the sources that roadmap uses.\n\n"
            "**rationale:** (optional) a key of the yaml block, or a paragraph starting `Rationale:`; it is kept in "
            "the history.\n\n"
            "Files must be builtin: sources or inside the roadmap's folder; output paths are ignored. Errors name "
            "lines of your reply as `reply:LINE:COLUMN`.\n";
    return text;
}

std::string numbered_reply_excerpt(std::string_view reply, std::size_t max_bytes)
{
    std::vector<std::string_view> lines = split_lines(reply, { .strip_cr = true });
    constexpr std::size_t kMaxLine = 300;
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        std::string body = line.size() <= kMaxLine ? std::string(line) : std::string(line.substr(0, kMaxLine)) + " ...";
        shown.push_back(fmt::format("{:>4} | {}\n", i + 1, body));
    }
    std::size_t total = 0;
    for (const std::string& line : shown)
        total += line.size();
    if (total <= max_bytes) {
        std::string text;
        for (const std::string& line : shown)
            text += line;
        return text;
    }
    // The head and the tail, each half the budget.
    std::size_t head = 0, used = 0;
    while (head < shown.size() && used + shown[head].size() <= max_bytes / 2)
        used += shown[head++].size();
    std::size_t tail = shown.size();
    used = 0;
    while (tail > head && used + shown[tail - 1].size() <= max_bytes / 2)
        used += shown[--tail].size();
    std::string text;
    for (std::size_t i = 0; i < head; ++i)
        text += shown[i];
    text += fmt::format("     ... (lines {}-{} left out: the reply has {} lines, {} bytes; this excerpt is at most "
                        "{} bytes)\n",
        head + 1, tail, lines.size(), reply.size(), max_bytes);
    for (std::size_t i = tail; i < shown.size(); ++i)
        text += shown[i];
    return text;
}

} // namespace pxos
