// What the loop's tests share: a loop's options in a scratch out-dir, the
// command line of a fake LLM (tests/fake_llm/), the history it wrote.
#pragma once

#include "pxos/loop/loop.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pxos::test {

// A loop from roadmaps/`roadmap` for `generations` generations into
// SCRATCH/loop, retries 1, on the threads the CLI uses (one executor for
// every test: it keeps no state).
LoopOptions loop_options(const ScratchDirectory& scratch, const std::string& roadmap, int generations,
    ProposerKind proposer);

// `sh 'tests/fake_llm/NAME' {prompt_file}`, for a ShellLlmClient or --llm-cmd.
std::string fake_llm_command(const std::string& name);

// SCRATCH/loop/loop.jsonl, a JSON value per line.
std::vector<nlohmann::json> loop_history(const ScratchDirectory& scratch);

} // namespace pxos::test
