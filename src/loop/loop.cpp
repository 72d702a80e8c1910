#include "pxos/loop/loop.hpp"

#include "loop_run.hpp"

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

} // namespace pxos

namespace pxos::loop_run {

namespace {

std::string attempt_name(int generation, int candidate, std::string_view extension)
{
    return fmt::format("attempts/gen{:03}.c{}.{}", generation, candidate, extension);
}

// A roadmap diff this long or shorter stays in the record; a longer one gets a file.
constexpr std::size_t kInlineDiffBytes = 1500;

// Builds and evaluates a roadmap; files resolve against the original folder.
// `reads`: the roadmap given on the command line reads anywhere, a proposed
// one only inside the roadmap's folder (its files and their includes).
// `phase` hears of the build, then of the evaluation.
Evaluated build_and_evaluate(Roadmap roadmap, std::string text, const LoopOptions& options,
    const ReadConfinement& reads, const std::function<void(LoopPhase::Kind)>& phase)
{
    Evaluated result { std::move(roadmap), std::move(text), std::nullopt, {}, {}, {} };
    result.roadmap.path = options.roadmap_path;
    BuildOptions build_options;
    build_options.limits = options.limits.vram;
    build_options.code_limits = options.code_limits;
    build_options.code_limits.reads = reads;
    build_options.files = options.files;
    build_options.assemblies = options.assemblies;
    phase(LoopPhase::Kind::Building);
    auto built = build_roadmap(result.roadmap, build_options);
    if (!built) {
        result.error = built.error().message();
        auto blank = SimulatedVRAM::create(1, 1);
        result.evaluation = evaluate(blank.value(), "unbuildable.png", options.eval);
        result.evaluation.score = 0;
        return result;
    }
    phase(LoopPhase::Kind::Evaluating);
    result.evaluation = evaluate(built->vram, "candidate.png", options.eval);
    result.image = std::move(built->vram);
    return result;
}

} // namespace

PopulationOptions population_options(const LoopOptions& options)
{
    PopulationOptions population;
    population.islands = std::max(1, options.islands);
    population.migrate_every = options.migrate_every;
    population.archive_bins = std::max(1, options.archive_bins);
    population.seed = options.seed;
    return population;
}

// The generations' file names: a resumed loop's from its history, else from the roadmap given (`given`, or loaded).
Result<void> Loop::choose_file_names(const Roadmap* given)
{
    const std::vector<GenerationRecord>& records = m_history->records();
    if (!records.empty())
        if (auto kept = loop_file_names_of(records.front().roadmap_file, records.front().eval_file)) {
            m_names = *kept;
            return {};
        }
    if (given) {
        m_names = loop_file_names(m_options.roadmap_path, given->output.png_path);
        return {};
    }
    auto roadmap = load_roadmap(*m_options.files, m_options.roadmap_path, m_registry, m_options.limits);
    if (!roadmap)
        return std::move(roadmap).error();
    m_names = loop_file_names(m_options.roadmap_path, roadmap->output.png_path);
    return {};
}

Result<void> Loop::write_generation(const Outcome& outcome, GenerationRecord& record)
{
    const Evaluated& chosen = *outcome.chosen;
    int generation = record.generation;
    record.roadmap_file = m_names.roadmap(generation);
    record.image_file = m_names.image(generation);
    record.eval_file = m_names.evaluation(generation);
    std::string header = fmt::format("# pxos loop generation {} (parent {}): score {}/{}, proposer {}\n"
                                     "# files named here resolve relative to {}\n",
        generation, record.parent, chosen.evaluation.score, chosen.evaluation.max_score, record.proposer, folder());
    if (!chosen.error.empty())
        header += "# this roadmap did not build: " + chosen.error + "\n";
    PXOS_TRY(m_options.files->write_file_atomic(path(record.roadmap_file), header + chosen.text));
    SerialExecutor serial;
    Executor& executor = m_options.executor ? *m_options.executor : serial;
    if (chosen.image)
        PXOS_TRY(save_png(*m_options.files, path(record.image_file), *chosen.image, executor));
    else
        record.image_file.clear();
    // What changed from the parent's image, as a picture the report links.
    if (chosen.image && outcome.parent && outcome.parent->image) {
        record.diff_file = m_names.diff(generation);
        PXOS_TRY(save_png(*m_options.files, path(record.diff_file),
            difference_picture(*outcome.parent->image, *chosen.image), executor));
    }
    PXOS_TRY(m_options.files->write_file_atomic(path(record.eval_file), eval_result_to_json(chosen.evaluation)));
    if (!outcome.reflection.empty())
        PXOS_TRY(m_options.files->write_file_atomic(path(generation_file_name("reflect", generation, "json")),
            outcome.reflection));
    return {};
}

// A candidate of the resumed loop, rebuilt from its roadmap file and
// evaluated again (the evaluation is deterministic), once per candidate.
Result<Elite> Loop::restore_candidate(CandidateId id, std::map<CandidateId, Elite>& restored)
{
    if (auto found = restored.find(id); found != restored.end())
        return found->second;
    const GenerationRecord* attempt = m_history->find_attempt(id);
    if (!attempt)
        return Error::bad_input(m_history->path(), fmt::format("cannot resume: {} is not in the history", candidate_name(id)));
    auto text = m_options.files->read_file_text(path(attempt->roadmap_file), m_options.limits.max_file_bytes,
        Cap::RoadmapFile);
    if (!text)
        return std::move(text).error();
    auto roadmap = validate_proposal(*m_options.files, *text, path(attempt->roadmap_file), folder(), m_registry,
        m_options.limits);
    if (!roadmap)
        return std::move(roadmap).error();
    std::string canonical = roadmap_to_yaml(*roadmap);
    Evaluated evaluated = build_and_evaluate(std::move(*roadmap), canonical, m_options, proposal_reads(), [](LoopPhase::Kind) { });
    evaluated.id = id;
    Elite elite { std::make_shared<const Evaluated>(std::move(evaluated)), *attempt };
    restored.emplace(id, elite);
    return elite;
}

// The islands, archive and best of the last complete generation's line.
Result<void> Loop::resume_population(const GenerationRecord& last)
{
    std::map<CandidateId, Elite> restored;
    std::vector<Elite> islands;
    for (const IslandRecord& island : last.islands) {
        auto elite = restore_candidate(island.best, restored);
        if (!elite)
            return std::move(elite).error();
        islands.push_back(std::move(*elite));
    }
    std::map<Cell, Elite> archive;
    for (const ArchiveCellRecord& cell : last.archive) {
        auto elite = restore_candidate(cell.elite, restored);
        if (!elite)
            return std::move(elite).error();
        archive.emplace(Cell { cell.x, cell.y }, std::move(*elite));
    }
    auto best = restore_candidate(CandidateId { last.best_generation, last.best_candidate }, restored);
    if (!best)
        return std::move(best).error();
    m_population.restore(std::move(islands), std::move(archive), std::move(*best));
    for (const GenerationRecord& record : m_history->records())
        for (const GenerationRecord& attempt : record.attempts)
            if (!attempt.text_hash.empty())
                m_population.mark_known(attempt.text_hash, CandidateId { attempt.generation, attempt.candidate });
    return {};
}

// After --resume: the population of the last complete generation, its
// candidates evaluated again. A loop.jsonl from before the islands (no
// "islands" in its lines) resumes as that loop did: its best on every island.
Result<void> Loop::resume()
{
    const std::vector<GenerationRecord>& records = m_history->records();
    if (records.empty())
        return {};
    const GenerationRecord& last = records.back();
    if (!last.islands.empty()) {
        PXOS_TRY(resume_population(last));
    } else {
        int best_generation = last.best_generation;
        std::shared_ptr<const Evaluated> best;
        for (const GenerationRecord& record : records) {
            auto text = m_options.files->read_file_text(path(record.roadmap_file), m_options.limits.max_file_bytes, Cap::RoadmapFile);
            if (!text)
                return std::move(text).error();
            auto roadmap = validate_proposal(*m_options.files, *text, path(record.roadmap_file), folder(), m_registry, m_options.limits);
            if (!roadmap)
                continue;
            std::string canonical = roadmap_to_yaml(*roadmap);
            m_population.mark_known(text_hash(canonical), CandidateId { record.generation, 1 });
            if (record.generation == best_generation) {
                Evaluated evaluated = build_and_evaluate(std::move(*roadmap), canonical, m_options, proposal_reads(), [](LoopPhase::Kind) { });
                evaluated.id = CandidateId { best_generation, 1 };
                best = std::make_shared<const Evaluated>(std::move(evaluated));
            }
        }
        if (!best)
            return Error::bad_input(m_history->path(),
                fmt::format("cannot resume: the best generation {}'s roadmap is missing", best_generation));
        GenerationRecord attempt = records[std::size_t(best_generation - 1)];
        Elite elite { best, attempt };
        m_population.restore(std::vector<Elite>(std::size_t(std::max(1, m_options.islands)), elite), {}, elite);
    }
    const Evaluated& best = *m_population.best().evaluated;
    m_observer.note(fmt::format("resuming after generation {} (best: generation {}, {}/{})", last.generation,
        best.id.generation, best.evaluation.score, best.evaluation.max_score));
    return {};
}

// Why the loop stops before the next generation, or empty.
std::string Loop::stop_reason(double started)
{
    if (m_options.max_seconds > 0 && (m_clock.now_ms() - started) / 1000.0 >= m_options.max_seconds)
        return fmt::format("the time budget ({} s) ran out", m_options.max_seconds);
    if (m_llm_budget_spent)
        return fmt::format("the LLM call budget ({} calls) is spent", m_options.max_llm_calls);
    return {};
}

// Generation 1: the roadmap given on the command line, every island's start.
Result<Loop::Outcome> Loop::first_generation()
{
    auto roadmap = load_roadmap(*m_options.files, m_options.roadmap_path, m_registry, m_options.limits);
    if (!roadmap)
        return std::move(roadmap).error();
    PXOS_TRY(choose_file_names(&*roadmap));
    std::string canonical = roadmap_to_yaml(*roadmap);
    Evaluated given = build_and_evaluate(std::move(*roadmap), canonical, m_options, ReadConfinement {},
        [this](LoopPhase::Kind kind) { m_observer.phase(LoopPhase { kind, 1, 0, 1, {} }); });
    given.id = CandidateId { 1, 1 };
    Outcome outcome;
    outcome.chosen = std::make_shared<const Evaluated>(std::move(given));
    Proposal proposal;
    proposal.proposer = "given";
    proposal.note = "the roadmap given on the command line";
    GenerationRecord attempt = attempt_record(1, 0, proposal);
    score_attempt(attempt, *outcome.chosen, *outcome.chosen);
    attempt.roadmap_file = m_names.roadmap(1);
    attempt.outcome = "given";
    auto cell = m_population.cell_of(outcome.chosen->evaluation);
    attempt.has_cell = cell.has_value();
    if (cell) {
        attempt.cell_x = cell->x;
        attempt.cell_y = cell->y;
    }
    m_population.start(Elite { outcome.chosen, attempt });
    outcome.record = attempt;
    outcome.record.attempts = { attempt };
    m_population.describe(outcome.record);
    return outcome;
}

// Builds and evaluates the new roadmaps, jobs at a time, in order.
std::vector<std::shared_ptr<const Evaluated>> Loop::evaluate_fresh(int generation,
    const std::vector<std::size_t>& fresh, std::vector<std::optional<Roadmap>>& roadmaps,
    const std::vector<std::optional<std::string>>& canonical, const std::vector<ParentChoice>& parents)
{
    std::size_t jobs = std::size_t(std::max(1, m_options.jobs));
    std::vector<std::optional<Evaluated>> evaluations(fresh.size());
    SerialExecutor serial;
    Executor& executor = m_options.executor ? *m_options.executor : serial;
    executor.run_all(fresh.size(), jobs, [&, this](std::size_t i) {
        LoopPhase phase { LoopPhase::Kind::Building, generation, parents[fresh[i]].island, int(fresh[i]) + 1, {} };
        evaluations[i] = build_and_evaluate(std::move(*roadmaps[fresh[i]]), *canonical[fresh[i]], m_options,
            proposal_reads(), [&](LoopPhase::Kind kind) {
                phase.kind = kind;
                m_observer.phase(phase);
            });
    });
    std::vector<std::shared_ptr<const Evaluated>> evaluated;
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        evaluations[i]->id = CandidateId { generation, int(fresh[i]) + 1 };
        evaluated.push_back(std::make_shared<const Evaluated>(std::move(*evaluations[i])));
    }
    return evaluated;
}

// The attempt's roadmap diff from its parent's: in the record when short, else in a file.
void Loop::record_diff(Outcome& outcome, GenerationRecord& attempt, const Evaluated& parent, const Evaluated& child)
{
    std::string diff = unified_diff(parent.text, child.text, candidate_name(parent.id), candidate_name(child.id));
    if (diff.size() <= kInlineDiffBytes) {
        attempt.text_diff = std::move(diff);
        return;
    }
    attempt.text_diff_file = attempt_name(attempt.generation, attempt.candidate, "diff");
    outcome.files.emplace_back(attempt.text_diff_file, std::move(diff));
}

// Generation 2 on: for each island `candidates` proposals, each from the
// island's best or an elite of the archive; each new roadmap built and
// evaluated once in the whole loop; every attempt offered to the population
// and recorded; then the migration when it is due. The generation's files
// are those of its best attempt.
Loop::Outcome Loop::next_generation(int generation)
{
    Outcome outcome;
    const Evaluated& best = *m_population.best().evaluated;
    outcome.reflection = reflection_json(generation, best.evaluation, best.id.generation, m_history->records());
    std::vector<ParentChoice> parents = m_population.choose_parents(generation, std::max(1, m_options.candidates));
    std::vector<Proposal> proposals;
    for (std::size_t i = 0; i < parents.size(); ++i)
        proposals.push_back(propose(generation, int(i) + 1, outcome.reflection, parents[i]));
    m_parent = nullptr;
    std::vector<std::optional<Roadmap>> roadmaps(proposals.size());
    std::vector<std::optional<std::string>> canonical(proposals.size());
    std::vector<std::string> invalid(proposals.size());
    for (std::size_t i = 0; i < proposals.size(); ++i) {
        auto roadmap = validate_proposal(*m_options.files, proposals[i].text, "proposal.yaml", folder(), m_registry, m_options.limits);
        if (!roadmap) {
            invalid[i] = roadmap.error().message();
            proposals[i].note += " (invalid: " + invalid[i] + ")";
            continue;
        }
        canonical[i] = roadmap_to_yaml(*roadmap);
        roadmaps[i] = std::move(*roadmap);
    }
    Triage sorted = triage(generation, canonical, [this](const std::string& hash) { return m_population.known(hash); });
    std::vector<std::shared_ptr<const Evaluated>> fresh = evaluate_fresh(generation, sorted.fresh, roadmaps, canonical, parents);

    // The generation's choice: its best attempt, one that lost nothing before one that did.
    std::vector<GenerationRecord> attempts;
    for (std::size_t i = 0; i < proposals.size(); ++i)
        attempts.push_back(attempt_record(generation, i, proposals[i]));
    std::vector<bool> regression;
    for (std::size_t f = 0; f < fresh.size(); ++f) {
        GenerationRecord& attempt = attempts[sorted.fresh[f]];
        score_attempt(attempt, *fresh[f], *parents[sorted.fresh[f]].parent.evaluated);
        regression.push_back(attempt.regression);
    }
    std::optional<std::size_t> chosen = choose_attempt(fresh, regression); // into fresh
    for (std::size_t i = 0; i < proposals.size(); ++i)
        if (!invalid[i].empty()) {
            attempts[i].outcome = "invalid";
            attempts[i].reason = invalid[i];
        }
    for (const Triage::Duplicate& duplicate : sorted.duplicates) {
        GenerationRecord& attempt = attempts[duplicate.proposal];
        attempt.outcome = "duplicate";
        attempt.reason = "the same roadmap as " + candidate_name(duplicate.of) + " (not evaluated again)";
        attempt.text_hash = text_hash(*canonical[duplicate.proposal]);
    }
    for (std::size_t f = 0; f < fresh.size(); ++f) {
        GenerationRecord& attempt = attempts[sorted.fresh[f]];
        const Evaluated& parent = *parents[sorted.fresh[f]].parent.evaluated;
        attempt.roadmap_file = chosen == f ? m_names.roadmap(generation)
                                           : attempt_name(generation, attempt.candidate, "yaml");
        if (chosen != f)
            outcome.files.emplace_back(attempt.roadmap_file, attempt_file_text(attempt, folder(), fresh[f]->text));
        record_diff(outcome, attempt, parent, *fresh[f]);
        m_population.mark_known(attempt.text_hash, fresh[f]->id);
        m_population.admit(fresh[f], attempt);
    }

    GenerationRecord& record = outcome.record;
    if (chosen) {
        outcome.chosen = fresh[*chosen];
        outcome.parent = parents[sorted.fresh[*chosen]].parent.evaluated;
        record = attempts[sorted.fresh[*chosen]];
    } else {
        // Every proposal was invalid or a duplicate: the best carries on, saying so.
        outcome.chosen = m_population.best().evaluated;
        record = carried_on(attempts[0], *outcome.chosen);
    }
    record.llm_calls = 0;
    for (const Proposal& proposal : proposals)
        record.llm_calls += proposal.llm_calls;
    record.migrations = m_population.migrate(generation);
    record.attempts = std::move(attempts);
    m_population.describe(record);
    return outcome;
}

// The generation's files and timing, and last the line that makes it count
// as complete: the population after it (islands, archive, best) is in that
// line, so a loop killed before it resumes from the generation before.
Result<double> Loop::persist(Outcome& outcome, double generation_started)
{
    GenerationRecord& record = outcome.record;
    (void)m_options.files->create_folders(path("attempts"));
    for (const auto& [name, text] : outcome.files)
        PXOS_TRY(m_options.files->write_file_atomic(path(name), text));
    PXOS_TRY(write_generation(outcome, record));
    PXOS_TRY(m_history->append(record));
    // The generation's time, its history line included (its timing line
    // comes after: a loop killed between the two loses only that line).
    double milliseconds = m_clock.now_ms() - generation_started;
    PXOS_TRY(append_line(*m_options.files, path("timings.jsonl"),
        write_json(nlohmann::json({ { "generation", record.generation }, { "milliseconds", milliseconds } }),
            JsonLayout::Compact)));
    return milliseconds;
}

// One loop per out-dir, held until the loop ends (or dies): before anything in it is read or written.
Result<std::unique_ptr<FileLock>> Loop::take_out_dir()
{
    auto lock = lock_out_dir(*m_options.files, m_options.out_dir);
    if (!lock)
        return std::move(lock).error();
    m_observer.started();
    (void)m_options.files->create_folders(path("llm")); // (as before: only the last one's error is reported)
    if (auto created = m_options.files->create_folders(path("cache")); !created)
        return Error::io(m_options.out_dir,
            "cannot create the out-dir: " + created.error().diagnostics().front().message);
    return lock;
}

// How the run ended, the best candidate, and the report.
Result<void> Loop::finish(LoopSummary& summary)
{
    if (summary.stop_reason.empty())
        summary.stop_reason = plural(m_options.generations, "generation") + " done";
    if (m_population.started()) {
        const Elite& best = m_population.best();
        summary.best_generation = best.id().generation;
        summary.best_candidate = best.id().candidate;
        summary.best_score = best.evaluated->evaluation.score;
        summary.max_score = best.evaluated->evaluation.max_score;
        summary.best_combined_score = best.evaluated->evaluation.metrics.combined_score;
        summary.best_roadmap_file = path(best.record.roadmap_file);
    }
    std::vector<NamedLlm> named = m_llms.models;
    named.insert(named.end(), m_llms.agents.begin(), m_llms.agents.end());
    summary.models = model_stats(named, m_history->records());
    return write_loop_report(*m_options.files, m_options.out_dir);
}

Result<LoopSummary> Loop::run()
{
    auto lock = take_out_dir();
    if (!lock)
        return std::move(lock).error();
    double started = m_clock.now_ms();
    auto history = History::open(*m_options.files, path("loop.jsonl"), m_options.resume ? ResumeMode::Continue : ResumeMode::Refuse);
    if (!history)
        return std::move(history).error();
    m_history = std::move(*history);
    if (!m_history->records().empty())
        PXOS_TRY(choose_file_names(nullptr)); // (a fresh loop's come with its first generation)
    PXOS_TRY(resume());

    LoopSummary summary;
    for (int generation = m_history->next_generation(); generation <= m_options.generations; ++generation) {
        summary.stop_reason = stop_reason(started);
        if (!summary.stop_reason.empty())
            break;
        double generation_started = m_clock.now_ms();
        auto outcome = generation == 1 ? first_generation() : Result<Outcome>(next_generation(generation));
        if (!outcome)
            return std::move(outcome).error();
        auto milliseconds = persist(*outcome, generation_started);
        if (!milliseconds)
            return std::move(milliseconds).error();
        summary.generations.push_back(outcome->record);
        m_observer.generation_done(outcome->record, *milliseconds);
        const Evaluated& best = *m_population.best().evaluated;
        if (m_options.until_max && best.evaluation.score == best.evaluation.max_score) {
            summary.stop_reason = fmt::format("full score at generation {} (--until-max)", best.id.generation);
            break;
        }
    }
    PXOS_TRY(finish(summary));
    return summary;
}

} // namespace pxos::loop_run

namespace pxos {

Result<LoopSummary> run_loop(const LoopOptions& options, const StepRegistry& registry, const LlmClients& llms,
    LoopObserver& observer, Clock& clock)
{
    if (!options.files)
        return Error::internal("run_loop: LoopOptions::files is not set");
    // The generations' builds share their sources: each is assembled once
    // (pxos/asm/assembly_cache.hpp).
    AssemblyCache assemblies;
    LoopOptions with_cache = options;
    if (!with_cache.assemblies)
        with_cache.assemblies = &assemblies;
    loop_run::Loop loop(with_cache, registry, llms, observer, clock);
    return loop.run();
}

std::string loop_summary_line(const LoopSummary& summary)
{
    nlohmann::ordered_json line;
    line["schema"] = 1;
    line["stop_reason"] = summary.stop_reason;
    line["best_generation"] = summary.best_generation;
    line["best_candidate"] = summary.best_candidate;
    line["best_score"] = summary.best_score;
    line["max_score"] = summary.max_score;
    line["best_combined_score"] = summary.best_combined_score;
    line["best_roadmap"] = summary.best_roadmap_file;
    return write_json(line, JsonLayout::Compact);
}

Result<LoopSummary> run_loop(const LoopOptions& options, const StepRegistry& registry, LlmClient* llm,
    LoopObserver& observer, Clock& clock)
{
    LlmClients llms;
    if (llm)
        llms.models.push_back({ "llm", 1, llm });
    return run_loop(options, registry, llms, observer, clock);
}

} // namespace pxos
