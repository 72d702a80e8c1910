// The loop's generation benchmark (issue 15: a generation with the full
// cascade on the default roadmap in at most 60 ms, Release, 2 cores): the
// whole generation as the loop times it, in process, and its parts.
#pragma once

#include <string>
#include <vector>

namespace pxos::bench {

struct BenchRow {
    std::string name;
    double value;
    std::string unit;
    std::string note;
};

struct GenerationBenchOptions {
    std::string roadmap = "roadmaps/ROADMAP_VRAM_OS.yaml";
    int generations = 31; // the first is the given roadmap; the rest are timed
    int part_runs = 15;   // runs of each part (median)
    std::string scratch;  // the loop's out-dir goes under it (tmpfs when it can)
};

// Rows: the generation (wall and CPU medians, the first generation apart),
// then its parts: propose, parse, build, evaluate (gates; full cascade),
// PNG encoding, the files. Exits the bench with a message on failure.
std::vector<BenchRow> generation_rows(const GenerationBenchOptions& options);

} // namespace pxos::bench
