#include "source_excerpt.hpp"

#include "pxos/asm/builtin_sources.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <vector>

namespace pxos::cli {

namespace {

constexpr std::size_t kTabStop = 8;
constexpr std::string_view kClipped = "...";

bool is_continuation_byte(char c)
{
    return (static_cast<unsigned char>(c) & 0xc0) == 0x80;
}

// The line as shown, one terminal column per cell: each tab becomes spaces
// to the next tab stop, everything else what the escaper makes of it, one
// character per cell.
void append_cells(std::string_view raw, std::vector<std::string>& cells)
{
    while (!raw.empty()) {
        std::size_t tab = raw.find('\t');
        std::string shown = escape_for_terminal(raw.substr(0, tab));
        for (std::size_t i = 0; i < shown.size(); ++i) {
            if (!is_continuation_byte(shown[i]) || cells.empty())
                cells.emplace_back();
            cells.back() += shown[i];
        }
        if (tab == std::string_view::npos)
            break;
        do
            cells.emplace_back(" ");
        while (cells.size() % kTabStop != 0);
        raw.remove_prefix(tab + 1);
    }
}

} // namespace

std::string format_source_excerpt(std::string_view line, int column)
{
    // The bytes before the column, cut where a character starts.
    std::size_t cut = std::min(std::size_t(std::max(column, 1) - 1), line.size());
    while (cut > 0 && cut < line.size() && is_continuation_byte(line[cut]))
        --cut;
    std::vector<std::string> cells;
    append_cells(line.substr(0, cut), cells);
    std::size_t caret = cells.size();
    append_cells(line.substr(cut), cells);

    std::size_t begin = 0;
    std::size_t end = cells.size();
    if (cells.size() > kExcerptWidth) {
        // A window of the line, room left for "..." at both ends; the
        // column in its first three quarters, else in its middle.
        std::size_t window = kExcerptWidth - 2 * kClipped.size();
        if (caret >= window * 3 / 4)
            begin = std::min(caret - window / 2, cells.size() - window);
        end = begin + window;
    }
    std::string shown = begin > 0 ? std::string(kClipped) : std::string();
    for (std::size_t i = begin; i < end; ++i)
        shown += cells[i];
    if (end < cells.size())
        shown += kClipped;
    std::size_t indent = (begin > 0 ? kClipped.size() : 0) + (caret - begin);
    return shown + "\n" + std::string(indent, ' ') + "^\n";
}

std::optional<std::string> read_source_line(const std::string& file, int number)
{
    if (number < 1)
        return std::nullopt;
    std::string text;
    if (file.rfind(kBuiltinPrefix, 0) == 0) {
        auto builtin = builtin_source(std::string_view(file).substr(kBuiltinPrefix.size()));
        if (!builtin)
            return std::nullopt;
        text = *builtin;
    } else {
        // What pxos read as input: a roadmap or pxasm file within its default cap.
        std::uint64_t max_bytes = std::max(cap_default(Cap::RoadmapFile), cap_default(Cap::SourceFile));
        auto read = read_file_text(file, max_bytes);
        if (!read)
            return std::nullopt;
        text = std::move(read.value());
    }
    std::size_t start = 0;
    for (int line = 1; line < number; ++line) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            return std::nullopt;
        start = end + 1;
    }
    if (start >= text.size()) // past the last line (or after its final line end)
        return std::nullopt;
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = std::string_view(text).substr(start, end - start);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    return std::string(line);
}

std::optional<std::string> source_excerpt(const SourceLocation& location)
{
    if (location.line < 1 || location.column < 1)
        return std::nullopt;
    auto line = read_source_line(location.file, location.line);
    if (!line)
        return std::nullopt;
    return format_source_excerpt(*line, location.column);
}

} // namespace pxos::cli
