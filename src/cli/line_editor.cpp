#include "line_editor.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace pxos::cli {

LineEditor::Event LineEditor::feed(char byte)
{
    unsigned char c = static_cast<unsigned char>(byte);
    if (!m_escape.empty()) {
        m_escape += byte;
        // ESC [ or ESC O, then parameters (digits, ;) and one final byte.
        bool introducer = m_escape.size() == 2 && (byte == '[' || byte == 'O');
        bool parameter = m_escape.size() > 2 && ((byte >= '0' && byte <= '9') || byte == ';');
        if (introducer || parameter) {
            if (m_escape.size() > kMaxEscape)
                m_escape.clear();
            return Event::Edited;
        }
        std::string sequence = std::move(m_escape);
        m_escape.clear();
        if (sequence.size() > 2)
            handle_escape(sequence);
        return Event::Edited;
    }
    switch (c) {
    case '\r':
    case '\n':
        m_recalled.reset();
        if (!m_line.empty() && (m_history.empty() || m_history.back() != m_line)) {
            m_history.push_back(m_line);
            if (m_history.size() > kMaxHistory)
                m_history.pop_front();
        }
        return Event::Submitted;
    case 0x03: // Ctrl-C
        return Event::Cancelled;
    case 0x04: // Ctrl-D
        if (m_line.empty())
            return Event::EndOfInput;
        if (m_cursor < m_line.size())
            m_line.erase(m_cursor, 1);
        return Event::Edited;
    case 0x1b: m_escape = "\x1b"; return Event::Edited;
    case 0x01: m_cursor = 0; return Event::Edited;             // Ctrl-A
    case 0x05: m_cursor = m_line.size(); return Event::Edited; // Ctrl-E
    case 0x02:                                                 // Ctrl-B
        if (m_cursor > 0)
            --m_cursor;
        return Event::Edited;
    case 0x06: // Ctrl-F
        if (m_cursor < m_line.size())
            ++m_cursor;
        return Event::Edited;
    case 0x7f:
    case 0x08: // Backspace
        if (m_cursor > 0)
            m_line.erase(--m_cursor, 1);
        return Event::Edited;
    case 0x0b: m_line.erase(m_cursor); return Event::Edited; // Ctrl-K
    case 0x15:                                               // Ctrl-U
        m_line.erase(0, m_cursor);
        m_cursor = 0;
        return Event::Edited;
    case 0x10: recall(-1); return Event::Edited; // Ctrl-P
    case 0x0e: recall(+1); return Event::Edited; // Ctrl-N
    default: break;
    }
    if (c >= 0x20 && c < 0x7f && m_line.size() < kMaxLine)
        m_line.insert(m_cursor++, 1, byte);
    return Event::Edited; // other control bytes and non-ASCII: ignored
}

void LineEditor::handle_escape(std::string_view sequence)
{
    char final = sequence.back();
    std::string_view parameter = sequence.substr(2, sequence.size() - 3);
    switch (final) {
    case 'A': recall(-1); break;
    case 'B': recall(+1); break;
    case 'C':
        if (m_cursor < m_line.size())
            ++m_cursor;
        break;
    case 'D':
        if (m_cursor > 0)
            --m_cursor;
        break;
    case 'H': m_cursor = 0; break;
    case 'F': m_cursor = m_line.size(); break;
    case '~':
        if (parameter == "1" || parameter == "7")
            m_cursor = 0;
        else if (parameter == "4" || parameter == "8")
            m_cursor = m_line.size();
        else if (parameter == "3" && m_cursor < m_line.size())
            m_line.erase(m_cursor, 1);
        break;
    default: break; // keys the editor has no use for
    }
}

void LineEditor::recall(int direction)
{
    if (m_history.empty())
        return;
    if (direction < 0) {
        if (!m_recalled) {
            m_draft = m_line;
            m_recalled = m_history.size() - 1;
        } else if (*m_recalled > 0) {
            --*m_recalled;
        }
        m_line = m_history[*m_recalled];
    } else {
        if (!m_recalled)
            return;
        if (*m_recalled + 1 < m_history.size()) {
            ++*m_recalled;
            m_line = m_history[*m_recalled];
        } else {
            m_recalled.reset();
            m_line = m_draft;
        }
    }
    m_cursor = m_line.size();
}

void LineEditor::start_line()
{
    m_line.clear();
    m_cursor = 0;
    m_recalled.reset();
    m_draft.clear();
    m_escape.clear();
}

std::string LineEditor::render(std::string_view prompt) const
{
    std::string out = "\r";
    out += prompt;
    out += m_line;
    out += "\x1b[K";
    if (m_cursor < m_line.size())
        out += "\x1b[" + std::to_string(m_line.size() - m_cursor) + "D";
    return out;
}

namespace {

// The mode to restore when SIGTERM or SIGHUP ends pxos in the middle of a
// line (Ctrl-C is a byte in raw mode, not a signal).
termios g_cooked {};
struct sigaction g_previous_term {}, g_previous_hangup {};

void restore_and_die(int signal)
{
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_cooked);
    sigaction(signal, signal == SIGTERM ? &g_previous_term : &g_previous_hangup, nullptr);
    raise(signal);
}

// Raw mode for one line: bytes as typed, no echo, Ctrl-C a byte (the editor
// drops the line) rather than a signal; output processing stays on.
class RawInput {
public:
    RawInput()
    {
        if (tcgetattr(STDIN_FILENO, &m_saved) != 0)
            return;
        termios raw = m_saved;
        raw.c_lflag &= tcflag_t(~(ICANON | ECHO | ISIG | IEXTEN));
        raw.c_iflag &= tcflag_t(~(IXON | ICRNL | INLCR));
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        g_cooked = m_saved;
        struct sigaction restore {};
        restore.sa_handler = restore_and_die;
        sigemptyset(&restore.sa_mask);
        sigaction(SIGTERM, &restore, &g_previous_term);
        sigaction(SIGHUP, &restore, &g_previous_hangup);
        m_handlers = true;
        m_active = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
    }
    ~RawInput()
    {
        if (!m_handlers)
            return;
        if (m_active)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
        sigaction(SIGTERM, &g_previous_term, nullptr);
        sigaction(SIGHUP, &g_previous_hangup, nullptr);
    }
    RawInput(const RawInput&) = delete;
    RawInput& operator=(const RawInput&) = delete;

private:
    termios m_saved {};
    bool m_handlers = false; // SIGTERM and SIGHUP restore the terminal
    bool m_active = false;
};

void write_out(std::string_view bytes)
{
    while (!bytes.empty()) {
        ssize_t written = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
        if (written <= 0)
            return;
        bytes.remove_prefix(std::size_t(written));
    }
}

} // namespace

std::optional<std::string> read_terminal_line(LineEditor& editor, std::string_view prompt)
{
    std::fflush(stdout); // what the debugger printed comes before the prompt
    editor.start_line();
    RawInput raw;
    write_out(editor.render(prompt));
    for (;;) {
        char byte = 0;
        ssize_t count = ::read(STDIN_FILENO, &byte, 1);
        if (count < 0 && errno == EINTR)
            continue; // a signal (a resized terminal): the key is still to come
        if (count != 1) {
            write_out("\n");
            return std::nullopt;
        }
        switch (editor.feed(byte)) {
        case LineEditor::Event::Edited: write_out(editor.render(prompt)); break;
        case LineEditor::Event::Submitted: write_out("\n"); return editor.line();
        case LineEditor::Event::EndOfInput: write_out("\n"); return std::nullopt;
        case LineEditor::Event::Cancelled:
            write_out("^C\n");
            editor.start_line();
            write_out(editor.render(prompt));
            break;
        }
    }
}

} // namespace pxos::cli
