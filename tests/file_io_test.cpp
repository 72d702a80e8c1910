#include "pxos/file_io.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
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
