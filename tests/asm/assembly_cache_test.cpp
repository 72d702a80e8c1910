// The assembly cache: a hit is exactly what assembling again gives, and any
// change of the input (the source, an option, an included file's text or
// whether it may be read) is a miss.
#include "pxos/asm/assembly_cache.hpp"

#include "pxos/base/memory_file_system.hpp"

#include <catch2/catch.hpp>
#include <map>

namespace {

std::vector<std::uint32_t> values(const pxos::Program& program)
{
    std::vector<std::uint32_t> words;
    for (const pxos::AssembledWord& word : program.words)
        words.push_back(word.word);
    return words;
}

} // namespace

TEST_CASE("the assembly cache gives the same program for the same input and assembles again on any change",
    "[asm][cache]")
{
    pxos::MemoryFileSystem files;
    files.add_file("/src/lib.pxasm", "helper:\n    LI r1, VALUE\n    RET\n");
    files.add_file("/src/main.pxasm", ".include \"lib.pxasm\"\nmain:\n    CALL helper\n    HALT\n");
    pxos::AssembleOptions options;
    options.files = &files;
    options.predefined["VALUE"] = 7;
    pxos::AssemblyCache cache;

    auto plain = pxos::assemble_file("/src/main.pxasm", options);
    REQUIRE(plain.ok());
    auto first = cache.assemble_file("/src/main.pxasm", options);
    REQUIRE(first.ok());
    CHECK(cache.misses() == 1);
    auto second = cache.assemble_file("/src/main.pxasm", options);
    REQUIRE(second.ok());
    CHECK(cache.hits() == 1);
    CHECK(values(*second) == values(*plain));
    CHECK(second->symbols == plain->symbols);

    // Another option: assembled again.
    options.predefined["VALUE"] = 8;
    auto other = cache.assemble_file("/src/main.pxasm", options);
    REQUIRE(other.ok());
    CHECK(cache.misses() == 2);
    CHECK(values(*other) != values(*plain));
    options.predefined["VALUE"] = 7;

    // The included file changed: assembled again, with its new text.
    files.add_file("/src/lib.pxasm", "helper:\n    LI r1, VALUE + 1\n    RET\n");
    auto changed = cache.assemble_file("/src/main.pxasm", options);
    REQUIRE(changed.ok());
    CHECK(cache.misses() == 3);
    CHECK(values(*changed) == values(*other)); // VALUE + 1 with VALUE 7 is what VALUE 8 gave

    // Through a reader: an include it can no longer read is the error, not the old program.
    std::map<std::string, std::string> sources = { { "/src/lib.pxasm", "helper:\n    RET\n" } };
    pxos::AssembleOptions reading = options;
    reading.files = nullptr;
    reading.read_include = [&sources](const std::string& path) -> pxos::Result<std::string> {
        auto found = sources.find(path);
        if (found == sources.end())
            return pxos::Error::bad_input(path, "no such file");
        return found->second;
    };
    std::string main_text = ".include \"lib.pxasm\"\nmain:\n    CALL helper\n    HALT\n";
    REQUIRE(cache.assemble(main_text, "/src/main.pxasm", reading).ok());
    REQUIRE(cache.assemble(main_text, "/src/main.pxasm", reading).ok());
    CHECK(cache.hits() == 2);
    sources.clear();
    auto gone = cache.assemble(main_text, "/src/main.pxasm", reading);
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().message().find("cannot include '/src/lib.pxasm': no such file") != std::string::npos);
    CHECK(cache.hits() == 2);

    // A failed assembly is not kept.
    options.limits.reads = {};
    CHECK_FALSE(cache.assemble("main:\n    NOSUCH r1\n", "bad.pxasm", options).ok());
    CHECK_FALSE(cache.assemble("main:\n    NOSUCH r1\n", "bad.pxasm", options).ok());
    CHECK(cache.hits() == 2);
}
