// Terminal output shared by the subcommands: the stderr logger, and the
// rendering of diagnostics (one line each, on a terminal with the source
// line of a YAML or pxasm error) with the exit code they map to.
// Text from files, roadmaps, replies and guests reaches the terminal only
// through escape_for_terminal (pxos/text.hpp): diagnostics and log lines as
// one line each, human-readable reports with their lines kept.
#pragma once

#include "commands.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/base/text.hpp"

#include <cstdio>
#include <string_view>
#include <vector>

namespace pxos::cli {

// Creates the stderr logger at the chosen level (stdout stays for results).
// Every message is escaped as one line.
void setup_logging(Verbosity verbosity);

// Prints every diagnostic of the error to stderr; returns its exit code. On
// a terminal, one at a line and column of a text file is followed by that
// line and a caret under the column (source_excerpt.hpp).
int report_error(const Error& error);
void report_diagnostics(const std::vector<Diagnostic>& diagnostics);

// A human-readable report on stdout (blame, eval's summary, the debugger),
// escaped with its lines kept. JSON goes through write_json instead.
void print_report(std::string_view text);

// A result on stdout (the path of a file written): its bytes as they are to
// a file or a pipe, escaped on a terminal, as ConsoleStream does.
void print_result(std::string_view text);

// The guest's console on stdout. It is the program's output, so when stdout
// is a file or a pipe its bytes go out as they are; on a terminal, control
// characters other than \n, \r, \t and backspace (and bytes that are not
// UTF-8) are shown escaped, so a guest cannot drive the terminal.
class ConsoleStream {
public:
    // On `stream` (stdout; stderr when stdout carries a PNG).
    explicit ConsoleStream(std::FILE* stream = stdout);
    void write(std::string_view bytes);
    void finish(); // an unfinished UTF-8 sequence at the end, on a terminal

private:
    std::FILE* m_file;
    bool m_terminal;
    TerminalEscaper m_escaper { TerminalLayout::Console };
};

} // namespace pxos::cli
