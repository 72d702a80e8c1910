#include "console_input.hpp"

#include "pxos/base/file_system.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace pxos::cli {

namespace {

// What the signal handlers share with the rest: set once by the
// InteractiveTerminal, read by the handlers (async-signal-safe calls only).
volatile std::sig_atomic_t g_interrupted = 0;
volatile std::sig_atomic_t g_terminal_saved = 0;
struct termios g_saved_terminal;

constexpr std::array kEndingSignals = { SIGTERM, SIGHUP, SIGQUIT, SIGABRT };
struct sigaction g_old_interrupt;
struct sigaction g_catcher_old_interrupt; // the handler before the InterruptCatcher's
volatile std::sig_atomic_t g_catcher_active = 0;
std::array<struct sigaction, kEndingSignals.size()> g_old_ending;

// The first Ctrl-C asks the run to stop; a second one (the run did not
// stop, or writing its files takes long) ends pxos with the handler the
// catcher found (main's removes temporary files), the terminal restored.
void on_interrupt(int signal)
{
    if (!g_interrupted || !g_catcher_active) {
        g_interrupted = 1;
        return;
    }
    if (g_terminal_saved)
        ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
    ::sigaction(signal, &g_catcher_old_interrupt, nullptr);
    ::raise(signal);
}

// Installed with SA_RESETHAND: restore the terminal, then the signal, raised
// again, ends pxos as it would have (once this handler returns).
void on_ending_signal(int signal)
{
    if (g_terminal_saved)
        ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
    ::raise(signal);
}

// How long one wait for input lasts before it looks at interrupted() again
// (a SIGINT just before the wait does not end it).
constexpr int kPollMilliseconds = 100;
constexpr unsigned char kEndOfTransmission = 0x04; // Ctrl-D

} // namespace

bool interrupted()
{
    return g_interrupted != 0;
}

FdConsoleInput::FdConsoleInput(int fd, std::string name, std::uint64_t max_bytes, bool terminal)
    : m_fd(fd)
    , m_name(std::move(name))
    , m_max_bytes(max_bytes)
    , m_terminal(terminal)
{
}

int FdConsoleInput::next_byte()
{
    if (m_ended)
        return kEnd;
    while (m_begin == m_end) {
        if (interrupted())
            return kStop;
        pollfd wanted { m_fd, POLLIN, 0 };
        int ready = ::poll(&wanted, 1, kPollMilliseconds);
        if (ready == 0 || (ready < 0 && errno == EINTR))
            continue;
        ssize_t count = ::read(m_fd, m_buffer, sizeof m_buffer);
        if (count < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (count <= 0) { // the end of the stream, or it cannot be read: the end of input
            m_ended = true;
            return kEnd;
        }
        m_begin = 0;
        m_end = std::size_t(count);
    }
    if (interrupted())
        return kStop;
    unsigned char byte = m_buffer[m_begin++];
    if (m_terminal && byte == kEndOfTransmission) {
        m_ended = true;
        return kEnd;
    }
    if (m_read == m_max_bytes) {
        m_ended = true;
        m_error = Error::bad_input(m_name,
            "console input is " + file_messages::over_limit(m_max_bytes, Cap::InputFile));
        return kStop;
    }
    ++m_read;
    return byte;
}

InterruptCatcher::InterruptCatcher()
{
    g_interrupted = 0;
    struct sigaction interrupt {};
    interrupt.sa_handler = on_interrupt; // no SA_RESTART: a blocked read returns
    sigemptyset(&interrupt.sa_mask);
    ::sigaction(SIGINT, &interrupt, &g_catcher_old_interrupt);
    // A SIGINT ignored before (nohup, `cmd &` in a shell) stays ignored.
    if (g_catcher_old_interrupt.sa_handler == SIG_IGN)
        ::sigaction(SIGINT, &g_catcher_old_interrupt, nullptr);
    g_catcher_active = 1;
}

InterruptCatcher::~InterruptCatcher()
{
    g_catcher_active = 0;
    ::sigaction(SIGINT, &g_catcher_old_interrupt, nullptr);
}

InteractiveTerminal::InteractiveTerminal()
{
    if (::tcgetattr(STDIN_FILENO, &g_saved_terminal) != 0)
        return;
    struct termios raw = g_saved_terminal;
    raw.c_lflag &= ~tcflag_t(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    raw.c_cc[VSUSP] = _POSIX_VDISABLE; // Ctrl-Z is the guest's: a stopped pxos would leave the terminal raw
    g_terminal_saved = 1;
    struct sigaction interrupt {};
    interrupt.sa_handler = on_interrupt; // no SA_RESTART: a blocked read returns
    sigemptyset(&interrupt.sa_mask);
    ::sigaction(SIGINT, &interrupt, &g_old_interrupt);
    struct sigaction ending {};
    ending.sa_handler = on_ending_signal;
    ending.sa_flags = SA_RESETHAND;
    sigemptyset(&ending.sa_mask);
    for (std::size_t i = 0; i < kEndingSignals.size(); ++i)
        ::sigaction(kEndingSignals[i], &ending, &g_old_ending[i]);
    m_active = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

InteractiveTerminal::~InteractiveTerminal()
{
    if (!g_terminal_saved)
        return;
    ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
    g_terminal_saved = 0;
    ::sigaction(SIGINT, &g_old_interrupt, nullptr);
    for (std::size_t i = 0; i < kEndingSignals.size(); ++i)
        ::sigaction(kEndingSignals[i], &g_old_ending[i], nullptr);
}

} // namespace pxos::cli
