// Where `pxos run` gets the guest's console input from: a stream (stdin
// piped or redirected, `--input -`), read only as the guest's IN asks for
// bytes, or the terminal itself (interactive: keystrokes as they are typed).
// The machine blocks in next_byte() while a terminal has nothing typed; a
// Ctrl-C (SIGINT) stops the run there or, through interrupted(), between the
// pieces the run goes in.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/vm/machine.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace pxos::cli {

// The bytes of a file descriptor as the guest reads them, at most
// `max_bytes` (the input file cap): one byte more stops the run with an
// error(). When `terminal`, 0x04 (Ctrl-D) is the end of input from then on.
// A Ctrl-C while waiting (interrupted()) stops the run (ConsoleInput::kStop).
class FdConsoleInput final : public ConsoleInput {
public:
    FdConsoleInput(int fd, std::string name, std::uint64_t max_bytes, bool terminal);
    int next_byte() override;
    // Set when the input went over the cap (the run was stopped for it).
    const std::optional<Error>& error() const { return m_error; }

private:
    int m_fd;
    std::string m_name;
    std::uint64_t m_max_bytes;
    bool m_terminal;
    bool m_ended = false;
    std::uint64_t m_read = 0;
    unsigned char m_buffer[4096];
    std::size_t m_begin = 0, m_end = 0;
    std::optional<Error> m_error;
};

// While alive: the terminal on stdin in non-canonical mode without echo
// (output processing kept, so '\n' prints as CRLF; ICRNL kept, so Enter
// reads as '\n'; ISIG kept, so Ctrl-C is a SIGINT), SIGINT only sets
// interrupted(), and SIGTERM, SIGHUP and SIGQUIT restore the terminal
// before they end pxos. The destructor restores the terminal and the
// signals' old handlers. One at a time.
class InteractiveTerminal {
public:
    InteractiveTerminal();
    ~InteractiveTerminal();
    InteractiveTerminal(const InteractiveTerminal&) = delete;
    InteractiveTerminal& operator=(const InteractiveTerminal&) = delete;

    bool active() const { return m_active; } // false when stdin's modes could not be set (not a terminal)

private:
    bool m_active = false;
};

// While alive: a Ctrl-C (SIGINT) only sets interrupted(), so a run stops
// cleanly between its pieces; a second Ctrl-C ends pxos as the handler
// before did (main's: temporary files removed), the terminal restored
// first. The destructor puts the old handler back. One at a time.
class InterruptCatcher {
public:
    InterruptCatcher();
    ~InterruptCatcher();
    InterruptCatcher(const InterruptCatcher&) = delete;
    InterruptCatcher& operator=(const InterruptCatcher&) = delete;
};

// Whether a Ctrl-C (SIGINT) came while an InterruptCatcher or an
// InteractiveTerminal was alive.
bool interrupted();

} // namespace pxos::cli
