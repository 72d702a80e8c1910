// The scenario suite's data files (roadmaps/scenarios/*.scn, compiled into
// the binary; the format is roadmaps/scenarios/README.md): what a scenario
// types into the shell and what it expects of the console, the pixels and
// the store afterwards. Parsing is bounded and names file:line on errors.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/image/vram.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// The bounds of a scenario file.
struct ScenarioLimits {
    static constexpr std::size_t kFileBytes = 64 * 1024;
    static constexpr std::size_t kLineBytes = 512;
    static constexpr std::size_t kScenariosPerFile = 200;
    static constexpr std::size_t kFactsPerScenario = 64;
    static constexpr std::size_t kInputBytes = 4096;
    static constexpr int kMaxCoordinate = 65535;
};

struct ScenarioPixel {
    int x = 0, y = 0;
    RGBA colour;
    int line = 0;
};

// A rectangle of the image (absolute pixel coordinates) that changed (at
// least `at_least` pixels differ from the image before the run) or did not.
struct ScenarioArea {
    int x = 0, y = 0, width = 0, height = 0;
    bool changed = true;
    std::int64_t at_least = 1;
    int line = 0;
};

// A file of the after-image's store: it exists with these words (one per
// character), or it does not exist.
struct ScenarioStoreFact {
    std::string path;
    bool exists = true;
    std::string content;
    int line = 0;
};

// An expected console line: the whole line (`expect`) or a line holding it
// (`expect-part`), each after the previous one.
struct ScenarioLine {
    std::string text;
    bool whole = true;
    int line = 0;
};

struct Scenario {
    std::string id;
    std::string checks;      // what it checks, one line
    std::string file;        // "shell.scn"
    int line = 0;            // of its `scenario` line
    std::string input;       // the console input typed into the shell
    std::vector<ScenarioLine> expect;
    std::vector<ScenarioLine> absent; // text that appears nowhere in the output
    std::vector<ScenarioPixel> pixels;
    std::vector<ScenarioArea> areas;
    std::vector<ScenarioStoreFact> files;
    std::optional<std::uint32_t> halt; // the kernel halts with this code
};

// Parses one file's text; `file` names it in errors ("shell.scn:12: ...").
Result<std::vector<Scenario>> parse_scenarios(std::string_view text, const std::string& file);

// The scenario files compiled into the binary (roadmaps/scenarios/*.scn),
// by file name, in name order.
struct ScenarioSource {
    std::string_view name;
    std::string_view text;
};
const std::vector<ScenarioSource>& builtin_scenario_files();

// Every compiled-in scenario, parsed once (ids unique across the files);
// an error names the file and line.
const Result<std::vector<Scenario>>& builtin_scenarios();

// Parses several files into one suite, refusing an id given twice.
Result<std::vector<Scenario>> parse_scenario_files(const std::vector<ScenarioSource>& files);

} // namespace pxos
