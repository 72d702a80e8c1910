#include "pxos/file_io.hpp"

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
        == fifo + ": error: is a FIFO (named pipe), expected a regular file");
    CHECK(pxos::read_file_text(scratch.path().string(), 1000).error().message()
        == scratch.path().string() + ": error: is a directory, expected a file");
    CHECK(pxos::read_file_bytes("/dev/null", 1000).error().message()
        == "/dev/null: error: is a character device, expected a regular file");
    std::filesystem::create_symlink(fifo, scratch.file("link"));
    CHECK(pxos::read_file_text(scratch.file("link"), 1000).error().message()
        == scratch.file("link") + ": error: is a FIFO (named pipe), expected a regular file");
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
