// MemoryFileSystem keeps the rules of the real file system (the same caps,
// refusals and words; outputs staged beside their targets, committed
// together, removed when dropped), without a disk.
#include "pxos/base/memory_file_system.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

std::string message_of(const pxos::Result<void>& result)
{
    REQUIRE_FALSE(result.ok());
    return result.error().message();
}

template<typename T>
std::string message_of(const pxos::Result<T>& result)
{
    REQUIRE_FALSE(result.ok());
    return result.error().message();
}

std::span<const std::uint8_t> bytes_of(std::string_view text)
{
    return { reinterpret_cast<const std::uint8_t*>(text.data()), text.size() };
}

} // namespace

TEST_CASE("the in-memory file system reads whole regular files under a cap", "[pure][files]")
{
    pxos::MemoryFileSystem files;
    files.add_file("roadmaps/kernel.pxasm", "NOP\n");
    files.add_fifo("roadmaps/pipe.pxasm");
    CHECK(files.read_file_text("roadmaps/kernel.pxasm", 4).value() == "NOP\n");
    CHECK(files.read_file_text("/work/roadmaps/kernel.pxasm", 4).value() == "NOP\n");
    CHECK(message_of(files.read_file_text("roadmaps/kernel.pxasm", 3))
        == "roadmaps/kernel.pxasm: error: file is 4 bytes, over the 3 byte limit");
    CHECK(message_of(files.read_file_text("roadmaps/kernel.pxasm", 3, pxos::Cap::SourceFile))
        == "roadmaps/kernel.pxasm: error: file is 4 bytes, over the pxasm file cap of 3 bytes (raise it with "
           "--max-source-mib, up to 256 MiB)");
    CHECK(message_of(files.read_file_text("roadmaps", 100)) == "roadmaps: error: is a directory, expected a file");
    CHECK(message_of(files.read_file_text("roadmaps/pipe.pxasm", 100))
        == "roadmaps/pipe.pxasm: error: is a FIFO, expected a regular file");
    CHECK(message_of(files.read_file_text("nowhere.pxasm", 100))
        == "nowhere.pxasm: error: cannot open: No such file or directory");
    CHECK(message_of(files.read_file_text(std::string("kernel.pxasm\0/x", 15), 100))
        == "kernel.pxasm\\0/x: error: file name has a control character (\\0) at byte 12; such a name is never "
           "opened");
}

TEST_CASE("confined reads on the in-memory file system stay inside the folder", "[pure][files]")
{
    pxos::MemoryFileSystem files;
    files.add_file("roadmaps/kernel.pxasm", "NOP\n");
    files.add_file("secret.pxasm", "secret: RET\n");
    pxos::ReadConfinement roadmaps { "roadmaps" };
    CHECK(files.read_file_text("roadmaps/kernel.pxasm", 100, std::nullopt, roadmaps).value() == "NOP\n");
    CHECK(files.check_readable_path("roadmaps/kernel.pxasm", roadmaps).value() == "/work/roadmaps/kernel.pxasm");
    CHECK(message_of(files.read_file_text("roadmaps/../secret.pxasm", 100, std::nullopt, roadmaps))
        == "roadmaps/../secret.pxasm: error: leaves the roadmap's folder /work/roadmaps (it resolves to "
           "/work/secret.pxasm)");
    CHECK(message_of(files.read_file_text("secret.pxasm", 100, std::nullopt, pxos::ReadConfinement { "gone" }))
        == "gone: error: cannot resolve the folder reads are confined to: No such file or directory");
    CHECK(files.is_path_inside("roadmaps/kernel.pxasm", "roadmaps"));
    CHECK_FALSE(files.is_path_inside("roadmaps/../secret.pxasm", "roadmaps"));
    CHECK_FALSE(files.is_path_inside("roadmaps", "roadmaps"));
}

TEST_CASE("an in-memory output appears only on commit and a dropped one leaves nothing", "[pure][files]")
{
    pxos::MemoryFileSystem files;
    const std::vector<std::string> before = files.paths();
    {
        auto output = files.create_output("out/deep/a.txt");
        REQUIRE(output.ok());
        REQUIRE((*output)->write(bytes_of("hello")).ok());
        CHECK(files.paths()
            == std::vector<std::string> { "/", "/work", "/work/out", "/work/out/deep", "/work/out/deep/.a.txt.tmp" });
        CHECK_FALSE(files.exists("out/deep/a.txt"));
    }
    CHECK(files.paths() == before);

    auto output = files.create_output("out/a.txt");
    REQUIRE(output.ok());
    REQUIRE((*output)->write(bytes_of("hello world")).ok());
    REQUIRE((*output)->write_at(0, bytes_of("HELLO")).ok());
    REQUIRE((*output)->commit().ok());
    CHECK(files.contents("out/a.txt") == "HELLO world");
    CHECK(files.paths() == std::vector<std::string> { "/", "/work", "/work/out", "/work/out/a.txt" });
    CHECK(message_of((*output)->write(bytes_of("late"))) == "out/a.txt: error: cannot write: the file is already closed");
}

TEST_CASE("in-memory outputs keep the mode of the file they replace and refuse what pxos does not write", "[pure][files]")
{
    pxos::MemoryFileSystem files;
    files.add_file("private.txt", "old", 0600);
    files.add_file("locked.txt", "old", 0444);
    files.add_folder("folder");
    files.add_fifo("pipe");
    REQUIRE(files.write_file_atomic("private.txt", std::string_view("new")).ok());
    CHECK(files.contents("private.txt") == "new");
    CHECK(files.mode("private.txt") == 0600u);
    REQUIRE(files.write_file_atomic("fresh.txt", std::string_view("new")).ok());
    CHECK(files.mode("fresh.txt") == 0644u);
    CHECK(message_of(files.write_file_atomic("locked.txt", std::string_view("new")))
        == "locked.txt: error: output path is a read-only file (mode 0444); pxos does not replace it");
    CHECK(files.contents("locked.txt") == "old");
    CHECK(message_of(files.check_output_path("folder"))
        == "folder: error: output path is a directory, expected a file name");
    CHECK(message_of(files.check_output_path("pipe"))
        == "pipe: error: output path is a FIFO, expected a regular file (pxos writes only regular files)");
    CHECK(message_of(files.check_output_path("out/")) == "out/: error: output path ends in '/', expected a file name");
    CHECK(message_of(files.check_output_path("")) == "error: output path is empty, expected a file name");
    CHECK(message_of(files.create_output("private.txt/inner"))
        == "private.txt/inner: error: cannot create folder 'private.txt': Not a directory");
}

TEST_CASE("staged outputs on the in-memory file system are committed together or not at all", "[pure][files]")
{
    pxos::MemoryFileSystem files;
    files.add_file("roadmap.yaml", "steps: []\n");
    {
        pxos::StagedOutputs outputs(files, { "roadmap.yaml" });
        REQUIRE(outputs.write("out/a.png", std::string_view("a")).ok());
        REQUIRE(outputs.write("out/b.json", std::string_view("b")).ok());
        CHECK(message_of(outputs.write("out/../out/a.png", std::string_view("again")))
            == "out/../out/a.png: error: output path is written twice by this command (also as 'out/a.png')");
        CHECK_FALSE(files.exists("out/a.png"));
    }
    CHECK_FALSE(files.exists("out")); // dropped: the folder it made is gone too
    {
        pxos::StagedOutputs outputs(files, { "roadmap.yaml" });
        REQUIRE(outputs.write("out/a.png", std::string_view("a")).ok());
        REQUIRE(outputs.write("out/b.json", std::string_view("b")).ok());
        REQUIRE(outputs.commit().ok());
    }
    CHECK(files.contents("out/a.png") == "a");
    CHECK(files.contents("out/b.json") == "b");
    pxos::StagedOutputs over_input(files, { "roadmap.yaml" });
    REQUIRE(over_input.write("roadmap.yaml", std::string_view("steps: [x]\n")).ok());
    CHECK(message_of(over_input.commit())
        == "roadmap.yaml: error: output path is one of the command's inputs; pxos does not overwrite it");
    CHECK(files.contents("roadmap.yaml") == "steps: []\n");
}

TEST_CASE("an in-memory lock is held once until it is released", "[pure][files]")
{
    pxos::MemoryFileSystem files;
    files.add_folder("loop");
    {
        auto held = files.lock("loop/loop.lock", "the out-dir is in use by another pxos loop");
        REQUIRE(held.ok());
        CHECK(message_of(files.lock("loop/loop.lock", "the out-dir is in use by another pxos loop"))
            == "loop/loop.lock: error: the out-dir is in use by another pxos loop (held in this process)");
    }
    CHECK(files.lock("loop/loop.lock", "busy").ok());
    CHECK(message_of(files.lock("loop", "busy")) == "loop: error: the lock file is a directory; remove it");
    CHECK(message_of(files.lock("gone/loop.lock", "busy"))
        == "gone/loop.lock: error: cannot open the lock file: No such file or directory");
}

TEST_CASE("the in-memory file system creates folders and says what is in the way", "[pure][files]")
{
    pxos::MemoryFileSystem files;
    files.add_file("file", "x");
    REQUIRE(files.create_folders("a/b/c").ok());
    CHECK(files.kind_of("a/b/c") == pxos::FileKind::Directory);
    CHECK(files.kind_of("a/b/c/") == pxos::FileKind::Directory);
    CHECK(files.kind_of("file") == pxos::FileKind::Regular);
    CHECK(files.kind_of("nothing") == pxos::FileKind::Missing);
    CHECK(message_of(files.create_folders("file")) == "file: error: File exists");
    CHECK(message_of(files.create_folders("file/below")) == "file/below: error: Not a directory");
    CHECK(files.absolute_path("a/../b") == "/work/b");
}
