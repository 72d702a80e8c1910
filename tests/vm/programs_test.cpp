// Runs every tests/programs/*.pxasm as process 1 of the default kernel and
// checks its inline expectations, so a new case is a new file:
//   ; input: "text\n"                 console input
//   ; max-steps: N                    step budget (default 5,000,000)
//   ; expect: output "text\n"         console output, exactly
//   ; expect: exit N                  process 1's exit code
//   ; expect: status N                what `pxos run` would exit with
//   ; expect: fault CAUSE line N      process 1 faults there (source line)
//   ; expect: register rN = V         process 1's register when it ended
//   ; expect: pixel X,Y = #rrggbb     a pixel of the VRAM after the run
#include "pxos/vm/machine.hpp"

#include "pxos/vm/run_report.hpp"
#include "test_support.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

namespace {

} // namespace

TEST_CASE("tests/programs: every program meets its expect lines", "[programs]")
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(pxos::test::source_path("tests/programs")))
        if (entry.path().extension() == ".pxasm")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 8);

    const std::regex input_line(R"(^; input: \"(.*)\"$)");
    const std::regex steps_line(R"(^; max-steps: (\d+)$)");
    const std::regex expect_line(R"(^; expect: (.*)$)");
    for (const auto& file : files) {
        INFO(file.filename().string());
        std::string text = pxos::test::read_text(file.string());
        std::string input;
        std::uint64_t max_steps = 5'000'000;
        std::vector<std::string> expectations;
        std::istringstream lines(text);
        std::string line;
        std::smatch match;
        while (std::getline(lines, line)) {
            if (std::regex_match(line, match, input_line))
                input = pxos::test::unescape(match[1]);
            else if (std::regex_match(line, match, steps_line))
                max_steps = std::stoull(match[1]);
            else if (std::regex_match(line, match, expect_line))
                expectations.push_back(match[1]);
        }
        REQUIRE_FALSE(expectations.empty());

        auto image = pxos::test::build_os({ pxos::test::ProgramSpec { "", true, 8, file.string() } });
        auto machine = pxos::Machine::boot(std::move(image.vram), file.filename().string());
        REQUIRE(machine.ok());
        (*machine)->set_input(input);
        pxos::RunResult result = (*machine)->run(max_steps);
        auto processes = (*machine)->processes();
        REQUIRE(processes.size() == 1);
        const pxos::ProcessInfo& process = processes[0];

        for (const std::string& expectation : expectations) {
            INFO("expect: " << expectation);
            if (std::regex_match(expectation, match, std::regex(R"(output \"(.*)\")"))) {
                CHECK((*machine)->console_output() == pxos::test::unescape(match[1]));
            } else if (std::regex_match(expectation, match, std::regex(R"(exit (-?\d+))"))) {
                CHECK(process.state == std::uint32_t(pxos::isa::ProcessState::Exited));
                CHECK(process.exit_code == std::stoi(match[1]));
            } else if (std::regex_match(expectation, match, std::regex(R"(status (\d+))"))) {
                CHECK(pxos::run_exit_status(result) == std::stoi(match[1]));
            } else if (std::regex_match(expectation, match, std::regex(R"(fault (\w+) line (\d+))"))) {
                REQUIRE(result.faults.size() == 1);
                CHECK(pxos::isa::trap_cause_name(result.faults[0].cause) == match[1].str());
                auto location = image.source_map.find(result.faults[0].pc);
                REQUIRE(location.has_value());
                CHECK(location->file == file.string());
                CHECK(location->line == std::stoi(match[2]));
            } else if (std::regex_match(expectation, match, std::regex(R"(register r(\d+) = (-?\d+))"))) {
                const pxos::SimulatedVRAM& vram = (*machine)->vram();
                std::uint32_t pcb = (*machine)->header().process_table;
                std::uint32_t address = pcb + std::uint32_t(pxos::isa::PcbField::Registers) + std::stoul(match[1]);
                CHECK(vram.words()[address] == std::uint32_t(std::stol(match[2])));
            } else if (std::regex_match(expectation, match,
                           std::regex(R"(pixel (\d+),(\d+) = #([0-9a-fA-F]{6}))"))) {
                std::uint32_t rgb = std::stoul(match[3], nullptr, 16);
                CHECK((*machine)->vram().pixel_unchecked(std::stoi(match[1]), std::stoi(match[2]))
                    == pxos::RGBA { std::uint8_t(rgb >> 16), std::uint8_t(rgb >> 8), std::uint8_t(rgb), 255 });
            } else {
                FAIL("unknown expectation '" << expectation << "'");
            }
        }
    }
}
