// Text from outside pxos on its way out: the JSON writer (src/base/json_writer.hpp)
// and the terminal escaping (pxos/text.hpp).
#include "base/json_writer.hpp"
#include "pxos/base/text.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace std::string_literals;

TEST_CASE("UTF-8 validation follows Unicode table 3-7", "[text]")
{
    CHECK(pxos::is_valid_utf8(""));
    CHECK(pxos::is_valid_utf8("plain ASCII, \x1b and \0 too"s));
    CHECK(pxos::is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
    CHECK_FALSE(pxos::is_valid_utf8("\xff"));
    CHECK_FALSE(pxos::is_valid_utf8("\xc0\xaf"));         // overlong '/'
    CHECK_FALSE(pxos::is_valid_utf8("\xe0\x80\xaf"));     // overlong, three bytes
    CHECK_FALSE(pxos::is_valid_utf8("\xed\xa0\x80"));     // a surrogate
    CHECK_FALSE(pxos::is_valid_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
    CHECK_FALSE(pxos::is_valid_utf8("\xe2\x82"));         // cut short
    CHECK_FALSE(pxos::is_valid_utf8("\x80"));             // a lone continuation byte
}

TEST_CASE("invalid bytes become U+EF80 plus the byte and come back exactly", "[text][json]")
{
    CHECK(pxos::escape_invalid_utf8("a\xff" "b") == "a\xee\xbf\xbf" "b");                 // U+EFFF
    CHECK(pxos::escape_invalid_utf8("\x80") == "\xee\xbe\x80");                         // U+EF80
    CHECK(pxos::escape_invalid_utf8("\xe2\x82!") == "\xee\xbf\xa2\xee\xbe\x82!");       // each byte of a cut sequence
    CHECK(pxos::escape_invalid_utf8("caf\xc3\xa9 \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xf0\x9f\x98\x80"); // valid: unchanged
    for (std::string bytes : { "\xff\xfe name"s, "\xc0\xaf"s, "\xed\xa0\x80"s, "ok \xe2\x82"s, "\x1b]0;x\x07\xff"s })
        CHECK(pxos::restore_invalid_utf8(pxos::escape_invalid_utf8(bytes)) == bytes);
}

TEST_CASE("the JSON writer escapes invalid bytes in strings and keys instead of throwing", "[text][json]")
{
    nlohmann::ordered_json value;
    value["console"] = "bad \xff byte\n";
    value["names"] = { "ok", "r\xfe.yaml" };
    value["by writer"] = { { "w\x80", 3 } };
    CHECK_THROWS(value.dump()); // what the writer protects against: nlohmann's type_error 316
    CHECK(pxos::write_json(value, pxos::JsonLayout::Compact)
        == "{\"console\":\"bad \xee\xbf\xbf byte\\n\",\"names\":[\"ok\",\"r\xee\xbf\xbe.yaml\"],"
           "\"by writer\":{\"w\xee\xbe\x80\":3}}");
    auto parsed = nlohmann::json::parse(pxos::write_json(value, pxos::JsonLayout::Indented));
    CHECK(pxos::restore_invalid_utf8(parsed["console"].get<std::string>()) == "bad \xff byte\n");
    CHECK(pxos::restore_invalid_utf8(parsed["names"][1].get<std::string>()) == "r\xfe.yaml");
}

TEST_CASE("the JSON writer leaves valid text and control characters to JSON's own escapes", "[text][json]")
{
    nlohmann::json value = { { "text", "caf\xc3\xa9 \x1b[2J\t" } };
    CHECK(pxos::write_json(value, pxos::JsonLayout::Compact) == "{\"text\":\"caf\xc3\xa9 \\u001b[2J\\t\"}");
    CHECK(pxos::write_json(nlohmann::json::array({ 1, 2 }), pxos::JsonLayout::Indented) == "[\n  1,\n  2\n]");
}

TEST_CASE("terminal escaping shows control characters, C1 codes, bidi overrides and bad bytes", "[text]")
{
    CHECK(pxos::escape_for_terminal("writer \x1b]0;owned\x07\x1b[2J") == "writer \\x1b]0;owned\\x07\\x1b[2J");
    CHECK(pxos::escape_for_terminal("two\nlines\r\tand\x7f") == "two\\nlines\\r\tand\\x7f");
    CHECK(pxos::escape_for_terminal("two\nlines\r\t", pxos::TerminalLayout::KeepLines) == "two\nlines\r\t");
    // A guest's console keeps backspace too (a shell erases with "\b \b"); a report does not.
    CHECK(pxos::escape_for_terminal("ab\b \b\n\x1b", pxos::TerminalLayout::Console) == "ab\b \b\n\\x1b");
    CHECK(pxos::escape_for_terminal("ab\b", pxos::TerminalLayout::KeepLines) == "ab\\x08");
    CHECK(pxos::escape_for_terminal("csi \xc2\x9b" "2J rlo \xe2\x80\xae") == "csi \\u009b2J rlo \\u202e");
    CHECK(pxos::escape_for_terminal("bad \xff and \xe2\x82") == "bad \\xff and \\xe2\\x82");
    CHECK(pxos::escape_for_terminal("caf\xc3\xa9 \xf0\x9f\x98\x80 \\ ok") == "caf\xc3\xa9 \xf0\x9f\x98\x80 \\ ok");
}

TEST_CASE("terminal escaping of a stream holds a UTF-8 sequence split across pieces", "[text]")
{
    pxos::TerminalEscaper escaper(pxos::TerminalLayout::KeepLines);
    std::string shown;
    for (char byte : "caf\xc3\xa9 \xe2\x82\xac\x1b\n\xff"s)
        shown += escaper.feed(std::string(1, byte));
    shown += escaper.feed("\xf0\x9f");
    shown += escaper.finish();
    CHECK(shown == "caf\xc3\xa9 \xe2\x82\xac\\x1b\n\\xff\\xf0\\x9f");
}

TEST_CASE("only the JSON writer turns JSON into text", "[meta][json]")
{
    // One writer means one rule for bytes that are not UTF-8: a new call of
    // nlohmann's dump elsewhere would throw on them again (type_error 316).
    for (const char* folder : { "src", "steps", "include", "bench", "tests/fuzz" })
        for (const auto& entry : std::filesystem::recursive_directory_iterator(pxos::test::source_path(folder))) {
            if (!entry.is_regular_file() || entry.path().filename() == "json_writer.cpp")
                continue;
            std::string text = pxos::test::read_text(entry.path().string());
            INFO(entry.path().string());
            CHECK(text.find(".dump(") == std::string::npos);
        }
}

TEST_CASE("a source map keeps a file name that is not UTF-8 through its JSON", "[text][json][asm]")
{
    pxos::SourceMap map;
    map.add(7, "p\xff.pxasm", 3);
    auto read = pxos::SourceMap::from_json(map.to_json(), "p.srcmap.json");
    REQUIRE(read.ok());
    REQUIRE(read->find(7));
    CHECK(read->find(7)->to_string() == "p\xff.pxasm:3");
}

TEST_CASE("pxos run passes the guest's console bytes to a pipe unchanged and escapes them in its JSON", "[text][cli]")
{
    pxos::test::ScratchDirectory scratch;
    std::filesystem::copy_file(pxos::test::source_path("tests/inputs/malformed/guest_writes_ff.png"), scratch.file("os.png"));
    auto raw = pxos::test::run_pxos("run os.png -q", scratch.path());
    CHECK(raw.exit_code == 0);
    CHECK(raw.out == "bad \xff byte\n");
    auto json = pxos::test::run_pxos("run os.png --json -q", scratch.path());
    CHECK(json.exit_code == 0);
    auto console = nlohmann::json::parse(json.out).at("console").get<std::string>();
    CHECK(console == "bad \xee\xbf\xbf byte\n");
    CHECK(pxos::restore_invalid_utf8(console) == "bad \xff byte\n");
}

TEST_CASE("pxos run escapes the guest's control characters and bad bytes on a terminal", "[text][cli]")
{
    // script(1) (util-linux) gives pxos a pseudo-terminal as stdout.
    if (std::system("command -v script >/dev/null 2>&1") != 0) {
        WARN("script(1) is not installed: the terminal case is not checked");
        return;
    }
    pxos::test::ScratchDirectory scratch;
    std::filesystem::copy_file(pxos::test::source_path("tests/inputs/malformed/guest_writes_ff.png"), scratch.file("os.png"));
    auto shown = pxos::test::run_pxos("run os.png -q", scratch.path()); // a pipe first: the bytes as they are
    REQUIRE(shown.out == "bad \xff byte\n");
    std::string command = "cd '" + scratch.path().string() + "' && script -qec \"'" + PXOS_BINARY
        + "' run os.png -q\" /dev/null >terminal.txt 2>&1 </dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    CHECK(pxos::test::read_text(scratch.file("terminal.txt")) == "bad \\xff byte\r\n"); // the pty turns \n into \r\n
}

TEST_CASE("split_lines: a newline ends a line, the final empty one and carriage returns as asked", "[text]")
{
    using V = std::vector<std::string_view>;
    CHECK(pxos::split_lines("") == V {});
    CHECK(pxos::split_lines("a") == V { "a" });
    CHECK(pxos::split_lines("a\nb\n") == V { "a", "b" });
    CHECK(pxos::split_lines("a\n\nb") == V { "a", "", "b" });
    CHECK(pxos::split_lines("\n") == V { "" });
    CHECK(pxos::split_lines("a\r\nb\r\n") == V { "a\r", "b\r" });
    CHECK(pxos::split_lines("a\r\nb\r\r\n", { .strip_cr = true }) == V { "a", "b\r" });
    CHECK(pxos::split_lines("a\nb\n", { .keep_final_empty = true }) == V { "a", "b", "" });
    CHECK(pxos::split_lines("", { .keep_final_empty = true }) == V { "" });
    CHECK(pxos::split_lines("a", { .keep_final_empty = true }) == V { "a" });
}

TEST_CASE("plural: one takes the singular, every other count the plural", "[text][plural]")
{
    CHECK(pxos::plural(1, "process", "processes") == "1 process");
    CHECK(pxos::plural(2, "process", "processes") == "2 processes");
    CHECK(pxos::plural(0, "process", "processes") == "0 processes");
    CHECK(pxos::plural(1, "fault") == "1 fault");
    CHECK(pxos::plural(3, "fault") == "3 faults");
    CHECK(pxos::plural(-1, "step") == "-1 steps");
}
