// The reply cache alone: its key (the prompt's FNV-1a), finding and
// storing replies, and a cached file that cannot be read.
#include "pxos/loop/reply_cache.hpp"

#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

TEST_CASE("the reply cache key is the prompt's FNV-1a hash, in hex, with the basis existing caches use", "[loop][replies]")
{
    // Not the standard basis (0xcbf29ce484222325): the caches written so far are keyed by this one.
    CHECK(pxos::fnv1a("") == 0x14650fb0739d0383ull);
    CHECK(pxos::fnv1a("a") == 0x44bd8ad473cd9906ull);
    CHECK(pxos::fnv1a("foobar") == 0x88fad7c0a8ff07f2ull);
    pxos::ReplyCache cache(pxos::test::files(), "out/cache");
    CHECK(cache.file_for("") == "out/cache/14650fb0739d0383.txt");
    CHECK(cache.file_for("a") == "out/cache/44bd8ad473cd9906.txt");
}

TEST_CASE("a reply stored for a prompt is found for exactly that prompt", "[loop][replies]")
{
    pxos::test::ScratchDirectory scratch;
    std::filesystem::create_directories(scratch.path() / "cache");
    pxos::ReplyCache cache(pxos::test::files(), scratch.file("cache"));
    CHECK_FALSE(cache.find("prompt").has_value());
    REQUIRE(cache.store("prompt", "```yaml\nedits: []\n```\n").ok());
    CHECK(pxos::test::read_text(cache.file_for("prompt")) == "```yaml\nedits: []\n```\n");
    CHECK(cache.find("prompt") == std::optional<std::string>("```yaml\nedits: []\n```\n"));
    CHECK_FALSE(cache.find("prompt ").has_value());
    REQUIRE(cache.store("prompt", "again").ok());
    CHECK(cache.find("prompt") == std::optional<std::string>("again"));
}

TEST_CASE("a cached reply that cannot be read is an empty reply, a reply that cannot be stored says why", "[loop][replies]")
{
    pxos::test::ScratchDirectory scratch;
    pxos::ReplyCache cache(pxos::test::files(), scratch.file("cache"));
    std::filesystem::create_directories(cache.file_for("prompt")); // a folder where the reply should be
    CHECK(cache.find("prompt") == std::optional<std::string>(""));
    auto stored = cache.store("prompt", "reply");
    REQUIRE_FALSE(stored.ok());
    CHECK(stored.error().message()
        == cache.file_for("prompt") + ": error: output path is a directory, expected a file name");
}
