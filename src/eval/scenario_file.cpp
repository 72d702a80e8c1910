// The scenario files' parser (roadmaps/scenarios/README.md is the format):
// one `KEY value` a line, a scenario from its `scenario ID` line to the next.
#include "eval/scenario_file.hpp"

#include <charconv>
#include <fmt/format.h>
#include <set>

namespace pxos {

namespace {

class Parser {
public:
    Parser(std::string_view text, const std::string& file)
        : m_text(text)
        , m_file(file)
    {
    }

    Result<std::vector<Scenario>> parse()
    {
        if (m_text.size() > ScenarioLimits::kFileBytes)
            return Error::bad_input(m_file,
                fmt::format("the file has {} bytes, more than the {} a scenario file may have", m_text.size(),
                    ScenarioLimits::kFileBytes));
        std::size_t start = 0;
        while (start < m_text.size()) {
            std::size_t end = m_text.find('\n', start);
            if (end == std::string_view::npos)
                end = m_text.size();
            ++m_line;
            std::string_view line = m_text.substr(start, end - start);
            start = end + 1;
            if (line.size() > ScenarioLimits::kLineBytes)
                return error(fmt::format("the line has {} bytes, more than {}", line.size(), ScenarioLimits::kLineBytes));
            while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
                line.remove_suffix(1);
            std::size_t first = line.find_first_not_of(" \t");
            if (first == std::string_view::npos || line[first] == '#')
                continue;
            line.remove_prefix(first);
            std::size_t key_end = line.find_first_of(" \t");
            std::string_view key = line.substr(0, key_end);
            std::string_view value;
            if (key_end != std::string_view::npos) {
                value = line.substr(key_end);
                value.remove_prefix(value.find_first_not_of(" \t"));
            }
            if (auto done = statement(key, value); !done)
                return std::move(done).error();
        }
        if (auto done = finish(); !done)
            return std::move(done).error();
        if (m_scenarios.empty())
            return Error::bad_input(m_file, "the file holds no scenario (a `scenario ID` line starts one)");
        return std::move(m_scenarios);
    }

private:
    Error error(std::string message) const { return Error::bad_input(SourceLocation { m_file, m_line, 0 }, std::move(message)); }

    Result<void> statement(std::string_view key, std::string_view value)
    {
        if (key == "scenario")
            return start_scenario(value);
        if (!m_current)
            return error(fmt::format("`{}` before the first `scenario ID` line", key));
        Scenario& s = *m_current;
        if (++m_facts > ScenarioLimits::kFactsPerScenario)
            return error(fmt::format("scenario {} has more than {} lines", s.id, ScenarioLimits::kFactsPerScenario));
        if (key == "checks") {
            if (!s.checks.empty())
                return error(fmt::format("scenario {} has a second `checks` line", s.id));
            if (value.empty())
                return error("`checks` needs a line saying what the scenario checks");
            s.checks = std::string(value);
            return {};
        }
        if (key == "input" || key == "input-raw") {
            auto text = unescape(value);
            if (!text)
                return std::move(text).error();
            s.input += *text;
            if (key == "input")
                s.input += '\n';
            if (s.input.size() > ScenarioLimits::kInputBytes)
                return error(fmt::format("scenario {}'s input is longer than {} bytes", s.id, ScenarioLimits::kInputBytes));
            return {};
        }
        if (key == "expect" || key == "expect-part" || key == "absent") {
            auto text = unescape(value);
            if (!text)
                return std::move(text).error();
            if (text->empty() && key != "expect")
                return error(fmt::format("`{}` needs a text", key));
            if (key != "absent" && text->find('\n') != std::string::npos)
                return error(fmt::format("`{}` is one line: its text may not hold \\n", key));
            (key == "absent" ? s.absent : s.expect).push_back({ *text, key == "expect", m_line });
            return {};
        }
        if (key == "pixel")
            return pixel(s, value);
        if (key == "changed" || key == "unchanged")
            return area(s, value, key == "changed");
        if (key == "file" || key == "no-file")
            return store_fact(s, value, key == "file");
        if (key == "halt") {
            auto numbers = integers(value, 1, 1, "halt CODE");
            if (!numbers)
                return std::move(numbers).error();
            s.halt = std::uint32_t((*numbers)[0]);
            return {};
        }
        return error(fmt::format("unknown key `{}` (scenario, checks, input, input-raw, expect, expect-part, absent, "
                                 "pixel, changed, unchanged, file, no-file, halt)",
            key));
    }

    Result<void> start_scenario(std::string_view id)
    {
        if (auto done = finish(); !done)
            return done;
        if (id.empty() || id.size() > 48)
            return error("`scenario` needs an id of 1 to 48 characters");
        for (char c : id)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
                return error(fmt::format("the id \"{}\" may hold only a-z, 0-9, '-', '_' and '.'", id));
        if (!m_ids.insert(std::string(id)).second)
            return error(fmt::format("a second scenario with the id {}", id));
        if (m_scenarios.size() >= ScenarioLimits::kScenariosPerFile)
            return error(fmt::format("more than {} scenarios in one file", ScenarioLimits::kScenariosPerFile));
        m_scenarios.push_back({});
        m_current = &m_scenarios.back();
        m_current->id = std::string(id);
        m_current->file = m_file;
        m_current->line = m_line;
        m_facts = 0;
        return {};
    }

    // A scenario must say what it checks and expect something.
    Result<void> finish()
    {
        if (!m_current)
            return {};
        const Scenario& s = *m_current;
        auto at_start = [&](std::string message) {
            return Error::bad_input(SourceLocation { m_file, s.line, 0 }, std::move(message));
        };
        if (s.checks.empty())
            return at_start(fmt::format("scenario {} has no `checks` line", s.id));
        if (s.expect.empty() && s.absent.empty() && s.pixels.empty() && s.areas.empty() && s.files.empty() && !s.halt)
            return at_start(fmt::format("scenario {} expects nothing (expect, absent, pixel, changed, unchanged, file, "
                                        "no-file or halt)",
                s.id));
        m_current = nullptr;
        return {};
    }

    Result<std::vector<std::int64_t>> integers(std::string_view value, std::size_t least, std::size_t most,
        std::string_view form) const
    {
        std::vector<std::int64_t> numbers;
        while (!value.empty()) {
            std::size_t end = value.find_first_of(" \t");
            std::string_view word = value.substr(0, end);
            std::int64_t number = 0;
            auto [next, problem] = std::from_chars(word.data(), word.data() + word.size(), number);
            if (problem != std::errc() || next != word.data() + word.size() || number < 0
                || number > ScenarioLimits::kMaxCoordinate)
                return error(fmt::format("\"{}\" is not a number from 0 to {} (the form is `{}`)", word,
                    ScenarioLimits::kMaxCoordinate, form));
            if (numbers.size() == most)
                return error(fmt::format("too many numbers (the form is `{}`)", form));
            numbers.push_back(number);
            value = end == std::string_view::npos ? std::string_view() : value.substr(end);
            value.remove_prefix(std::min(value.size(), value.find_first_not_of(" \t")));
        }
        if (numbers.size() < least)
            return error(fmt::format("too few numbers (the form is `{}`)", form));
        return numbers;
    }

    Result<void> pixel(Scenario& s, std::string_view value)
    {
        auto n = integers(value, 6, 6, "pixel X Y R G B A");
        if (!n)
            return std::move(n).error();
        for (std::size_t i = 2; i < 6; ++i)
            if ((*n)[i] > 255)
                return error(fmt::format("the colour component {} is more than 255", (*n)[i]));
        s.pixels.push_back({ int((*n)[0]), int((*n)[1]),
            RGBA { std::uint8_t((*n)[2]), std::uint8_t((*n)[3]), std::uint8_t((*n)[4]), std::uint8_t((*n)[5]) },
            m_line });
        return {};
    }

    Result<void> area(Scenario& s, std::string_view value, bool changed)
    {
        auto n = integers(value, 4, changed ? 5 : 4, changed ? "changed X Y W H [AT_LEAST]" : "unchanged X Y W H");
        if (!n)
            return std::move(n).error();
        if ((*n)[2] == 0 || (*n)[3] == 0)
            return error("the area is empty (its width and height are at least 1)");
        ScenarioArea a { int((*n)[0]), int((*n)[1]), int((*n)[2]), int((*n)[3]), changed, 1, m_line };
        if (n->size() == 5)
            a.at_least = (*n)[4];
        if (a.at_least < 1 || a.at_least > std::int64_t(a.width) * a.height)
            return error(fmt::format("AT_LEAST {} is not between 1 and the area's {} pixels", a.at_least,
                std::int64_t(a.width) * a.height));
        s.areas.push_back(a);
        return {};
    }

    Result<void> store_fact(Scenario& s, std::string_view value, bool exists)
    {
        std::size_t end = value.find_first_of(" \t");
        std::string_view path = value.substr(0, end);
        if (path.empty() || path[0] != '/')
            return error(fmt::format("`{}` needs an absolute path (\"/a.txt\")", exists ? "file PATH TEXT" : "no-file PATH"));
        std::string_view rest = end == std::string_view::npos ? std::string_view() : value.substr(end);
        rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t")));
        if (!exists && !rest.empty())
            return error("`no-file PATH` takes only the path");
        auto content = unescape(rest);
        if (!content)
            return std::move(content).error();
        s.files.push_back({ std::string(path), exists, *content, m_line });
        return {};
    }

    // \n \t \r \s (a space) \\ \xHH
    Result<std::string> unescape(std::string_view value) const
    {
        std::string text;
        for (std::size_t i = 0; i < value.size(); ++i) {
            char c = value[i];
            if (c != '\\') {
                text += c;
                continue;
            }
            if (i + 1 == value.size())
                return error("a `\\` at the end of the line (write \\\\ for a backslash)");
            char e = value[++i];
            switch (e) {
            case 'n': text += '\n'; break;
            case 't': text += '\t'; break;
            case 'r': text += '\r'; break;
            case 's': text += ' '; break;
            case '\\': text += '\\'; break;
            case 'x': {
                unsigned byte = 0;
                if (i + 3 > value.size())
                    return error("`\\x` needs two hex digits");
                auto [next, problem] = std::from_chars(value.data() + i + 1, value.data() + i + 3, byte, 16);
                if (problem != std::errc() || next != value.data() + i + 3)
                    return error("`\\x` needs two hex digits");
                text += char(byte);
                i += 2;
                break;
            }
            default: return error(fmt::format("unknown escape `\\{}` (\\n \\t \\r \\s \\\\ \\xHH)", e));
            }
        }
        return text;
    }

    std::string_view m_text;
    std::string m_file;
    int m_line = 0;
    std::vector<Scenario> m_scenarios;
    Scenario* m_current = nullptr;
    std::size_t m_facts = 0;
    std::set<std::string> m_ids;
};

} // namespace

Result<std::vector<Scenario>> parse_scenarios(std::string_view text, const std::string& file)
{
    return Parser(text, file).parse();
}

Result<std::vector<Scenario>> parse_scenario_files(const std::vector<ScenarioSource>& files)
{
    std::vector<Scenario> all;
    std::set<std::string> ids;
    for (const ScenarioSource& source : files) {
        auto parsed = parse_scenarios(source.text, std::string(source.name));
        if (!parsed)
            return std::move(parsed).error();
        for (Scenario& scenario : *parsed) {
            if (!ids.insert(scenario.id).second)
                return Error::bad_input(SourceLocation { scenario.file, scenario.line, 0 },
                    fmt::format("the id {} is used by another scenario file too", scenario.id));
            all.push_back(std::move(scenario));
        }
    }
    return all;
}

const Result<std::vector<Scenario>>& builtin_scenarios()
{
    static const Result<std::vector<Scenario>> scenarios = parse_scenario_files(builtin_scenario_files());
    return scenarios;
}

} // namespace pxos
