// The heuristic proposer's repairs, which it reads from the rubric table
// (pxos/eval/rubric.hpp).
#include "pxos/loop/proposer.hpp"

#include "builtin_steps.hpp"
#include "pxos/roadmap/build.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace {

pxos::Roadmap parse(const std::string& yaml)
{
    auto roadmap = pxos::parse_roadmap(yaml, "proposal_test.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap.ok());
    return std::move(*roadmap);
}

const char* kMinimal = "metadata:\n  vram_width: 512\n  vram_height: 512\nsteps:\n  - step: layout_regions\n";

} // namespace

TEST_CASE("the heuristic proposer adds the rubric's repairs of the failing checks, in step order", "[loop][rubric]")
{
    pxos::Roadmap minimal = parse(kMinimal);
    auto built = pxos::build_roadmap(minimal);
    REQUIRE(built.ok());
    pxos::EvalResult evaluation = pxos::evaluate(built->vram, "minimal.png");
    auto proposal = pxos::propose_heuristic(minimal, evaluation, pxos::steps::builtin_registry(), 1);
    // One install_kernel, for the first of the checks that ask for it.
    CHECK(proposal.note
        == "added write_isa_palette for seed.opcode_palette_sufficient; added write_hello_program for "
           "seed.hello_program_exists; added install_kernel for structure.header; added add_process "
           "(builtin:hello.pxasm) for kernel.process_table; added add_process (builtin:draw.pxasm) for "
           "execution.display_changed");
    pxos::Roadmap next = parse(proposal.roadmap_yaml);
    std::vector<std::string> steps;
    for (const pxos::StepCall& call : next.steps)
        steps.push_back(std::string(call.definition->name));
    CHECK(steps
        == std::vector<std::string> { "layout_regions", "write_isa_palette", "write_hello_program", "install_kernel",
            "add_process", "add_process" });
}

TEST_CASE("the heuristic proposer sorts the rubric's repairs by where their steps go, not by check", "[loop][rubric]")
{
    // seed.all_regions_ok comes after seed.opcode_palette_sufficient in the
    // rubric, but the layout goes first in a roadmap.
    pxos::Roadmap background = parse("metadata:\n  vram_width: 512\n  vram_height: 512\nsteps:\n"
                                     "  - step: init_background\n");
    auto built = pxos::build_roadmap(background);
    REQUIRE(built.ok());
    pxos::EvalResult evaluation = pxos::evaluate(built->vram, "background.png");
    auto proposal = pxos::propose_heuristic(background, evaluation, pxos::steps::builtin_registry(), 1);
    CHECK(proposal.note
        == "added layout_regions for seed.all_regions_ok; added write_isa_palette for "
           "seed.opcode_palette_sufficient; added install_kernel for structure.header; added add_process "
           "(builtin:hello.pxasm) for kernel.process_table; added add_process (builtin:draw.pxasm) for "
           "execution.display_changed");
}

TEST_CASE("a failing isolation check asks for the kernel when the roadmap has none", "[loop][rubric]")
{
    pxos::Roadmap minimal = parse(kMinimal);
    pxos::EvalResult evaluation;
    pxos::Check check;
    check.id = "isolation.privileged";
    check.group = "isolation";
    evaluation.checks.push_back(check);
    auto proposal = pxos::propose_heuristic(minimal, evaluation, pxos::steps::builtin_registry(), 1);
    CHECK(proposal.note == "added install_kernel for isolation.privileged");
}
