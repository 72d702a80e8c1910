#include "loop/loop_support.hpp"

#include "pxos/host/posix/thread_executor.hpp"

#include <sstream>

namespace pxos::test {

LoopOptions loop_options(const ScratchDirectory& scratch, const std::string& roadmap, int generations,
    ProposerKind proposer)
{
    LoopOptions options;
    options.roadmap_path = source_path("roadmaps/" + roadmap);
    options.generations = generations;
    options.out_dir = scratch.file("loop");
    options.retries = 1;
    options.proposer = proposer;
    options.files = &files();
    static ThreadExecutor threads;
    options.executor = &threads;
    options.eval.executor = &threads;
    return options;
}

std::string fake_llm_command(const std::string& name)
{
    return "sh '" + source_path("tests/fake_llm/" + name) + "' {prompt_file}";
}

std::vector<nlohmann::json> loop_history(const ScratchDirectory& scratch)
{
    std::vector<nlohmann::json> lines;
    std::istringstream text(read_text(scratch.file("loop/loop.jsonl")));
    for (std::string line; std::getline(text, line);)
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

} // namespace pxos::test
