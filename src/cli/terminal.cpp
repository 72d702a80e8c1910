#include "terminal.hpp"

#include <cstdio>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace pxos::cli {

void setup_logging(Verbosity verbosity)
{
    spdlog::drop("pxos"); // set up again when a command changes its mind (--view)
    auto logger = spdlog::stderr_color_st("pxos");
    logger->set_pattern("%v");
    switch (verbosity) {
    case Verbosity::Quiet: logger->set_level(spdlog::level::warn); break;
    case Verbosity::Normal: logger->set_level(spdlog::level::info); break;
    case Verbosity::Verbose: logger->set_level(spdlog::level::debug); break;
    }
    spdlog::set_default_logger(logger);
}

void report_diagnostics(const std::vector<Diagnostic>& diagnostics)
{
    // Diagnostics without a place are about pxos itself; say so.
    for (const Diagnostic& diagnostic : diagnostics)
        std::fprintf(stderr, "%s%s\n", diagnostic.where.empty() ? "pxos: " : "", diagnostic.format().c_str());
}

int report_error(const Error& error)
{
    report_diagnostics(error.diagnostics());
    return exit_code_for(error.kind());
}

} // namespace pxos::cli
