#include "pxos/file_io.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/file.h>
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

TEST_CASE("an atomic write removes the temporaries a killed pxos left, and only those", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    scratch.write(".out.png.tmp.Abc123", "left by a pxos killed with -9"); // nobody holds it
    scratch.write(".out.png.tmp.Def456", "being written by a live pxos");
    scratch.write(".other.png.tmp.Ghi789", "another target's");
    scratch.write(".out.png.tmp.notmine", "not a name pxos makes");
    int live = ::open(scratch.file(".out.png.tmp.Def456").c_str(), O_RDONLY);
    REQUIRE(live >= 0);
    REQUIRE(::flock(live, LOCK_EX) == 0); // as the live writer's AtomicFile does

    REQUIRE(pxos::write_file_atomic(scratch.file("out.png"), std::string_view("new")).ok());
    CHECK(scratch.list()
        == std::vector<std::string> { ".other.png.tmp.Ghi789", ".out.png.tmp.Def456", ".out.png.tmp.notmine", "out.png" });

    // While an AtomicFile lives, another write of the same target leaves its temporary alone.
    auto pending = pxos::AtomicFile::create(scratch.file("out.png"));
    REQUIRE(pending.ok());
    REQUIRE(pxos::write_file_atomic(scratch.file("out.png"), std::string_view("newer")).ok());
    CHECK(scratch.list().size() == 5);
    REQUIRE(pending->write(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>("newest"), 6)).ok());
    REQUIRE(pending->commit().ok());
    CHECK(pxos::test::read_text(scratch.file("out.png")) == "newest");

    ::close(live); // that writer died: its file is abandoned now
    REQUIRE(pxos::write_file_atomic(scratch.file("out.png"), std::string_view("last")).ok());
    CHECK(scratch.list() == std::vector<std::string> { ".other.png.tmp.Ghi789", ".out.png.tmp.notmine", "out.png" });
}

TEST_CASE("reads are capped and name the cap", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    std::string path = scratch.write("big.txt", std::string(100, 'x'));
    CHECK(pxos::read_file_text(path, 100).value().size() == 100);
    CHECK(pxos::read_file_text(path, 99).error().message() == path + ": error: file is 100 bytes, over the 99 byte limit");
}
