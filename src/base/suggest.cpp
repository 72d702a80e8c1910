#include "pxos/base/suggest.hpp"

#include <algorithm>
#include <vector>

namespace pxos {

int edit_distance(std::string_view a, std::string_view b)
{
    // Optimal string alignment distance, three rolling rows.
    std::vector<int> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        previous[j] = int(j);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (std::size_t j = 1; j <= b.size(); ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({ previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost });
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates)
{
    std::optional<std::string> best;
    int best_distance = 0;
    // Allow about one edit per three characters, at least one, at most three.
    int allowed = std::clamp(int(word.size()) / 3, 1, 3);
    for (std::string_view candidate : candidates) {
        int distance = edit_distance(word, candidate);
        if (distance <= allowed && (!best || distance < best_distance)) {
            best = std::string(candidate);
            best_distance = distance;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates)
{
    auto match = closest_match(word, candidates);
    return match ? "; did you mean '" + *match + "'?" : std::string();
}

} // namespace pxos
