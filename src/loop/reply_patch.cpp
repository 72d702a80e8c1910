#include "loop/reply_patch.hpp"

#include "pxos/base/suggest.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pxos::reply {

namespace {

bool is_fence(std::string_view line)
{
    std::string_view text = trim(line);
    return text.substr(0, 3) == "```" || text.substr(0, 3) == "~~~";
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

std::string join_lines(const std::vector<std::string>& lines) { return fmt::format("{}", fmt::join(lines, "\n")); }

// The source name a name line gives: decorations a model adds around a
// file name (a heading's '#', `code`, **bold**, quotes, "File:", a trailing
// ':') dropped.
std::string strip_name(std::string_view line)
{
    std::string_view text = trim(line);
    while (!text.empty() && text.front() == '#')
        text = trim(text.substr(1));
    for (std::string_view prefix : { "file:", "File:", "FILE:", "source:", "Source:" })
        if (text.substr(0, prefix.size()) == prefix)
            text = trim(text.substr(prefix.size()));
    for (bool changed = true; changed && text.size() >= 2;) {
        changed = false;
        for (std::string_view wrap : { "**", "`", "\"", "'", "*" })
            if (text.size() >= 2 * wrap.size() && text.substr(0, wrap.size()) == wrap
                && text.substr(text.size() - wrap.size()) == wrap) {
                text = trim(text.substr(wrap.size(), text.size() - 2 * wrap.size()));
                changed = true;
                break;
            }
        if (!changed && !text.empty() && text.back() == ':') {
            text = trim(text.substr(0, text.size() - 1));
            changed = true;
        }
    }
    return std::string(text);
}

bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
        || c == '/' || c == '-';
}

// The source a name line names: exactly, else the one source name the line
// holds as a whole word; nullptr and a suggestion otherwise.
const RoadmapSource* resolve_name(const std::string& name, std::string_view line,
    const std::vector<RoadmapSource>& sources, std::string& suggestion)
{
    for (const RoadmapSource& source : sources)
        if (source.name == name)
            return &source;
    const RoadmapSource* contained = nullptr;
    int found = 0;
    for (const RoadmapSource& source : sources) {
        for (std::size_t at = line.find(source.name); at != std::string_view::npos;
             at = line.find(source.name, at + 1)) {
            std::size_t end = at + source.name.size();
            bool left = at == 0 || !name_char(line[at - 1]);
            bool right = end >= line.size() || !name_char(line[end]) || (line[end] == '.' && end + 1 == line.size());
            if (left && right) {
                if (contained != &source)
                    ++found;
                contained = &source;
                break;
            }
        }
    }
    if (found == 1)
        return contained;
    // A file an earlier patch inlined is patched through its includer's inline text.
    for (const RoadmapSource& source : sources)
        if (source.text.find(fmt::format("; ---- {} (inlined) ----", name)) != std::string::npos) {
            suggestion = fmt::format("; an earlier patch inlined it into '{}': patch that", source.name);
            return nullptr;
        }
    std::vector<std::string_view> names;
    for (const RoadmapSource& source : sources)
        names.push_back(source.name);
    suggestion = did_you_mean(name, names);
    if (suggestion.empty()) {
        std::vector<std::string_view> shown(names.begin(), names.begin() + std::ptrdiff_t(std::min<std::size_t>(names.size(), 16)));
        suggestion = names.empty() ? std::string("; the roadmap uses no pxasm source")
                                   : fmt::format("; the sources are: {}{}", fmt::join(shown, ", "),
                                         names.size() > shown.size() ? ", ..." : "");
    }
    return nullptr;
}

// A line's tokens for similarity: words (letters, digits, '_') and single
// other characters, sorted.
std::vector<std::string_view> tokens_of(std::string_view line)
{
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < line.size() && tokens.size() < 64) {
        char c = line[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            ++i;
            continue;
        }
        std::size_t start = i;
        auto word = [](char w) { return (w >= 'a' && w <= 'z') || (w >= 'A' && w <= 'Z') || (w >= '0' && w <= '9') || w == '_'; };
        if (word(c))
            while (i < line.size() && word(line[i]))
                ++i;
        else
            ++i;
        tokens.push_back(line.substr(start, i - start));
    }
    std::sort(tokens.begin(), tokens.end());
    return tokens;
}

// 0..1: how much two lines share (Dice on their tokens; two blank lines are the same).
double similarity(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b)
{
    if (a.empty() && b.empty())
        return 1;
    std::size_t common = 0;
    for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] == b[j]) {
            ++common;
            ++i;
            ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return 2.0 * double(common) / double(a.size() + b.size());
}

std::string shown_line(std::string_view line)
{
    constexpr std::size_t kMax = 160;
    return line.size() <= kMax ? std::string(line) : std::string(line.substr(0, kMax)) + " ...";
}

// The window of the source most like the SEARCH lines, as an error's text.
std::string nearest_text(const PatchBlock& block, const std::vector<std::string>& search,
    const std::vector<std::string_view>& lines)
{
    if (lines.empty())
        return fmt::format("{} is empty", block.source);
    // Bounded: at most ~2M line pairs compared (a source is at most a few
    // thousand lines; a longer SEARCH is scored on its first lines).
    std::size_t n = std::min(search.size(), std::max<std::size_t>(1, std::size_t(2'000'000) / lines.size()));
    std::vector<std::vector<std::string_view>> wanted;
    for (std::size_t i = 0; i < n; ++i)
        wanted.push_back(tokens_of(search[i]));
    std::vector<std::vector<std::string_view>> have;
    for (std::string_view line : lines)
        have.push_back(tokens_of(line));
    std::size_t windows = lines.size() > n ? lines.size() - n + 1 : 1;
    double best_score = -1;
    std::size_t best = 0;
    for (std::size_t j = 0; j < windows; ++j) {
        double score = 0;
        for (std::size_t i = 0; i < n && j + i < lines.size(); ++i)
            score += similarity(wanted[i], have[j + i]);
        if (score > best_score + 1e-9) {
            best_score = score;
            best = j;
        }
    }
    std::size_t shown = std::min(search.size(), lines.size() - best);
    std::size_t same = 0;
    std::size_t first_different = shown;
    for (std::size_t i = 0; i < shown; ++i) {
        if (trim(search[i]) == trim(lines[best + i]))
            ++same;
        else if (first_different == shown)
            first_different = i;
    }
    std::string text = fmt::format("the nearest text there is line{} {}{} ({} of {} lines the same",
        shown == 1 ? "" : "s", best + 1, shown == 1 ? std::string() : fmt::format("-{}", best + shown), same,
        search.size());
    if (first_different < shown)
        text += fmt::format("; reply line {} differs from line {}", block.line + 1 + int(first_different),
            best + 1 + first_different);
    text += "):";
    constexpr std::size_t kMaxShown = 40;
    for (std::size_t i = 0; i < std::min(shown, kMaxShown); ++i)
        text += fmt::format("\n  {:>4} | {}", best + 1 + i, shown_line(lines[best + i]));
    if (shown > kMaxShown)
        text += fmt::format("\n  ... ({} more lines)", shown - kMaxShown);
    return text;
}

// Where the SEARCH lines occur in `lines`, compared as `key` makes them.
template<typename Key>
std::vector<std::size_t> line_matches(const std::vector<std::string_view>& lines, const std::vector<std::string>& search,
    Key key)
{
    std::vector<std::size_t> found;
    if (search.empty() || search.size() > lines.size())
        return found;
    for (std::size_t j = 0; j + search.size() <= lines.size() && found.size() < 100; ++j) {
        bool all = true;
        for (std::size_t i = 0; i < search.size() && all; ++i)
            all = key(lines[j + i]) == key(search[i]);
        if (all)
            found.push_back(j);
    }
    return found;
}

std::size_t line_of_offset(std::string_view text, std::size_t offset)
{
    return std::size_t(std::count(text.begin(), text.begin() + std::ptrdiff_t(offset), '\n')) + 1;
}

// A listing's line numbers ("12 | ", "12: ", "  12  "), as a model copies them from the prompt.
bool strip_line_number(std::string& line)
{
    std::size_t i = line.find_first_not_of(' ');
    if (i == std::string::npos)
        return false;
    std::size_t digits = i;
    while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9')
        ++digits;
    if (digits == i || digits - i > 6)
        return false;
    std::size_t rest = digits;
    while (rest < line.size() && line[rest] == ' ')
        ++rest;
    if (rest < line.size() && (line[rest] == '|' || line[rest] == ':')) {
        ++rest;
        if (rest < line.size() && line[rest] == ' ')
            ++rest;
    } else if (rest == digits && rest < line.size()) {
        return false; // "12abc": not a number column
    }
    line.erase(0, rest);
    return true;
}

enum class Applied { Done, NotFound, Ambiguous };

struct Attempt {
    Applied result = Applied::NotFound;
    std::vector<std::size_t> places; // the lines (1-based) of each match, when ambiguous
};

// One block on `text`: exactly as written, else line by line ignoring the
// spaces at the lines' ends, then at both ends.
Attempt apply_once(std::string& text, const std::vector<std::string>& search, const std::vector<std::string>& replace)
{
    Attempt attempt;
    std::string needle = join_lines(search);
    std::vector<std::size_t> exact;
    for (std::size_t at = text.find(needle); at != std::string::npos && exact.size() < 100;
         at = text.find(needle, at + needle.size()))
        exact.push_back(at);
    if (exact.size() == 1) {
        std::size_t begin = exact.front();
        std::size_t end = begin + needle.size();
        // Deleting whole lines deletes their line break too.
        bool whole = (begin == 0 || text[begin - 1] == '\n') && (end == text.size() || text[end] == '\n');
        if (replace.empty() && whole && end < text.size())
            ++end;
        text.replace(begin, end - begin, join_lines(replace));
        attempt.result = Applied::Done;
        return attempt;
    }
    if (exact.size() > 1) {
        attempt.result = Applied::Ambiguous;
        for (std::size_t at : exact)
            attempt.places.push_back(line_of_offset(text, at));
        return attempt;
    }
    std::vector<std::string_view> lines = split_lines(text, { .strip_cr = true });
    auto by_right = [](std::string_view line) { return trim_right(line); };
    auto by_both = [](std::string_view line) { return trim(line); };
    std::vector<std::size_t> found = line_matches(lines, search, by_right);
    if (found.empty())
        found = line_matches(lines, search, by_both);
    if (found.size() > 1) {
        attempt.result = Applied::Ambiguous;
        for (std::size_t at : found)
            attempt.places.push_back(at + 1);
        return attempt;
    }
    if (found.empty())
        return attempt;
    std::vector<std::string> result;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i == found.front())
            for (const std::string& line : replace)
                result.push_back(line);
        if (i < found.front() || i >= found.front() + search.size())
            result.emplace_back(lines[i]);
    }
    bool trailing_newline = !text.empty() && text.back() == '\n';
    text = join_lines(result) + (trailing_newline ? "\n" : "");
    attempt.result = Applied::Done;
    return attempt;
}

} // namespace

MarkerKind marker_of(std::string_view line)
{
    std::string_view text = trim_right(line);
    if (text.empty())
        return MarkerKind::None;
    char c = text.front();
    if (c != '<' && c != '=' && c != '>')
        return MarkerKind::None;
    std::size_t run = text.find_first_not_of(c);
    std::size_t count = run == std::string_view::npos ? text.size() : run;
    if (count < 5 || count > 9)
        return MarkerKind::None;
    std::string_view rest = run == std::string_view::npos ? std::string_view() : trim(text.substr(run));
    if (c == '=')
        return rest.empty() ? MarkerKind::Divider : MarkerKind::None;
    if (c == '<')
        return rest == "SEARCH" ? MarkerKind::Search : MarkerKind::None;
    return rest == "REPLACE" ? MarkerKind::Replace : MarkerKind::None;
}

FoundPatches find_patches(const std::vector<std::string_view>& lines)
{
    FoundPatches found;
    found.in_patch.assign(lines.size(), false);
    enum class State { Outside, Search, Replace } state = State::Outside;
    PatchBlock block;
    std::size_t first_line = 0; // 0-based: the block's name line, or its SEARCH line
    auto place = [](int line) { return SourceLocation { "reply", line, 1 }; };
    auto start = [&](std::size_t i) {
        block = PatchBlock {};
        block.number = int(found.blocks.size() + found.errors.size()) + 1;
        block.line = int(i + 1);
        first_line = i;
        // The name line: the nearest line above that is neither blank nor a
        // fence; the REPLACE of the block before means "the same source".
        for (std::size_t k = i; k-- > 0;) {
            if (is_blank(lines[k]) || is_fence(lines[k]))
                continue;
            if (marker_of(lines[k]) == MarkerKind::Replace)
                break;
            block.name_line = int(k + 1);
            block.name_as_written = std::string(trim(lines[k]));
            first_line = k;
            break;
        }
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        MarkerKind marker = marker_of(lines[i]);
        switch (state) {
        case State::Outside:
            if (marker == MarkerKind::Search) {
                start(i);
                state = State::Search;
            }
            break;
        case State::Search:
            if (marker == MarkerKind::Divider) {
                state = State::Replace;
            } else if (marker == MarkerKind::Search || marker == MarkerKind::Replace) {
                found.errors.emplace_back(Severity::Error, place(block.line),
                    fmt::format("block {}: {} before its {} (a block is {}, the old lines, {}, the new lines, {})",
                        block.number, marker == MarkerKind::Search ? "another " + std::string(kSearchMarker)
                                                                     : std::string(kReplaceMarker),
                        kDividerMarker, kSearchMarker, kDividerMarker, kReplaceMarker));
                state = State::Outside;
                if (marker == MarkerKind::Search) {
                    start(i);
                    state = State::Search;
                }
            } else {
                block.search.emplace_back(lines[i]);
            }
            break;
        case State::Replace:
            if (marker == MarkerKind::Replace) {
                for (std::size_t k = first_line; k <= i; ++k)
                    found.in_patch[k] = true;
                found.blocks.push_back(std::move(block));
                state = State::Outside;
            } else if (marker == MarkerKind::Search) {
                found.errors.emplace_back(Severity::Error, place(block.line),
                    fmt::format("block {}: no {} before the next {} (line {})", block.number, kReplaceMarker,
                        kSearchMarker, i + 1));
                start(i);
                state = State::Search;
            } else {
                block.replace.emplace_back(lines[i]);
            }
            break;
        }
    }
    if (state != State::Outside)
        found.errors.emplace_back(Severity::Error, place(block.line),
            fmt::format("block {}: the reply ends before its {}", block.number,
                state == State::Search ? kDividerMarker : kReplaceMarker));
    return found;
}

Patched apply_patches(std::vector<PatchBlock>& blocks, const std::vector<RoadmapSource>& sources,
    std::vector<Diagnostic>& errors)
{
    // Bounds: a reply of many blocks costs at most kMaxBlocks applications
    // and kMaxNearest searches for the nearest text.
    constexpr std::size_t kMaxBlocks = 256;
    constexpr int kMaxNearest = 8;
    int nearest_left = kMaxNearest;
    Patched patched;
    if (blocks.size() > kMaxBlocks) {
        errors.emplace_back(Severity::Error, SourceLocation { "reply", blocks[kMaxBlocks].line, 1 },
            fmt::format("block {}: a reply holds at most {} patch blocks", kMaxBlocks + 1, kMaxBlocks));
        return patched;
    }
    std::string previous; // the source of the block before
    for (PatchBlock& block : blocks) {
        SourceLocation place { "reply", block.line, 1 };
        if (block.name_line == 0 && previous.empty()) {
            errors.emplace_back(Severity::Error, place,
                fmt::format("block {}: no line naming its source before {} (write the source's name, e.g. "
                            "kernel.pxasm, on the line before)",
                    block.number, kSearchMarker));
            continue;
        }
        if (block.name_line > 0) {
            std::string suggestion;
            const RoadmapSource* source
                = resolve_name(strip_name(block.name_as_written), block.name_as_written, sources, suggestion);
            if (!source) {
                errors.emplace_back(Severity::Error, SourceLocation { "reply", block.name_line, 1 },
                    fmt::format("block {}: '{}' is not a source of the roadmap{}", block.number,
                        shown_line(block.name_as_written), suggestion));
                previous.clear();
                continue;
            }
            previous = source->name;
        }
        block.source = previous;
        auto known = patched.texts.find(block.source);
        std::string text = known != patched.texts.end()
            ? known->second
            : std::find_if(sources.begin(), sources.end(), [&](const RoadmapSource& s) { return s.name == block.source; })->text;
        std::string what = fmt::format("block {} on {}", block.number, block.source);
        bool blank = std::all_of(block.search.begin(), block.search.end(), [](const std::string& l) { return is_blank(l); });
        if (blank) {
            errors.emplace_back(Severity::Error, place,
                fmt::format("{}: its SEARCH part is empty; copy the lines to replace from {}, exactly", what,
                    block.source));
            continue;
        }
        Attempt attempt = apply_once(text, block.search, block.replace);
        if (attempt.result == Applied::NotFound) {
            // The prompt's line numbers, copied with the lines.
            std::vector<std::string> search = block.search;
            bool numbered = true;
            for (std::string& line : search)
                if (!is_blank(line) && !strip_line_number(line))
                    numbered = false;
            if (numbered) {
                std::vector<std::string> replace = block.replace;
                for (std::string& line : replace)
                    strip_line_number(line);
                attempt = apply_once(text, search, replace);
                if (attempt.result == Applied::Done)
                    patched.notes.push_back(fmt::format("block {}: ignored the line numbers", block.number));
            }
        }
        if (attempt.result == Applied::Ambiguous) {
            std::vector<std::size_t> shown(attempt.places.begin(),
                attempt.places.begin() + std::ptrdiff_t(std::min<std::size_t>(attempt.places.size(), 8)));
            errors.emplace_back(Severity::Error, place,
                fmt::format("{}: its SEARCH text ({} line{}) is found {}{} times in {} (at lines {}); add lines "
                            "around it so that it matches one place",
                    what, block.search.size(), block.search.size() == 1 ? "" : "s",
                    attempt.places.size() >= 100 ? "at least " : "", attempt.places.size(), block.source,
                    fmt::join(shown, ", ")));
            continue;
        }
        if (attempt.result == Applied::NotFound) {
            errors.emplace_back(Severity::Error, place,
                fmt::format("{}: its SEARCH text ({} line{}, reply line{} {}) is not in {}; {}", what,
                    block.search.size(), block.search.size() == 1 ? "" : "s", block.search.size() == 1 ? "" : "s",
                    block.search.size() == 1 ? fmt::format("{}", block.line + 1)
                                             : fmt::format("{}-{}", block.line + 1, block.line + int(block.search.size())),
                    block.source,
                    nearest_left-- > 0 ? nearest_text(block, block.search, split_lines(text, { .strip_cr = true }))
                                       : std::string("(the nearest text is shown for the first blocks only)")));
            continue;
        }
        if (known == patched.texts.end())
            patched.names.push_back(block.source);
        patched.texts[block.source] = std::move(text);
    }
    return patched;
}

} // namespace pxos::reply
