// The interpreter takes every instruction length from the opcode table
// (kLength<Opcode::X>, NEXT_AFTER(X)); a number written in vm/ where a
// length belongs would restate the table by hand. These tests read the
// sources of vm/ and look for the shapes such a number takes.
#include "test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct LiteralShape {
    const char* what;
    std::regex pattern;
};

// How a hand-written instruction length looks: `NEXT(4)`, `NEXT_BY(3)`;
// `kAddiLength = 4`, `length = ... ? 2 : 2`, `kAddiLength + 4`; the slot
// pointer or the pc moved by a number (`s += 4`, `PC + lo + 2`); a
// handler macro handed a length (`FUSED_ADDI_THEN(..., 3)`).
const std::vector<LiteralShape>& literal_shapes()
{
    static const std::vector<LiteralShape> shapes = {
        { "a NEXT macro given a number", std::regex(R"(\bNEXT\w*\s*\(\s*\d)") },
        { "a length given a number", std::regex(R"([Ll]ength\w*\s*=[^=;][^;]*\b[1-9]\d*\b)") },
        { "a length plus a number", std::regex(R"([Ll]ength\w*\s*[-+]\s*\d)") },
        { "the slot pointer moved by a number", std::regex(R"(\bs\s*(\+=|-=|\+|-)\s*\d)") },
        { "the pc moved by a number", std::regex(R"(\b(PC|pc|m_pc)\s*(\+\s*lo\s*)?(\+=|\+)\s*\d)") },
        { "a handler macro handed a number as its last argument", std::regex(R"(\b[A-Z][A-Z_]+\s*\(.*,\s*\d+\s*\)\s*;)") },
    };
    return shapes;
}

// One "name:line: what: text" per line of `source` holding a shape above
// (comments removed first).
std::vector<std::string> literal_lengths(const std::string& name, const std::string& source)
{
    static const std::regex block_comment(R"(/\*.*?\*/)");
    std::vector<std::string> findings;
    std::istringstream lines(source);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        std::string code = std::regex_replace(line, block_comment, "");
        if (auto comment = code.find("//"); comment != std::string::npos)
            code.erase(comment);
        for (const auto& shape : literal_shapes()) {
            if (std::regex_search(code, shape.pattern)) {
                auto first = line.find_first_not_of(' ');
                findings.push_back(name + ":" + std::to_string(number) + ": " + shape.what + ": "
                    + line.substr(first == std::string::npos ? 0 : first));
                break;
            }
        }
    }
    return findings;
}

// The sources of the machine layer, relative to the repository, sorted.
std::vector<std::string> vm_sources()
{
    std::vector<std::string> files;
    for (const char* folder : { "src/vm", "include/pxos/vm" }) {
        std::filesystem::path root = pxos::test::source_path(folder);
        for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
            auto extension = entry.path().extension();
            if (entry.is_regular_file() && (extension == ".cpp" || extension == ".hpp"))
                files.push_back(std::filesystem::path(folder)
                                    .append(std::filesystem::relative(entry.path(), root).string())
                                    .generic_string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

TEST_CASE("no instruction length is written as a number in vm/: the interpreter takes them from the opcode table",
    "[machine][sources]")
{
    auto files = vm_sources();
    REQUIRE(std::find(files.begin(), files.end(), "src/vm/cpu/machine.cpp") != files.end());
    REQUIRE(std::find(files.begin(), files.end(), "src/vm/cpu/interpreter.cpp") != files.end());
    REQUIRE(std::find(files.begin(), files.end(), "src/vm/cpu/slots.hpp") != files.end());
    REQUIRE(std::find(files.begin(), files.end(), "include/pxos/vm/machine.hpp") != files.end());
    std::vector<std::string> findings;
    for (const auto& file : files) {
        auto found = literal_lengths(file, pxos::test::read_text(pxos::test::source_path(file)));
        findings.insert(findings.end(), found.begin(), found.end());
    }
    CHECK(findings == std::vector<std::string> {});
}

TEST_CASE("the literal-length check reports each shape a hand-written length takes, with file and line",
    "[machine][sources]")
{
    // Lines of the interpreter as it was before its lengths came from the table.
    std::string before = "op_LOAD: {\n"
                         "    NEXT(4);\n"
                         "    NEXT_BY( 3 );\n"
                         "constexpr std::uint32_t kAddiLength = 4;\n"
                         "    std::uint32_t length = s->op == op_of(Opcode::CALL) ? 2 : 2;\n"
                         "constexpr std::uint32_t kLongestFusion = kAddiLength + 4;\n"
                         "        s += 4;                             \\\n"
                         "    STORE_WORD(sp, std::uint32_t(PC + lo + 2));\n"
                         "    FUSED_ADDI_THEN(r[s->a] != 0, 3);\n"
                         "    NEXT_AFTER(LOAD); // was NEXT(4)\n"
                         "    r[s->a] = r[s->b] << (r[s->c] & 31);\n"
                         "    FAULT(TrapCause::MemoryViolation, 0xffffffffu);\n"
                         "    std::uint32_t length = LENGTH_OF_EITHER(CALL, CALLR);\n"
                         "    s += kAddiLength;\n"
                         "    std::size_t length = 0; // a count, not an instruction's length\n";
    CHECK(literal_lengths("machine.cpp", before)
        == std::vector<std::string> {
            "machine.cpp:2: a NEXT macro given a number: NEXT(4);",
            "machine.cpp:3: a NEXT macro given a number: NEXT_BY( 3 );",
            "machine.cpp:4: a length given a number: constexpr std::uint32_t kAddiLength = 4;",
            "machine.cpp:5: a length given a number: std::uint32_t length = s->op == op_of(Opcode::CALL) ? 2 : 2;",
            "machine.cpp:6: a length plus a number: constexpr std::uint32_t kLongestFusion = kAddiLength + 4;",
            "machine.cpp:7: the slot pointer moved by a number: s += 4;                             \\",
            "machine.cpp:8: the pc moved by a number: STORE_WORD(sp, std::uint32_t(PC + lo + 2));",
            "machine.cpp:9: a handler macro handed a number as its last argument: FUSED_ADDI_THEN(r[s->a] != 0, 3);",
        });
}
