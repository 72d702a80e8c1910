#include "terminal.hpp"

#include "source_excerpt.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace pxos::cli {

namespace {

void write_stdout(std::string_view text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
}

// stderr, each message escaped as one line before the pattern adds its end.
class EscapingStderrSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& message) override
    {
        std::string payload = escape_for_terminal(std::string_view(message.payload.data(), message.payload.size()));
        spdlog::details::log_msg escaped = message;
        escaped.payload = spdlog::string_view_t(payload.data(), payload.size());
        spdlog::memory_buf_t formatted;
        formatter_->format(escaped, formatted);
        std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }
};

} // namespace

namespace {
CommonOptions g_common_options;
}

void set_common_options(const CommonOptions& options)
{
    g_common_options = options;
}

const CommonOptions& common_options()
{
    return g_common_options;
}

bool use_color(int fd)
{
    switch (g_common_options.color) {
    case ColorMode::Always: return true;
    case ColorMode::Never: return false;
    case ColorMode::Auto: break;
    }
    return ::isatty(fd) == 1 && std::getenv("NO_COLOR") == nullptr;
}

void setup_logging(Verbosity verbosity)
{
    spdlog::drop("pxos"); // set up again when a command changes its mind (--view)
    auto logger = std::make_shared<spdlog::logger>("pxos", std::make_shared<EscapingStderrSink>());
    spdlog::register_logger(logger);
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
    // A person reads a terminal: show the line of a YAML or pxasm error
    // under it. A pipe or a file keeps one line per diagnostic.
    bool show_source = ::isatty(STDERR_FILENO) == 1;
    // Diagnostics without a place are about pxos itself; say so.
    for (const Diagnostic& diagnostic : diagnostics) {
        std::fprintf(stderr, "%s%s\n", diagnostic.where.empty() ? "pxos: " : "",
            escape_for_terminal(diagnostic.format()).c_str());
        if (!show_source || !diagnostic.has_text_position())
            continue;
        if (auto excerpt = source_excerpt(diagnostic.location))
            std::fputs(excerpt->c_str(), stderr);
    }
}

int report_error(const Error& error)
{
    report_diagnostics(error.diagnostics());
    return exit_code_for(error.kind());
}

void print_report(std::string_view text)
{
    write_stdout(escape_for_terminal(text, TerminalLayout::KeepLines));
}

void print_result(std::string_view text)
{
    ConsoleStream stream;
    stream.write(text);
    stream.finish();
}

ConsoleStream::ConsoleStream()
    : m_terminal(::isatty(STDOUT_FILENO) == 1)
{
}

void ConsoleStream::write(std::string_view bytes)
{
    if (m_terminal)
        write_stdout(m_escaper.feed(bytes));
    else
        write_stdout(bytes);
}

void ConsoleStream::finish()
{
    if (m_terminal)
        write_stdout(m_escaper.finish());
}

} // namespace pxos::cli
