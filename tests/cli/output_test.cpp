// What pxos writes, run through the real binary: only regular files, never
// over a device, a FIFO, a link or one of the command's own inputs, with the
// replaced file's mode, and nothing at all when the command fails.
#include "pxos/image/png_io.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

std::string minimal_roadmap()
{
    return "'" + pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml") + "'";
}

std::size_t line_count(const std::string& text)
{
    return std::size_t(std::count(text.begin(), text.end(), '\n'));
}

struct NodeIdentity {
    mode_t type = 0;
    dev_t rdev = 0;
    ino_t inode = 0;
    bool operator==(const NodeIdentity&) const = default;
};

NodeIdentity identity_of(const std::string& path)
{
    struct stat status {};
    REQUIRE(::lstat(path.c_str(), &status) == 0);
    return { status.st_mode & S_IFMT, status.st_rdev, status.st_ino };
}

mode_t permissions_of(const std::string& path)
{
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 07777;
}

// `pxos build -o NODE` must leave NODE as it was, exit 65 and say so in one line.
void check_build_leaves_node(const ScratchDirectory& scratch, const std::string& name, const std::string& type)
{
    NodeIdentity before = identity_of(scratch.file(name));
    std::vector<std::string> listed = scratch.list();
    auto result = run_pxos("build " + minimal_roadmap() + " -o " + name, scratch.path());
    CHECK(result.exit_code == 65);
    CHECK(result.err
        == name + ": error: output path is a " + type + ", expected a regular file (pxos writes only regular files)\n");
    CHECK(line_count(result.err) == 1);
    CHECK(result.out.empty());
    CHECK(identity_of(scratch.file(name)) == before);
    CHECK(scratch.list() == listed); // no temporary file, no artifacts/
}

} // namespace

TEST_CASE("pxos build -o a device node or a FIFO leaves the node as it was and exits 65 with one line", "[cli][outputs]")
{
    ScratchDirectory scratch;
    REQUIRE(::mkfifo(scratch.file("fifo").c_str(), 0644) == 0);
    check_build_leaves_node(scratch, "fifo", "FIFO");

    // A private twin of /dev/null (character device 1,3): only root may make one.
    if (::geteuid() == 0 && ::mknod(scratch.file("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        check_build_leaves_node(scratch, "null", "character device");
        // A link to the node is not written through either (pxos never follows a link it writes).
        std::filesystem::create_symlink("null", scratch.file("stdout"));
        check_build_leaves_node(scratch, "stdout", "symbolic link");
        CHECK(identity_of(scratch.file("null")).rdev == makedev(1, 3));
    } else {
        WARN("not root (or mknod refused): the character-device part of this test was skipped");
    }
}

TEST_CASE("pxos build keeps a replaced output's mode and refuses a read-only one", "[cli][outputs]")
{
    ScratchDirectory scratch;
    scratch.write("private.png", "old");
    ::chmod(scratch.file("private.png").c_str(), 0600);
    auto kept = run_pxos("build " + minimal_roadmap() + " -o private.png -q", scratch.path());
    CHECK(kept.exit_code == 0);
    CHECK(permissions_of(scratch.file("private.png")) == 0600);
    CHECK(pxos::load_png(pxos::test::files(), scratch.file("private.png")).ok());

    scratch.write("frozen.png", "precious");
    ::chmod(scratch.file("frozen.png").c_str(), 0444);
    auto refused = run_pxos("build " + minimal_roadmap() + " -o frozen.png", scratch.path());
    CHECK(refused.exit_code == 65);
    CHECK(refused.err == "frozen.png: error: output path is a read-only file (mode 0444); pxos does not replace it\n");
    CHECK(pxos::test::read_text(scratch.file("frozen.png")) == "precious");
    CHECK(permissions_of(scratch.file("frozen.png")) == 0444);

    auto fresh = run_pxos("build " + minimal_roadmap() + " -o fresh.png -q", scratch.path());
    CHECK(fresh.exit_code == 0);
    CHECK(permissions_of(scratch.file("fresh.png")) == 0644);
}

TEST_CASE("pxos build refuses an output that is one of its inputs, by name, hard link or pxasm source", "[cli][outputs]")
{
    ScratchDirectory scratch;
    std::string roadmap = "steps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
                          "  - step: install_kernel\n    params: {kernel_file: kernel.pxasm}\n";
    scratch.write("r.yaml", roadmap);
    std::string kernel = pxos::test::read_text(pxos::test::source_path("roadmaps/kernel.pxasm"));
    scratch.write_kernel("kernel.pxasm", kernel);
    std::filesystem::create_hard_link(scratch.file("r.yaml"), scratch.file("linked.png"));
    std::vector<std::string> listed = scratch.list();

    auto itself = run_pxos("build r.yaml -o r.yaml", scratch.path());
    CHECK(itself.exit_code == 65);
    CHECK(itself.err == "r.yaml: error: output path is one of the command's inputs; pxos does not overwrite it\n");

    auto linked = run_pxos("build r.yaml -o linked.png", scratch.path());
    CHECK(linked.exit_code == 65);
    CHECK(linked.err == "linked.png: error: output path is the input 'r.yaml'; pxos does not overwrite its input\n");

    auto source = run_pxos("build r.yaml -o kernel.pxasm -q", scratch.path());
    CHECK(source.exit_code == 65);
    CHECK(source.err == "kernel.pxasm: error: output path is one of the command's inputs; pxos does not overwrite it\n");

    auto report = run_pxos("build r.yaml -o out.png --report kernel.pxasm -q", scratch.path());
    CHECK(report.exit_code == 65);
    CHECK(report.err == "kernel.pxasm: error: output path is one of the command's inputs; pxos does not overwrite it\n");

    CHECK(pxos::test::read_text(scratch.file("r.yaml")) == roadmap);
    CHECK(pxos::test::read_text(scratch.file("kernel.pxasm")) == kernel);
    CHECK(scratch.list() == listed); // not even out.png: the command failed
}

TEST_CASE("pxos build with an empty -o is a usage error, not the default output", "[cli][outputs]")
{
    ScratchDirectory scratch;
    auto result = run_pxos("build " + minimal_roadmap() + " -o ''", scratch.path());
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("is empty, expected a file name") != std::string::npos);
    CHECK(scratch.list().empty());
    auto report = run_pxos("build " + minimal_roadmap() + " -o x.png --report ''", scratch.path());
    CHECK(report.exit_code == 2);
    CHECK(scratch.list().empty());
}

TEST_CASE("a roadmap's output.png_path may name only a place in its folder or artifacts/ unless -o says otherwise", "[cli][outputs]")
{
    ScratchDirectory scratch;
    std::string outside = (scratch.path() / "home" / ".bashrc").string();
    scratch.write("folder/r.yaml", "steps:\n  - step: layout_regions\noutput:\n  png_path: \"" + outside + "\"\n");
    auto refused = run_pxos("build folder/r.yaml", scratch.path());
    CHECK(refused.exit_code == 65);
    CHECK(refused.err
        == "folder/r.yaml:4:13: error: output.png_path '" + outside
            + "' is outside the roadmap's folder and artifacts/; give -o to write there\n");
    CHECK(!std::filesystem::exists(outside));

    scratch.write("folder/up.yaml", "steps:\n  - step: layout_regions\noutput:\n  png_path: ../up.png\n");
    auto climbing = run_pxos("build folder/up.yaml", scratch.path());
    CHECK(climbing.exit_code == 65);
    CHECK(!std::filesystem::exists(scratch.file("up.png")));

    std::filesystem::create_directories(scratch.path() / "home"); // -o's folder must exist
    auto overridden = run_pxos("build folder/r.yaml -o " + outside + " -q", scratch.path());
    CHECK(overridden.exit_code == 0);
    CHECK(std::filesystem::exists(outside));

    scratch.write("folder/in.yaml", "steps:\n  - step: layout_regions\noutput:\n  png_path: folder/in.png\n");
    scratch.write("folder/art.yaml", "steps:\n  - step: layout_regions\noutput:\n  png_path: artifacts/art.png\n");
    CHECK(run_pxos("build folder/in.yaml -q", scratch.path()).exit_code == 0);
    CHECK(run_pxos("build folder/art.yaml -q", scratch.path()).exit_code == 0);
    CHECK(std::filesystem::exists(scratch.file("folder/in.png")));
    CHECK(std::filesystem::exists(scratch.file("artifacts/art.png")));
}

TEST_CASE("a failed build leaves none of its intermediate images, frames, report or folders", "[cli][outputs]")
{
    ScratchDirectory scratch;
    scratch.write("r.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n"
                            "  - step: install_kernel\n    params: {kernel_file: nowhere.pxasm}\n"
                            "output:\n  save_intermediate: true\n");
    auto failed = run_pxos("build r.yaml -o artifacts/r.png --frames frames --report artifacts/report.json", scratch.path());
    CHECK(failed.exit_code == 65);
    CHECK(failed.err.find("nowhere.pxasm: error: step 3 'install_kernel': cannot open") != std::string::npos);
    CHECK(scratch.list() == std::vector<std::string> { "r.yaml" });

    // The same build without the failing step writes them all.
    scratch.write("ok.yaml", "steps:\n  - step: init_background\n  - step: layout_regions\n"
                             "output:\n  save_intermediate: true\n");
    auto built = run_pxos("build ok.yaml -o artifacts/ok.png --frames frames -q", scratch.path());
    CHECK(built.exit_code == 0);
    CHECK(std::filesystem::exists(scratch.file("artifacts/ok.step01.init_background.png")));
    CHECK(std::filesystem::exists(scratch.file("artifacts/ok.step02.layout_regions.png")));
    CHECK(std::filesystem::exists(scratch.file("frames/frame_0002_layout_regions.png")));
}

TEST_CASE("pxos run, eval, render and diff refuse to write over the image they read", "[cli][outputs]")
{
    ScratchDirectory scratch;
    REQUIRE(run_pxos("build " + minimal_roadmap() + " -o image.png -q", scratch.path()).exit_code == 0);
    std::string image = pxos::test::read_text(scratch.file("image.png"));
    const std::string refusal = "image.png: error: output path is one of the command's inputs; pxos does not overwrite it\n";
    for (std::string command :
        { "run image.png --out image.png -q", "eval image.png image.png", "render image.png -o image.png",
            "diff image.png image.png -o image.png" }) {
        INFO(command);
        auto result = run_pxos(command, scratch.path());
        CHECK(result.exit_code == (command.rfind("diff", 0) == 0 ? 2 : 65));
        CHECK(result.err == refusal);
        CHECK(pxos::test::read_text(scratch.file("image.png")) == image);
    }
    CHECK(scratch.list() == std::vector<std::string> { "image.png" });
}
