// "Did you mean" for every table lookup (steps, parameters, keys, commands).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pxos {

// Edit distance (insertions, deletions, substitutions, adjacent swaps).
int edit_distance(std::string_view a, std::string_view b);

// The closest candidate, when close enough to be a plausible typo.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

// "; did you mean 'x'?" or an empty string.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

} // namespace pxos
