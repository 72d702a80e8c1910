// The assembly cache: a hit is exactly what assembling again gives, and any
// change of the input (the source, an option, an included file's text or
// whether it may be read) is a miss.
#include "pxos/asm/assembly_cache.hpp"

#include "pxos/base/memory_file_system.hpp"
#include "pxos/isa/isa.hpp"

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

TEST_CASE("an assembly that differs only in its symbols, origin or VRAM size reuses the parse, and gives what "
          "assembling afresh gives",
    "[asm][cache]")
{
    pxos::MemoryFileSystem files;
    files.add_file("/src/lib.pxasm", "helper:\n    LI r1, VALUE * 3\n    RET\n");
    files.add_file("/src/main.pxasm",
        ".include \"lib.pxasm\"\nmain:\n    CALL helper\n    .fill VALUE, 5\nend:\n    JMP end\n");
    pxos::AssembleOptions options;
    options.files = &files;
    options.predefined["VALUE"] = 2;
    pxos::AssemblyCache cache;
    REQUIRE(cache.assemble_file("/src/main.pxasm", options).ok());
    CHECK(cache.parse_hits() == 0);

    // The symbol moves a label (.fill VALUE words) and changes an operand;
    // the origin and the width move every address.
    for (auto [value, origin, width] : { std::tuple { 9, 0u, 512 }, std::tuple { 9, 300u, 512 }, std::tuple { 4, 300u, 64 } }) {
        options.predefined["VALUE"] = value;
        options.origin = origin;
        options.vram_width = width;
        auto plain = pxos::assemble_file("/src/main.pxasm", options);
        REQUIRE(plain.ok());
        std::uint64_t parses = cache.parse_hits();
        auto cached = cache.assemble_file("/src/main.pxasm", options);
        REQUIRE(cached.ok());
        CHECK(cache.parse_hits() == parses + 1);
        CHECK(values(*cached) == values(*plain));
        CHECK(cached->symbols == plain->symbols);
        CHECK(cached->words.front().address == plain->words.front().address);
        CHECK(cached->source_map.find(cached->words.front().address)->to_string()
            == plain->source_map.find(plain->words.front().address)->to_string());
    }
    // helper (LI, RET), CALL, then VALUE (4) words of .fill
    CHECK(*cache.assemble_file("/src/main.pxasm", options)->symbol("end")
        == 300 + pxos::isa::info(pxos::isa::Opcode::LI).length() + pxos::isa::info(pxos::isa::Opcode::RET).length()
            + pxos::isa::info(pxos::isa::Opcode::CALL).length() + 4);

    // An include that changed is parsed again, and its error (not the old parse) comes back.
    files.add_file("/src/lib.pxasm", "helper:\n    NOSUCH r1\n");
    options.predefined["VALUE"] = 5;
    std::uint64_t parses = cache.parse_hits();
    auto broken = cache.assemble_file("/src/main.pxasm", options);
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().message().find("NOSUCH") != std::string::npos);
    CHECK(cache.parse_hits() == parses);
    // An error of the passes (a symbol that makes the program too big) is not kept either.
    files.add_file("/src/lib.pxasm", "helper:\n    LI r1, VALUE * 3\n    RET\n");
    options.predefined["VALUE"] = 1 << 30;
    CHECK_FALSE(cache.assemble_file("/src/main.pxasm", options).ok());
}
