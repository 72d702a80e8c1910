// A progress line on stderr for work that lasts: shown only when stderr is
// a terminal and the command was not asked to be quiet, first after about
// a second (short work prints nothing), redrawn at most every ~100 ms as
// one line (`\r`, the text, `\x1b[K`), and cleared (`\r\x1b[K`) before
// anything else is printed and at the end. Nothing of it reaches a pipe or
// a file. Time comes from a Clock (tests use a fake one); where the line
// goes is a callback (stderr in the binary).
#pragma once

#include "commands.hpp"
#include "pxos/base/clock.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace pxos::cli {

class ProgressLine {
public:
    static constexpr double kFirstAfterMs = 1000;
    static constexpr double kRedrawEveryMs = 100;

    using Write = std::function<void(std::string_view)>;
    // `enabled`: whether to draw at all (for_stderr decides it for the binary).
    ProgressLine(bool enabled, Clock& clock, Write write);
    // Enabled when stderr is a terminal and `verbosity` is not Quiet; draws on stderr.
    static ProgressLine for_stderr(Verbosity verbosity, Clock& clock);
    ~ProgressLine() { clear(); }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    // Whether update() would draw now (enabled, past the first second and
    // the redraw interval): callers build the text only then.
    bool due();
    // Draws `text` (one line, no '\n') when due().
    void update(std::string_view text);
    // Removes the line if it is shown; the next update() draws it again.
    void clear();
    bool shown() const { return m_shown; }
    // Milliseconds since the line was made.
    double elapsed_ms() { return m_clock.now_ms() - m_started; }

private:
    bool m_enabled;
    Clock& m_clock;
    Write m_write;
    double m_started;
    double m_last_drawn = 0;
    bool m_drawn_once = false;
    bool m_shown = false;
};

// "12,345,678" (steps and rates read at a glance).
std::string group_thousands(std::uint64_t value);

} // namespace pxos::cli
