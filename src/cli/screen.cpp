#include "screen.hpp"

#include "pxos/host/posix/file_system.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace pxos::cli {

namespace {

termios g_saved {};
bool g_raw = false;

void restore_terminal()
{
    if (!g_raw)
        return;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
    const char leave[] = "\x1b[0m\x1b[?25h\x1b[?1049l";
    (void)!write(STDOUT_FILENO, leave, sizeof leave - 1);
    g_raw = false;
}

void on_signal(int signal)
{
    restore_terminal();
    remove_pending_temporary_files();
    std::_Exit(128 + signal);
}

} // namespace

bool TerminalScreen::available()
{
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

TerminalScreen::TerminalScreen()
{
    tcgetattr(STDIN_FILENO, &g_saved);
    termios raw = g_saved;
    raw.c_lflag &= tcflag_t(~(ICANON | ECHO | ISIG));
    raw.c_iflag &= tcflag_t(~(IXON | ICRNL));
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    g_raw = true;
    std::atexit(restore_terminal);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGHUP, on_signal);
    std::fputs("\x1b[?1049h\x1b[?25l\x1b[2J", stdout);
    refresh_size();
}

TerminalScreen::~TerminalScreen()
{
    std::fflush(stdout);
    restore_terminal();
}

std::optional<TerminalSize> terminal_size(int fd)
{
    winsize size {};
    if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0 || size.ws_row == 0)
        return std::nullopt;
    return TerminalSize { int(size.ws_col), int(size.ws_row) };
}


bool TerminalScreen::refresh_size()
{
    auto size = terminal_size(STDOUT_FILENO);
    if (!size)
        return false;
    bool changed = size->columns != m_columns || size->rows != m_rows;
    m_columns = size->columns;
    m_rows = size->rows;
    if (changed)
        m_shown.clear();
    return changed;
}

void TerminalScreen::draw(const std::vector<std::string>& lines)
{
    std::string out;
    if (m_shown.size() != lines.size()) {
        m_shown.assign(lines.size(), std::string("\x01")); // nothing shown matches
        out += "\x1b[2J";
    }
    for (std::size_t row = 0; row < lines.size(); ++row) {
        if (m_shown[row] == lines[row])
            continue; // only rows that changed are redrawn
        out += "\x1b[" + std::to_string(row + 1) + ";1H" + lines[row] + "\x1b[0m\x1b[K";
        m_shown[row] = lines[row];
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
}

std::vector<ViewKey> TerminalScreen::read_keys(int timeout_ms)
{
    pollfd input { STDIN_FILENO, POLLIN, 0 };
    if (poll(&input, 1, timeout_ms) <= 0)
        return {};
    char buffer[64];
    ssize_t count = read(STDIN_FILENO, buffer, sizeof buffer);
    if (count <= 0)
        return {};
    return parse_keys(std::string_view(buffer, std::size_t(count)));
}

ViewState initial_view(int columns, int rows, int image_width, int image_height, bool color)
{
    ViewState state;
    state.columns = columns;
    state.rows = std::max(2, rows);
    state.color = color;
    fit_view(state, image_width, image_height);
    return state;
}

} // namespace pxos::cli

namespace pxos::cli {

LiveView::LiveView(bool wanted)
{
    if (!wanted)
        return;
    if (!TerminalScreen::available()) {
        std::fputs("pxos: --view needs a terminal; going on without it\n", stderr);
        return;
    }
    m_screen = std::make_unique<TerminalScreen>();
    m_state = initial_view(m_screen->columns(), m_screen->rows(), 1, 1, use_color(STDOUT_FILENO));
}

bool LiveView::show(const SimulatedVRAM& image, const Palette* palette, bool force)
{
    if (!m_screen || m_stopped)
        return !m_stopped;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - m_last_frame < std::chrono::milliseconds(33))
        return true;
    m_last_frame = now;
    if (!m_fitted) {
        fit_view(m_state, image.width(), image.height());
        m_fitted = true;
    }
    for (ViewKey key : m_screen->read_keys(0)) {
        apply_key(m_state, key, image.width(), image.height());
        if (m_state.quit)
            m_stopped = true;
    }
    if (m_screen->refresh_size()) {
        m_state.columns = m_screen->columns();
        m_state.rows = m_screen->rows();
    }
    m_screen->draw(render_view(image, m_state, palette));
    return !m_stopped;
}

void LiveView::finish(const SimulatedVRAM& image, const Palette* palette, bool wait)
{
    if (!m_screen)
        return;
    show(image, palette, true);
    m_state.quit = m_stopped;
    while (wait && !m_state.quit) {
        auto keys = m_screen->read_keys(100);
        for (ViewKey key : keys)
            apply_key(m_state, key, image.width(), image.height());
        if (m_screen->refresh_size()) {
            m_state.columns = m_screen->columns();
            m_state.rows = m_screen->rows();
        }
        if (!keys.empty() || true)
            m_screen->draw(render_view(image, m_state, palette));
    }
    m_screen.reset();
}

} // namespace pxos::cli
