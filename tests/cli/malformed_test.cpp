// The malformed-input suite: every case in tests/inputs/malformed/cases.json
// runs the real binary on a bad PNG, roadmap, pxasm file, provenance log or
// LLM reply, and must give its exit code and its one-line message (which
// names the place), write nothing, and leave existing output files as they
// were.
#include "test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/stat.h>

using pxos::test::ScratchDirectory;

namespace {

std::string from_hex(const std::string& hex)
{
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return bytes;
}

std::string quoted(const std::string& text)
{
    std::string out = "'";
    for (char c : text)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

} // namespace

TEST_CASE("the malformed-input suite gives each case its exit code and its message and writes nothing", "[malformed][cli]")
{
    std::string manifest_path = pxos::test::source_path("tests/inputs/malformed/cases.json");
    auto cases = nlohmann::json::parse(pxos::test::read_text(manifest_path));
    REQUIRE(cases.size() >= 50);
    // Issue 12's ten classes of hostile input each keep at least five cases.
    std::map<int, int> per_class;
    for (const auto& entry : cases)
        if (entry.contains("class"))
            ++per_class[entry.at("class").get<int>()];
    for (int hostile_class = 1; hostile_class <= 10; ++hostile_class) {
        INFO("class " << hostile_class);
        CHECK(per_class[hostile_class] >= 5);
    }
    for (const auto& [hostile_class, count] : per_class)
        CHECK((hostile_class >= 1 && hostile_class <= 10));
    const std::string sentinel = "existing output: must survive a failed command\n";
    for (const auto& entry : cases) {
        std::string name = entry.at("name");
        INFO("case " << name << ": pxos " << entry.at("args").get<std::string>());
        ScratchDirectory scratch;
        for (const auto& [file, spec] : entry.at("files").items()) {
            if (spec.contains("path"))
                std::filesystem::copy_file(
                    pxos::test::source_path("tests/inputs/malformed/" + spec.at("path").get<std::string>()), scratch.file(file));
            else if (spec.contains("fifo"))
                REQUIRE(::mkfifo(scratch.file(file).c_str(), 0644) == 0);
            else if (spec.contains("directory"))
                std::filesystem::create_directories(scratch.file(file));
            else if (spec.contains("symlink"))
                std::filesystem::create_symlink(spec.at("symlink").get<std::string>(), scratch.file(file));
            else
                scratch.write(file, spec.contains("hex") ? from_hex(spec.at("hex")) : spec.at("text").get<std::string>());
            if (spec.contains("mode"))
                std::filesystem::permissions(scratch.file(file),
                    std::filesystem::perms(std::stoi(spec.at("mode").get<std::string>(), nullptr, 8)));
        }
        for (const auto& output : entry.at("outputs"))
            scratch.write(output.get<std::string>(), sentinel);
        std::vector<std::string> before = scratch.list();

        std::string arguments = entry.at("args");
        for (std::size_t at; (at = arguments.find("@MINIMAL@")) != std::string::npos;)
            arguments.replace(at, 9, quoted(pxos::test::source_path("roadmaps/ROADMAP_MINIMAL.yaml")));
        for (std::size_t at; (at = arguments.find("@INPUTS@")) != std::string::npos;)
            arguments.replace(at, 8, quoted(pxos::test::source_path("tests/inputs")));
        for (std::size_t at; (at = arguments.find("@PXOS@")) != std::string::npos;) // a second command, after &&
            arguments.replace(at, 6, quoted(PXOS_BINARY));
        auto result = pxos::test::run_pxos(arguments, scratch.path());

        CHECK(result.exit_code == entry.at("exit").get<int>());
        if (entry.contains("stdout_max_bytes"))
            CHECK(result.out.size() <= entry.at("stdout_max_bytes").get<std::size_t>());
        if (entry.contains("stdout"))
            CHECK(result.out.find(entry.at("stdout").get<std::string>()) != std::string::npos);
        if (entry.contains("stderr_lines")) { // the error is one line (plus what the case allows)
            std::size_t lines = std::size_t(std::count(result.err.begin(), result.err.end(), '\n'));
            CHECK(lines <= entry.at("stderr_lines").get<std::size_t>());
        }
        std::string message = entry.at("message");
        INFO("stderr: " << result.err);
        CHECK(result.err.find(message) != std::string::npos);
        CHECK(result.err.find("terminate called") == std::string::npos);
        for (const auto& output : entry.at("outputs"))
            CHECK(pxos::test::read_text(scratch.file(output.get<std::string>())) == sentinel);
        if (!entry.at("writes").get<bool>())
            CHECK(scratch.list() == before); // no new files, no temp files left behind
        for (const auto& absent : entry.value("absent", nlohmann::json::array()))
            CHECK(!std::filesystem::exists(std::filesystem::symlink_status(scratch.file(absent.get<std::string>()))));
    }
}
