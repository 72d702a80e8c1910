// Issue 15's check of the heuristic loop on the default roadmap: over its
// generations the best combined_score never goes down and rises at least
// once (the levers of pxos/loop/heuristic.hpp move the metrics), the gates
// stay full, and report.html shows the islands' curves and the archive.
// A Debug build runs kDebugGenerations of them (the interpreter is ~20x
// slower there); `make bench` runs the full 30 on the Release build
// (pxos_bench's generation rows check the same, bench/generation_bench.cpp).
#include "loop/loop_support.hpp"
#include "pxos/loop/loop.hpp"

#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

#ifdef NDEBUG
constexpr int kGenerations = 30;
#else
constexpr int kGenerations = 12;
#endif

class Quiet final : public pxos::LoopObserver { };

} // namespace

TEST_CASE("heuristic generations from the default roadmap: the best combined_score never goes down and rises",
    "[loop][heuristic]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::LoopOptions options
        = pxos::test::loop_options(scratch, "ROADMAP_VRAM_OS.yaml", kGenerations, pxos::ProposerKind::Heuristic);
    options.islands = 2;
    Quiet quiet;
    pxos::SteadyClock clock;
    auto summary = pxos::run_loop(options, pxos::steps::builtin_registry(), nullptr, quiet, clock);
    REQUIRE(summary.ok());

    std::vector<nlohmann::json> lines = pxos::test::loop_history(scratch);
    REQUIRE(lines.size() == std::size_t(kGenerations));
    double first = lines.front()["best_combined_score"].get<double>();
    CHECK(first == Approx(1.0).margin(0.001)); // the default image is the metrics' baseline
    double best = first;
    int rises = 0;
    std::vector<std::string> rising_notes;
    for (const nlohmann::json& line : lines) {
        INFO("generation " << line["generation"] << ": " << line["note"]);
        CHECK(line["best_score"] == line["max_score"]); // the gates stay full
        double now = line["best_combined_score"].get<double>();
        CHECK(now >= best);
        if (now > best) {
            ++rises;
            rising_notes.push_back(line["note"].get<std::string>());
        }
        best = now;
    }
    CHECK(rises >= 1);
    CHECK(best > first);
    // What rose was a lever the heuristic moved, and its note says which.
    for (const std::string& note : rising_notes) {
        INFO(note);
        CHECK((note.find("quantum-") != std::string::npos || note.find("process-earlier") != std::string::npos));
        CHECK(note.find("aims at") != std::string::npos);
    }

    std::string report = pxos::test::read_text(scratch.file("loop/report.html"));
    auto islands = report.find("<h2>Islands</h2>");
    auto archive = report.find("<h2>Archive</h2>");
    REQUIRE(islands != std::string::npos);
    REQUIRE(archive != std::string::npos);
    auto curves = report.find("aria-label='best per island'", islands);
    auto grid = report.find("aria-label='archive'", archive);
    CHECK(curves < archive); // the islands' curves
    CHECK(grid != std::string::npos); // the archive's grid
    CHECK(report.find("<path", curves) < archive); // a curve per island
}
