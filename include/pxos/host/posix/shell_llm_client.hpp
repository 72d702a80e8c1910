// Running the user's LLM command: `/bin/sh -c COMMAND` with the prompt on
// stdin (and `{prompt_file}` in the command replaced by the quoted path of
// a file holding it). Only pxos's own text (the command the user gave, a
// path pxos chose) ever reaches the shell; LLM text never does.
//
// The reply is complete when the command exits, not when its stdout closes:
// a background child that keeps stdout open must not turn a finished reply
// into a timeout. The command runs under a small supervisor process (a fork
// of pxos that never execs): it is a child subreaper, so everything the
// command starts, setsid'd or double-forked, re-parents to it; when the
// command exits, times out, goes over the reply cap, or pxos dies (even of
// kill -9: the supervisor watches a socket that only pxos holds), it kills
// the command's process group and every process left below it, then exits.
// docs/LOOP.md says what this covers and what it cannot.
#pragma once

#include "pxos/loop/llm_command.hpp"

#include <cstddef>
#include <string>

namespace pxos {

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

// Kills the process group of every LLM command running now (their
// supervisors then clean up what is left below them). Async-signal-safe:
// for the CLI's handler of SIGINT, SIGTERM and SIGHUP.
void kill_running_llm_commands() noexcept;

} // namespace pxos
