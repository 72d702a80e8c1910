#include "pxos/file_io.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>

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

TEST_CASE("reads are capped and name the cap", "[file]")
{
    pxos::test::ScratchDirectory scratch;
    std::string path = scratch.write("big.txt", std::string(100, 'x'));
    CHECK(pxos::read_file_text(path, 100).value().size() == 100);
    CHECK(pxos::read_file_text(path, 99).error().message() == path + ": error: file is 100 bytes, over the 99 byte limit");
}
