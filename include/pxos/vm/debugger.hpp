// The pixel debugger: commands over a booted machine (step, next,
// continue, breakpoints on addresses, labels, syscalls and faults,
// watchpoints on pixels, registers, processes, disassembly, memory, where,
// set). Each command returns its output text; the CLI reads the commands
// (a terminal or a --commands script) and prints the transcript. The same
// script always gives the same transcript.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/vm/machine.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace pxos {

class Debugger {
public:
    Debugger(std::unique_ptr<Machine> machine, SourceMap source_map, std::uint64_t max_steps);

    // Runs one command line; returns what it prints (ends with a newline, or empty).
    std::string execute(const std::string& line);
    bool done() const { return m_done; }
    // Whether the last command was refused (unknown, or an argument out of
    // range: the output says which and the range).
    bool failed() const { return m_failed; }

private:
    std::string run_command(const std::string& line);
    std::string refuse(std::string message);
    std::string where() const;
    std::string registers() const;
    std::string processes() const;
    std::string disassemble(std::uint32_t address, int count) const;
    std::string memory(std::uint32_t address, int count) const;
    // Steps one instruction; returns why it stopped there, or empty.
    std::string step_once();
    std::string run_until(const std::optional<std::uint32_t>& return_address, bool check_breaks);
    std::optional<std::uint32_t> parse_place(const std::string& text, std::string& error) const;

    std::unique_ptr<Machine> m_machine;
    SourceMap m_source_map;
    std::uint64_t m_max_steps;
    std::set<std::uint32_t> m_breakpoints;
    std::set<std::uint32_t> m_syscall_breaks;
    bool m_break_on_fault = false;
    std::map<std::uint32_t, std::uint32_t> m_watches; // address -> last value
    std::uint64_t m_faults_seen = 0;
    bool m_failed = false;
    bool m_done = false;
};

// The line an interactive prompt runs for the one typed: an empty line
// repeats the last step, next or continue typed (with its count), as gdb's
// Enter does, and `last_stepping` remembers it; a script's empty line does
// nothing, as in gdb, so the CLI calls this only at a terminal.
std::string line_to_run(const std::string& typed, std::string& last_stepping);

} // namespace pxos
