// Running the user's LLM command: `/bin/sh -c COMMAND` with the prompt on
// stdin (and `{prompt_file}` in the command replaced by the quoted path of
// a file holding it). The command runs in its own process group, which a
// timeout kills whole; output over a cap is cut off and reported. Only
// pxos's own text (the command the user gave, a path pxos chose) ever
// reaches the shell; LLM text never does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace pxos {

struct CommandOutcome {
    int exit_code = -1;      // -1 when killed or not started
    bool timed_out = false;
    bool too_large = false;  // stdout went over the cap
    std::uint64_t reply_cap = 0; // the cap it went over (bytes)
    std::string out;
    std::string err;         // kept (the last 64 KiB)
    std::string start_error; // fork/pipe failure
};

class LlmClient {
public:
    virtual ~LlmClient() = default;
    virtual CommandOutcome run(const std::string& prompt, const std::string& prompt_file) = 0;
};

class ShellLlmClient final : public LlmClient {
public:
    ShellLlmClient(std::string command, double timeout_seconds, std::size_t max_reply_bytes);
    CommandOutcome run(const std::string& prompt, const std::string& prompt_file) override;

private:
    std::string m_command;
    double m_timeout_seconds;
    std::size_t m_max_reply_bytes;
};

// 'text' with single quotes for /bin/sh.
std::string shell_quote(const std::string& text);

} // namespace pxos
