// `pxos loop ROADMAP.yaml N`: the improvement loop, with progress on stderr.
#include "commands.hpp"
#include "terminal.hpp"

#include "builtin_steps.hpp"
#include "pxos/host/posix/shell_llm_client.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/loop/loop.hpp"

#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <memory>
#include <spdlog/spdlog.h>

namespace pxos::cli {

namespace {

class LoopProgress final : public LoopObserver {
public:
    explicit LoopProgress(std::string banner) : m_banner(std::move(banner)) { }
    void started() override { spdlog::info("{}", m_banner); }
    void generation_done(const GenerationRecord& record, double milliseconds) override
    {
        spdlog::info("gen {:03}  score {:>2}/{}  best {:>2}/{} (gen {:03})  {:<9} {:>8.1f} ms  {}", record.generation,
            record.score, record.max_score, record.best_score, record.max_score, record.best_generation,
            record.proposer + (record.fallback ? "*" : ""), milliseconds, record.note);
    }
    void note(const std::string& text) override { spdlog::warn("{}", text); }

private:
    std::string m_banner; // printed once the out-dir is ours: a loop refused for a busy out-dir prints one line
};

} // namespace

int run_loop_command(const LoopCommandOptions& options)
{
    setup_logging(options.verbosity);
    if (!options.report_dir.empty()) {
        if (auto written = write_loop_report(host_files(), options.report_dir); !written)
            return report_error(written.error());
        print_result(options.report_dir + "/report.html\n");
        return 0;
    }
    if (options.roadmap_path.empty() || options.generations < 1)
        return report_error(Error::usage("pxos loop needs ROADMAP.yaml and a number of generations N >= 1 "
                                         "(or --report DIR)"));

    std::string command = options.llm_command;
    if (command.empty())
        if (const char* from_environment = std::getenv("PXOS_LLM_CMD"))
            command = from_environment;
    LoopOptions loop;
    loop.roadmap_path = options.roadmap_path;
    loop.generations = options.generations;
    loop.out_dir = options.out_dir;
    if (options.proposer.empty())
        loop.proposer = command.empty() && !options.replay ? ProposerKind::Heuristic : ProposerKind::Llm;
    else if (options.proposer == "llm")
        loop.proposer = ProposerKind::Llm;
    else if (options.proposer == "heuristic")
        loop.proposer = ProposerKind::Heuristic;
    else
        loop.proposer = ProposerKind::Copy;
    if (loop.proposer == ProposerKind::Llm && command.empty() && !options.replay)
        return report_error(Error::usage("--proposer llm needs a command: --llm-cmd 'CMD' or PXOS_LLM_CMD"));
    loop.retries = options.retries;
    loop.candidates = options.candidates;
    loop.jobs = options.jobs;
    loop.islands = options.islands;
    loop.migrate_every = options.migrate_every;
    loop.archive_bins = options.archive_bins;
    loop.seed = options.seed;
    loop.resume = options.resume;
    loop.replay = options.replay;
    loop.max_llm_calls = options.max_llm_calls;
    loop.max_seconds = options.max_seconds;
    loop.until_max = options.until_max;
    loop.eval.max_steps = options.caps.get(Cap::StepBudget);
    loop.eval.max_seconds = options.caps.get(Cap::EvalSeconds);
    loop.limits = RoadmapLimits::from_caps(options.caps);
    loop.code_limits = CodeLimits::from_caps(options.caps);
    loop.files = &host_files();
    ThreadExecutor executor;
    loop.executor = &executor;
    loop.eval.executor = &executor;

    std::unique_ptr<LlmClient> llm;
    if (!command.empty())
        llm = std::make_unique<ShellLlmClient>(command, options.llm_timeout, options.caps.get(Cap::LlmReply));
    LoopProgress progress(fmt::format("loop: {} for {} generations, proposer {}, out-dir {}", options.roadmap_path,
        options.generations, proposer_name(loop.proposer), options.out_dir));
    SteadyClock clock;
    auto summary = run_loop(loop, steps::builtin_registry(), llm.get(), progress, clock);
    if (!summary)
        return report_error(summary.error());
    spdlog::info("loop: {}; best generation {} with {}/{}; report: {}/report.html", summary->stop_reason,
        summary->best_generation, summary->best_score, summary->max_score, options.out_dir);
    print_result(summary->best_roadmap_file + "\n");
    return 0;
}

} // namespace pxos::cli
