// The prompt alone: the reflection JSON, the sections of the first prompt
// in their order, and the retry prompt that feeds the errors back.
#include "pxos/loop/prompt.hpp"

#include "builtin_steps.hpp"

#include <catch2/catch.hpp>

namespace {

pxos::EvalResult evaluation()
{
    pxos::EvalResult result;
    result.image_name = "candidate.png";
    result.score = 3;
    result.max_score = 22;
    pxos::Check passed;
    passed.id = "seed.all_regions_ok";
    passed.group = "seed";
    passed.passed = true;
    passed.points = 1;
    result.checks.push_back(passed);
    pxos::Check failed;
    failed.id = "kernel.boots";
    failed.group = "kernel";
    failed.max_points = 4;
    failed.message = "no kernel at (0,0)";
    result.checks.push_back(failed);
    return result;
}

} // namespace

TEST_CASE("the reflection names the best's failing checks and the last five attempts", "[loop][prompt]")
{
    std::vector<pxos::GenerationRecord> history;
    for (int generation = 1; generation <= 7; ++generation) {
        pxos::GenerationRecord record;
        record.generation = generation;
        record.parent = generation - 1;
        record.proposer = generation == 1 ? "given" : "heuristic";
        record.score = generation;
        record.note = "n" + std::to_string(generation);
        history.push_back(record);
    }
    std::string expected = R"json({
  "generation": 8,
  "best_generation": 6,
  "best_score": 3,
  "max_score": 22,
  "failing_checks": [
    {
      "id": "kernel.boots",
      "points": 4,
      "message": "no kernel at (0,0)"
    }
  ],
  "previous_attempts": [
)json";
    for (int generation = 3; generation <= 7; ++generation)
        expected += "    {\n      \"generation\": " + std::to_string(generation) + ",\n      \"parent\": "
            + std::to_string(generation - 1) + ",\n      \"proposer\": \"heuristic\",\n      \"score\": "
            + std::to_string(generation) + ",\n      \"note\": \"n" + std::to_string(generation) + "\"\n    }"
            + (generation < 7 ? ",\n" : "\n");
    expected += "  ]\n}\n";
    CHECK(pxos::reflection_json(8, evaluation(), 6, history) == expected);

    CHECK(pxos::reflection_json(2, evaluation(), 1, {}).find("\"previous_attempts\": []\n}\n") != std::string::npos);
}

TEST_CASE("the prompt gives the best roadmap, its evaluation, the reflection, the steps, the machine, the format", "[loop][prompt]")
{
    const pxos::StepRegistry& registry = pxos::steps::builtin_registry();
    std::string roadmap = "metadata:\n  name: test\nsteps:\n  - init_background\n";
    std::string prompt = pxos::build_prompt(roadmap, evaluation(), "{\"reflection\": 1}\n", registry);
    std::string opening = "You are improving pxOS, an operating system that lives in the pixels of an image. A "
                          "roadmap (YAML) lists the compiled-in build steps that paint the image; `pxos eval` scores "
                          "the result. Propose the next roadmap so that it scores higher (failing checks below say "
                          "what is wrong and where).\n\n## Current best roadmap\n```yaml\n"
        + roadmap + "```\n\n## Its evaluation\n" + pxos::eval_result_to_text(evaluation())
        + "\n## Reflection (JSON)\n{\"reflection\": 1}\n\n## Build steps you may use (pxos steps --json)\n"
        + registry.to_json() + "\n## The machine\nInstructions (one opcode pixel, then one pixel per operand):\n";
    CHECK(prompt.substr(0, opening.size()) == opening);
    std::string closing = "## Reply format\nReply with ONE fenced ```yaml block, either a whole roadmap (metadata:, "
                          "steps:) or a list of edits to the current roadmap, steps numbered from 1:\n```yaml\nedits:\n"
                          "  - set: {step: 3, param: boot_banner_color, value: [0, 255, 0]}\n"
                          "  - add: {at: 5, step: add_process, params: {program_file: builtin:draw.pxasm}}\n"
                          "  - remove: {step: 2}\n  - move: {from: 4, to: 2}\n```\n"
                          "Files must be builtin: sources or inside the roadmap's folder; output paths are ignored.\n";
    REQUIRE(prompt.size() > closing.size());
    CHECK(prompt.substr(prompt.size() - closing.size()) == closing);
    // The machine: the system calls by number, then pxasm in a line.
    CHECK(prompt.find("\nSystem calls (SYSCALL SYS_NAME; arguments r1..r3, result r0):\n  0 exit: r1 = exit code end this process: its descriptors close, a waiter gets the code\n") != std::string::npos);
    CHECK(prompt.find("A user program starts at its 'main' label and ends with SYSCALL SYS_EXIT.\n\n## Reply format")
        != std::string::npos);
    // The same state, the same prompt: it is the reply cache's key.
    CHECK(pxos::build_prompt(roadmap, evaluation(), "{\"reflection\": 1}\n", registry) == prompt);
}

TEST_CASE("a retry prompt is the first prompt, then the rejected reply's numbered lines and its exact errors", "[loop][prompt][replies]")
{
    CHECK(pxos::retry_prompt("PROMPT\n", "```yaml\nsteps: [x]\n```\n", "reply:2:5: error: unknown step 'x'\n")
        == "PROMPT\n\n## Your previous reply was rejected\nYour reply, its lines numbered as the errors name them "
           "(reply:LINE:COLUMN):\n   1 | ```yaml\n   2 | steps: [x]\n   3 | ```\n\nIts errors:\n"
           "reply:2:5: error: unknown step 'x'\n"
           "Reply again with the errors fixed (patches, one ```yaml block, or both, as the reply format says).\n");
}
