// The loop's history: loop.jsonl in the out-dir, one complete JSON line per
// finished generation, in order. The line is appended last, after every
// file of its generation is written, so a generation counts only once it is
// whole; a torn last line (the loop was killed while writing it) is
// ignored, any other damage or a line out of order (two loops on one
// out-dir) refuses the resume with the line's place.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// One proposal of a generation that an LLM model (or agents) made, and
// whether it improved on its parent: the bandit's counts (pxos/loop/models.hpp).
struct ModelTrial {
    std::string model;
    bool improved = false;
};

struct GenerationRecord {
    int generation = 0;
    int parent = 0; // the generation whose roadmap it started from (0 for the first)
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
    std::string model; // the chosen proposal's model or agents ("kernel+programs"); with fallback, the one that failed
    std::vector<ModelTrial> trials; // every proposal of the generation with a model, in proposal order
};

// A record as its line of loop.jsonl (compact JSON, no newline).
std::string history_line(const GenerationRecord& record);

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
