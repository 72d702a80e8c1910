#include "pxos/loop/prompt.hpp"

#include "base/json_writer.hpp"
#include "pxos/abi/syscalls.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/loop/reply.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pxos {

namespace {

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

} // namespace

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

std::string retry_prompt(const std::string& base_prompt, std::string_view rejected_reply, const std::string& errors)
{
    // The rejected reply (bounded, its lines numbered as the errors name
    // them), then its exact errors (bounded too).
    constexpr std::size_t kMaxErrors = 4 * 1024;
    std::string shown = errors;
    if (shown.size() > kMaxErrors) {
        std::size_t cut = shown.rfind('\n', kMaxErrors);
        cut = cut == std::string::npos ? kMaxErrors : cut + 1;
        shown = shown.substr(0, cut) + fmt::format("... ({} more bytes of errors left out)\n", errors.size() - cut);
    }
    return base_prompt + "\n## Your previous reply was rejected\nYour reply, its lines numbered as the errors name them "
        + "(reply:LINE:COLUMN):\n" + numbered_reply_excerpt(rejected_reply) + "\nIts errors:\n" + shown
        + "Reply again with the errors fixed (patches, one ```yaml block, or both, as the reply format says).\n";
}

std::string reflection_json(int generation, const EvalResult& best, int best_generation,
    const std::vector<GenerationRecord>& history)
{
    nlohmann::ordered_json root;
    root["generation"] = generation;
    root["best_generation"] = best_generation;
    root["best_score"] = best.score;
    root["max_score"] = best.max_score;
    nlohmann::ordered_json failing = nlohmann::ordered_json::array();
    for (const Check& check : best.checks)
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

} // namespace pxos
