// `pxos fs`: the real binary on an image with a store: exit codes, whole
// outputs and messages, and the atomic write (a failing command leaves the
// PNG byte for byte as it was).
#include "pxos/image/png_io.hpp"
#include "pxos/store/store.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

using pxos::test::read_bytes;
using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;

namespace {

// os.png in the folder: 512x1024, a formatted store holding /README.
void build_image(const ScratchDirectory& scratch)
{
    scratch.write("os.yaml",
        "metadata:\n  vram_width: 512\n  vram_height: 1024\nsteps:\n  - step: init_background\n"
        "  - step: layout_regions\n  - step: write_isa_palette\n  - step: install_kernel\n  - step: format_store\n"
        "  - step: add_file\n    params: { path: /README, text: \"hello\\n\" }\n");
    auto built = run_pxos("build os.yaml -o os.png -q", scratch.path());
    REQUIRE(built.exit_code == 0);
}

} // namespace

TEST_CASE("pxos fs ls, cat and check read the store", "[store][cli]")
{
    ScratchDirectory scratch;
    build_image(scratch);
    auto listed = run_pxos("fs os.png ls", scratch.path());
    CHECK(listed.exit_code == 0);
    CHECK(listed.out == "dir     1      48  .\ndir     1      48  ..\nfile    2       6  README\n");
    CHECK(listed.err.empty());
    auto cat = run_pxos("fs os.png cat /README", scratch.path());
    CHECK(cat.exit_code == 0);
    CHECK(cat.out == "hello\n");
    auto check = run_pxos("fs os.png check", scratch.path());
    CHECK(check.exit_code == 0);
    CHECK(check.out == "os.png: store is clean: 1 file, 1 directory, 16 of 256 blocks used\n");
    auto json = run_pxos("fs os.png ls /README --json", scratch.path());
    CHECK(json.out
        == "{\n  \"schema\": 1,\n  \"image\": \"os.png\",\n  \"path\": \"/README\",\n  \"entries\": [\n    {\n"
           "      \"name\": \"README\",\n      \"type\": \"file\",\n      \"inode\": 2,\n      \"links\": 1,\n"
           "      \"size\": 6\n    }\n  ]\n}\n");
}

TEST_CASE("pxos fs put and get round-trip bytes and words, and mkdir and rm change the PNG", "[store][cli]")
{
    ScratchDirectory scratch;
    build_image(scratch);
    std::string bytes;
    for (int i = 0; i < 7000; ++i) // more than the 11 direct blocks: the indirect block too
        bytes += char(i * 7 + i / 256);
    scratch.write("in.bin", bytes);
    REQUIRE(run_pxos("fs os.png mkdir /d", scratch.path()).exit_code == 0);
    auto put = run_pxos("fs os.png put in.bin /d/bytes", scratch.path());
    CHECK(put.exit_code == 0);
    CHECK(put.out.empty());
    CHECK(put.err.empty());
    REQUIRE(run_pxos("fs os.png get /d/bytes out.bin", scratch.path()).exit_code == 0);
    CHECK(pxos::test::read_text(scratch.file("out.bin")) == bytes);
    auto to_stdout = run_pxos("fs os.png get /d/bytes", scratch.path());
    CHECK(to_stdout.out == bytes);
    std::string words = bytes.substr(0, 6000); // 1500 words
    scratch.write("w.bin", words);
    REQUIRE(run_pxos("fs os.png put --words w.bin /d/w", scratch.path()).exit_code == 0);
    REQUIRE(run_pxos("fs os.png get --words /d/w w.out", scratch.path()).exit_code == 0);
    CHECK(pxos::test::read_text(scratch.file("w.out")) == words);
    auto listed = run_pxos("fs os.png ls /d", scratch.path());
    CHECK(listed.out
        == "dir     3      64  .\ndir     1      64  ..\nfile    4    7000  bytes\nfile    5    1500  w\n");
    auto cat = run_pxos("fs os.png cat /d/w", scratch.path());
    CHECK(cat.exit_code == 65);
    CHECK(cat.err.find("os.png:/d/w: error: word 0 is 0x") == 0);
    CHECK(run_pxos("fs os.png check", scratch.path()).out
        == "os.png: store is clean: 3 files, 2 directories, 35 of 256 blocks used\n");
    CHECK(run_pxos("fs os.png rm /d/bytes", scratch.path()).exit_code == 0);
    CHECK(run_pxos("fs os.png rm /d/w", scratch.path()).exit_code == 0);
    CHECK(run_pxos("fs os.png rm /d", scratch.path()).exit_code == 0);
    CHECK(run_pxos("fs os.png check", scratch.path()).out
        == "os.png: store is clean: 1 file, 1 directory, 16 of 256 blocks used\n");
}

TEST_CASE("a failing pxos fs command leaves the PNG byte-identical", "[store][cli]")
{
    ScratchDirectory scratch;
    build_image(scratch);
    std::vector<std::uint8_t> before = read_bytes(scratch.file("os.png"));
    struct Case {
        std::string arguments;
        int exit_code;
        std::string err;
    };
    scratch.write("odd.bin", "abc");
    for (const Case& c : std::vector<Case> {
             { "rm /nope", 65, "os.png:/nope: error: no such file or directory\n" },
             { "mkdir /README", 65, "os.png:/README: error: exists already\n" },
             { "mkdir /a/b", 65, "os.png:/a/b: error: no directory 'a' in its parent\n" },
             { "rm /", 65, "os.png:/: error: is the root directory\n" },
             { "put missing.bin /x", 65, "missing.bin: error: cannot open: No such file or directory\n" },
             { "put --words odd.bin /x", 65, "odd.bin: error: 3 bytes are not a whole number of 32-bit words (--words)\n" },
             { "put odd.bin /README/x", 65, "os.png:/README/x: error: 'README' is not a directory\n" },
             { "cat", 2, "pxos: error: fs cat: expected cat PATH, got 0 arguments\n" },
             { "ls / /", 2, "pxos: error: fs ls: expected ls [PATH], got 2 arguments\n" },
             { "get /README os.png", 65, "" },
         }) {
        CAPTURE(c.arguments);
        auto result = run_pxos("fs os.png " + c.arguments, scratch.path());
        CHECK(result.exit_code == c.exit_code);
        if (!c.err.empty())
            CHECK(result.err == c.err);
        CHECK(read_bytes(scratch.file("os.png")) == before);
    }
    auto unknown = run_pxos("fs os.png frob", scratch.path());
    CHECK(unknown.exit_code == 2);
}

TEST_CASE("pxos fs check names damage, one line each, and exits 1", "[store][cli]")
{
    ScratchDirectory scratch;
    build_image(scratch);
    auto image = pxos::load_png(pxos::test::files(), scratch.file("os.png"));
    REQUIRE(image.ok());
    std::uint32_t store = 768 * 512;
    std::uint32_t* words = image->mutable_words() + store;
    words[9 * 512 + 100] = 1;                // block 100 marked used
    words[10 * 512 + 2 * 16 + 1] = 3;        // /README's links
    pxos::SerialExecutor executor;
    REQUIRE(pxos::save_png(pxos::test::files(), scratch.file("bad.png"), *image, executor).ok());
    auto check = run_pxos("fs bad.png check", scratch.path());
    CHECK(check.exit_code == 1);
    CHECK(check.out
        == "bad.png: store: block 100: is marked used but no inode references it\n"
           "bad.png: store: inode 2 (/README): links is 3, but 1 directory entry names it\n"
           "bad.png: store has 2 problems\n");
    auto json = run_pxos("fs bad.png check --json", scratch.path());
    CHECK(json.exit_code == 1);
    CHECK(json.out.find("\"place\": \"block 100\",\n      \"message\": \"is marked used but no inode references it\"")
        != std::string::npos);
}

TEST_CASE("pxos fs recovers a cut-off log: check says so, a write clears it", "[store][cli]")
{
    ScratchDirectory scratch;
    build_image(scratch);
    auto image = pxos::load_png(pxos::test::files(), scratch.file("os.png"));
    REQUIRE(image.ok());
    std::uint32_t* words = image->mutable_words() + 768 * 512;
    // A cut-off call had logged /README's first word ('h') and changed it.
    std::uint32_t data = 15 * 512;
    words[512] = data;
    words[513] = words[data];
    words[5] = 1;
    words[data] = 'J';
    pxos::SerialExecutor executor;
    REQUIRE(pxos::save_png(pxos::test::files(), scratch.file("cut.png"), *image, executor).ok());
    auto check = run_pxos("fs cut.png check", scratch.path());
    CHECK(check.exit_code == 0);
    CHECK(check.out
        == "cut.png: store: SB_LOG_COUNT is 1: a system call was cut off; checked the store as recovery leaves it (1 "
           "undo entries rolled back)\n"
           "cut.png: store is clean: 1 file, 1 directory, 16 of 256 blocks used\n");
    CHECK(run_pxos("fs cut.png cat /README", scratch.path()).out == "hello\n");
    REQUIRE(run_pxos("fs cut.png mkdir /d", scratch.path()).exit_code == 0);
    auto after = pxos::load_png(pxos::test::files(), scratch.file("cut.png"));
    REQUIRE(after.ok());
    CHECK(after->words()[768 * 512 + 5] == 0);
    CHECK(run_pxos("fs cut.png check", scratch.path()).out
        == "cut.png: store is clean: 1 file, 2 directories, 17 of 256 blocks used\n");
}

TEST_CASE("pxos fs on an image without a store says where", "[store][cli]")
{
    ScratchDirectory scratch;
    REQUIRE(run_pxos("build '" + pxos::test::source_path("roadmaps/seed_stage1.yaml") + "' -o seed.png -q",
                scratch.path())
                .exit_code
        == 0);
    auto result = run_pxos("fs seed.png ls", scratch.path());
    CHECK(result.exit_code == 65);
    CHECK(result.err == "seed.png@(0,4): error: not a bootable pxOS image: no header magic 'PXOS' (found (64,128,192,255))\n");
}
