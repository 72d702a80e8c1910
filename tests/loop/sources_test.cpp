// The sources a roadmap's steps use: the default roadmap's kernel with its
// includes, its programs (ulib once), inline text, builtin: files.
#include "pxos/loop/sources.hpp"

#include "builtin_steps.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>

TEST_CASE("the default roadmap's sources are its kernel, its includes and its programs, each once", "[loop][sources]")
{
    auto roadmap = pxos::load_roadmap(pxos::test::files(), pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"),
        pxos::steps::builtin_registry());
    REQUIRE(roadmap);
    auto sources = pxos::roadmap_sources(*roadmap, pxos::test::files());
    REQUIRE(sources);
    std::vector<std::string> names;
    for (const auto& source : *sources)
        names.push_back(source.name);
    REQUIRE(names.size() >= 12);
    CHECK(names[0] == "kernel.pxasm");
    CHECK((*sources)[0].step == 6);
    CHECK((*sources)[0].param == "kernel_file");
    CHECK(names[1] == "kernel/layout.pxasm");
    CHECK((*sources)[1].included_by == "kernel.pxasm");
    CHECK(std::count(names.begin(), names.end(), "user/ulib.pxasm") == 1);
    CHECK(std::find(names.begin(), names.end(), "user/sh.pxasm") != names.end());
    CHECK(std::find(names.begin(), names.end(), "programs/init.pxasm") != names.end());
    CHECK((*sources)[0].text == pxos::test::read_text(pxos::test::source_path("roadmaps/kernel.pxasm")));
}

TEST_CASE("inline and builtin sources are named by their step and file", "[loop][sources]")
{
    auto roadmap = pxos::parse_roadmap("steps:\n  - step: install_kernel\n  - step: add_process\n    params:\n"
                                       "      program_source: \"main:\\n  HALT\\n\"\n",
        "dir/r.yaml", pxos::steps::builtin_registry());
    REQUIRE(roadmap);
    auto sources = pxos::roadmap_sources(*roadmap, pxos::test::files());
    REQUIRE(sources);
    REQUIRE(sources->size() >= 3);
    CHECK(sources->front().name == "builtin:kernel.pxasm");
    CHECK((*sources)[1].name == "builtin:kernel/layout.pxasm");
    CHECK(sources->back().name == "step 2: program_source");
    CHECK(sources->back().text == "main:\n  HALT\n");
    CHECK(pxos::step_region("install_kernel") == "kernel");
    CHECK(pxos::step_region("add_file") == "programs");
    CHECK(pxos::step_region("fill_rect") == "layout");
}
