#include "pxos/loop/text_diff.hpp"
#include "pxos/base/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sstream>

namespace pxos {

namespace {

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    for (std::string_view line : split_lines(text))
        lines.emplace_back(line);
    return lines;
}

} // namespace

std::vector<std::string> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
    std::size_t head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head])
        ++head;
    std::size_t tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
        ++tail;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < head; ++i)
        out.push_back("  " + a[i]);
    std::size_t n = a.size() - head - tail, m = b.size() - head - tail;
    if ((n + 1) * (m + 1) > kMaxDiffCells) {
        for (std::size_t i = 0; i < n; ++i)
            out.push_back("- " + a[head + i]);
        for (std::size_t j = 0; j < m; ++j)
            out.push_back("+ " + b[head + j]);
    } else {
        std::vector<int> common((n + 1) * (m + 1), 0);
        auto at = [&](std::size_t i, std::size_t j) -> int& { return common[i * (m + 1) + j]; };
        for (std::size_t i = n; i-- > 0;)
            for (std::size_t j = m; j-- > 0;)
                at(i, j) = a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
        std::size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[head + i] == b[head + j]) {
                out.push_back("  " + a[head + i]);
                ++i, ++j;
            } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
                out.push_back("+ " + b[head + j++]);
            } else {
                out.push_back("- " + a[head + i++]);
            }
        }
    }
    for (std::size_t k = a.size() - tail; k < a.size(); ++k)
        out.push_back("  " + a[k]);
    return out;
}

std::string unified_diff(const std::string& a, const std::string& b, const std::string& a_name,
    const std::string& b_name, int context)
{
    if (a == b)
        return {};
    std::vector<std::string> lines = diff_lines(lines_of(a), lines_of(b));
    std::string out = "--- " + a_name + "\n+++ " + b_name + "\n";
    std::size_t count = lines.size();
    std::size_t ctx = std::size_t(std::max(context, 0));
    std::size_t i = 0;
    // Line numbers (1-based) in a and b at lines[i].
    std::vector<std::size_t> a_line(count + 1), b_line(count + 1);
    for (std::size_t k = 0, la = 1, lb = 1; k <= count; ++k) {
        a_line[k] = la;
        b_line[k] = lb;
        if (k < count) {
            la += lines[k][0] != '+';
            lb += lines[k][0] != '-';
        }
    }
    while (i < count) {
        if (lines[i][0] == ' ') {
            ++i;
            continue;
        }
        std::size_t start = i >= ctx ? i - ctx : 0;
        std::size_t end = i;
        // Extend over changes closer than 2 * context lines apart.
        while (end < count) {
            if (lines[end][0] != ' ') {
                ++end;
                continue;
            }
            std::size_t run = end;
            while (run < count && lines[run][0] == ' ')
                ++run;
            if (run < count && run - end <= 2 * ctx)
                end = run;
            else
                break;
        }
        std::size_t stop = std::min(count, end + ctx);
        std::size_t a_count = a_line[stop] - a_line[start], b_count = b_line[stop] - b_line[start];
        out += fmt::format("@@ -{},{} +{},{} @@\n", a_count ? a_line[start] : a_line[start] - 1, a_count,
            b_count ? b_line[start] : b_line[start] - 1, b_count);
        for (std::size_t k = start; k < stop; ++k)
            out += (lines[k][0] == ' ' ? " " : lines[k].substr(0, 1)) + lines[k].substr(2) + "\n";
        i = stop;
    }
    return out;
}

} // namespace pxos
