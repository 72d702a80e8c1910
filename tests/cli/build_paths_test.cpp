// `pxos build`'s outputs: a missing folder is an error (artifacts/ excepted),
// and --json prints the summary.
#include "test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

std::string seed_roadmap()
{
    return "'" + pxos::test::source_path("roadmaps/seed_stage1.yaml") + "'";
}

} // namespace

TEST_CASE("pxos build refuses an output in a folder that does not exist, and creates none", "[cli][build]")
{
    ScratchDirectory scratch;
    auto missing = run_pxos("build " + seed_roadmap() + " -q -o nodir/deeper/x.png", scratch.path());
    CHECK(missing.exit_code == 74);
    CHECK(missing.out.empty());
    CHECK(missing.err
        == "nodir/deeper/x.png: error: -o: the folder 'nodir/deeper' does not exist (only artifacts/ is created)\n");
    CHECK_FALSE(std::filesystem::exists(scratch.path() / "nodir"));

    for (const char* option : { "--report nodir/r.json", "--provenance nodir/p.bin", "--frames nodir/frames" }) {
        auto refused = run_pxos("build " + seed_roadmap() + " -q -o x.png " + option, scratch.path());
        CHECK(refused.exit_code == 74);
        CHECK(refused.err.find("the folder 'nodir' does not exist") != std::string::npos);
        CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
        CHECK_FALSE(std::filesystem::exists(scratch.path() / "nodir"));
        CHECK_FALSE(std::filesystem::exists(scratch.path() / "x.png"));
    }
    scratch.write("file", "not a folder");
    auto not_folder = run_pxos("build " + seed_roadmap() + " -q -o file/x.png", scratch.path());
    CHECK(not_folder.exit_code == 74);
    CHECK(not_folder.err == "file/x.png: error: -o: the folder 'file' is not a folder\n");
}

TEST_CASE("pxos build creates artifacts/ and the folders in it, and --frames DIR in a folder that exists",
    "[cli][build]")
{
    ScratchDirectory scratch;
    auto built = run_pxos("build " + seed_roadmap() + " -q -o artifacts/sub/x.png --frames frames", scratch.path());
    CHECK(built.exit_code == 0);
    CHECK(built.out == "artifacts/sub/x.png\n");
    CHECK(std::filesystem::exists(scratch.path() / "artifacts/sub/x.png"));
    CHECK(std::filesystem::exists(scratch.path() / "frames/frame_0001_init_background.png"));
    auto by_default = run_pxos("build " + seed_roadmap() + " -q", scratch.path()); // the roadmap's artifacts/ path
    CHECK(by_default.exit_code == 0);
    CHECK(by_default.out == "artifacts/vram_os_stage1.png\n");
    // The folder a roadmap's own output.png_path names is the roadmap author's choice: created.
    scratch.write("r.yaml", "metadata: {vram_width: 8, vram_height: 8}\nsteps: [{step: init_background}]\n"
                            "output: {png_path: out/final.png}\n");
    CHECK(run_pxos("build r.yaml -q", scratch.path()).exit_code == 0);
    CHECK(std::filesystem::exists(scratch.path() / "out/final.png"));
}

TEST_CASE("pxos build --json prints the output and every step's duration and pixels", "[cli][build][json]")
{
    ScratchDirectory scratch;
    auto built = run_pxos("build " + seed_roadmap() + " -q -o x.png --json", scratch.path());
    REQUIRE(built.exit_code == 0);
    auto json = nlohmann::ordered_json::parse(built.out);
    CHECK(json.begin().key() == "schema");
    CHECK(json["schema"] == 1);
    CHECK(json["output"] == "x.png");
    CHECK(json["width"] == 512);
    REQUIRE(json["steps"].size() == 5);
    CHECK(json["steps"][0]["name"] == "init_background");
    CHECK(json["steps"][0]["pixels_written"] == 512 * 512);
    CHECK(json["steps"][0]["duration_ms"].is_number());
    CHECK(json["total_ms"].is_number());
    CHECK(std::filesystem::exists(scratch.path() / "x.png"));
}
