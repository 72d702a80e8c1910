// The rubric table (pxos/eval/rubric.hpp): its rows, what the evaluator
// derives from it, and docs/EVAL.md, which holds its tables.
#include "pxos/eval/rubric.hpp"
#include "pxos/eval/metrics.hpp"

#include "builtin_steps.hpp"
#include "pxos/asm/builtin_sources.hpp"
#include "pxos/eval/evaluator.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <set>

TEST_CASE("every rubric row has a function, a line, a repair and points, under an id of its group", "[eval][rubric]")
{
    REQUIRE(pxos::rubric().size() == 20);
    for (const pxos::RubricCheck& check : pxos::rubric()) {
        INFO(check.id);
        CHECK(check.run != nullptr);
        CHECK(check.points >= 1);
        CHECK(!check.checks.empty());
        CHECK(!check.repair.step.empty());
        std::string group(pxos::rubric_group(check.group).name);
        CHECK(check.id.substr(0, group.size() + 1) == group + ".");
    }
}

TEST_CASE("rubric ids are unique and each is found by its id", "[eval][rubric]")
{
    std::set<std::string_view> ids;
    for (const pxos::RubricCheck& check : pxos::rubric()) {
        INFO(check.id);
        CHECK(ids.insert(check.id).second);
        CHECK(pxos::find_rubric_check(check.id) == &check);
    }
    CHECK(pxos::find_rubric_check("execution.hellö") == nullptr);
}

TEST_CASE("each repair names a registered step, and a shipped program for add_process", "[eval][rubric]")
{
    const pxos::StepRegistry& registry = pxos::steps::builtin_registry();
    for (const pxos::RubricCheck& check : pxos::rubric()) {
        INFO(check.id << ": " << check.repair.step);
        CHECK(registry.find(check.repair.step) != nullptr);
        CHECK(check.repair.program.empty() == (check.repair.step != "add_process"));
        if (!check.repair.program.empty()) {
            REQUIRE(check.repair.program.substr(0, pxos::kBuiltinPrefix.size()) == pxos::kBuiltinPrefix);
            CHECK(pxos::builtin_source(check.repair.program.substr(pxos::kBuiltinPrefix.size())).has_value());
        }
    }
}

TEST_CASE("an evaluation lists the rubric's checks in its order, and max_score is the rubric's points", "[eval][rubric]")
{
    // A blank image: nothing boots, every check still appears.
    pxos::EvalResult result = pxos::evaluate(pxos::SimulatedVRAM::create(512, 512).value(), "blank.png");
    REQUIRE(result.checks.size() == pxos::rubric().size());
    for (std::size_t i = 0; i < result.checks.size(); ++i) {
        const pxos::RubricCheck& row = pxos::rubric()[i];
        CHECK(result.checks[i].id == row.id);
        CHECK(result.checks[i].group == pxos::rubric_group(row.group).name);
        CHECK(result.checks[i].max_points == row.points);
    }
    CHECK(result.max_score == pxos::rubric_points());
    CHECK(pxos::rubric_points() == 22);
    CHECK(pxos::eval_groups() == std::vector<std::string> { "seed", "structure", "kernel", "execution", "isolation" });

    for (const pxos::RubricGroup& group : pxos::rubric_groups()) {
        pxos::EvalOptions options;
        options.only_group = std::string(group.name);
        pxos::EvalResult only = pxos::evaluate(pxos::SimulatedVRAM::create(512, 512).value(), "blank.png", options);
        int points = 0;
        for (const pxos::RubricCheck& check : pxos::rubric())
            if (check.group == group.group)
                points += check.points;
        INFO(group.name);
        CHECK(only.max_score == points);
    }
}

TEST_CASE("a group whose scenario cannot run fails each of its checks with the reason", "[eval][rubric]")
{
    pxos::EvalOptions options;
    options.only_group = "isolation";
    pxos::EvalResult result = pxos::evaluate(pxos::SimulatedVRAM::create(512, 512).value(), "blank.png", options);
    REQUIRE(result.checks.size() == 4);
    for (const pxos::Check& check : result.checks) {
        INFO(check.id);
        CHECK(check.message == "skipped: the image does not boot (see kernel.boots)");
    }
}

TEST_CASE("a rubric line fills in the figures of the tables it names", "[eval][rubric]")
{
    CHECK(pxos::rubric_check_text(*pxos::find_rubric_check("structure.palette"))
        == "the 46 palette cells at (8i, 16) hold exactly the opcode table's colours, all distinct");
    CHECK(pxos::rubric_check_text(*pxos::find_rubric_check("execution.hello"))
        == "the console output contains `Hello from pxOS!`");
}

TEST_CASE("a group's markdown is a heading with its checks and points, then its table", "[eval][rubric]")
{
    CHECK(pxos::rubric_group_markdown(pxos::CheckGroup::Kernel)
        == "## kernel (3 checks, 3 points)\n\n"
           "| check | points | passes when | repair |\n|---|---|---|---|\n"
           "| `kernel.boots` | 1 | the machine accepts the header and the image's palette, and the kernel entry "
           "decodes to an instruction | `install_kernel` |\n"
           "| `kernel.syscall_table` | 1 | every syscall table entry points into the kernel region at an instruction "
           "| `install_kernel` |\n"
           "| `kernel.process_table` | 1 | at least one PCB is ready; every used PCB has a valid state, pid = slot + 1, "
           "memory inside the program area, entry and stack base inside its memory, no overlap with another process "
           "or the display area | `add_process` (`builtin:hello.pxasm`) |\n");
}

TEST_CASE("docs/EVAL.md holds the rubric's tables, in order, and its counts", "[eval][rubric][docs]")
{
    std::string doc = pxos::test::read_text(pxos::test::source_path("docs/EVAL.md"));
    INFO("regenerate the tables with: pxos eval --markdown");
    std::size_t position = 0;
    std::string all;
    for (const pxos::RubricGroup& group : pxos::rubric_groups()) {
        std::string section = pxos::rubric_group_markdown(group.group);
        INFO(section);
        std::size_t found = doc.find(section, position);
        REQUIRE(found != std::string::npos);
        position = found + section.size();
        all += (all.empty() ? "" : "\n") + section;
    }
    CHECK(pxos::rubric_markdown() == all);
    // No other table of checks: every row of the page that names a check
    // (or a metric, after the rubric) is generated.
    std::size_t rows = 0;
    for (std::size_t at = doc.find("\n| `"); at != std::string::npos; at = doc.find("\n| `", at + 1))
        ++rows;
    CHECK(rows == pxos::rubric().size() + pxos::metric_table().size());
    CHECK(doc.find(fmt::format("{} checks in {} groups, {} points in all", pxos::rubric().size(),
              pxos::rubric_groups().size(), pxos::rubric_points()))
        != std::string::npos);
    std::string readme = pxos::test::read_text(pxos::test::source_path("README.md"));
    CHECK(readme.find(fmt::format("{} points; every check is listed", pxos::rubric_points())) != std::string::npos);
}
