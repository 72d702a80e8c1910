// The interactive terminal: alternate screen, raw-mode keys, and drawing
// only the rows that changed. Restores the terminal on destruction, on
// SIGINT/SIGTERM and at exit, whatever happens.
#pragma once

#include "commands.hpp"
#include "pxos/view/terminal_view.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pxos::cli {

class TerminalScreen {
public:
    // True when stdin and stdout are terminals.
    static bool available();
    TerminalScreen();
    ~TerminalScreen();
    TerminalScreen(const TerminalScreen&) = delete;
    TerminalScreen& operator=(const TerminalScreen&) = delete;

    int columns() const { return m_columns; }
    int rows() const { return m_rows; }
    // Re-reads the terminal size; true when it changed.
    bool refresh_size();
    void draw(const std::vector<std::string>& lines);
    // Keys typed within `timeout_ms` (0: only those already waiting).
    std::vector<ViewKey> read_keys(int timeout_ms);

private:
    int m_columns = 80;
    int m_rows = 24;
    std::vector<std::string> m_shown;
};

struct TerminalSize {
    int columns;
    int rows;
};
// The size of the terminal on `fd`; none when it is not a terminal.
std::optional<TerminalSize> terminal_size(int fd);

// The initial view state for this terminal: the whole image (fit_view),
// colour as `color` says (use_color: --color, a terminal, NO_COLOR).
ViewState initial_view(int columns, int rows, int image_width, int image_height, bool color);

} // namespace pxos::cli

#include "pxos/isa/decoder.hpp"

#include <chrono>
#include <memory>

namespace pxos::cli {

// A live view of an image that changes (build --view, run --view): frames
// at most ~30 times a second, keys handled between them, the final frame
// kept until q unless told not to wait.
class LiveView {
public:
    explicit LiveView(bool wanted);
    bool active() const { return m_screen != nullptr; }
    // Draws when a frame is due (or `force`); returns false once q was pressed.
    bool show(const SimulatedVRAM& image, const Palette* palette, bool force = false);
    // The last frame; waits for q when `wait`.
    void finish(const SimulatedVRAM& image, const Palette* palette, bool wait);

private:
    std::unique_ptr<TerminalScreen> m_screen;
    ViewState m_state;
    std::chrono::steady_clock::time_point m_last_frame {};
    bool m_stopped = false;
    bool m_fitted = false; // the first frame fits the image to the terminal
};

} // namespace pxos::cli
