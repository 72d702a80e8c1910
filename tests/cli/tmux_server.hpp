// Driving pxos in a terminal for the [tmux] tests: a tmux server of the
// test's own, whose panes run pxos as a person would, typed into with
// send-keys and read with capture-pane.
#pragma once

#include "test_support.hpp"

#include <filesystem>
#include <string>

namespace pxos::test {

// Whether tmux is on PATH (scripts/setup.sh installs it).
bool tmux_available();

void pause_ms(int milliseconds);

// A tmux server of the test's own (its socket in a scratch folder), alive from construction
// to destruction.
// Killing a server's last session makes the server exit, and a new-session sent while it
// exits fails ("server exited unexpectedly", about 1 in 25 here), so a keeper session
// holds the server up between the test's sessions.
class TmuxServer {
public:
    TmuxServer();
    ~TmuxServer();
    TmuxServer(const TmuxServer&) = delete;
    TmuxServer& operator=(const TmuxServer&) = delete;

    bool started() const { return started_; }

    // The exit status of `tmux ARGUMENTS` on this server; its output goes to `output`.
    int command(const std::string& arguments, const std::string& output = "/dev/null");

    std::string text(const std::string& arguments);

    // Starts `shell_command` in a detached COLSxROWS session named `session`.
    bool start(const std::string& session, int cols, int rows, const std::string& shell_command);

    // The pane's text once it contains `text` (waiting up to 20 s), else the last capture.
    std::string wait_for_screen(const std::string& session, const std::string& wanted);

private:
    ScratchDirectory folder_;
    std::string socket_;
    bool started_ = false;
};

// The file's text once it exists (waiting up to 20 s).
std::string wait_for_file(const std::filesystem::path& path);

} // namespace pxos::test
