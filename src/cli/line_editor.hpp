// The debugger's prompt on a terminal: a line editor of our own rather than
// libedit, since the debugger needs one prompt's worth (ASCII commands,
// no completion, no history file) and a library would add a package to
// scripts/setup.sh and a dependency to every build for ~200 lines.
// LineEditor is the pure part: keystroke bytes in, the line, cursor and
// history out (tested by feeding bytes); read_terminal_line puts the
// terminal in raw mode for one line and draws it. Bounded: a line holds at
// most kMaxLine bytes, the history kMaxHistory lines, an escape sequence
// kMaxEscape bytes (a longer one is dropped).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace pxos::cli {

class LineEditor {
public:
    static constexpr std::size_t kMaxLine = 1024;
    static constexpr std::size_t kMaxHistory = 200;
    static constexpr std::size_t kMaxEscape = 8;

    // What a byte did to the line being edited.
    enum class Event {
        Edited,     // the line or the cursor may have changed (or nothing)
        Submitted,  // Enter: line() is the line, now in the history unless empty or a repeat
        EndOfInput, // Ctrl-D on an empty line
        Cancelled,  // Ctrl-C: the line is dropped
    };

    // Keys: printable ASCII inserts at the cursor; Left/Right (and Ctrl-B/F),
    // Home/End (and Ctrl-A/E), Backspace, Delete (and Ctrl-D on a non-empty
    // line), Ctrl-K and Ctrl-U kill to the end and to the start, Up/Down (and
    // Ctrl-P/N) walk the history, keeping the line being typed to come back to.
    Event feed(char byte);
    // Empties the line for the next prompt (after Submitted or Cancelled).
    void start_line();

    const std::string& line() const { return m_line; }
    std::size_t cursor() const { return m_cursor; }
    const std::deque<std::string>& history() const { return m_history; }

    // The bytes that redraw the line after `prompt` on a terminal: back to the
    // column 0, the prompt and the line, the rest of the row cleared, the
    // cursor moved back to its place.
    std::string render(std::string_view prompt) const;

private:
    void handle_escape(std::string_view sequence);
    void recall(int direction);

    std::string m_line;
    std::size_t m_cursor = 0;
    std::deque<std::string> m_history;
    std::optional<std::size_t> m_recalled; // the history line shown, while walking it
    std::string m_draft;                   // the line typed before Up
    std::string m_escape;                  // an escape sequence being read
};

// One line from the terminal on stdin, edited with `editor` after `prompt`
// (drawn on stdout); none at Ctrl-D on an empty line or the end of input.
// Ctrl-C drops the line and prompts again. The terminal's mode is restored
// before it returns.
std::optional<std::string> read_terminal_line(LineEditor& editor, std::string_view prompt);

} // namespace pxos::cli
