// `pxos eval` on the command line: skipped checks shown as SKIP, a
// --min-score no evaluation can reach refused, the JSON's schema key.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

// The seed's image: it passes the seed checks, does not boot, so the checks that need a boot are skipped.
void build_seed_image(const ScratchDirectory& scratch)
{
    REQUIRE(pxos::test::build_with_pxos("roadmaps/seed_stage1.yaml", "seed.png", scratch.path()) == 0);
}

} // namespace

TEST_CASE("pxos eval prints a skipped check as SKIP, a failed one as FAIL", "[cli][eval]")
{
    ScratchDirectory scratch;
    build_seed_image(scratch);
    auto text = run_pxos("eval seed.png", scratch.path());
    CHECK(text.exit_code == 0);
    CHECK(text.out.find("[FAIL] kernel.boots ") != std::string::npos);
    CHECK(text.out.find("[SKIP] execution.hello ") != std::string::npos);
    CHECK(text.out.find("[SKIP] structure.header_pointers ") != std::string::npos);
    // Every check whose message says it was skipped is a SKIP, and no other.
    for (std::size_t at = text.out.find("[FAIL]"); at != std::string::npos; at = text.out.find("[FAIL]", at + 1))
        CHECK(text.out.substr(at, text.out.find('\n', at) - at).find("  skipped: ") == std::string::npos);

    auto json = nlohmann::json::parse(run_pxos("eval seed.png --json", scratch.path()).out);
    CHECK(json["schema"] == 1);
    int skipped = 0;
    for (const auto& check : json["checks"]) {
        bool says_skipped = check["message"].get<std::string>().rfind("skipped: ", 0) == 0;
        CHECK(check.value("skipped", false) == says_skipped);
        skipped += says_skipped ? 1 : 0;
        CHECK(check["passed"] == (check["points"] == check["max_points"]));
    }
    CHECK(skipped > 0);
}

TEST_CASE("pxos eval --min-score over the maximum score or over 100% is a usage error", "[cli][eval]")
{
    ScratchDirectory scratch;
    build_seed_image(scratch);
    auto over = run_pxos("eval seed.png --min-score 23", scratch.path());
    CHECK(over.exit_code == 2);
    CHECK(over.out.empty());
    CHECK(over.err == "pxos: error: --min-score 23 is over the maximum score, 22\n");
    CHECK(run_pxos("eval seed.png --min-score 22", scratch.path()).exit_code == 1); // reachable, not reached
    auto group = run_pxos("eval seed.png --only seed --min-score 5", scratch.path());
    CHECK(group.exit_code == 2);
    CHECK(group.err == "pxos: error: --min-score 5 is over the maximum score, 4 (--only seed)\n");
    CHECK(run_pxos("eval seed.png --only seed --min-score 4", scratch.path()).exit_code == 0);
    auto percent = run_pxos("eval seed.png --min-score 101%", scratch.path());
    CHECK(percent.exit_code == 2);
    CHECK(percent.err == "pxos: error: --min-score 101% is over 100%\n");
    CHECK(run_pxos("eval seed.png --min-score 100%", scratch.path()).exit_code == 1);
}
