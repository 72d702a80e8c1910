// Several LLMs for the loop: `--llm-cmd NAME=WEIGHT:CMD`, given any number
// of times, and a bandit that picks one per LLM call by how often each
// model's candidates improved on their parent. Thompson sampling: each
// model draws a success rate from Beta(1 + improved, 1 + not improved) and
// the largest WEIGHT x rate wins (the first of equals), so the weights are
// the prior preference and the counts take over as they grow. The draws
// come from the loop's seed, the generation and the candidate (splitmix64,
// no std::random_device), and the counts only from loop.jsonl's records of
// earlier generations (each attempt's model and `improved`): the same seed and history
// give the same picks, fresh, under --replay and after --resume.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/loop/history.hpp"
#include "pxos/loop/llm_command.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// One --llm-cmd: a plain CMD is the model "llm" with weight 1.
struct ModelSpec {
    std::string name;
    double weight = 1;
    std::string command;
};

// One --llm-cmd value (or PXOS_LLM_CMD). `NAME=WEIGHT:CMD` when it starts
// with a name, `=`, and a `:` before any space (NAME: letters, digits,
// `_`, `-`, `.`, starting with a letter; WEIGHT: a number > 0 and <= 1e6);
// anything else is a plain command. A usage error names the bad value.
Result<ModelSpec> parse_model_spec(std::string_view text);
// Every --llm-cmd, in order: names must differ (two plain commands are
// both "llm": name them).
Result<std::vector<ModelSpec>> parse_model_specs(const std::vector<std::string>& texts);

// A client the loop may call, by name (not owned).
struct NamedLlm {
    std::string name;
    double weight = 1;
    LlmClient* client = nullptr;
};

// Every LLM the loop may ask: the --llm-cmd models (the bandit picks among
// them per call) and the agents, one per region (pxos/loop/agents.hpp).
// With agents, the LLM proposals come from them alone.
struct LlmClients {
    std::vector<NamedLlm> models; // in the order given
    std::vector<NamedLlm> agents; // name = the region; in region order (kernel, programs, layout)
};

// How a model (or an agent) did: its candidates and how many improved on their parent.
struct ModelStats {
    std::string name;
    double weight = 1;
    int candidates = 0;
    int improved = 0;
};

// The counts of every name in `names` (weights alongside) over the attempts
// of `records`, in the order of `names`: each attempt with a model counts
// for each name in it ("kernel+programs": both), improved when it beat its
// parent (GenerationRecord::improved) and was not a fallback (the model
// failed, the heuristic proposed). An invalid attempt, or a duplicate of a
// roadmap the loop already had, did not improve. Other names are ignored.
std::vector<ModelStats> model_stats(const std::vector<NamedLlm>& names, const std::vector<GenerationRecord>& records);

// "fast (weight 3): 4 candidates, 3 improved; slow (weight 1): 2 candidates, 0 improved"
// (without the weights: "kernel: 4 candidates, 3 improved; ...", for agents).
std::string model_stats_text(const std::vector<ModelStats>& stats, bool weights = true);

// The model to ask (an index into `stats`) for one LLM call of `generation`'s
// `candidate`: Thompson sampling from the seed as above. One model: 0.
std::size_t pick_model(const std::vector<ModelStats>& stats, std::uint64_t seed, int generation, int candidate);

// The key of a model's reply in the reply cache: the prompt itself for the
// model "llm" (so caches written before models existed still replay),
// "model NAME" and a blank line before it for any other, so two models asked
// the same prompt keep their own replies.
std::string reply_key(const std::string& model, const std::string& prompt);

} // namespace pxos
