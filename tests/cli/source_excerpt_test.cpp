// The excerpt the CLI shows under a YAML or pxasm diagnostic on a terminal:
// the line and the caret, and reading the line (src/cli/source_excerpt.cpp).
#include "cli/source_excerpt.hpp"
#include "test_support.hpp"

#include <sys/stat.h>

using pxos::test::ScratchDirectory;

TEST_CASE("the excerpt puts the caret under the column's character", "[diagnostics]")
{
    CHECK(pxos::cli::format_source_excerpt("    ADDD r1, r2", 5) == "    ADDD r1, r2\n    ^\n");
    CHECK(pxos::cli::format_source_excerpt("x", 1) == "x\n^\n");
    // Columns count bytes: a two-byte character before the column is one character wide.
    CHECK(pxos::cli::format_source_excerpt("caf\xc3\xa9 zork", 7) == "caf\xc3\xa9 zork\n     ^\n");
    // A column inside a character points at the character.
    CHECK(pxos::cli::format_source_excerpt("caf\xc3\xa9", 5) == "caf\xc3\xa9\n   ^\n");
}

TEST_CASE("a column past the end of the line puts the caret after its last character", "[diagnostics]")
{
    CHECK(pxos::cli::format_source_excerpt("NOP", 4) == "NOP\n   ^\n");
    CHECK(pxos::cli::format_source_excerpt("NOP", 40) == "NOP\n   ^\n");
    CHECK(pxos::cli::format_source_excerpt("", 1) == "\n^\n");
}

TEST_CASE("the excerpt escapes the line and expands its tabs", "[diagnostics]")
{
    // An escape is as wide as it is shown.
    CHECK(pxos::cli::format_source_excerpt("a\x1b[2Jb zork", 8) == "a\\x1b[2Jb zork\n          ^\n");
    CHECK(pxos::cli::format_source_excerpt("\xff zork", 3) == "\\xff zork\n     ^\n");
    CHECK(pxos::cli::format_source_excerpt("a\rb", 3) == "a\\rb\n   ^\n");
    // Tabs go to the next multiple of 8.
    CHECK(pxos::cli::format_source_excerpt("\tx", 2) == "        x\n        ^\n");
    CHECK(pxos::cli::format_source_excerpt("abc\tx\ty", 7) == "abc     x       y\n                ^\n");
}

TEST_CASE("a line longer than the excerpt width is clipped around the column", "[diagnostics]")
{
    std::string line(200, 'a');
    line[99] = 'Z';
    std::string clipped = pxos::cli::format_source_excerpt(line, 100);
    // 74 characters of the line, the column in their middle, "..." at both ends.
    CHECK(clipped == "..." + std::string(37, 'a') + "Z" + std::string(36, 'a') + "...\n" + std::string(40, ' ') + "^\n");
    std::string first = pxos::cli::format_source_excerpt(line, 1);
    CHECK(first == std::string(74, 'a') + "...\n^\n");
    std::string last = pxos::cli::format_source_excerpt(line, 200);
    CHECK(last == "..." + std::string(74, 'a') + "\n" + std::string(76, ' ') + "^\n");
    // A line of the excerpt width is shown whole.
    std::string fits(pxos::cli::kExcerptWidth, 'b');
    CHECK(pxos::cli::format_source_excerpt(fits, 80) == fits + "\n" + std::string(79, ' ') + "^\n");
}

TEST_CASE("the line is read from the file, a built-in source, or not at all", "[diagnostics]")
{
    ScratchDirectory scratch;
    scratch.write("three.txt", "one\r\ntwo\n\nfour");
    CHECK(pxos::cli::read_source_line(scratch.file("three.txt"), 1) == "one");
    CHECK(pxos::cli::read_source_line(scratch.file("three.txt"), 2) == "two");
    CHECK(pxos::cli::read_source_line(scratch.file("three.txt"), 3) == "");
    CHECK(pxos::cli::read_source_line(scratch.file("three.txt"), 4) == "four");
    CHECK_FALSE(pxos::cli::read_source_line(scratch.file("three.txt"), 5));
    CHECK_FALSE(pxos::cli::read_source_line(scratch.file("three.txt"), 0));
    scratch.write("ends.txt", "a\n");
    CHECK_FALSE(pxos::cli::read_source_line(scratch.file("ends.txt"), 2)); // nothing after the last line end
    CHECK_FALSE(pxos::cli::read_source_line(scratch.file("missing.txt"), 1));
    std::filesystem::create_directories(scratch.path() / "folder");
    CHECK_FALSE(pxos::cli::read_source_line(scratch.file("folder"), 1));
    REQUIRE(::mkfifo(scratch.file("pipe").c_str(), 0644) == 0);
    CHECK_FALSE(pxos::cli::read_source_line(scratch.file("pipe"), 1)); // refused, never waited on
    CHECK(pxos::cli::read_source_line("builtin:hello.pxasm", 2) == "main:");
    CHECK_FALSE(pxos::cli::read_source_line("builtin:nope.pxasm", 1));
    // No excerpt without a line and a column.
    CHECK_FALSE(pxos::cli::source_excerpt(pxos::SourceLocation { scratch.file("three.txt"), 2, 0 }));
    CHECK_FALSE(pxos::cli::source_excerpt(pxos::SourceLocation { scratch.file("three.txt"), 0, 0 }));
    CHECK(pxos::cli::source_excerpt(pxos::SourceLocation { scratch.file("three.txt"), 2, 2 }) == "two\n ^\n");
}
