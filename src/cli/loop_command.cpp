// `pxos loop ROADMAP.yaml N`: the improvement loop, with progress on stderr.
#include "commands.hpp"
#include "loop_progress.hpp"
#include "terminal.hpp"

#include "builtin_steps.hpp"
#include "pxos/host/posix/shell_llm_client.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/loop/agents.hpp"
#include "pxos/loop/loop.hpp"
#include "pxos/loop/models.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <memory>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace pxos::cli {


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
                                         "(or --render-report DIR)"));

    std::vector<std::string> commands = options.llm_commands;
    if (commands.empty())
        if (const char* from_environment = std::getenv("PXOS_LLM_CMD"); from_environment && *from_environment)
            commands.push_back(from_environment);
    auto models = parse_model_specs(commands);
    if (!models)
        return report_error(models.error());
    auto agents = parse_agent_specs(options.agents);
    if (!agents)
        return report_error(agents.error());
    bool command = !models->empty() || !agents->empty();
    LoopOptions loop;
    loop.roadmap_path = options.roadmap_path;
    loop.generations = options.generations;
    loop.out_dir = options.out_dir;
    if (options.proposer.empty())
        loop.proposer = !command && !options.replay ? ProposerKind::Heuristic : ProposerKind::Llm;
    else if (options.proposer == "llm")
        loop.proposer = ProposerKind::Llm;
    else if (options.proposer == "heuristic")
        loop.proposer = ProposerKind::Heuristic;
    else
        loop.proposer = ProposerKind::Copy;
    if (loop.proposer == ProposerKind::Llm && !command && !options.replay)
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
    loop.prompt_budget = options.prompt_budget;
    loop.eval.max_steps = options.caps.get(Cap::StepBudget);
    loop.eval.max_seconds = options.caps.get(Cap::EvalSeconds);
    loop.limits = RoadmapLimits::from_caps(options.caps);
    loop.code_limits = CodeLimits::from_caps(options.caps);
    loop.files = &host_files();
    ThreadExecutor executor;
    loop.executor = &executor;
    loop.eval.executor = &executor;

    // One client per model and per agent; an agent whose CMD names a model shares its client.
    std::vector<std::unique_ptr<LlmClient>> clients;
    LlmClients llms;
    auto client_for = [&](const std::string& shell_command) {
        clients.push_back(
            std::make_unique<ShellLlmClient>(shell_command, options.llm_timeout, options.caps.get(Cap::LlmReply)));
        return clients.back().get();
    };
    for (const ModelSpec& model : *models)
        llms.models.push_back({ model.name, model.weight, client_for(model.command) });
    for (const AgentSpec& agent : *agents) {
        auto named = std::find_if(llms.models.begin(), llms.models.end(),
            [&](const NamedLlm& model) { return model.name == agent.command; });
        llms.agents.push_back({ agent.region, 1, named != llms.models.end() ? named->client : client_for(agent.command) });
    }
    LoopProgress::Settings settings;
    settings.banner = fmt::format("loop: {} for {}, proposer {}, out-dir {}", options.roadmap_path,
        plural(options.generations, "generation"), proposer_name(loop.proposer), options.out_dir);
    settings.islands = options.islands;
    settings.json = options.json;
    settings.progress_line = options.verbosity != Verbosity::Quiet && ::isatty(STDERR_FILENO) == 1;
    LoopProgress progress(std::move(settings));
    SteadyClock clock;
    auto summary = run_loop(loop, steps::builtin_registry(), llms, progress, clock);
    progress.finish();
    if (!summary)
        return report_error(summary.error());
    spdlog::info("loop: {}; best generation {} with {}/{}; report: {}/report.html", summary->stop_reason,
        summary->best_generation, summary->best_score, summary->max_score, options.out_dir);
    // Each model's and agent's candidates, and how many improved on their parent.
    std::vector<ModelStats> model_figures(summary->models.begin(), summary->models.begin() + long(llms.models.size()));
    std::vector<ModelStats> agent_figures(summary->models.begin() + long(llms.models.size()), summary->models.end());
    if (!agent_figures.empty())
        spdlog::info("loop: agents {}", model_stats_text(agent_figures, false));
    else if (model_figures.size() > 1)
        spdlog::info("loop: models {}", model_stats_text(model_figures));
    if (options.json)
        std::fputs((loop_summary_line(*summary) + "\n").c_str(), stdout);
    else
        print_result(summary->best_roadmap_file + "\n");
    return 0;
}

} // namespace pxos::cli
