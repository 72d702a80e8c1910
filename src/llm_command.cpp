#include "pxos/llm_command.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pxos {

std::string shell_quote(const std::string& text)
{
    std::string quoted = "'";
    for (char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

ShellLlmClient::ShellLlmClient(std::string command, double timeout_seconds, std::size_t max_reply_bytes)
    : m_command(std::move(command))
    , m_timeout_seconds(timeout_seconds)
    , m_max_reply_bytes(max_reply_bytes)
{
}

CommandOutcome ShellLlmClient::run(const std::string& prompt, const std::string& prompt_file)
{
    CommandOutcome outcome;
    std::string command = m_command;
    for (std::size_t at; (at = command.find("{prompt_file}")) != std::string::npos;)
        command.replace(at, 13, shell_quote(prompt_file));

    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        outcome.start_error = std::string("cannot create pipes: ") + std::strerror(errno);
        return outcome;
    }
    pid_t pid = fork();
    if (pid < 0) {
        outcome.start_error = std::string("cannot fork: ") + std::strerror(errno);
        return outcome;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    setpgid(pid, pid);
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);

    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(m_timeout_seconds);
    std::size_t written = 0;
    int input = in_pipe[1];
    bool out_open = true, err_open = true;
    char buffer[65536];
    signal(SIGPIPE, SIG_IGN); // a command that does not read its stdin must not kill pxos
    while (out_open || err_open) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            outcome.timed_out = true;
            break;
        }
        int wait_ms = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1;
        pollfd fds[3];
        int count = 0;
        int out_index = -1, err_index = -1, in_index = -1;
        if (out_open)
            fds[out_index = count++] = { out_pipe[0], POLLIN, 0 };
        if (err_open)
            fds[err_index = count++] = { err_pipe[0], POLLIN, 0 };
        if (input >= 0)
            fds[in_index = count++] = { input, POLLOUT, 0 };
        if (poll(fds, nfds_t(count), wait_ms) < 0 && errno != EINTR)
            break;
        if (in_index >= 0 && fds[in_index].revents) {
            ssize_t n = write(input, prompt.data() + written, prompt.size() - written);
            if (n > 0)
                written += std::size_t(n);
            if (n < 0 && errno != EAGAIN) {
                close(input);
                input = -1;
            } else if (written == prompt.size()) {
                close(input);
                input = -1;
            }
        }
        if (out_index >= 0 && fds[out_index].revents) {
            ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
            if (n <= 0) {
                out_open = false;
            } else {
                outcome.out.append(buffer, std::size_t(n));
                if (outcome.out.size() > m_max_reply_bytes) {
                    outcome.too_large = true;
                    outcome.reply_cap = m_max_reply_bytes;
                    outcome.out.resize(m_max_reply_bytes);
                    break;
                }
            }
        }
        if (err_index >= 0 && fds[err_index].revents) {
            ssize_t n = read(err_pipe[0], buffer, sizeof buffer);
            if (n <= 0) {
                err_open = false;
            } else {
                outcome.err.append(buffer, std::size_t(n));
                if (outcome.err.size() > 65536)
                    outcome.err.erase(0, outcome.err.size() - 65536);
            }
        }
    }
    if (input >= 0)
        close(input);
    close(out_pipe[0]);
    close(err_pipe[0]);
    if (outcome.timed_out || outcome.too_large)
        kill(-pid, SIGKILL); // the whole group: a shell's children too
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!outcome.timed_out && !outcome.too_large && WIFEXITED(status))
        outcome.exit_code = WEXITSTATUS(status);
    else
        kill(-pid, SIGKILL);
    return outcome;
}

} // namespace pxos
