#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace pxos::cli {

ProgressLine::ProgressLine(bool enabled, Clock& clock, Write write)
    : m_enabled(enabled)
    , m_clock(clock)
    , m_write(std::move(write))
    , m_started(clock.now_ms())
{
}

ProgressLine ProgressLine::for_stderr(Verbosity verbosity, Clock& clock)
{
    bool enabled = verbosity != Verbosity::Quiet && ::isatty(STDERR_FILENO) == 1;
    return ProgressLine(enabled, clock, [](std::string_view text) {
        std::fwrite(text.data(), 1, text.size(), stderr);
        std::fflush(stderr);
    });
}

bool ProgressLine::due()
{
    if (!m_enabled)
        return false;
    double now = m_clock.now_ms();
    if (now - m_started < kFirstAfterMs)
        return false;
    return !m_drawn_once || now - m_last_drawn >= kRedrawEveryMs;
}

void ProgressLine::update(std::string_view text)
{
    if (!due())
        return;
    m_last_drawn = m_clock.now_ms();
    m_drawn_once = true;
    m_shown = true;
    std::string line = "\r";
    line += text;
    line += "\x1b[K";
    m_write(line);
}

void ProgressLine::clear()
{
    if (!m_shown)
        return;
    m_shown = false;
    m_write("\r\x1b[K");
}

std::string group_thousands(std::uint64_t value)
{
    std::string digits = std::to_string(value);
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0)
            grouped += ',';
        grouped += digits[i];
    }
    return grouped;
}

} // namespace pxos::cli
