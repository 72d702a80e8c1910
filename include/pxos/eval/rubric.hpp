// The rubric: ONE table (src/eval/rubric.cpp) of every check the evaluator
// runs, in the order the result lists them: its id, group, points, what it
// checks (one line for the docs), the repair the heuristic proposer tries
// when it fails, and the function that runs it. The evaluator's checks and
// their JSON, max_score, the proposer's repairs and docs/EVAL.md's tables
// (`pxos eval --markdown`) are all derived from it. A group may have a
// scenario: the runs its checks read (the image run twice, the probes),
// done once before them; a group whose scenario cannot run fails every one
// of its checks with the scenario's reason.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pxos {

struct Check;
class Evaluation; // src/eval/evaluation.hpp: one evaluation of an image

enum class CheckGroup { Seed, Structure, Kernel, Execution, Isolation };

// Fills in one check from what the evaluation found.
using CheckFunction = void (Evaluation::*)(Check&);
// Runs what a group's checks read; a value is why it could not (then
// every check of the group fails with it).
using GroupScenario = std::optional<std::string> (Evaluation::*)();

struct RubricGroup {
    CheckGroup group;
    std::string_view name;  // "execution", as in ids, JSON and --only
    GroupScenario scenario; // nullptr: the checks read the image alone
};

// What the heuristic proposer adds when the check fails and the roadmap
// lacks it: a step, and for add_process the program it runs.
struct Repair {
    std::string_view step;
    std::string_view program; // "builtin:hello.pxasm"; empty: the step alone
};

struct RubricCheck {
    std::string_view id; // "execution.hello": the group's name, a dot, the check's
    CheckGroup group;
    int points;
    // Passes when ... (one line). Names in braces are filled in from the
    // tables they come from: {syscalls}, {opcodes}, {header}, {isa_version},
    // {palette_cell}, {palette_row}, {hello}.
    std::string_view checks;
    Repair repair;
    CheckFunction run;
};

// Every check, grouped and in result order.
std::span<const RubricCheck> rubric();
// Every group, in order.
std::span<const RubricGroup> rubric_groups();
const RubricGroup& rubric_group(CheckGroup group);
// nullptr when no check has this id.
const RubricCheck* find_rubric_check(std::string_view id);
// The points of every check together: the max_score of an evaluation of
// all groups.
int rubric_points();

// A row's `checks` with its names filled in.
std::string rubric_check_text(const RubricCheck& check);
// docs/EVAL.md's section of one group: a heading with its checks and
// points, then its table (check, points, passes when, repair).
std::string rubric_group_markdown(CheckGroup group);
// Every group's section, one blank line between them (`pxos eval --markdown`).
std::string rubric_markdown();

} // namespace pxos
