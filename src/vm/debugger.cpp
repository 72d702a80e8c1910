#include "pxos/vm/debugger.hpp"

#include "pxos/isa/decoder.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/vm/run_report.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sstream>

namespace pxos {

namespace {

std::vector<std::string> words_of(const std::string& line)
{
    std::istringstream stream(line);
    std::vector<std::string> words;
    std::string word;
    while (stream >> word)
        words.push_back(word);
    return words;
}

std::optional<std::int64_t> number(const std::string& text)
{
    std::int64_t value = 0;
    const char* begin = text.data();
    int base = 10;
    std::string_view digits = text;
    bool negative = !digits.empty() && digits.front() == '-';
    if (negative)
        digits.remove_prefix(1);
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    (void)begin;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (error != std::errc() || end != digits.data() + digits.size() || digits.empty())
        return std::nullopt;
    return negative ? -value : value;
}

// A number of the command line within [low, high]; otherwise `error` names
// what it was for, the text and the range (nothing is truncated to fit).
std::optional<std::int64_t> number_in_range(const std::string& text, std::int64_t low, std::int64_t high,
    std::string_view what, std::string& error)
{
    auto value = number(text);
    if (value && *value >= low && *value <= high)
        return value;
    error = fmt::format("{} '{}' is {} (expected {}..{})", what, text, value ? "out of range" : "not a number", low,
        high);
    return std::nullopt;
}

constexpr std::string_view kHelp = "commands: step [n], next, continue, break X,Y | LABEL | syscall N | fault, "
                                   "watch X,Y, delete, regs, ps, disasm [X,Y] [n], mem X,Y [n], where, set rN=V, quit\n";

} // namespace

Debugger::Debugger(std::unique_ptr<Machine> machine, SourceMap source_map, std::uint64_t max_steps)
    : m_machine(std::move(machine))
    , m_source_map(std::move(source_map))
    , m_max_steps(max_steps)
{
}

std::optional<std::uint32_t> Debugger::parse_place(const std::string& text, std::string& error) const
{
    int width = m_machine->vram().width();
    auto comma = text.find(',');
    if (comma != std::string::npos) {
        std::string problem;
        auto x = number_in_range(text.substr(0, comma), 0, width - 1, "x", problem);
        auto y = x ? number_in_range(text.substr(comma + 1), 0, m_machine->vram().height() - 1, "y", problem)
                   : std::nullopt;
        if (!x || !y) {
            error = fmt::format("'{}' is not a pixel X,Y inside the {}x{} image: {}", text, width,
                m_machine->vram().height(), problem);
            return std::nullopt;
        }
        return std::uint32_t(*y) * std::uint32_t(width) + std::uint32_t(*x);
    }
    const auto& labels = m_source_map.labels();
    if (auto found = labels.find(text); found != labels.end())
        return found->second;
    std::vector<std::string> candidates;
    for (const auto& [name, address] : labels)
        if (name.size() > text.size() && name.compare(name.size() - text.size(), text.size(), text) == 0
            && name[name.size() - text.size() - 1] == ':')
            candidates.push_back(name);
    if (candidates.size() == 1)
        return labels.at(candidates.front());
    error = candidates.empty() ? fmt::format("no label '{}' (labels come from the image's source map)", text)
                               : fmt::format("'{}' is ambiguous: {}", text, fmt::join(candidates, ", "));
    return std::nullopt;
}

std::string Debugger::where() const
{
    int width = m_machine->vram().width();
    std::uint32_t pc = m_machine->pc();
    auto instruction = decode(m_machine->vram().words(), m_machine->vram().pixel_count(), pc, m_machine->palette());
    std::string text = fmt::format("{} {} {} {}", m_machine->user_mode() ? fmt::format("pid {}", m_machine->special(isa::Special::Pid)) : std::string("kernel"),
        format_address(pc, width), instruction ? format_instruction(*instruction) : std::string("(not an instruction)"),
        fmt::format("step {}", m_machine->steps()));
    if (auto location = m_source_map.find(pc))
        text += "  " + location->to_string();
    if (m_machine->halted())
        text += "  (halted)";
    return text + "\n";
}

std::string Debugger::registers() const
{
    const auto& r = m_machine->registers(m_machine->user_mode());
    std::string text;
    for (int i = 0; i < isa::kRegisterCount; ++i)
        text += fmt::format("{}{}={}", i % 8 ? " " : "", i == isa::kStackPointer ? std::string("sp") : fmt::format("r{}", i),
            std::int32_t(r[std::size_t(i)]))
            + (i % 8 == 7 ? "\n" : "");
    return text;
}

std::string Debugger::processes() const
{
    int width = m_machine->vram().width();
    std::string text;
    for (const ProcessInfo& process : m_machine->processes())
        text += fmt::format("pid {} {:<8} pc {} memory {}..{}{}\n", process.pid, isa::process_state_name(process.state),
            format_address(process.pc, width), format_address(process.base, width), format_address(process.limit, width),
            process.state == std::uint32_t(isa::ProcessState::Exited) ? fmt::format(" exit {}", process.exit_code) : "");
    return text.empty() ? std::string("no processes\n") : text;
}

std::string Debugger::disassemble(std::uint32_t address, int count) const
{
    int width = m_machine->vram().width();
    std::string text;
    for (int i = 0; i < count && address < m_machine->vram().pixel_count(); ++i) {
        auto instruction = decode(m_machine->vram().words(), m_machine->vram().pixel_count(), address, m_machine->palette());
        text += fmt::format("{}{:<11} {}\n", address == m_machine->pc() ? "=> " : "   ", format_address(address, width),
            instruction ? format_instruction(*instruction) : fmt::format(".word 0x{:08x}", m_machine->vram().words()[address]));
        address += instruction ? std::uint32_t(instruction->length()) : 1;
    }
    return text;
}

std::string Debugger::memory(std::uint32_t address, int count) const
{
    int width = m_machine->vram().width();
    std::string text;
    for (int i = 0; i < count && address + std::uint32_t(i) < m_machine->vram().pixel_count(); ++i) {
        std::uint32_t word = m_machine->vram().words()[address + std::uint32_t(i)];
        text += fmt::format("{:<11} 0x{:08x} {:>11} {}\n", format_address(address + std::uint32_t(i), width), word,
            std::int32_t(word), RGBA::from_word(word).to_string());
    }
    return text;
}

std::string Debugger::step_once()
{
    if (m_machine->halted())
        return "the machine has halted\n";
    RunResult result = m_machine->run(1);
    std::string reasons;
    if (result.fault_count > m_faults_seen) {
        if (m_break_on_fault)
            reasons += "fault: " + describe_fault(*result.latest_fault, m_machine->vram().width(), &m_source_map) + "\n";
        m_faults_seen = result.fault_count;
    }
    if (result.reason == StopReason::KernelPanic)
        reasons += "kernel panic: " + describe_fault(*result.panic, m_machine->vram().width(), &m_source_map) + "\n";
    for (auto& [address, last] : m_watches) {
        std::uint32_t now = m_machine->vram().words()[address];
        if (now != last) {
            reasons += fmt::format("watch {}: {} -> {}\n", format_address(address, m_machine->vram().width()),
                RGBA::from_word(last).to_string(), RGBA::from_word(now).to_string());
            last = now;
        }
    }
    if (m_machine->halted() && result.reason == StopReason::Halted)
        reasons += fmt::format("halted with code {}\n", result.halt_code);
    return reasons;
}

std::string Debugger::run_until(const std::optional<std::uint32_t>& return_address, bool check_breaks)
{
    bool start_user = m_machine->user_mode();
    for (std::uint64_t i = 0; i < m_max_steps; ++i) {
        std::string reasons = step_once();
        if (!reasons.empty() || m_machine->halted())
            return reasons;
        std::uint32_t pc = m_machine->pc();
        if (return_address && pc == *return_address && m_machine->user_mode() == start_user)
            return "";
        if (!check_breaks)
            continue;
        if (m_breakpoints.count(pc))
            return fmt::format("breakpoint at {}\n", format_address(pc, m_machine->vram().width()));
        if (!m_syscall_breaks.empty()) {
            auto instruction = decode(m_machine->vram().words(), m_machine->vram().pixel_count(), pc, m_machine->palette());
            if (instruction && instruction->info->opcode == isa::Opcode::SYSCALL
                && m_syscall_breaks.count(instruction->operands[0]))
                return fmt::format("syscall {} at {}\n", instruction->operands[0], format_address(pc, m_machine->vram().width()));
        }
    }
    return fmt::format("stopped: one continue reached {}\n", cap_text(Cap::StepBudget, m_max_steps));
}

std::string Debugger::execute(const std::string& line)
{
    m_failed = false;
    std::string text = run_command(line);
    return text;
}

std::string Debugger::refuse(std::string message)
{
    m_failed = true;
    return message + "\n";
}

std::string Debugger::run_command(const std::string& line)
{
    std::vector<std::string> words = words_of(line);
    if (words.empty())
        return "";
    const std::string& command = words[0];
    std::string error;
    if (command == "quit" || command == "q") {
        m_done = true;
        return "";
    }
    if (command == "help")
        return std::string(kHelp);
    if (command == "where")
        return where();
    if (command == "regs")
        return registers();
    if (command == "ps")
        return processes();
    if (command == "step" || command == "s") {
        std::int64_t count = 1;
        if (words.size() > 1) {
            auto parsed = number_in_range(words[1], 1, std::int64_t(std::min<std::uint64_t>(m_max_steps, INT64_MAX)),
                "step count", error);
            if (!parsed)
                return refuse(error);
            count = *parsed;
        }
        std::string text;
        for (std::int64_t i = 0; i < count && !m_machine->halted(); ++i) {
            std::string reasons = step_once();
            text += reasons;
            if (!reasons.empty())
                break;
        }
        return text + where();
    }
    if (command == "next" || command == "n") {
        auto instruction = decode(m_machine->vram().words(), m_machine->vram().pixel_count(), m_machine->pc(), m_machine->palette());
        // (Sequenced: the stop reason first, then where it stopped.)
        std::string reasons;
        if (instruction && (instruction->info->opcode == isa::Opcode::CALL || instruction->info->opcode == isa::Opcode::CALLR))
            reasons = run_until(m_machine->pc() + std::uint32_t(instruction->length()), true);
        else
            reasons = step_once();
        return reasons + where();
    }
    if (command == "continue" || command == "c") {
        std::string reasons = run_until(std::nullopt, true);
        return reasons + where();
    }
    if (command == "break" || command == "b") {
        if (words.size() == 3 && words[1] == "syscall") {
            auto n = number_in_range(words[2], 0, std::int64_t(UINT32_MAX), "syscall number", error);
            if (!n)
                return refuse(error);
            m_syscall_breaks.insert(std::uint32_t(*n));
            return fmt::format("break on syscall {}\n", *n);
        }
        if (words.size() == 2 && words[1] == "fault") {
            m_break_on_fault = true;
            return "break on faults\n";
        }
        if (words.size() != 2)
            return refuse("break X,Y | LABEL | syscall N | fault");
        auto address = parse_place(words[1], error);
        if (!address)
            return refuse(error);
        m_breakpoints.insert(*address);
        return fmt::format("breakpoint at {}\n", format_address(*address, m_machine->vram().width()));
    }
    if (command == "watch") {
        if (words.size() != 2)
            return refuse("watch X,Y");
        auto address = parse_place(words[1], error);
        if (!address)
            return refuse(error);
        m_watches[*address] = m_machine->vram().words()[*address];
        return fmt::format("watching {}\n", format_address(*address, m_machine->vram().width()));
    }
    if (command == "delete") {
        m_breakpoints.clear();
        m_syscall_breaks.clear();
        m_watches.clear();
        m_break_on_fault = false;
        return "deleted every breakpoint and watch\n";
    }
    if (command == "disasm" || command == "mem") {
        std::uint32_t address = m_machine->pc();
        std::size_t next = 1;
        if (words.size() > 1 && words[1].find(',') != std::string::npos) {
            auto place = parse_place(words[1], error);
            if (!place)
                return refuse(error);
            address = *place;
            next = 2;
        } else if (command == "mem") {
            return refuse("mem X,Y [n]");
        }
        int count = 8;
        if (words.size() > next) {
            auto parsed = number_in_range(words[next], 1, 256, "count", error);
            if (!parsed)
                return refuse(error);
            count = int(*parsed);
        }
        return command == "disasm" ? disassemble(address, count) : memory(address, count);
    }
    if (command == "set" && words.size() == 2) {
        auto equals = words[1].find('=');
        std::string name = words[1].substr(0, equals);
        int index = name == "sp" ? isa::kStackPointer
                                 : (name.size() > 1 && name[0] == 'r' ? int(number(name.substr(1)).value_or(-1) & 0xffff) : -1);
        if (equals == std::string::npos || index < 0 || index >= isa::kRegisterCount
            || (name != "sp" && name != fmt::format("r{}", index)))
            return refuse("set rN=VALUE (N 0..15, or sp)");
        // A register holds 32 bits: signed or unsigned, as long as it fits.
        auto parsed = number_in_range(words[1].substr(equals + 1), INT32_MIN, UINT32_MAX, "value", error);
        if (!parsed)
            return refuse(error);
        std::int64_t value = *parsed;
        m_machine->set_register(m_machine->user_mode(), index, std::uint32_t(value));
        return fmt::format("{}={}\n", name, std::int32_t(value));
    }
    m_failed = true;
    return fmt::format("unknown command '{}'; {}", command, kHelp);
}

std::string line_to_run(const std::string& typed, std::string& last_stepping)
{
    std::vector<std::string> words = words_of(typed);
    if (words.empty())
        return last_stepping;
    static constexpr std::string_view kStepping[] = { "step", "s", "next", "n", "continue", "c" };
    if (std::find(std::begin(kStepping), std::end(kStepping), words[0]) != std::end(kStepping))
        last_stepping = typed;
    return typed;
}

} // namespace pxos
