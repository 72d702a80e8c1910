#include "pxos/base/suggest.hpp"

#include <catch2/catch.hpp>
#include <string_view>
#include <vector>

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[suggest]")
{
    CHECK(pxos::edit_distance("", "") == 0);
    CHECK(pxos::edit_distance("abc", "abc") == 0);
    CHECK(pxos::edit_distance("abc", "abd") == 1);
    CHECK(pxos::edit_distance("abc", "ab") == 1);
    CHECK(pxos::edit_distance("abc", "acb") == 1);
    CHECK(pxos::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("did you mean suggests only plausible typos", "[suggest]")
{
    std::vector<std::string_view> names = { "layout_regions", "init_background", "build" };
    CHECK(pxos::did_you_mean("layout_region", names) == "; did you mean 'layout_regions'?");
    CHECK(pxos::did_you_mean("biuld", names) == "; did you mean 'build'?");
    CHECK(pxos::did_you_mean("zzzzzz", names).empty());
    CHECK(pxos::did_you_mean("x", names).empty());
}
