// Line diffs of roadmap texts: the history's diff of each attempt from its
// parent, and the report's. Bounded: the common head and tail are cut off
// first, and a middle too large for the longest-common-subsequence table
// (kMaxCells) is shown as removed then added.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pxos {

constexpr std::size_t kMaxDiffCells = 4u << 20;

// Every line of the two texts: "  " kept, "- " removed, "+ " added.
std::vector<std::string> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b);

// A unified diff (hunks "@@ -a,n +b,m @@" with `context` lines around each
// change); empty when the texts are the same.
std::string unified_diff(const std::string& a, const std::string& b, const std::string& a_name,
    const std::string& b_name, int context = 2);

} // namespace pxos
