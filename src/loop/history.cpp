#include "pxos/loop/history.hpp"

#include "base/json_writer.hpp"
#include "pxos/base/file_system.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace pxos {

namespace {

namespace fs = std::filesystem;

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
    line["model"] = record.model;
    line["trials"] = nlohmann::ordered_json::array();
    for (const ModelTrial& trial : record.trials)
        line["trials"].push_back({ { "model", trial.model }, { "improved", trial.improved } });
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
    record.model = line.value("model", "");
    if (line.contains("trials"))
        for (const nlohmann::json& trial : line.at("trials"))
            record.trials.push_back({ trial.at("model").get<std::string>(), trial.at("improved").get<bool>() });
    return record;
}

} // namespace

std::string history_line(const GenerationRecord& record)
{
    return write_json(record_json(record), JsonLayout::Compact);
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

} // namespace pxos
