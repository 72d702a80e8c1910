// What the loop asks an LLM and how it takes the reply: the prompt's
// context, one call of a model's command, retries that show the rejected
// reply, the bandit's pick of a model, agents per region.
#include "loop_run.hpp"

namespace pxos::loop_run {

namespace {

// What went wrong with an LLM call, or empty when it replied.
std::string reply_problem(const CommandOutcome& outcome)
{
    if (!outcome.start_error.empty())
        return outcome.start_error;
    if (outcome.timed_out)
        return "the LLM command timed out (its process group was killed)";
    if (outcome.too_large)
        return "the LLM reply was over " + cap_text(Cap::LlmReply, outcome.reply_cap);
    if (outcome.exit_code != 0)
        return fmt::format("the LLM command exited with {}", outcome.exit_code);
    if (outcome.out.find_first_not_of(" \t\r\n") == std::string::npos)
        return "the LLM reply was empty";
    return {};
}

} // namespace

// A file of the LLM's transcript or cache that cannot be written costs a
// record (or a reply --replay would find), not the loop: it is said, and
// the loop goes on.
void Loop::report_unwritten(int generation, const Result<void>& written)
{
    if (!written)
        m_observer.note(fmt::format("generation {}: {} (the loop goes on without it)", generation,
            written.error().message()));
}

// The canonical roadmap a reply proposes (patches on the parent's sources,
// edits, or a whole roadmap), or the errors to feed back, at their places in
// the reply.
Result<AcceptedReply> Loop::accept_reply(const std::string& reply) const
{
    const Evaluated& best = parent();
    // A parent whose sources cannot all be read (a proposal that named a
    // missing file) still takes edits and whole roadmaps: patches then find
    // no source to apply to, and say so.
    auto sources = roadmap_sources(best.roadmap, *m_options.files);
    const std::vector<RoadmapSource> none;
    ReplyContext context { &best.roadmap, sources ? &*sources : &none, &m_registry, m_options.files, folder(),
        m_options.limits };
    return parse_reply(reply, context);
}

// One real call of the LLM command (no reply was cached for the prompt):
// counted against the budget, its reply and stderr kept under llm/, a good
// reply cached.
Loop::Call Loop::call_llm(int generation, int attempt, const std::string& prompt, const std::string& stem,
    const Asked& asked, int& calls)
{
    std::string prompt_file = path(stem + ".prompt.txt");
    if (m_options.replay)
        return { CallResult::GiveUp, fmt::format("--replay: no cached reply for {}", prompt_file) };
    if (m_options.max_llm_calls >= 0 && m_llm_calls_total >= m_options.max_llm_calls) {
        m_llm_budget_spent = true;
        return { CallResult::GiveUp, fmt::format("the LLM call budget ({} calls) is spent", m_options.max_llm_calls) };
    }
    if (!asked.client)
        return { CallResult::GiveUp, "no LLM command (--llm-cmd or PXOS_LLM_CMD)" };
    ++calls;
    ++m_llm_calls_total;
    LoopPhase asking = m_asking;
    asking.kind = LoopPhase::Kind::Asking;
    asking.model = asked.name;
    m_observer.phase(asking);
    CommandOutcome outcome = asked.client->run(prompt, m_options.files->absolute_path(prompt_file));
    report_unwritten(generation, m_options.files->write_file_atomic(path(stem + ".reply.txt"), outcome.out));
    if (!outcome.err.empty())
        report_unwritten(generation, m_options.files->write_file_atomic(path(stem + ".stderr.txt"), outcome.err));
    if (std::string problem = reply_problem(outcome); !problem.empty()) {
        bool again = attempt <= m_options.retries; // (only then the backoff: nothing follows the last attempt)
        m_observer.note(fmt::format("generation {}: {} (attempt {} of {}){}", generation, problem, attempt,
            m_options.retries + 1, again ? "; retrying" : ""));
        if (again)
            m_clock.sleep_for(double(50 << std::min(attempt, 5)));
        return { CallResult::Retry, problem };
    }
    report_unwritten(generation, m_replies.store(reply_key(asked.name, prompt), outcome.out));
    return { CallResult::Replied, outcome.out };
}

// What the prompt of a proposal from `parent` is made of: its text, its
// evaluation and sources, the last attempts, the best candidates the
// islands and the archive keep, and its metrics' deltas from its own parent.
PromptContext Loop::prompt_context(int generation, const Evaluated& parent) const
{
    constexpr std::size_t kAttempts = 8;
    constexpr std::size_t kTop = 5;
    PromptContext context;
    context.generation = generation;
    context.roadmap_text = parent.text;
    context.evaluation = &parent.evaluation;
    if (auto sources = roadmap_sources(parent.roadmap, *m_options.files))
        context.sources = std::move(*sources);
    else
        context.sources_error = sources.error().message();
    context.recent = m_history->recent_attempts(kAttempts);
    context.top = top_records(kTop);
    if (const GenerationRecord* own = m_history->find_attempt(parent.id))
        context.parent_deltas = own->metric_deltas;
    context.registry = &m_registry;
    context.budget_bytes = m_options.prompt_budget;
    return context;
}

// Up to 1 + retries attempts; each prompt is kept under llm/, a rejected
// reply's exact errors go into the next prompt.
// (The reflection is written beside the generation; the prompt has its own
// sections of the same facts.) An agent's prompt is its region's.
std::optional<AcceptedReply> Loop::ask_llm(int generation, int candidate, const std::string& /*reflection*/,
    const Asked& asked, int& calls, std::string& failure)
{
    const Evaluated& best = parent();
    PromptContext context = prompt_context(generation, best);
    context.region = asked.region;
    std::string base_prompt = build_prompt(context);
    std::string prompt = base_prompt;
    for (int attempt = 1; attempt <= m_options.retries + 1; ++attempt) {
        std::string stem = asked.region.empty()
            ? fmt::format("llm/gen{:03}.c{}.a{}", generation, candidate, attempt)
            : fmt::format("llm/gen{:03}.c{}.{}.a{}", generation, candidate, asked.region, attempt);
        std::string prompt_file = path(stem + ".prompt.txt");
        report_unwritten(generation, m_options.files->write_file_atomic(prompt_file, prompt));
        std::optional<std::string> reply = m_replies.find(reply_key(asked.name, prompt));
        if (reply) {
            ++calls; // a reply used, as in the run that cached it (the budget counts real calls only)
        } else {
            Call call = call_llm(generation, attempt, prompt, stem, asked, calls);
            if (call.result != CallResult::Replied) {
                failure = call.text;
                if (call.result == CallResult::GiveUp)
                    return std::nullopt;
                continue;
            }
            reply = std::move(call.text);
        }
        auto accepted = accept_reply(*reply);
        if (accepted && !asked.region.empty())
            if (auto in_region
                = agent_roadmap(accepted->text, best.roadmap, asked.region, m_registry, m_options.limits);
                !in_region)
                accepted = std::move(in_region).error();
        if (accepted)
            return std::move(*accepted);
        std::string error;
        for (const Diagnostic& diagnostic : accepted.error().diagnostics())
            error += diagnostic.format() + "\n";
        failure = "the reply was rejected: " + error.substr(0, error.find('\n'));
        m_observer.note(fmt::format("generation {}: {}{} (attempt {} of {}){}", generation,
            asked.region.empty() ? "" : "the " + asked.region + " agent: ", failure, attempt, m_options.retries + 1,
            attempt <= m_options.retries ? "; retrying" : ""));
        prompt = retry_prompt(base_prompt, *reply, error);
    }
    return std::nullopt;
}

Proposal Loop::propose(int generation, int candidate, const std::string& reflection, const ParentChoice& choice)
{
    Proposal proposal;
    const Evaluated& best = *choice.parent.evaluated;
    m_parent = &best;
    m_asking = LoopPhase { LoopPhase::Kind::Asking, generation, choice.island, candidate, {} };
    proposal.island = choice.island;
    proposal.parent = choice.parent.id().generation;
    proposal.parent_candidate = choice.parent.id().candidate;
    std::uint64_t seed = m_options.seed * 1000003ull + std::uint64_t(generation) * 131ull + std::uint64_t(candidate);
    if (m_options.proposer == ProposerKind::Copy) {
        proposal.text = best.text;
        proposal.proposer = "copy";
        proposal.note = "copied the best roadmap (the seed's behaviour)";
        return proposal;
    }
    if (m_options.proposer == ProposerKind::Llm && !m_llms.agents.empty()) {
        std::string failure;
        if (propose_by_agents(generation, candidate, reflection, proposal, failure))
            return proposal;
        proposal.fallback = true;
        proposal.note = fmt::format("the agents failed ({}); the heuristic proposed instead: ", failure);
        m_observer.fell_back(generation, candidate, "the agents failed: " + failure);
    } else if (m_options.proposer == ProposerKind::Llm) {
        // The bandit's pick, from the records of the generations before this one.
        Asked asked { "llm", nullptr, {} };
        if (!m_llms.models.empty()) {
            const NamedLlm& model = m_llms.models[pick_model(model_stats(m_llms.models, m_history->records()),
                m_options.seed, generation, candidate)];
            asked = Asked { model.name, model.client, {} };
        }
        proposal.model = asked.name;
        std::string failure;
        auto accepted = ask_llm(generation, candidate, reflection, asked, proposal.llm_calls, failure);
        if (accepted) {
            proposal.text = std::move(accepted->text);
            proposal.proposer = "llm";
            proposal.note = (m_llms.models.size() > 1 ? "proposed by the model " + asked.name : "proposed by the LLM")
                + (accepted->note.empty() ? std::string() : ": " + accepted->note);
            proposal.rationale = std::move(accepted->rationale);
            return proposal;
        }
        proposal.fallback = true;
        proposal.note = fmt::format("LLM failed ({}); the heuristic proposed instead: ", failure);
        m_observer.fell_back(generation, candidate, failure);
    }
    HeuristicProposal heuristic = propose_heuristic(best.roadmap, best.evaluation, m_registry, seed);
    proposal.text = heuristic.roadmap_yaml;
    proposal.proposer = "heuristic";
    proposal.note += heuristic.note;
    return proposal;
}

// Every agent asked in region order; the changes of those that replied
// combine into the proposal (Proposal::model names them, "kernel+programs").
// False when none replied (`failure` says why).
bool Loop::propose_by_agents(int generation, int candidate, const std::string& reflection, Proposal& proposal,
    std::string& failure)
{
    std::vector<Roadmap> proposed;
    std::vector<std::string> regions, failures, asked;
    proposed.reserve(m_llms.agents.size());
    for (const NamedLlm& agent : m_llms.agents) {
        std::string why;
        asked.push_back(agent.name);
        auto accepted = ask_llm(generation, candidate, reflection, Asked { agent.name, agent.client, agent.name },
            proposal.llm_calls, why);
        auto roadmap = accepted
            ? agent_roadmap(accepted->text, parent().roadmap, agent.name, m_registry, m_options.limits)
            : Result<Roadmap>(Error::internal(why));
        if (accepted && !accepted->rationale.empty())
            proposal.rationale += (proposal.rationale.empty() ? "" : "\n") + agent.name + ": " + accepted->rationale;
        if (!roadmap) {
            failures.push_back(fmt::format("the {} agent: {}", agent.name, roadmap.error().message()));
            continue;
        }
        proposed.push_back(std::move(*roadmap));
        regions.push_back(agent.name);
    }
    proposal.model = fmt::format("{}", fmt::join(proposed.empty() ? asked : regions, "+"));
    failure = fmt::format("{}", fmt::join(failures, "; "));
    if (proposed.empty())
        return false;
    std::vector<AgentChange> changes;
    for (std::size_t i = 0; i < proposed.size(); ++i)
        changes.push_back({ regions[i], &proposed[i] });
    proposal.text = roadmap_to_yaml(combine_agent_changes(parent().roadmap, changes));
    proposal.proposer = "llm";
    proposal.note = "proposed by the agents " + proposal.model + (failures.empty() ? "" : " (" + failure + ")");
    return true;
}

} // namespace pxos::loop_run
