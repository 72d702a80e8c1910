#include "pxos/host/posix/file_system.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

TEST_CASE("atomic writes create folders, replace whole files and leave no temporaries", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    std::string path = scratch.file("a/b/out.txt");
    REQUIRE(pxos::write_file_atomic(path, std::string_view("first version, longer")).ok());
    REQUIRE(pxos::write_file_atomic(path, std::string_view("second")).ok());
    CHECK(pxos::test::read_text(path) == "second");
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(scratch.path() / "a/b"))
        names.push_back(entry.path().filename().string());
    CHECK(names == std::vector<std::string> { "out.txt" });
}

TEST_CASE("a failed atomic write leaves the existing file untouched", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    std::string blocker = scratch.write("blocker", "I am a file");
    auto result = pxos::write_file_atomic(blocker + "/child.txt", std::string_view("x"));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind() == pxos::ErrorKind::Io);
    CHECK(pxos::test::read_text(blocker) == "I am a file");
    CHECK(scratch.list() == std::vector<std::string> { "blocker" });
}

TEST_CASE("an atomic write takes over the temporary a killed pxos left, never a live writer's", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    auto bytes = [](std::string_view text) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    };
    scratch.write(".out.png.tmp", "left by a pxos killed with -9, longer than what comes next");
    REQUIRE(pxos::write_file_atomic(scratch.file("out.png"), std::string_view("new")).ok());
    CHECK(pxos::test::read_text(scratch.file("out.png")) == "new");
    CHECK(scratch.list() == std::vector<std::string> { "out.png" });

    // A live writer (here the test, holding the flock as an AtomicFile does) keeps its file.
    scratch.write(".out.png.tmp", "being written");
    int live = ::open(scratch.file(".out.png.tmp").c_str(), O_RDONLY);
    REQUIRE(live >= 0);
    REQUIRE(::flock(live, LOCK_EX) == 0);
    REQUIRE(pxos::write_file_atomic(scratch.file("out.png"), std::string_view("newer")).ok());
    CHECK(pxos::test::read_text(scratch.file("out.png")) == "newer");
    CHECK(pxos::test::read_text(scratch.file(".out.png.tmp")) == "being written");
    CHECK(scratch.list() == std::vector<std::string> { ".out.png.tmp", "out.png" });
    ::close(live);

    // Two AtomicFiles of one target at once: each its own file, both commit, the last one wins.
    auto first = pxos::AtomicFile::create(scratch.file("two.txt"));
    auto second = pxos::AtomicFile::create(scratch.file("two.txt"));
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(scratch.list().size() == 4);
    REQUIRE(first->write(bytes("first")).ok());
    REQUIRE(second->write(bytes("second")).ok());
    REQUIRE(first->commit().ok());
    REQUIRE(second->commit().ok());
    CHECK(pxos::test::read_text(scratch.file("two.txt")) == "second");
    CHECK(scratch.list() == std::vector<std::string> { ".out.png.tmp", "out.png", "two.txt" });
}

TEST_CASE("an atomic write never writes through a temporary name that is not a plain file of its own", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    std::string victim = scratch.write("victim.txt", "precious");
    REQUIRE(::symlink(victim.c_str(), scratch.file(".a.txt.tmp").c_str()) == 0);
    REQUIRE(::link(victim.c_str(), scratch.file(".b.txt.tmp").c_str()) == 0);
    REQUIRE(::mkfifo(scratch.file(".c.txt.tmp").c_str(), 0644) == 0);
    for (std::string name : { "a.txt", "b.txt", "c.txt" })
        REQUIRE(pxos::write_file_atomic(scratch.file(name), std::string_view("written")).ok());
    CHECK(pxos::test::read_text(victim) == "precious");
    CHECK(pxos::test::read_text(scratch.file("a.txt")) == "written");
    CHECK(pxos::test::read_text(scratch.file("b.txt")) == "written");
    CHECK(pxos::test::read_text(scratch.file("c.txt")) == "written");
    CHECK(scratch.list().size() == 7); // the three odd names stay as they were
}

TEST_CASE("reads are capped and name the cap", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    std::string path = scratch.write("big.txt", std::string(100, 'x'));
    CHECK(pxos::read_file_text(path, 100).value().size() == 100);
    CHECK(pxos::read_file_text(path, 99).error().message() == path + ": error: file is 100 bytes, over the 99 byte limit");
}

TEST_CASE("reads refuse a file name with a control character, quoting it escaped", "[file][malformed]")
{
    pxos::test::ScratchDirectory scratch;
    scratch.write("kernel.pxasm", "NOP\n");
    // The part before the NUL exists: a check that stopped there would pass.
    std::string name = scratch.file("kernel.pxasm") + std::string("\0/../../etc/passwd", 18);
    auto refused = pxos::read_file_text(name, 1000);
    REQUIRE_FALSE(refused.ok());
    std::string shown = scratch.file("kernel.pxasm") + "\\0/../../etc/passwd";
    CHECK(refused.error().message()
        == fmt::format("{}: error: file name has a control character (\\0) at byte {}; such a name is never opened",
            shown, scratch.file("kernel.pxasm").size()));
    auto escape = pxos::check_readable_path("a\x1b]0;title\a.pxasm");
    CHECK(escape.error().message()
        == "a\\x1b]0;title\\x07.pxasm: error: file name has a control character (\\x1b) at byte 1; such a name is never "
           "opened");
    CHECK(pxos::check_readable_path("plain name.pxasm").value() == "plain name.pxasm");
}

TEST_CASE("reads refuse FIFOs, directories and devices at once, without blocking", "[file][malformed]")
{
    pxos::test::ScratchDirectory scratch;
    std::string fifo = scratch.file("pipe");
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    // No writer ever opens it: a read that waited for one would hang here.
    CHECK(pxos::read_file_text(fifo, 1000).error().message()
        == fifo + ": error: is a FIFO, expected a regular file");
    CHECK(pxos::read_file_text(scratch.path().string(), 1000).error().message()
        == scratch.path().string() + ": error: is a directory, expected a file");
    CHECK(pxos::read_file_bytes("/dev/null", 1000).error().message()
        == "/dev/null: error: is a character device, expected a regular file");
    std::filesystem::create_symlink(fifo, scratch.file("link"));
    CHECK(pxos::read_file_text(scratch.file("link"), 1000).error().message()
        == scratch.file("link") + ": error: is a FIFO, expected a regular file");
}

TEST_CASE("a confined read stays inside its folder, symlinks resolved", "[file][malformed]")
{
    pxos::test::ScratchDirectory scratch;
    std::string folder = scratch.path().string() + "/roadmaps";
    scratch.write("roadmaps/kernel.pxasm", "NOP\n");
    scratch.write("secret.txt", "secret\n");
    std::filesystem::create_symlink("kernel.pxasm", folder + "/inside_link.pxasm");
    std::filesystem::create_symlink("../secret.txt", folder + "/outside_link.pxasm");
    pxos::ReadConfinement confined { folder };
    std::string root = std::filesystem::canonical(folder).string();
    std::string secret = std::filesystem::canonical(scratch.file("secret.txt")).string();

    CHECK(pxos::read_file_text(folder + "/kernel.pxasm", 1000, std::nullopt, confined).value() == "NOP\n");
    CHECK(pxos::read_file_text(folder + "/inside_link.pxasm", 1000, std::nullopt, confined).value() == "NOP\n");
    CHECK(pxos::read_file_text(folder + "/outside_link.pxasm", 1000, std::nullopt, confined).error().message()
        == folder + "/outside_link.pxasm: error: leaves the roadmap's folder " + root + " (it resolves to " + secret
            + ")");
    CHECK(pxos::read_file_text(folder + "/../secret.txt", 1000, std::nullopt, confined).error().message()
        == folder + "/../secret.txt: error: leaves the roadmap's folder " + root + " (it resolves to " + secret + ")");
    CHECK(pxos::read_file_text("/dev/stdin", 1000, std::nullopt, confined).error().message().find(
              "/dev/stdin: error: leaves the roadmap's folder " + root + " (it resolves to ")
        == 0);
    // A folder whose name starts like the root's is not inside it.
    scratch.write("roadmaps2/other.pxasm", "NOP\n");
    CHECK_FALSE(pxos::read_file_text(scratch.file("roadmaps2/other.pxasm"), 1000, std::nullopt, confined).ok());
    // Unconfined (a roadmap the user gave), the same symlink is followed.
    CHECK(pxos::read_file_text(folder + "/outside_link.pxasm", 1000).value() == "secret\n");
}

TEST_CASE("check_output_path names what is at the path when it is not a regular file", "[file][outputs]")
{
    pxos::test::ScratchDirectory scratch;
    REQUIRE(::mkfifo(scratch.file("fifo").c_str(), 0644) == 0);
    std::filesystem::create_directory(scratch.path() / "folder");
    std::filesystem::create_symlink("fifo", scratch.path() / "link");
    auto message = [](const std::string& path) { return pxos::check_output_path(path).error().message(); };
    CHECK(message(scratch.file("fifo"))
        == scratch.file("fifo") + ": error: output path is a FIFO, expected a regular file (pxos writes only regular files)");
    CHECK(message(scratch.file("folder")) == scratch.file("folder") + ": error: output path is a directory, expected a file name");
    CHECK(message(scratch.file("link"))
        == scratch.file("link")
            + ": error: output path is a symbolic link, expected a regular file (pxos writes only regular files)");
    CHECK(message(std::string("out.png\0/../../x", 16))
        == "out.png\\x00/../../x: error: output path has a control character (byte 0x00 at offset 7), expected a file name");
    CHECK(pxos::check_output_path("").error().kind() == pxos::ErrorKind::Usage);
    CHECK(pxos::check_output_path(scratch.file("new.png")).ok());
    // Nothing was written through any of them.
    CHECK_FALSE(pxos::write_file_atomic(scratch.file("link"), std::string_view("x")).ok());
    CHECK(scratch.list() == std::vector<std::string> { "fifo", "folder", "link" });
}

TEST_CASE("a replaced file keeps its permissions and a read-only one is not replaced", "[file][outputs]")
{
    pxos::test::ScratchDirectory scratch;
    std::string secret = scratch.write("secret.txt", "old");
    ::chmod(secret.c_str(), 0600);
    REQUIRE(pxos::write_file_atomic(secret, std::string_view("new")).ok());
    struct stat status {};
    REQUIRE(::stat(secret.c_str(), &status) == 0);
    CHECK((status.st_mode & 07777) == 0600);
    CHECK(pxos::test::read_text(secret) == "new");

    std::string frozen = scratch.write("frozen.txt", "keep");
    ::chmod(frozen.c_str(), 0444);
    auto refused = pxos::write_file_atomic(frozen, std::string_view("new"));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message()
        == frozen + ": error: output path is a read-only file (mode 0444); pxos does not replace it");
    CHECK(pxos::test::read_text(frozen) == "keep");
}

TEST_CASE("staged outputs appear only on commit, and dropped they leave nothing, folders included", "[file][outputs]")
{
    pxos::test::ScratchDirectory scratch;
    {
        pxos::StagedOutputs outputs(pxos::test::files());
        REQUIRE(outputs.write(scratch.file("a/b/one.txt"), std::string_view("1")).ok());
        REQUIRE(outputs.write(scratch.file("a/two.txt"), std::string_view("2")).ok());
        CHECK_FALSE(std::filesystem::exists(scratch.file("a/b/one.txt")));
    }
    CHECK(scratch.list().empty());

    pxos::StagedOutputs outputs(pxos::test::files());
    REQUIRE(outputs.write(scratch.file("a/b/one.txt"), std::string_view("1")).ok());
    REQUIRE(outputs.write(scratch.file("a/two.txt"), std::string_view("2")).ok());
    auto twice = outputs.write(scratch.file("a/./two.txt"), std::string_view("again"));
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error().message()
        == scratch.file("a/./two.txt") + ": error: output path is written twice by this command (also as '"
            + scratch.file("a/two.txt") + "')");
    REQUIRE(outputs.commit().ok());
    CHECK(pxos::test::read_text(scratch.file("a/b/one.txt")) == "1");
    CHECK(pxos::test::read_text(scratch.file("a/two.txt")) == "2");
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(scratch.path()))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string> { "a", "b", "one.txt", "two.txt" }); // no temporaries
}

TEST_CASE("staged outputs refuse a target that is an input, also through a hard link or a symbolic link", "[file][outputs]")
{
    pxos::test::ScratchDirectory scratch;
    std::string input = scratch.write("input.yaml", "steps: []\n");
    std::filesystem::create_hard_link(input, scratch.file("hard.png"));
    std::filesystem::create_symlink("hard.png", scratch.path() / "soft.yaml");
    for (const std::string& target : { input, scratch.file("hard.png") }) {
        pxos::StagedOutputs outputs(pxos::test::files(), { scratch.file("soft.yaml") });
        REQUIRE(outputs.write(target, std::string_view("overwritten")).ok());
        auto refused = outputs.commit();
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().message()
            == target + ": error: output path is the input '" + scratch.file("soft.yaml")
                + "'; pxos does not overwrite its input");
    }
    CHECK(pxos::test::read_text(input) == "steps: []\n");
    CHECK(scratch.list() == std::vector<std::string> { "hard.png", "input.yaml", "soft.yaml" });
}

TEST_CASE("is_path_inside applies .. and symbolic links before it compares folders", "[file][outputs]")
{
    pxos::test::ScratchDirectory scratch;
    std::filesystem::create_directories(scratch.path() / "room");
    std::filesystem::create_symlink("/tmp", scratch.path() / "room" / "exit");
    std::string room = scratch.file("room");
    CHECK(pxos::is_path_inside(scratch.file("room/out.png"), room));
    CHECK(pxos::is_path_inside(scratch.file("room/new/deeper/out.png"), room));
    CHECK_FALSE(pxos::is_path_inside(scratch.file("room/../out.png"), room));
    CHECK_FALSE(pxos::is_path_inside(scratch.file("room/exit/out.png"), room));
    CHECK_FALSE(pxos::is_path_inside(scratch.file("roommate/out.png"), room));
    CHECK_FALSE(pxos::is_path_inside("/etc/passwd", room));
}
