#include "tmux_server.hpp"

#include <cstdlib>

namespace pxos::test {

bool tmux_available()
{
    return std::system("command -v tmux >/dev/null 2>&1") == 0;
}

void pause_ms(int milliseconds)
{
    std::system(("sleep " + std::to_string(milliseconds / 1000.0)).c_str());
}

TmuxServer::TmuxServer()
    : socket_(folder_.file("tmux.socket"))
{
    started_ = command("new-session -d -s keeper -x 80 -y 24 'sleep 600'") == 0;
}

TmuxServer::~TmuxServer()
{
    command("kill-server");
}

int TmuxServer::command(const std::string& arguments, const std::string& output)
{
    return std::system(("tmux -S '" + socket_ + "' " + arguments + " > '" + output + "' 2>&1").c_str());
}

std::string TmuxServer::text(const std::string& arguments)
{
    ScratchDirectory capture;
    command(arguments, capture.file("out"));
    return read_text(capture.file("out"));
}

bool TmuxServer::start(const std::string& session, int cols, int rows, const std::string& shell_command)
{
    return command("new-session -d -s " + session + " -x " + std::to_string(cols) + " -y " + std::to_string(rows)
               + " \"" + shell_command + "\"")
        == 0;
}

std::string TmuxServer::wait_for_screen(const std::string& session, const std::string& wanted)
{
    std::string screen;
    for (int i = 0; i < 200; ++i) {
        screen = text("capture-pane -p -N -t " + session);
        if (screen.find(wanted) != std::string::npos)
            break;
        pause_ms(100);
    }
    return screen;
}

std::string wait_for_file(const std::filesystem::path& path)
{
    for (int i = 0; i < 200 && !std::filesystem::exists(path); ++i)
        pause_ms(100);
    pause_ms(100);
    return read_text(path.string());
}

} // namespace pxos::test
