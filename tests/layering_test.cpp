// The layers of the source tree and what each may include: one table, read
// against every #include under src/, include/pxos/ and steps/, and against
// the DEPENDS of each pxos_layer() in CMakeLists.txt. A layer includes only
// the layers below it, so that a backend, the browser build or a test can
// take the lower layers without the host, the loop or the CLI.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Layer {
    const char* name;
    // Folders (relative to the source root) whose files belong to the layer.
    std::vector<const char*> folders;
    // The layers directly below it that it may include (and, through them,
    // all of theirs).
    std::vector<const char*> below;
};

// From the bottom up. A new folder under src/ needs a row here.
const std::vector<Layer> kLayers {
    { "base", { "src/base", "include/pxos/base" }, {} },
    { "image", { "src/image", "include/pxos/image" }, { "base" } },
    { "isa", { "src/isa", "include/pxos/isa" }, { "image" } },
    { "abi", { "src/abi", "include/pxos/abi" }, { "isa" } },
    { "store", { "src/store", "include/pxos/store" }, { "abi" } },
    { "asm", { "src/asm", "include/pxos/asm" }, { "abi" } },
    { "vm", { "src/vm", "include/pxos/vm" }, { "asm" } },
    { "roadmap", { "src/roadmap", "include/pxos/roadmap" }, { "vm" } },
    { "steps", { "steps" }, { "roadmap", "store" } },
    { "view", { "src/view", "include/pxos/view" }, { "abi" } },
    { "eval", { "src/eval", "include/pxos/eval" }, { "vm", "store" } },
    { "loop", { "src/loop", "include/pxos/loop" }, { "roadmap", "eval", "view" } },
    { "host_posix", { "src/host/posix", "include/pxos/host/posix" }, { "loop" } },
    { "cli", { "src/cli" }, { "host_posix", "steps" } },
};

const Layer* find_layer(std::string_view name)
{
    for (const Layer& layer : kLayers)
        if (layer.name == name)
            return &layer;
    return nullptr;
}

// Every layer a layer may include: itself and everything below it.
std::set<std::string> reachable(const Layer& layer)
{
    std::set<std::string> seen { layer.name };
    std::vector<const Layer*> todo { &layer };
    while (!todo.empty()) {
        const Layer* current = todo.back();
        todo.pop_back();
        for (const char* name : current->below)
            if (seen.insert(name).second)
                todo.push_back(find_layer(name));
    }
    return seen;
}

// The layer of a file, by its folder (the longest folder that holds it).
const Layer* layer_of_file(const std::string& relative)
{
    const Layer* best = nullptr;
    std::size_t best_length = 0;
    for (const Layer& layer : kLayers)
        for (std::string folder : layer.folders)
            if (relative.rfind(folder + "/", 0) == 0 && folder.size() > best_length) {
                best = &layer;
                best_length = folder.size();
            }
    return best;
}

// The layer an #include "..." names, or null for a file of the includer's
// own folder ("screen.hpp").
const Layer* layer_of_include(const std::string& name)
{
    if (name == "builtin_steps.hpp")
        return find_layer("steps");
    for (const Layer& layer : kLayers)
        for (std::string folder : layer.folders) {
            // Public headers by "pxos/<layer>/...", private ones by "<layer>/..." (src/ is on the path).
            std::string shown = folder.rfind("include/", 0) == 0 ? folder.substr(8)
                                : folder.rfind("src/", 0) == 0  ? folder.substr(4)
                                                                : folder;
            if (name.rfind(shown + "/", 0) == 0)
                return &layer;
        }
    return nullptr;
}

std::vector<std::string> source_files()
{
    std::vector<std::string> files;
    fs::path root(PXOS_SOURCE_DIR);
    for (const char* top : { "src", "include", "steps" })
        for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
            std::string extension = entry.path().extension().string();
            if (entry.is_regular_file() && (extension == ".cpp" || extension == ".hpp"))
                files.push_back(fs::relative(entry.path(), root).generic_string());
        }
    std::sort(files.begin(), files.end());
    return files;
}

std::string read_source(const std::string& relative)
{
    std::ifstream in(fs::path(PXOS_SOURCE_DIR) / relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

TEST_CASE("every source file belongs to a layer of the table", "[layering]")
{
    std::vector<std::string> orphans;
    for (const std::string& file : source_files())
        if (!layer_of_file(file))
            orphans.push_back(file);
    INFO("add the folder to kLayers in tests/layering_test.cpp");
    CHECK(orphans == std::vector<std::string> {});
}

TEST_CASE("layers include only the layers below them", "[layering]")
{
    std::regex include_line(R"re(^\s*#\s*include\s*"([^"]+)")re");
    std::vector<std::string> violations;
    std::size_t includes_checked = 0;
    for (const std::string& file : source_files()) {
        const Layer* layer = layer_of_file(file);
        if (!layer)
            continue;
        std::set<std::string> allowed = reachable(*layer);
        std::istringstream lines(read_source(file));
        std::string line;
        for (int number = 1; std::getline(lines, line); ++number) {
            std::smatch match;
            if (!std::regex_search(line, match, include_line))
                continue;
            ++includes_checked;
            const Layer* target = layer_of_include(match[1]);
            if (target && !allowed.count(target->name))
                violations.push_back(file + ":" + std::to_string(number) + ": layer " + layer->name
                    + " includes \"" + std::string(match[1]) + "\" of layer " + target->name + ", which is above it");
        }
    }
    CHECK(includes_checked > 200);
    CHECK(violations == std::vector<std::string> {});
}

TEST_CASE("public headers do not include yaml-cpp, nlohmann/json or stb", "[layering]")
{
    std::regex third_party(R"re(^\s*#\s*include\s*<(yaml-cpp/|nlohmann/|stb)[^>]*>)re");
    std::vector<std::string> violations;
    for (const std::string& file : source_files()) {
        if (file.rfind("include/", 0) != 0)
            continue;
        std::istringstream lines(read_source(file));
        std::string line;
        for (int number = 1; std::getline(lines, line); ++number)
            if (std::regex_search(line, third_party))
                violations.push_back(file + ":" + std::to_string(number) + ": " + line);
    }
    CHECK(violations == std::vector<std::string> {});
}

TEST_CASE("each layer's CMake library links only the layers below it", "[layering]")
{
    std::string cmake = read_source("CMakeLists.txt");
    // pxos_layer(NAME SOURCES ... DEPENDS pxos_a pxos_b ... PRIVATE ...)
    std::regex call(R"re(pxos_layer\((\w+)([^)]*)\))re");
    std::vector<std::string> violations;
    std::set<std::string> declared;
    for (auto it = std::sregex_iterator(cmake.begin(), cmake.end(), call); it != std::sregex_iterator(); ++it) {
        std::string name = (*it)[1];
        std::string arguments = (*it)[2];
        declared.insert(name);
        const Layer* layer = find_layer(name);
        if (!layer) {
            violations.push_back("pxos_layer(" + name + "): not a layer of the table");
            continue;
        }
        std::set<std::string> allowed = reachable(*layer);
        std::size_t depends = arguments.find("DEPENDS");
        if (depends == std::string::npos)
            continue;
        std::size_t end = arguments.find("PRIVATE", depends);
        std::istringstream words(arguments.substr(depends + 7, end == std::string::npos ? std::string::npos : end - depends - 7));
        std::string word;
        while (words >> word)
            if (word.rfind("pxos_", 0) == 0 && find_layer(word.substr(5)) && !allowed.count(word.substr(5)))
                violations.push_back("pxos_layer(" + name + ") links " + word + ", which is above it");
    }
    for (const char* name : { "base", "image", "isa", "asm", "vm", "roadmap", "view", "eval", "loop" })
        CHECK(declared.count(name) == 1);
    CHECK(violations == std::vector<std::string> {});
}

TEST_CASE("docs/LAYOUT.md lists the layers of the table with their folders and what they sit on", "[layering]")
{
    std::string doc = read_source("docs/LAYOUT.md");
    std::size_t begin = doc.find("<!-- layers:");
    std::size_t end = doc.find("<!-- end layers -->");
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    std::istringstream lines(doc.substr(begin, end - begin));
    std::string line;
    std::vector<std::string> documented;
    std::regex row(R"re(^\| `(\w+)` \| ([^|]+) \| [^|]+ \| [^|]+ \| ([^|]+) \|$)re");
    while (std::getline(lines, line)) {
        std::smatch match;
        if (std::regex_match(line, match, row))
            documented.push_back(std::string(match[1]) + ": " + std::string(match[2]) + " on " + std::string(match[3]));
    }
    std::vector<std::string> expected;
    for (const Layer& layer : kLayers) {
        std::string folders, below;
        for (const char* folder : layer.folders)
            folders += (folders.empty() ? "" : ", ") + std::string(folder);
        for (const char* name : layer.below)
            below += (below.empty() ? "" : ", ") + std::string("`") + name + "`";
        expected.push_back(std::string(layer.name) + ": " + folders + " on " + (below.empty() ? "—" : below));
    }
    CHECK(documented == expected);
}
