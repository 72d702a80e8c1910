// The improvement loop's run (private to src/loop): the Loop class that
// run_loop composes. loop.cpp holds the generation flow (first generation,
// proposals, evaluation, the population, files, resume); loop_llm.cpp what
// an LLM is asked and how its reply is taken (models, agents, retries).
#pragma once

#include "pxos/loop/loop.hpp"

#include "base/json_writer.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/loop/agents.hpp"
#include "pxos/loop/file_names.hpp"
#include "pxos/base/text.hpp"
#include "pxos/loop/generation.hpp"
#include "pxos/loop/population.hpp"
#include "pxos/loop/text_diff.hpp"
#include "out_dir.hpp"
#include "pxos/loop/history.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/loop/proposer.hpp"
#include "pxos/view/render.hpp"
#include "pxos/loop/prompt.hpp"
#include "pxos/loop/reply.hpp"
#include "pxos/loop/reply_cache.hpp"
#include "pxos/loop/sources.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <memory>
#include <optional>

namespace pxos::loop_run {

namespace fs = std::filesystem;

// The population's options from the loop's.
PopulationOptions population_options(const LoopOptions& options);


class Loop {
public:
    Loop(const LoopOptions& options, const StepRegistry& registry, const LlmClients& llms, LoopObserver& observer,
        Clock& clock)
        : m_options(options)
        , m_registry(registry)
        , m_llms(llms)
        , m_observer(observer)
        , m_clock(clock)
        , m_replies(*options.files, path("cache"))
        , m_population(population_options(options))
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

    // A generation's choice, before it is written.
    struct Outcome {
        std::shared_ptr<const Evaluated> chosen;
        std::shared_ptr<const Evaluated> parent; // the chosen one's (null for the first generation)
        GenerationRecord record;
        std::string reflection; // empty for the first generation
        std::vector<std::pair<std::string, std::string>> files; // the attempts' roadmaps and diffs: name, text
    };
    Result<std::unique_ptr<FileLock>> take_out_dir();
    Result<void> resume();
    Result<void> finish(LoopSummary& summary);
    std::string stop_reason(double started);
    Result<Outcome> first_generation();
    Outcome next_generation(int generation);
    std::vector<std::shared_ptr<const Evaluated>> evaluate_fresh(int generation, const std::vector<std::size_t>& fresh,
        std::vector<std::optional<Roadmap>>& roadmaps, const std::vector<std::optional<std::string>>& canonical,
        const std::vector<ParentChoice>& parents);
    void record_diff(Outcome& outcome, GenerationRecord& attempt, const Evaluated& parent, const Evaluated& child);
    Result<double> persist(Outcome& outcome, double generation_started);
    Result<void> write_generation(const Outcome& outcome, GenerationRecord& record);
    Result<Elite> restore_candidate(CandidateId id, std::map<CandidateId, Elite>& restored);
    Result<void> resume_population(const GenerationRecord& last);
    Result<void> choose_file_names(const Roadmap* given);

    // Who an LLM call asks: a model, or an agent (its region set).
    struct Asked {
        std::string name; // the model's, or the agent's region
        LlmClient* client = nullptr;
        std::string region; // empty for a model
    };
    Proposal propose(int generation, int candidate, const std::string& reflection, const ParentChoice& parent);
    bool propose_by_agents(int generation, int candidate, const std::string& reflection, Proposal& proposal,
        std::string& failure);
    std::optional<AcceptedReply> ask_llm(int generation, int candidate, const std::string& reflection,
        const Asked& asked, int& calls, std::string& failure);
    PromptContext prompt_context(int generation, const Evaluated& parent) const;
    enum class CallResult { Replied, Retry, GiveUp };
    struct Call {
        CallResult result;
        std::string text; // the reply, or why there is none
    };
    Call call_llm(int generation, int attempt, const std::string& prompt, const std::string& stem,
        const Asked& asked, int& calls);
    Result<AcceptedReply> accept_reply(const std::string& reply) const;
    void report_unwritten(int generation, const Result<void>& written);
    // The parent of the proposal being made (ask_llm and accept_reply work on it).
    const Evaluated& parent() const { return *m_parent; }
    // For the prompt (PromptContext::top): the records of the best candidates
    // the islands and the archive keep, best first. PromptContext::recent is
    // m_history->recent_attempts(count).
    std::vector<GenerationRecord> top_records(std::size_t count) const
    {
        std::vector<GenerationRecord> top;
        for (const Elite& elite : m_population.top(count))
            top.push_back(elite.record);
        return top;
    }

    const LoopOptions& m_options;
    const StepRegistry& m_registry;
    const LlmClients& m_llms;
    LoopObserver& m_observer;
    Clock& m_clock;
    ReplyCache m_replies;
    std::optional<History> m_history;
    Population m_population;
    const Evaluated* m_parent = nullptr;
    LoopFileNames m_names; // the generations' files (choose_file_names)
    LoopPhase m_asking;    // the proposal being made: its generation, island and candidate
    int m_llm_calls_total = 0;
    bool m_llm_budget_spent = false;
};

} // namespace pxos::loop_run
