// `pxos loop`'s feedback on stderr: the table of finished generations, the
// loop's notes, a loud line when the heuristic stands in for the LLM, and,
// only when stderr is a terminal and not -q, one progress line redrawn
// while the loop works: the generation, the island, the phase (building,
// evaluating, asking MODEL) and the seconds it has taken so far (an LLM
// call may think for minutes). The line is cleared before any other output
// and when the loop ends; nothing of it reaches a pipe or a file.
#pragma once

#include "commands.hpp"

#include "pxos/loop/loop.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace pxos::cli {

// What the progress line says of a phase that has run `seconds`; `islands`:
// how many the loop has (the island is named only when there are several).
std::string phase_text(const LoopPhase& phase, int islands, double seconds);

class LoopProgress final : public LoopObserver {
public:
    struct Settings {
        std::string banner; // printed once the out-dir is ours: a loop refused for a busy out-dir prints one line
        int islands = 1;
        bool json = false;          // generations as JSON lines on stdout instead of the table
        bool progress_line = false; // stderr is a terminal and not -q
    };
    explicit LoopProgress(Settings settings);
    ~LoopProgress() override;
    LoopProgress(const LoopProgress&) = delete;
    LoopProgress& operator=(const LoopProgress&) = delete;

    void started() override;
    void phase(const LoopPhase& phase) override;
    void generation_done(const GenerationRecord& record, double milliseconds) override;
    void note(const std::string& text) override;
    void fell_back(int generation, int candidate, const std::string& why) override;
    // Clears the progress line for good (before the loop's summary).
    void finish();

private:
    using Clock = std::chrono::steady_clock;
    void tick();
    void draw(std::unique_lock<std::mutex>& lock); // with m_mutex held
    void clear(std::unique_lock<std::mutex>& lock);

    Settings m_settings;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_active = false;     // a phase is shown (none between an output and the next phase)
    LoopPhase m_phase;
    Clock::time_point m_since; // when the phase began
    Clock::time_point m_drawn; // when the line was last drawn
    std::string m_line;        // what is on the terminal now, empty when cleared
    std::thread m_ticker;      // redraws the elapsed time (only with progress_line)
};

} // namespace pxos::cli
