#include "pxos/loop/history.hpp"

#include "base/json_writer.hpp"
#include "pxos/base/file_system.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pxos {

namespace {

namespace fs = std::filesystem;

nlohmann::ordered_json id_json(CandidateId id)
{
    return nlohmann::ordered_json { { "generation", id.generation }, { "candidate", id.candidate } };
}

CandidateId id_from_json(const nlohmann::json& value)
{
    return CandidateId { value.at("generation").get<int>(), value.at("candidate").get<int>() };
}

// The keys every candidate has (a generation's line and each attempt).
void candidate_json(nlohmann::ordered_json& out, const GenerationRecord& record)
{
    out["candidate"] = record.candidate;
    out["parent_candidate"] = record.parent_candidate;
    out["island"] = record.island;
    out["model"] = record.model;
    out["rationale"] = record.rationale;
    out["combined_score"] = record.combined_score;
    out["faults"] = record.faults;
    out["gate_delta"] = record.gate_delta;
    out["combined_delta"] = record.combined_delta;
    out["improved"] = record.improved;
    nlohmann::ordered_json deltas = nlohmann::ordered_json::array();
    for (const MetricDelta& delta : record.metric_deltas)
        deltas.push_back({ { "key", delta.key }, { "value", delta.value }, { "delta", delta.delta } });
    out["metric_deltas"] = std::move(deltas);
    out["regression"] = record.regression;
    out["lost"] = record.lost;
    out["outcome"] = record.outcome;
    out["reason"] = record.reason;
    out["hash"] = record.text_hash;
    out["text_diff"] = record.text_diff;
    out["text_diff_file"] = record.text_diff_file;
    if (record.has_cell)
        out["cell"] = { record.cell_x, record.cell_y };
    else
        out["cell"] = nullptr;
}

void candidate_from_json(const nlohmann::json& line, GenerationRecord& record)
{
    record.candidate = line.value("candidate", 1);
    record.parent_candidate = line.value("parent_candidate", record.parent > 0 ? 1 : 0);
    record.island = line.value("island", 0);
    record.model = line.value("model", "");
    record.rationale = line.value("rationale", "");
    record.combined_score = line.value("combined_score", 0.0);
    record.faults = line.value("faults", 0);
    record.gate_delta = line.value("gate_delta", 0);
    record.combined_delta = line.value("combined_delta", 0.0);
    record.improved = line.value("improved", false);
    if (line.contains("metric_deltas"))
        for (const auto& delta : line.at("metric_deltas"))
            record.metric_deltas.push_back({ delta.at("key").get<std::string>(), delta.at("value").get<double>(),
                delta.at("delta").get<double>() });
    record.regression = line.value("regression", false);
    if (line.contains("lost"))
        record.lost = line.at("lost").get<std::vector<std::string>>();
    record.outcome = line.value("outcome", "");
    record.reason = line.value("reason", "");
    record.text_hash = line.value("hash", "");
    record.text_diff = line.value("text_diff", "");
    record.text_diff_file = line.value("text_diff_file", "");
    if (line.contains("cell") && !line.at("cell").is_null()) {
        record.has_cell = true;
        record.cell_x = line.at("cell").at(0).get<int>();
        record.cell_y = line.at("cell").at(1).get<int>();
    }
}

nlohmann::ordered_json attempt_json(const GenerationRecord& record)
{
    nlohmann::ordered_json out;
    out["generation"] = record.generation;
    out["parent"] = record.parent;
    out["score"] = record.score;
    out["max_score"] = record.max_score;
    out["proposer"] = record.proposer;
    out["fallback"] = record.fallback;
    out["llm_calls"] = record.llm_calls;
    out["note"] = record.note;
    out["roadmap"] = record.roadmap_file;
    candidate_json(out, record);
    return out;
}

GenerationRecord attempt_from_json(const nlohmann::json& line)
{
    GenerationRecord record;
    record.generation = line.at("generation").get<int>();
    record.parent = line.at("parent").get<int>();
    record.score = line.at("score").get<int>();
    record.max_score = line.at("max_score").get<int>();
    record.proposer = line.at("proposer").get<std::string>();
    record.fallback = line.at("fallback").get<bool>();
    record.llm_calls = line.at("llm_calls").get<int>();
    record.note = line.at("note").get<std::string>();
    record.roadmap_file = line.at("roadmap").get<std::string>();
    candidate_from_json(line, record);
    return record;
}

nlohmann::ordered_json record_json(const GenerationRecord& record)
{
    nlohmann::ordered_json line;
    line["generation"] = record.generation;
    line["parent"] = record.parent;
    line["score"] = record.score;
    line["max_score"] = record.max_score;
    line["best_score"] = record.best_score;
    line["best_generation"] = record.best_generation;
    line["proposer"] = record.proposer;
    line["fallback"] = record.fallback;
    line["llm_calls"] = record.llm_calls;
    line["note"] = record.note;
    line["roadmap"] = record.roadmap_file;
    line["image"] = record.image_file;
    line["eval"] = record.eval_file;
    line["diff"] = record.diff_file;
    candidate_json(line, record);
    line["best_candidate"] = record.best_candidate;
    line["best_combined_score"] = record.best_combined_score;
    nlohmann::ordered_json islands = nlohmann::ordered_json::array();
    for (const IslandRecord& island : record.islands) {
        nlohmann::ordered_json entry = id_json(island.best);
        entry["score"] = island.score;
        entry["combined_score"] = island.combined_score;
        islands.push_back(std::move(entry));
    }
    line["islands"] = std::move(islands);
    nlohmann::ordered_json archive = nlohmann::ordered_json::array();
    for (const ArchiveCellRecord& cell : record.archive) {
        nlohmann::ordered_json entry { { "cell", { cell.x, cell.y } } };
        entry["generation"] = cell.elite.generation;
        entry["candidate"] = cell.elite.candidate;
        entry["score"] = cell.score;
        entry["combined_score"] = cell.combined_score;
        archive.push_back(std::move(entry));
    }
    line["archive"] = std::move(archive);
    line["archive_features"] = record.archive_features;
    line["archive_bins"] = record.archive_bins;
    line["migrations"] = record.migrations;
    nlohmann::ordered_json attempts = nlohmann::ordered_json::array();
    for (const GenerationRecord& attempt : record.attempts)
        attempts.push_back(attempt_json(attempt));
    line["attempts"] = std::move(attempts);
    return line;
}

GenerationRecord record_from_json(const nlohmann::json& line)
{
    GenerationRecord record;
    record.generation = line.at("generation").get<int>();
    record.parent = line.at("parent").get<int>();
    record.score = line.at("score").get<int>();
    record.max_score = line.at("max_score").get<int>();
    record.best_score = line.at("best_score").get<int>();
    record.best_generation = line.at("best_generation").get<int>();
    record.proposer = line.at("proposer").get<std::string>();
    record.fallback = line.at("fallback").get<bool>();
    record.llm_calls = line.at("llm_calls").get<int>();
    record.note = line.at("note").get<std::string>();
    record.roadmap_file = line.at("roadmap").get<std::string>();
    record.image_file = line.at("image").get<std::string>();
    record.eval_file = line.at("eval").get<std::string>();
    record.diff_file = line.value("diff", "");
    candidate_from_json(line, record);
    record.best_candidate = line.value("best_candidate", 1);
    record.best_combined_score = line.value("best_combined_score", 0.0);
    if (line.contains("islands"))
        for (const auto& island : line.at("islands"))
            record.islands.push_back({ id_from_json(island), island.at("combined_score").get<double>(),
                island.at("score").get<int>() });
    if (line.contains("archive"))
        for (const auto& cell : line.at("archive"))
            record.archive.push_back({ cell.at("cell").at(0).get<int>(), cell.at("cell").at(1).get<int>(),
                id_from_json(cell), cell.at("combined_score").get<double>(), cell.at("score").get<int>() });
    if (line.contains("archive_features"))
        record.archive_features = line.at("archive_features").get<std::vector<std::string>>();
    record.archive_bins = line.value("archive_bins", 0);
    if (line.contains("migrations"))
        record.migrations = line.at("migrations").get<std::vector<std::string>>();
    if (line.contains("attempts"))
        for (const auto& attempt : line.at("attempts"))
            record.attempts.push_back(attempt_from_json(attempt));
    return record;
}

} // namespace

std::string history_line(const GenerationRecord& record)
{
    return write_json(record_json(record), JsonLayout::Compact);
}

std::string generation_summary_line(const GenerationRecord& record, double milliseconds)
{
    nlohmann::ordered_json line;
    line["schema"] = 1;
    const nlohmann::ordered_json full = record_json(record); // (kept: items() does not own it)
    for (const auto& [key, value] : full.items())
        if (key != "islands" && key != "archive" && key != "archive_features" && key != "archive_bins"
            && key != "migrations" && key != "attempts")
            line[key] = value;
    line["milliseconds"] = std::round(milliseconds * 1000.0) / 1000.0;
    return write_json(line, JsonLayout::Compact);
}

// Complete lines of loop.jsonl (a torn last line from a crash is ignored).
Result<std::vector<GenerationRecord>> parse_history(std::string_view text, const std::string& path)
{
    std::vector<GenerationRecord> records;
    std::istringstream lines { std::string(text) };
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty())
            continue;
        try {
            records.push_back(record_from_json(nlohmann::json::parse(line)));
        } catch (const nlohmann::json::exception& exception) {
            if (lines.peek() == EOF)
                break; // the line in flight when the loop was killed
            return Error::bad_input(fmt::format("{}:{}", path, number), std::string("corrupt loop record: ") + exception.what());
        }
        // One line per generation, in order: anything else was written by two loops at once (before the lock).
        if (int expected = int(records.size()); records.back().generation != expected)
            return Error::bad_input(fmt::format("{}:{}", path, number),
                fmt::format("generation {} where generation {} should be: the log is out of order or repeats a "
                            "generation (two loops on one out-dir?)",
                    records.back().generation, expected));
    }
    return records;
}

Result<void> append_line(FileSystem& files, const std::string& file, const std::string& line)
{
    std::string existing;
    if (files.exists(file)) {
        auto text = files.read_file_text(file, 64u << 20);
        if (!text)
            return std::move(text).error();
        existing = std::move(*text);
        if (!existing.empty() && existing.back() != '\n')
            existing.erase(existing.rfind('\n') == std::string::npos ? 0 : existing.rfind('\n') + 1);
    }
    return files.write_file_atomic(file, existing + line + "\n");
}

Result<History> History::open(FileSystem& files, std::string path, ResumeMode mode)
{
    if (!files.exists(path))
        return History(files, std::move(path), {});
    if (mode == ResumeMode::Refuse)
        return Error::bad_input(path, "this out-dir already holds a loop; use --resume to continue it, or another "
                                      "--out-dir");
    auto text = files.read_file_text(path, 64u << 20);
    if (!text)
        return std::move(text).error();
    auto records = parse_history(*text, path);
    if (!records)
        return std::move(records).error();
    return History(files, std::move(path), std::move(*records));
}

Result<void> History::append(const GenerationRecord& record)
{
    PXOS_TRY(append_line(*m_files, m_path, history_line(record)));
    m_records.push_back(record);
    return {};
}

std::vector<GenerationRecord> History::recent_attempts(std::size_t count) const
{
    std::vector<GenerationRecord> recent;
    for (auto record = m_records.rbegin(); record != m_records.rend() && recent.size() < count; ++record) {
        if (record->attempts.empty()) { // a line from before the attempts: the generation is its one attempt
            recent.push_back(*record);
            continue;
        }
        for (auto attempt = record->attempts.rbegin(); attempt != record->attempts.rend() && recent.size() < count;
             ++attempt)
            recent.push_back(*attempt);
    }
    std::reverse(recent.begin(), recent.end());
    return recent;
}

const GenerationRecord* History::find_attempt(CandidateId id) const
{
    if (id.generation < 1 || std::size_t(id.generation) > m_records.size())
        return nullptr;
    const GenerationRecord& record = m_records[std::size_t(id.generation - 1)];
    for (const GenerationRecord& attempt : record.attempts)
        if (attempt.candidate == id.candidate)
            return &attempt;
    return record.candidate == id.candidate ? &record : nullptr;
}

} // namespace pxos
