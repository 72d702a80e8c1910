// The format_store and add_file steps: what they put into the image's
// store, and the errors they give at the roadmap entry.
#include "builtin_steps.hpp"
#include "pxos/asm/program_file.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/store/store.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

namespace {

std::string roadmap(int height, const std::string& steps)
{
    return "metadata:\n  vram_width: 512\n  vram_height: " + std::to_string(height)
        + "\nsteps:\n  - step: init_background\n  - step: layout_regions\n  - step: write_isa_palette\n"
          "  - step: install_kernel\n"
        + steps;
}

pxos::Result<pxos::BuildResult> build(const std::string& yaml, const std::string& folder = ".")
{
    auto parsed = pxos::parse_roadmap(yaml, folder + "/test.yaml", pxos::steps::builtin_registry());
    if (!parsed)
        FAIL(parsed.error().message());
    return pxos::build_roadmap(*parsed, pxos::test::on_disk());
}

std::string build_error(const std::string& yaml)
{
    auto built = build(yaml);
    REQUIRE(!built.ok());
    return built.error().message();
}

} // namespace

TEST_CASE("format_store and add_file fill the store the fs check passes", "[store][steps]")
{
    pxos::test::ScratchDirectory scratch;
    scratch.write("bytes.bin", std::string("\x01\xff\x00z", 4));
    scratch.write("prog.pxasm", "main:\n    LI r1, 7\n    HALT\n");
    auto built = build(roadmap(1024,
                           "  - step: format_store\n"
                           "  - step: add_file\n    params: { path: /etc/motd, text: \"hi\\n\" }\n"
                           "  - step: add_file\n    params: { path: /data/bytes, file: bytes.bin }\n"
                           "  - step: add_file\n    params: { path: /bin/prog, program_file: prog.pxasm }\n"
                           "  - step: add_file\n    params: { path: /bin/inline, program_source: \"main:\\n    HALT\\n\" }\n"),
        scratch.path().string());
    if (!built)
        FAIL(built.error().message());
    auto words = pxos::store::read_store(built->vram, "os.png");
    REQUIRE(words.ok());
    CHECK(words->base == 768u * 512u);
    pxos::store::CheckReport report = pxos::store::check(words->words);
    CHECK(report.problems.empty());
    CHECK(report.files == 4);
    CHECK(report.directories == 4);
    auto fs = pxos::store::Store::open(words->words, "os.png");
    REQUIRE(fs.ok());
    CHECK(fs->read_file("/etc/motd").value() == std::vector<std::uint32_t> { 'h', 'i', '\n' });
    CHECK(fs->read_file("/data/bytes").value() == std::vector<std::uint32_t> { 1, 255, 0, 'z' });
    auto program = pxos::read_program_file(fs->read_file("/bin/prog").value(), "/bin/prog");
    REQUIRE(program.ok());
    CHECK(program->entry == 0);
    CHECK(!program->code.empty());
    CHECK(pxos::read_program_file(fs->read_file("/bin/inline").value(), "/bin/inline").ok());
}

TEST_CASE("format_store takes its log and inode blocks as parameters", "[store][steps]")
{
    auto built = build(roadmap(1024, "  - step: format_store\n    params: { log_blocks: 2, inode_blocks: 1 }\n"));
    REQUIRE(built.ok());
    auto words = pxos::store::read_store(built->vram, "os.png");
    auto sb = pxos::store::read_superblock(words->words, "");
    REQUIRE(sb.ok());
    CHECK(sb->log_blocks == 2);
    CHECK(sb->inode_blocks == 1);
    CHECK(sb->inodes == 32);
    CHECK(sb->data_start == 5);
    CHECK(pxos::store::check(words->words).clean());
}

TEST_CASE("format_store and add_file refuse an image without a store, and bad files", "[store][steps]")
{
    CHECK(build_error(roadmap(512, "  - step: format_store\n"))
        == "./test.yaml:9:5: error: step 5 'format_store': needs the image's file store: the image has no file store (header "
           "STORE_BASE is 0; pxOS images of at least 512x1024 have one) (this image is 512x512)");
    CHECK(build_error(roadmap(1024, "  - step: add_file\n    params: { path: /a, text: x }\n"))
        == "./test.yaml:9:5: error: step 5 'add_file': superblock word 0 (SB_MAGIC): is 0xff0a0a0a, not STORE_MAGIC 0x53465850: the "
           "store is not formatted (run the format_store step)");
    std::string formatted = "  - step: format_store\n";
    CHECK(build_error(roadmap(1024, formatted + "  - step: add_file\n    params: { path: /a }\n"))
        == "./test.yaml:10:5: error: step 6 'add_file': needs one of 'text', 'file', 'program_file' or 'program_source'");
    CHECK(build_error(roadmap(1024, formatted + "  - step: add_file\n    params: { path: /a, text: x, file: y }\n"))
        == "./test.yaml:10:5: error: step 6 'add_file': takes one of 'text', 'file', 'program_file' or 'program_source', not "
           "both 'text' and 'file'");
    CHECK(build_error(roadmap(1024, formatted + "  - step: add_file\n    params: { text: x }\n"))
        == "./test.yaml:10:5: error: step 6 'add_file': needs 'path' (where in the store, e.g. /bin/sh)");
    CHECK(build_error(roadmap(1024, formatted + "  - step: add_file\n    params: { path: a, text: x }\n"))
        == "./test.yaml:10:5: error: step 6 'add_file': a: not an absolute path (store paths start with '/')");
    CHECK(build_error(roadmap(1024,
              formatted + "  - step: add_file\n    params: { path: /a, text: x }\n"
                          "  - step: add_file\n    params: { path: /a/b, text: y }\n"))
        == "./test.yaml:12:5: error: step 7 'add_file': /a/b: 'a' is not a directory");
    CHECK(build_error(roadmap(1024,
              formatted + "  - step: add_file\n    params: { path: /p, program_source: \"    FROB r1\\n\" }\n"))
              .rfind("./test.yaml:10:5(program_source):1:", 0)
        == 0);
}
