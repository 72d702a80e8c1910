#include "pxos/loop/loop.hpp"

#include "base/json_writer.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/base/file_io.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/loop/pid_lock.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/loop/proposer.hpp"
#include "pxos/view/render.hpp"
#include "pxos/abi/syscalls.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace pxos {

std::string_view proposer_name(ProposerKind kind)
{
    switch (kind) {
    case ProposerKind::Llm: return "llm";
    case ProposerKind::Heuristic: return "heuristic";
    case ProposerKind::Copy: return "copy";
    }
    return "unknown";
}

namespace {

namespace fs = std::filesystem;

std::string generation_name(std::string_view prefix, int generation, std::string_view extension)
{
    return fmt::format("{}.gen{:03}.{}", prefix, generation, extension);
}

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

struct Evaluated {
    Roadmap roadmap;
    std::string text; // canonical
    std::optional<SimulatedVRAM> image;
    EvalResult evaluation;
    std::string error; // the build failed (the proposal still counts, with score 0)
};

// Builds and evaluates a roadmap; files resolve against the original folder.
// `reads`: the roadmap given on the command line reads anywhere, a proposed
// one only inside the roadmap's folder (its files and their includes).
Evaluated build_and_evaluate(Roadmap roadmap, std::string text, const LoopOptions& options,
    const ReadConfinement& reads)
{
    Evaluated result { std::move(roadmap), std::move(text), std::nullopt, {}, {} };
    result.roadmap.path = options.roadmap_path;
    BuildOptions build_options;
    build_options.limits = options.limits.vram;
    build_options.code_limits = options.code_limits;
    build_options.code_limits.reads = reads;
    auto built = build_roadmap(result.roadmap, build_options);
    if (!built) {
        result.error = built.error().message();
        auto blank = SimulatedVRAM::create(1, 1);
        result.evaluation = evaluate(blank.value(), "unbuildable.png", options.eval);
        result.evaluation.score = 0;
        return result;
    }
    result.evaluation = evaluate(built->vram, "candidate.png", options.eval);
    result.image = std::move(built->vram);
    return result;
}

bool better(const Evaluated& a, const Evaluated& b)
{
    if (a.evaluation.score != b.evaluation.score)
        return a.evaluation.score > b.evaluation.score;
    return a.text.size() < b.text.size();
}

std::string isa_summary()
{
    std::string text = "Instructions (one opcode pixel, then one pixel per operand):\n";
    text += isa::reference_text();
    text += "\nSystem calls (SYSCALL SYS_NAME; arguments r1..r3, result r0):\n";
    for (const SyscallInfo& call : kSyscalls)
        text += fmt::format("  {} {}: {} {}\n", call.number, call.name, call.arguments, call.doc);
    text += "\npxasm: labels 'name:', constants 'NAME = expr', .string \"text\", .word, .fill N, V, comments ';'. "
            "A user program starts at its 'main' label and ends with SYSCALL SYS_EXIT.\n";
    return text;
}

std::string build_prompt(const std::string& roadmap_text, const EvalResult& evaluation, const std::string& reflection,
    const StepRegistry& registry)
{
    std::string prompt;
    prompt += "You are improving pxOS, an operating system that lives in the pixels of an image. A roadmap (YAML) "
              "lists the compiled-in build steps that paint the image; `pxos eval` scores the result. Propose the "
              "next roadmap so that it scores higher (failing checks below say what is wrong and where).\n\n";
    prompt += "## Current best roadmap\n```yaml\n" + roadmap_text + "```\n\n";
    prompt += "## Its evaluation\n" + eval_result_to_text(evaluation) + "\n";
    prompt += "## Reflection (JSON)\n" + reflection + "\n";
    prompt += "## Build steps you may use (pxos steps --json)\n" + registry.to_json() + "\n";
    prompt += "## The machine\n" + isa_summary() + "\n";
    prompt += "## Reply format\nReply with ONE fenced ```yaml block, either a whole roadmap (metadata:, steps:) or "
              "a list of edits to the current roadmap, steps numbered from 1:\n```yaml\nedits:\n"
              "  - set: {step: 3, param: boot_banner_color, value: [0, 255, 0]}\n"
              "  - add: {at: 5, step: add_process, params: {program_file: builtin:draw.pxasm}}\n"
              "  - remove: {step: 2}\n  - move: {from: 4, to: 2}\n```\n"
              "Files must be builtin: sources or inside the roadmap's folder; output paths are ignored.\n";
    return prompt;
}

std::string reflection_json(int generation, const Evaluated& best, int best_generation,
    const std::vector<GenerationRecord>& history)
{
    nlohmann::ordered_json root;
    root["generation"] = generation;
    root["best_generation"] = best_generation;
    root["best_score"] = best.evaluation.score;
    root["max_score"] = best.evaluation.max_score;
    nlohmann::ordered_json failing = nlohmann::ordered_json::array();
    for (const Check& check : best.evaluation.checks)
        if (!check.passed)
            failing.push_back({ { "id", check.id }, { "points", check.max_points }, { "message", check.message } });
    root["failing_checks"] = std::move(failing);
    nlohmann::ordered_json attempts = nlohmann::ordered_json::array();
    std::size_t first = history.size() > 5 ? history.size() - 5 : 0;
    for (std::size_t i = first; i < history.size(); ++i)
        attempts.push_back({ { "generation", history[i].generation }, { "parent", history[i].parent },
            { "proposer", history[i].proposer }, { "score", history[i].score }, { "note", history[i].note } });
    root["previous_attempts"] = std::move(attempts);
    return write_json(root, JsonLayout::Indented) + "\n";
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
    return record;
}

// Complete lines of loop.jsonl (a torn last line from a crash is ignored).
Result<std::vector<GenerationRecord>> read_history(const std::string& path)
{
    auto text = read_file_text(path, 64u << 20);
    if (!text)
        return std::move(text).error();
    std::vector<GenerationRecord> records;
    std::istringstream lines(*text);
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

// Creates the out-dir and takes its lock (DIR/loop.lock): a second loop on
// the same out-dir, resumed or fresh, stops here naming the first one's pid.
Result<PidLock> lock_out_dir(const std::string& out_dir)
{
    std::error_code error_code, ignored;
    fs::create_directories(out_dir, error_code);
    fs::file_status status = fs::status(out_dir, ignored);
    if (!fs::is_directory(status)) {
        if (fs::is_regular_file(status))
            return Error::io(out_dir, "the out-dir is a file, not a directory");
        if (fs::is_fifo(status))
            return Error::io(out_dir, "the out-dir is a FIFO, not a directory");
        if (fs::exists(status))
            return Error::io(out_dir, "the out-dir is not a directory");
        return Error::io(out_dir, "cannot create the out-dir: " + error_code.message());
    }
    return PidLock::acquire((fs::path(out_dir) / "loop.lock").string(), "the out-dir is in use by another pxos loop");
}

class Loop {
public:
    Loop(const LoopOptions& options, const StepRegistry& registry, LlmClient* llm, LoopObserver& observer, Clock& clock)
        : m_options(options)
        , m_registry(registry)
        , m_llm(llm)
        , m_observer(observer)
        , m_clock(clock)
    {
    }

    Result<LoopSummary> run();

private:
    std::string path(const std::string& name) const { return (fs::path(m_options.out_dir) / name).string(); }
    std::string folder() const
    {
        std::string parent = fs::path(m_options.roadmap_path).parent_path().string();
        return parent.empty() ? "." : parent;
    }
    // Where a proposal's files (and their includes) may be read from.
    ReadConfinement proposal_reads() const { return ReadConfinement { folder() }; }
    Result<void> write_generation(int generation, int parent, const Evaluated& chosen, GenerationRecord& record,
        const std::string& reflection);
    Result<void> append_line(const std::string& file, const std::string& line);

    struct Proposal {
        std::string text;
        std::string proposer;
        bool fallback = false;
        int llm_calls = 0;
        std::string note;
    };
    Proposal propose(int generation, int candidate, const std::string& reflection);
    std::optional<std::string> ask_llm(int generation, int candidate, const std::string& reflection, int& calls,
        std::string& failure);

    const LoopOptions& m_options;
    const StepRegistry& m_registry;
    LlmClient* m_llm;
    LoopObserver& m_observer;
    Clock& m_clock;
    std::optional<Evaluated> m_best;
    int m_best_generation = 0;
    std::set<std::string> m_seen;
    std::map<std::string, std::shared_ptr<const Evaluated>> m_evaluated; // canonical text -> its evaluation
    std::vector<GenerationRecord> m_history;
    int m_llm_calls_total = 0;
    bool m_llm_budget_spent = false;
};

Result<void> Loop::append_line(const std::string& file, const std::string& line)
{
    std::string existing;
    if (fs::exists(file)) {
        auto text = read_file_text(file, 64u << 20);
        if (!text)
            return std::move(text).error();
        existing = std::move(*text);
        if (!existing.empty() && existing.back() != '\n')
            existing.erase(existing.rfind('\n') == std::string::npos ? 0 : existing.rfind('\n') + 1);
    }
    return write_file_atomic(file, existing + line + "\n");
}

Result<void> Loop::write_generation(int generation, int parent, const Evaluated& chosen, GenerationRecord& record,
    const std::string& reflection)
{
    record.roadmap_file = generation_name("ROADMAP_VRAM_OS", generation, "yaml");
    record.image_file = generation_name("vram_os_stage1", generation, "png");
    record.eval_file = generation_name("vram_os_stage1", generation, "json");
    std::string header = fmt::format("# pxos loop generation {} (parent {}): score {}/{}, proposer {}\n"
                                     "# files named here resolve relative to {}\n",
        generation, parent, chosen.evaluation.score, chosen.evaluation.max_score, record.proposer, folder());
    if (!chosen.error.empty())
        header += "# this roadmap did not build: " + chosen.error + "\n";
    PXOS_TRY(write_file_atomic(path(record.roadmap_file), header + chosen.text));
    SerialExecutor serial;
    Executor& executor = m_options.executor ? *m_options.executor : serial;
    if (chosen.image)
        PXOS_TRY(save_png(path(record.image_file), *chosen.image, executor));
    else
        record.image_file.clear();
    // What changed from the parent's image, as a picture the report links.
    if (chosen.image && parent > 0) {
        auto parent_image = load_png(path(generation_name("vram_os_stage1", parent, "png")),
            PngLimits { m_options.limits.vram, PngLimits::kDefaultMaxFileBytes });
        if (parent_image) {
            record.diff_file = generation_name("vram_os_stage1", generation, "diff.png");
            PXOS_TRY(save_png(path(record.diff_file), difference_picture(*parent_image, *chosen.image), executor));
        }
    }
    PXOS_TRY(write_file_atomic(path(record.eval_file), eval_result_to_json(chosen.evaluation)));
    if (!reflection.empty())
        PXOS_TRY(write_file_atomic(path(generation_name("reflect", generation, "json")), reflection));
    return {};
}

std::optional<std::string> Loop::ask_llm(int generation, int candidate, const std::string& reflection, int& calls,
    std::string& failure)
{
    std::string base_prompt = build_prompt(m_best->text, m_best->evaluation, reflection, m_registry);
    std::string prompt = base_prompt;
    for (int attempt = 1; attempt <= m_options.retries + 1; ++attempt) {
        std::string stem = fmt::format("llm/gen{:03}.c{}.a{}", generation, candidate, attempt);
        std::string prompt_file = path(stem + ".prompt.txt");
        (void)write_file_atomic(prompt_file, prompt);
        std::string cache_file = path(fmt::format("cache/{:016x}.txt", fnv1a(prompt)));
        std::string reply;
        if (fs::exists(cache_file)) {
            auto cached = read_file_text(cache_file, cap_maximum(Cap::LlmReply));
            if (cached)
                reply = *cached;
            ++calls; // a reply used, as in the run that cached it (the budget counts real calls only)
        } else if (m_options.replay) {
            failure = fmt::format("--replay: no cached reply for {}", prompt_file);
            return std::nullopt;
        } else {
            if (m_options.max_llm_calls >= 0 && m_llm_calls_total >= m_options.max_llm_calls) {
                m_llm_budget_spent = true;
                failure = fmt::format("the LLM call budget ({} calls) is spent", m_options.max_llm_calls);
                return std::nullopt;
            }
            if (!m_llm) {
                failure = "no LLM command (--llm-cmd or PXOS_LLM_CMD)";
                return std::nullopt;
            }
            ++calls;
            ++m_llm_calls_total;
            CommandOutcome outcome = m_llm->run(prompt, fs::absolute(prompt_file).string());
            (void)write_file_atomic(path(stem + ".reply.txt"), outcome.out);
            if (!outcome.err.empty())
                (void)write_file_atomic(path(stem + ".stderr.txt"), outcome.err);
            std::string problem;
            if (!outcome.start_error.empty())
                problem = outcome.start_error;
            else if (outcome.timed_out)
                problem = "the LLM command timed out (its process group was killed)";
            else if (outcome.too_large)
                problem = "the LLM reply was over " + cap_text(Cap::LlmReply, outcome.reply_cap);
            else if (outcome.exit_code != 0)
                problem = fmt::format("the LLM command exited with {}", outcome.exit_code);
            else if (outcome.out.find_first_not_of(" \t\r\n") == std::string::npos)
                problem = "the LLM reply was empty";
            if (!problem.empty()) {
                failure = problem;
                m_observer.note(fmt::format("generation {}: {} (attempt {}); retrying", generation, problem, attempt));
                m_clock.sleep_for(double(50 << std::min(attempt, 5)));
                continue;
            }
            reply = outcome.out;
            (void)write_file_atomic(cache_file, reply);
        }
        auto text = roadmap_text_from_reply(reply, m_best->roadmap, m_options.limits.yaml);
        std::string error;
        if (text) {
            auto roadmap = validate_proposal(*text, "reply.yaml", folder(), m_registry, m_options.limits);
            if (roadmap)
                return roadmap_to_yaml(*roadmap);
            for (const Diagnostic& diagnostic : roadmap.error().diagnostics())
                error += diagnostic.format() + "\n";
        } else {
            for (const Diagnostic& diagnostic : text.error().diagnostics())
                error += diagnostic.format() + "\n";
        }
        failure = "the reply was rejected: " + error.substr(0, error.find('\n'));
        m_observer.note(fmt::format("generation {}: {} (attempt {})", generation, failure, attempt));
        // Feed the exact errors back.
        prompt = base_prompt + "\n## Your previous reply was rejected\n" + error
            + "Reply again with one corrected ```yaml block.\n";
    }
    return std::nullopt;
}

Loop::Proposal Loop::propose(int generation, int candidate, const std::string& reflection)
{
    Proposal proposal;
    std::uint64_t seed = m_options.seed * 1000003ull + std::uint64_t(generation) * 131ull + std::uint64_t(candidate);
    if (m_options.proposer == ProposerKind::Copy) {
        proposal.text = m_best->text;
        proposal.proposer = "copy";
        proposal.note = "copied the best roadmap (the seed's behaviour)";
        return proposal;
    }
    if (m_options.proposer == ProposerKind::Llm) {
        std::string failure;
        auto text = ask_llm(generation, candidate, reflection, proposal.llm_calls, failure);
        if (text) {
            proposal.text = *text;
            proposal.proposer = "llm";
            proposal.note = "proposed by the LLM";
            return proposal;
        }
        proposal.fallback = true;
        proposal.note = fmt::format("LLM failed ({}); the heuristic proposed instead: ", failure);
    }
    HeuristicProposal heuristic = propose_heuristic(m_best->roadmap, m_best->evaluation, m_registry, seed);
    proposal.text = heuristic.roadmap_yaml;
    proposal.proposer = "heuristic";
    proposal.note += heuristic.note;
    return proposal;
}

Result<LoopSummary> Loop::run()
{
    LoopSummary summary;
    // One loop per out-dir, held until the loop ends (or dies): before anything in it is read or written.
    auto lock = lock_out_dir(m_options.out_dir);
    if (!lock)
        return std::move(lock).error();
    m_observer.started();
    std::error_code error_code;
    fs::create_directories(path("llm"), error_code);
    fs::create_directories(path("cache"), error_code);
    if (error_code)
        return Error::io(m_options.out_dir, "cannot create the out-dir: " + error_code.message());
    std::string log = path("loop.jsonl");
    double started = m_clock.now_ms();

    int first_generation = 1;
    if (fs::exists(log)) {
        if (!m_options.resume)
            return Error::bad_input(log, "this out-dir already holds a loop; use --resume to continue it, or another "
                                         "--out-dir");
        auto history = read_history(log);
        if (!history)
            return std::move(history).error();
        m_history = std::move(*history);
        if (!m_history.empty()) {
            const GenerationRecord& last = m_history.back();
            first_generation = last.generation + 1;
            m_best_generation = last.best_generation;
            // Every roadmap seen so far, and the best one, re-evaluated.
            for (const GenerationRecord& record : m_history) {
                auto text = read_file_text(path(record.roadmap_file), m_options.limits.max_file_bytes, Cap::RoadmapFile);
                if (!text)
                    return std::move(text).error();
                auto roadmap = validate_proposal(*text, path(record.roadmap_file), folder(), m_registry, m_options.limits);
                if (!roadmap)
                    continue;
                std::string canonical = roadmap_to_yaml(*roadmap);
                m_seen.insert(canonical);
                if (record.generation == m_best_generation) {
                    m_best = build_and_evaluate(std::move(*roadmap), canonical, m_options, proposal_reads());
                    m_evaluated[canonical] = std::make_shared<const Evaluated>(*m_best);
                }
            }
            if (!m_best)
                return Error::bad_input(log, fmt::format("cannot resume: the best generation {}'s roadmap is missing",
                                                 m_best_generation));
            m_observer.note(fmt::format("resuming after generation {} (best: generation {}, {}/{})", last.generation,
                m_best_generation, m_best->evaluation.score, m_best->evaluation.max_score));
        }
    }

    for (int generation = first_generation; generation <= m_options.generations; ++generation) {
        if (m_options.max_seconds > 0 && (m_clock.now_ms() - started) / 1000.0 >= m_options.max_seconds) {
            summary.stop_reason = fmt::format("the time budget ({} s) ran out", m_options.max_seconds);
            break;
        }
        if (m_llm_budget_spent) {
            summary.stop_reason = fmt::format("the LLM call budget ({} calls) is spent", m_options.max_llm_calls);
            break;
        }
        double generation_started = m_clock.now_ms();
        GenerationRecord record;
        record.generation = generation;
        std::string reflection;
        Evaluated chosen;
        if (generation == 1) {
            auto roadmap = load_roadmap(m_options.roadmap_path, m_registry, m_options.limits);
            if (!roadmap)
                return std::move(roadmap).error();
            std::string canonical = roadmap_to_yaml(*roadmap);
            chosen = build_and_evaluate(std::move(*roadmap), canonical, m_options, ReadConfinement {});
            record.proposer = "given";
            record.note = "the roadmap given on the command line";
        } else {
            record.parent = m_best_generation;
            reflection = reflection_json(generation, *m_best, m_best_generation, m_history);
            std::vector<Proposal> proposals;
            for (int candidate = 1; candidate <= std::max(1, m_options.candidates); ++candidate)
                proposals.push_back(propose(generation, candidate, reflection));
            // Validate; evaluate each new roadmap once (jobs at a time).
            std::vector<std::pair<std::size_t, std::string>> fresh; // proposal index, canonical text
            std::vector<std::pair<std::size_t, Roadmap>> fresh_roadmaps;
            std::vector<std::pair<std::size_t, std::shared_ptr<const Evaluated>>> scored;
            for (std::size_t i = 0; i < proposals.size(); ++i) {
                auto roadmap = validate_proposal(proposals[i].text, "proposal.yaml", folder(), m_registry, m_options.limits);
                if (!roadmap) {
                    proposals[i].note += " (invalid: " + roadmap.error().message() + ")";
                    continue;
                }
                std::string canonical = roadmap_to_yaml(*roadmap);
                auto known = m_evaluated.find(canonical);
                if (known != m_evaluated.end()) {
                    scored.emplace_back(i, known->second); // a duplicate: not evaluated twice
                    continue;
                }
                bool repeated = std::any_of(fresh.begin(), fresh.end(), [&](const auto& f) { return f.second == canonical; });
                if (repeated)
                    continue;
                fresh.emplace_back(i, canonical);
                fresh_roadmaps.emplace_back(i, std::move(*roadmap));
            }
            std::size_t jobs = std::size_t(std::max(1, m_options.jobs));
            std::vector<std::optional<Evaluated>> evaluations(fresh.size());
            SerialExecutor serial;
            Executor& executor = m_options.executor ? *m_options.executor : serial;
            executor.run_all(fresh.size(), jobs, [this, &evaluations, &fresh, &fresh_roadmaps](std::size_t i) {
                evaluations[i] = build_and_evaluate(fresh_roadmaps[i].second, fresh[i].second, m_options, proposal_reads());
            });
            for (std::size_t i = 0; i < fresh.size(); ++i) {
                auto evaluated = std::make_shared<const Evaluated>(std::move(*evaluations[i]));
                m_evaluated[evaluated->text] = evaluated;
                scored.emplace_back(fresh[i].first, evaluated);
            }
            std::vector<Evaluated> results;
            std::vector<std::size_t> order;
            for (const auto& [index, evaluated] : scored) {
                results.push_back(*evaluated);
                order.push_back(index);
            }
            std::size_t best_index = 0;
            if (results.empty()) {
                // Every proposal was invalid: carry the best forward, saying so.
                results.push_back(*m_best);
                order.push_back(0);
                proposals[0].note += "; no valid proposal, the best roadmap carries on";
            }
            for (std::size_t i = 1; i < results.size(); ++i)
                if (better(results[i], results[best_index]))
                    best_index = i;
            chosen = std::move(results[best_index]);
            const Proposal& proposal = proposals[order[best_index]];
            record.proposer = m_seen.count(chosen.text) ? "duplicate" : proposal.proposer;
            record.fallback = proposal.fallback;
            for (const Proposal& p : proposals)
                record.llm_calls += p.llm_calls;
            record.note = proposal.note;
            if (record.proposer == "duplicate")
                record.note += " (same as an earlier generation)";
            if (!chosen.error.empty()) // e.g. an include a proposal may not read: say why it scored 0
                record.note += "; it did not build: " + chosen.error;
        }
        m_seen.insert(chosen.text);
        if (!m_evaluated.count(chosen.text))
            m_evaluated[chosen.text] = std::make_shared<const Evaluated>(chosen);
        record.score = chosen.evaluation.score;
        record.max_score = chosen.evaluation.max_score;
        if (!m_best || better(chosen, *m_best)) {
            m_best_generation = generation;
            m_best = chosen;
        }
        record.best_generation = m_best_generation;
        record.best_score = m_best->evaluation.score;
        PXOS_TRY(write_generation(generation, record.parent, chosen, record, reflection));
        double milliseconds = m_clock.now_ms() - generation_started;
        PXOS_TRY(append_line(path("timings.jsonl"),
            write_json(nlohmann::json({ { "generation", generation }, { "milliseconds", milliseconds } }), JsonLayout::Compact)));
        // Last: the line that makes the generation count as complete.
        PXOS_TRY(append_line(log, write_json(record_json(record), JsonLayout::Compact)));
        m_history.push_back(record);
        summary.generations.push_back(record);
        m_observer.generation_done(record, milliseconds);
        if (m_options.until_max && m_best->evaluation.score == m_best->evaluation.max_score) {
            summary.stop_reason = fmt::format("full score at generation {} (--until-max)", m_best_generation);
            break;
        }
    }
    if (summary.stop_reason.empty())
        summary.stop_reason = fmt::format("{} generations done", m_options.generations);
    if (m_best) {
        summary.best_generation = m_best_generation;
        summary.best_score = m_best->evaluation.score;
        summary.max_score = m_best->evaluation.max_score;
        summary.best_roadmap_file = path(generation_name("ROADMAP_VRAM_OS", m_best_generation, "yaml"));
    }
    PXOS_TRY(write_loop_report(m_options.out_dir));
    return summary;
}

} // namespace

Result<LoopSummary> run_loop(const LoopOptions& options, const StepRegistry& registry, LlmClient* llm,
    LoopObserver& observer, Clock& clock)
{
    Loop loop(options, registry, llm, observer, clock);
    return loop.run();
}

} // namespace pxos
