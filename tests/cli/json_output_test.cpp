// Every --json output of every command (issue 16): one object (a JSON line
// each for the loop) with "schema": 1 first, and places as [x, y] arrays,
// never "(x,y)" strings. The commands are found from `pxos help` and their
// help, so a command that gains --json without a case here fails the test.
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

using pxos::test::CommandResult;
using pxos::test::run_pxos;
using pxos::test::ScratchDirectory;
using pxos::test::shell_quoted;

namespace {

// Keys that hold a place or a size: arrays of numbers wherever they appear.
bool is_place_key(const std::string& key)
{
    return key == "at" || key == "pc" || key == "base" || key == "pixel" || key == "position";
}

void check_places(const nlohmann::json& value, const std::string& path)
{
    static const std::regex place_text(R"(^\(-?\d+, ?-?\d+\)$)");
    INFO(path);
    if (value.is_string()) {
        CHECK_FALSE(std::regex_match(value.get<std::string>(), place_text));
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            check_places(value[i], path + "[" + std::to_string(i) + "]");
    } else if (value.is_object()) {
        for (const auto& [key, item] : value.items()) {
            if (is_place_key(key) && !item.is_null()) {
                INFO(path + "." + key);
                CHECK(item.is_array());
                if (item.is_array())
                    for (const auto& number : item)
                        CHECK(number.is_number());
            }
            check_places(item, path + "." + key);
        }
    }
}

void check_document(const std::string& text, const std::string& what)
{
    INFO(what << ":\n" << text.substr(0, 400));
    nlohmann::ordered_json document = nlohmann::ordered_json::parse(text, nullptr, false);
    REQUIRE_FALSE(document.is_discarded());
    REQUIRE(document.is_object());
    CHECK(document.begin().key() == "schema");
    CHECK(document["schema"] == 1);
    check_places(nlohmann::json(document), what);
}

} // namespace

TEST_CASE("every --json output is an object with schema 1 first and places as [x, y]", "[cli][json]")
{
    ScratchDirectory scratch;
    std::string roadmap = shell_quoted(pxos::test::source_path("roadmaps/ROADMAP_VRAM_OS.yaml"));
    REQUIRE(run_pxos("build " + roadmap + " -q -o os.png --provenance os.pxprov", scratch.path()).exit_code == 0);
    REQUIRE(run_pxos("run os.png -q -o after.png --max-steps 300000", scratch.path()).exit_code != 2);

    // What each command that takes --json is run with.
    const std::map<std::string, std::string> invocations {
        { "build", "build " + roadmap + " -q -o built.png --json" },
        { "run", "run os.png --json --max-steps 300000" },
        { "eval", "eval os.png --json --only structure" },
        { "loop", "loop " + shell_quoted(pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml"))
                + " 2 --proposer heuristic --out-dir loop -q --json" },
        { "blame", "blame os.png 1 385 --provenance os.pxprov --json" },
        { "diff", "diff os.png after.png --json" },
        { "disasm", "disasm os.png --at 0,240 --count 8 --json" },
        { "ops", "ops --json" },
        { "steps", "steps --json" },
        { "limits", "limits --json" },
        { "fs", "fs os.png ls / --json" },
        { "abi", "abi --json" },
    };
    CommandResult list = run_pxos("help", scratch.path());
    std::regex row(R"(^  ([a-z]+)  +\S)");
    std::istringstream lines(list.out);
    int with_json = 0;
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (!std::regex_search(line, match, row))
            continue;
        std::string name = match[1];
        if (run_pxos(name + " --help", scratch.path()).out.find("  --json ") == std::string::npos)
            continue;
        ++with_json;
        INFO(name);
        auto invocation = invocations.find(name);
        REQUIRE(invocation != invocations.end()); // add the new --json command above
        CommandResult result = run_pxos(invocation->second, scratch.path());
        INFO(result.err);
        CHECK(result.exit_code != 2);
        if (name == "loop") { // JSON Lines: one object a generation, then the summary
            std::istringstream records(result.out);
            int count = 0;
            for (std::string record; std::getline(records, record); ++count)
                check_document(record, "loop line " + std::to_string(count + 1));
            CHECK(count == 3);
        } else {
            check_document(result.out, name);
        }
    }
    CHECK(with_json == int(invocations.size()));
    // fs check --json too (a second document of fs).
    check_document(run_pxos("fs os.png check --json", scratch.path()).out, "fs check");
}
