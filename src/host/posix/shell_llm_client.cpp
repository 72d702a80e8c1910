#include "pxos/host/posix/shell_llm_client.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

namespace {

// The LLM commands running now, for kill_running_llm_commands (a signal
// handler may read them at any time) and so that pxos's own sweep of its
// children spares the supervisors still at work.
struct RunningCommand {
    std::atomic<pid_t> supervisor { 0 };
    std::atomic<pid_t> group { 0 }; // the command's process group, once the supervisor has said it
};
std::array<RunningCommand, 16> g_running {};

RunningCommand* list_running(pid_t supervisor)
{
    for (RunningCommand& slot : g_running) {
        pid_t empty = 0;
        if (slot.supervisor.compare_exchange_strong(empty, supervisor))
            return &slot;
    }
    return nullptr; // more than 16 at once: not killed by the signal handler, only on the exit paths
}

bool is_running_supervisor(pid_t pid)
{
    for (const RunningCommand& slot : g_running)
        if (slot.supervisor.load() == pid)
            return true;
    return false;
}

// Everything below runs in the supervisor (a fork of a possibly threaded
// pxos) or in a signal handler too: system calls only, no allocation.

pid_t parse_pid(const char* text)
{
    long value = 0;
    if (*text == '\0')
        return 0;
    for (; *text; ++text) {
        if (*text < '0' || *text > '9' || value > 1'000'000'000)
            return 0;
        value = value * 10 + (*text - '0');
    }
    return pid_t(value);
}

// The parent of `pid`, from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold anything, so after the last ')').
pid_t parent_of(pid_t pid)
{
    char path[40] = "/proc/";
    char digits[16];
    int length = 0;
    for (pid_t rest = pid; rest > 0 && length < 15; rest /= 10)
        digits[length++] = char('0' + rest % 10);
    int at = 6;
    while (length > 0)
        path[at++] = digits[--length];
    std::memcpy(path + at, "/stat", 6);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char stat[512];
    ssize_t size = ::read(fd, stat, sizeof stat - 1);
    ::close(fd);
    if (size <= 0)
        return 0;
    stat[size] = '\0';
    char* close_paren = nullptr;
    for (char* c = stat; *c; ++c)
        if (*c == ')')
            close_paren = c;
    if (!close_paren || close_paren[1] != ' ' || close_paren[2] == '\0' || close_paren[3] != ' ')
        return 0;
    long parent = 0;
    for (char* c = close_paren + 4; *c >= '0' && *c <= '9'; ++c)
        parent = parent * 10 + (*c - '0');
    return pid_t(parent);
}

// Calls found(pid) for each child of this process, from a scan of /proc.
// False when /proc cannot be read.
template<typename Found>
bool for_each_child(Found&& found)
{
    int directory = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0)
        return false;
    pid_t self = ::getpid();
    struct Entry {
        std::uint64_t inode;
        std::int64_t offset;
        unsigned short length;
        unsigned char type;
        char name[1];
    };
    alignas(8) char buffer[8192];
    for (;;) {
        long size = ::syscall(SYS_getdents64, directory, buffer, sizeof buffer);
        if (size <= 0)
            break;
        for (long at = 0; at < size;) {
            const auto* entry = reinterpret_cast<const Entry*>(buffer + at);
            at += entry->length;
            pid_t pid = parse_pid(entry->name);
            if (pid > 0 && parent_of(pid) == self)
                found(pid);
        }
    }
    ::close(directory);
    return true;
}

// Kills every child of this process but the ones `spare` names, with their
// process groups when they lead one, and reaps them; then again for the
// orphans that re-parented to us meanwhile (we are a subreaper), until none
// is left. A bounded number of rounds: a tree that forks faster than it is
// killed can outlast them.
template<typename Spare>
void kill_children(Spare&& spare)
{
    for (int round = 0; round < 64; ++round) {
        pid_t found[256];
        int count = 0;
        for_each_child([&](pid_t pid) {
            if (count < 256 && !spare(pid))
                found[count++] = pid;
        });
        if (count == 0)
            return;
        for (int i = 0; i < count; ++i) {
            if (::getpgid(found[i]) == found[i])
                ::kill(-found[i], SIGKILL);
            ::kill(found[i], SIGKILL);
        }
        for (int i = 0; i < count; ++i)
            while (::waitpid(found[i], nullptr, 0) < 0 && errno == EINTR) {
            }
    }
}

void on_child_exit(int) { }

// What the supervisor tells pxos on its socket: the command's pid (its
// process group), or minus errno when it could not fork, then its wait status.
struct SupervisorReport {
    std::int32_t command = 0;
    std::int32_t status = 0;
};

void send_all(int fd, const void* data, std::size_t size)
{
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t sent = ::send(fd, bytes, size, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return;
        bytes += sent;
        size -= std::size_t(sent);
    }
}

constexpr int kChannel = 3; // the supervisor's socket to pxos

// The supervisor, in the child of pxos's fork. Its stdin, stdout and stderr
// become the command's; fd 3 its socket to pxos, which it watches: EOF means
// pxos has died or stopped waiting.
[[noreturn]] void supervise(const char* command, int input, int output, int error, int channel,
    const sigset_t& pxos_mask)
{
    // pxos's handlers (they remove pxos's temporary files) must not run here.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signal : { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD })
        ::sigaction(signal, &default_action, nullptr);
    ::setpgid(0, 0); // out of pxos's group: a Ctrl-C at the terminal is pxos's to handle
    // Moved out of the way first: a pipe may have got fd 0, 1, 2 or 3 in a pxos with closed stdio.
    int moved[4] = { ::fcntl(input, F_DUPFD, 10), ::fcntl(output, F_DUPFD, 10), ::fcntl(error, F_DUPFD, 10),
        ::fcntl(channel, F_DUPFD, 10) };
    for (int target = 0; target < 4; ++target)
        if (moved[target] < 0 || ::dup2(moved[target], target) < 0)
            ::_exit(127);
    // Nothing else of pxos's stays open here: not its end of the socket (or
    // EOF never comes), not its lock on the out-dir, not its temporary files.
#ifdef SYS_close_range
    bool closed = ::syscall(SYS_close_range, 4u, ~0u, 0u) == 0;
#else
    bool closed = false;
#endif
    if (!closed) {
        long open_max = ::sysconf(_SC_OPEN_MAX);
        for (long fd = 4; fd < (open_max > 0 && open_max < 65536 ? open_max : 65536); ++fd)
            ::close(int(fd));
    }
    ::fcntl(kChannel, F_SETFD, FD_CLOEXEC);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

    sigset_t child_exit;
    sigemptyset(&child_exit);
    sigaddset(&child_exit, SIGCHLD);
    sigset_t held = pxos_mask;
    sigaddset(&held, SIGCHLD);
    ::sigprocmask(SIG_SETMASK, &held, nullptr);
    struct sigaction wake {};
    wake.sa_handler = on_child_exit; // not SIG_DFL: an ignored SIGCHLD would not end ppoll
    ::sigaction(SIGCHLD, &wake, nullptr);

    pid_t self = ::getpid();
    SupervisorReport report;
    pid_t child = ::fork();
    if (child == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); // dies with its supervisor
        if (::getppid() != self)
            ::_exit(127);
        ::sigaction(SIGCHLD, &default_action, nullptr);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execl("/bin/sh", "sh", "-c", command, static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (child < 0) {
        report.command = -errno;
        send_all(kChannel, &report, sizeof report);
        ::_exit(0);
    }
    ::setpgid(child, child);
    report.command = child;
    send_all(kChannel, &report.command, sizeof report.command);
    for (int fd = 0; fd < 3; ++fd)
        ::close(fd);

    sigset_t waiting = pxos_mask;
    sigdelset(&waiting, SIGCHLD);
    for (;;) {
        // Exited, but not reaped yet: its pid, and so its group's id, cannot be reused before the kill below.
        siginfo_t info {};
        int waited = ::waitid(P_PID, id_t(child), &info, WEXITED | WNOHANG | WNOWAIT);
        if (waited == 0 && info.si_pid == child)
            break;
        if (waited < 0 && errno != EINTR)
            break;
        pollfd watch { kChannel, POLLIN, 0 };
        if (::ppoll(&watch, 1, nullptr, &waiting) > 0) {
            char byte;
            if (::read(kChannel, &byte, 1) <= 0)
                break; // pxos died, timed out or got its cap: stop everything
        }
    }
    ::kill(-child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    kill_children([](pid_t) { return false; });
    report.status = status;
    send_all(kChannel, &report.status, sizeof report.status);
    ::_exit(0);
}

// Closes the descriptors it holds when it goes out of scope.
class Descriptors {
public:
    ~Descriptors()
    {
        for (int& fd : m_fds)
            close(fd);
    }
    int& operator[](std::size_t index) { return m_fds[index]; }
    static void close(int& fd)
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }

private:
    std::array<int, 8> m_fds { -1, -1, -1, -1, -1, -1, -1, -1 };
};

} // namespace

void kill_running_llm_commands() noexcept
{
    for (const RunningCommand& slot : g_running)
        if (pid_t group = slot.group.load(); group > 0)
            ::kill(-group, SIGKILL);
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

    // Orphans of a supervisor that was itself killed come to pxos, to be killed below.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    ::signal(SIGPIPE, SIG_IGN); // a command that does not read its stdin must not kill pxos

    enum { InRead, InWrite, OutRead, OutWrite, ErrRead, ErrWrite, ChannelPxos, ChannelSupervisor };
    Descriptors fds;
    int pair[2];
    for (int first : { InRead, OutRead, ErrRead }) {
        if (::pipe2(pair, O_CLOEXEC) != 0) {
            outcome.start_error = std::string("cannot create pipes: ") + std::strerror(errno);
            return outcome;
        }
        fds[std::size_t(first)] = pair[0];
        fds[std::size_t(first) + 1] = pair[1];
    }
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        outcome.start_error = std::string("cannot create a socket pair: ") + std::strerror(errno);
        return outcome;
    }
    fds[ChannelPxos] = pair[0];
    fds[ChannelSupervisor] = pair[1];

    // Held over the fork, so that no signal runs pxos's handler in the supervisor.
    sigset_t fatal, before;
    sigemptyset(&fatal);
    for (int signal : { SIGINT, SIGTERM, SIGHUP })
        sigaddset(&fatal, signal);
    ::pthread_sigmask(SIG_BLOCK, &fatal, &before);
    pid_t supervisor = ::fork();
    if (supervisor == 0)
        supervise(command.c_str(), fds[InRead], fds[OutWrite], fds[ErrWrite], fds[ChannelSupervisor], before);
    int fork_error = errno;
    RunningCommand* listed = supervisor > 0 ? list_running(supervisor) : nullptr;
    ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
    if (supervisor < 0) {
        outcome.start_error = std::string("cannot fork: ") + std::strerror(fork_error);
        return outcome;
    }
    ::setpgid(supervisor, supervisor);
    for (int end : { InRead, OutWrite, ErrWrite, ChannelSupervisor })
        Descriptors::close(fds[std::size_t(end)]);
    for (int end : { InWrite, OutRead, ErrRead })
        ::fcntl(fds[std::size_t(end)], F_SETFL, O_NONBLOCK);

    // On every way out: the supervisor is told to stop (it kills the command's
    // group and all below it) and waited for. One that was killed itself left
    // its orphans to pxos: they are killed here (pxos starts no other processes).
    struct Finish {
        Descriptors& fds;
        pid_t supervisor;
        RunningCommand* listed;
        ~Finish()
        {
            Descriptors::close(fds[ChannelPxos]);
            int status = 0;
            while (::waitpid(supervisor, &status, 0) < 0 && errno == EINTR) {
            }
            if (listed) {
                listed->group.store(0);
                listed->supervisor.store(0);
            }
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                kill_children(is_running_supervisor);
        }
    } finish { fds, supervisor, listed };

    char buffer[65536];
    // Reads what `fd` has now; false at EOF or on an error.
    auto take = [&](int fd, std::string& into, std::size_t keep) {
        for (;;) {
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return errno == EAGAIN;
            if (n == 0)
                return false;
            into.append(buffer, std::size_t(n));
            if (&into == &outcome.err && into.size() > keep)
                into.erase(0, into.size() - keep);
            if (&into == &outcome.out && into.size() > keep)
                return true;
            if (std::size_t(n) < sizeof buffer)
                return true;
        }
    };
    auto over_cap = [&] {
        if (outcome.out.size() <= m_max_reply_bytes)
            return false;
        outcome.too_large = true;
        outcome.reply_cap = m_max_reply_bytes;
        outcome.out.resize(m_max_reply_bytes);
        return true;
    };

    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(m_timeout_seconds);
    std::size_t written = 0;
    bool out_open = true, err_open = true;
    SupervisorReport report;
    std::size_t report_bytes = 0;
    bool exited = false;
    for (;;) {
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            outcome.timed_out = true;
            break;
        }
        int wait_ms = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1;
        pollfd polled[4];
        int count = 0;
        int out_index = -1, err_index = -1, in_index = -1;
        if (out_open)
            polled[out_index = count++] = { fds[OutRead], POLLIN, 0 };
        if (err_open)
            polled[err_index = count++] = { fds[ErrRead], POLLIN, 0 };
        if (fds[InWrite] >= 0)
            polled[in_index = count++] = { fds[InWrite], POLLOUT, 0 };
        int channel_index = count++;
        polled[channel_index] = { fds[ChannelPxos], POLLIN, 0 };
        if (::poll(polled, nfds_t(count), wait_ms) < 0) {
            if (errno == EINTR)
                continue;
            outcome.start_error = std::string("cannot wait for the LLM command: ") + std::strerror(errno);
            break;
        }
        if (in_index >= 0 && polled[in_index].revents) {
            ssize_t n = ::write(fds[InWrite], prompt.data() + written, prompt.size() - written);
            if (n > 0)
                written += std::size_t(n);
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == prompt.size())
                Descriptors::close(fds[InWrite]);
        }
        if (out_index >= 0 && polled[out_index].revents) {
            out_open = take(fds[OutRead], outcome.out, m_max_reply_bytes);
            if (over_cap())
                break;
        }
        if (err_index >= 0 && polled[err_index].revents)
            err_open = take(fds[ErrRead], outcome.err, 65536);
        if (polled[channel_index].revents) {
            ssize_t n = ::read(fds[ChannelPxos], reinterpret_cast<char*>(&report) + report_bytes,
                sizeof report - report_bytes);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                outcome.start_error = "the supervisor of the LLM command was killed";
                break;
            }
            report_bytes += std::size_t(n);
            if (report_bytes >= sizeof report.command && listed && report.command > 0)
                listed->group.store(report.command);
            if (report_bytes >= sizeof report.command && report.command < 0) {
                outcome.start_error = std::string("cannot fork: ") + std::strerror(-report.command);
                break;
            }
            if (report_bytes == sizeof report) {
                if (listed)
                    listed->group.store(0); // reaped: the id may be reused
                exited = true;
                break;
            }
        }
    }
    if (exited) {
        // The command has exited (and its group is dead): what it wrote is in the pipes, whoever still holds them.
        if (out_open)
            take(fds[OutRead], outcome.out, m_max_reply_bytes);
        over_cap();
        if (err_open)
            take(fds[ErrRead], outcome.err, 65536);
        if (!outcome.too_large && WIFEXITED(report.status))
            outcome.exit_code = WEXITSTATUS(report.status);
    }
    return outcome;
}

} // namespace pxos
