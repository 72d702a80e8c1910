// Terminal output shared by the subcommands: the stderr logger, and the
// rendering of diagnostics (one line each) with the exit code they map to.
#pragma once

#include "commands.hpp"
#include "pxos/diagnostic.hpp"

#include <vector>

namespace pxos::cli {

// Creates the stderr logger at the chosen level (stdout stays for results).
void setup_logging(Verbosity verbosity);

// Prints every diagnostic of the error to stderr; returns its exit code.
int report_error(const Error& error);
void report_diagnostics(const std::vector<Diagnostic>& diagnostics);

} // namespace pxos::cli
