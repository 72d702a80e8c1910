// The loop's history: loop.jsonl in the out-dir, one complete JSON line per
// finished generation, in order. The line is appended last, after every
// file of its generation is written, so a generation counts only once it is
// whole; a torn last line (the loop was killed while writing it) is
// ignored, any other damage or a line out of order (two loops on one
// out-dir) refuses the resume with the line's place.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"

#include <compare>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// A candidate of the loop: (generation, candidate number within it, from 1).
// The given roadmap is (1, 1); (0, 0) is none.
struct CandidateId {
    int generation = 0;
    int candidate = 0;
    bool operator==(const CandidateId&) const = default;
    auto operator<=>(const CandidateId&) const = default;
};

// A MAP-Elites archive cell and its elite (see pxos/loop/population.hpp).
struct ArchiveCellRecord {
    int x = 0; // the bin of the first feature
    int y = 0; // the bin of the second
    CandidateId elite;
    double combined_score = 0;
    int score = 0;
};

// One island's best candidate.
struct IslandRecord {
    CandidateId best;
    double combined_score = 0;
    int score = 0;
};

// A metric of a candidate against its parent's (both measured).
struct MetricDelta {
    std::string key;
    double value = 0; // the candidate's
    double delta = 0; // the candidate's minus the parent's
};

// One record of loop.jsonl: a generation (its line) or one attempt of it
// (an element of the line's "attempts"). Both describe a candidate; the
// generation's line describes the candidate it chose (the best of its
// attempts, its files genNNN) and carries the population after it.
struct GenerationRecord {
    int generation = 0;
    int parent = 0; // the generation of the candidate it started from (0 for the first)
    int score = 0;
    int max_score = 0;
    int best_score = 0;
    int best_generation = 0;
    std::string proposer; // "given", "heuristic", "llm", "copy", "duplicate"
    bool fallback = false; // the LLM failed and the heuristic proposed instead
    int llm_calls = 0;
    std::string note;
    std::string roadmap_file;
    std::string image_file;
    std::string eval_file;
    std::string diff_file; // the image's difference from the parent's (from generation 2 on)

    // The candidate (issue 15). Old lines without these keys read as the defaults.
    int candidate = 1;        // its number in its generation (1-based; the LLM files' cK)
    int parent_candidate = 0; // the parent's candidate number (with `parent`, its CandidateId)
    int island = 0;           // the island it was proposed for (0-based)
    std::string model;        // the --llm-cmd name (or agents) that proposed it
    std::string rationale;    // the reply's rationale
    double combined_score = 0; // EvalResult::metrics.combined_score (0: not measured)
    int faults = 0;            // EvalResult::run.faults
    int gate_delta = 0;        // score minus the parent's
    double combined_delta = 0; // combined_score minus the parent's
    bool improved = false;     // it beats its parent (generation.hpp's better()): the --llm-cmd bandit's count
    std::vector<MetricDelta> metric_deltas; // the metrics both measured, metric_table() order
    bool regression = false;   // it lost a capability its parent had
    std::vector<std::string> lost; // those capabilities ("usertests.X", "scenario.Y", "robustness.Z")
    // What became of it: "given", "best" (the new best of all islands),
    // "island best", "archive" (only a cell's elite), "lower", "regression",
    // "duplicate", "invalid", "unbuilt" (it did not build).
    std::string outcome;
    std::string reason;        // why it was rejected or lost, in words
    std::string text_hash;     // FNV-1a 64 of its canonical roadmap (duplicates across the loop)
    std::string text_diff;     // its roadmap's unified diff from its parent's, when short
    std::string text_diff_file; // ... or the file under the out-dir that holds it
    bool has_cell = false;     // both feature metrics were measured
    int cell_x = 0;
    int cell_y = 0;

    // The generation's line only (empty in an attempt).
    int best_candidate = 0;         // with best_generation: the best of all islands
    double best_combined_score = 0;
    std::vector<IslandRecord> islands;      // each island's best after the generation
    std::vector<ArchiveCellRecord> archive; // the archive after the generation, by cell
    std::vector<std::string> archive_features; // the two metrics of its cells' axes
    int archive_bins = 0;                      // cells per doubling of each
    std::vector<std::string> migrations;    // "island 0 -> 1: generation 4 candidate 2", when some moved
    std::vector<GenerationRecord> attempts; // every candidate of the generation, in proposal order
};

// A record as its line of loop.jsonl (compact JSON, no newline).
std::string history_line(const GenerationRecord& record);

// `pxos loop --json`'s line for a finished generation (compact, no
// newline): {"schema": 1, then loop.jsonl's keys of the generation itself
// (not its islands, archive, migrations and attempts), "milliseconds"}.
std::string generation_summary_line(const GenerationRecord& record, double milliseconds);

// The records of loop.jsonl's text; `path` names the file in errors.
Result<std::vector<GenerationRecord>> parse_history(std::string_view text, const std::string& path);

// Appends one line to a file, atomically (the whole file is rewritten): a
// torn last line left by a crash is dropped first.
Result<void> append_line(FileSystem& files, const std::string& file, const std::string& line);

// Whether an out-dir that already holds a loop may continue it.
enum class ResumeMode { Refuse, Continue };

class History {
public:
    // The history at `path`: none yet (a fresh loop), or the records of the
    // loop to continue; an existing one is refused unless `mode` continues it.
    static Result<History> open(FileSystem& files, std::string path, ResumeMode mode);

    const std::string& path() const { return m_path; }
    const std::vector<GenerationRecord>& records() const { return m_records; }
    // The generation after the last complete one.
    int next_generation() const { return m_records.empty() ? 1 : m_records.back().generation + 1; }
    // Writes the record's line, then counts it.
    Result<void> append(const GenerationRecord& record);
    // The last `count` attempts of every generation, newest last (for the
    // prompt's PromptContext::recent).
    std::vector<GenerationRecord> recent_attempts(std::size_t count) const;
    // The attempt `id` names, or null.
    const GenerationRecord* find_attempt(CandidateId id) const;

private:
    History(FileSystem& files, std::string path, std::vector<GenerationRecord> records)
        : m_files(&files)
        , m_path(std::move(path))
        , m_records(std::move(records))
    {
    }

    FileSystem* m_files;
    std::string m_path;
    std::vector<GenerationRecord> m_records;
};

} // namespace pxos
