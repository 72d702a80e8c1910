// Line diffs of roadmaps: every line marked, and unified hunks with context.
#include "pxos/loop/text_diff.hpp"

#include <catch2/catch.hpp>

TEST_CASE("a line diff marks kept, removed and added lines", "[loop][history]")
{
    CHECK(pxos::diff_lines({ "a", "b", "c" }, { "a", "x", "c", "d" })
        == std::vector<std::string> { "  a", "+ x", "- b", "  c", "+ d" });
    CHECK(pxos::diff_lines({}, { "a" }) == std::vector<std::string> { "+ a" });
    CHECK(pxos::diff_lines({ "a" }, {}) == std::vector<std::string> { "- a" });
}

TEST_CASE("a unified diff has hunks with their line numbers and context, none for equal texts", "[loop][history]")
{
    std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
    std::string b = "1\n2\n3\nfour\n5\n6\n7\n8\n9\n10\n11\n";
    CHECK(pxos::unified_diff(a, b, "old", "new")
        == "--- old\n+++ new\n@@ -2,5 +2,5 @@\n 2\n 3\n+four\n-4\n 5\n 6\n@@ -9,2 +9,3 @@\n 9\n 10\n+11\n");
    CHECK(pxos::unified_diff(a, a, "old", "new").empty());
    CHECK(pxos::unified_diff("", "x\n", "old", "new") == "--- old\n+++ new\n@@ -0,0 +1,1 @@\n+x\n");
}
