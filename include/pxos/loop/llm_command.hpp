// What the loop asks an LLM: a prompt in, a reply (or why there is none)
// out. The real client runs the user's command as a subprocess and lives
// with the host (host/posix/shell_llm_client.hpp); tests may fake it.
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
    std::string start_error; // fork/pipe failure, or the supervisor was killed
};

class LlmClient {
public:
    virtual ~LlmClient() = default;
    virtual CommandOutcome run(const std::string& prompt, const std::string& prompt_file) = 0;
};

} // namespace pxos
