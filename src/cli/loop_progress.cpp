#include "loop_progress.hpp"

#include "pxos/base/text.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace pxos::cli {

namespace {

constexpr auto kRedraw = std::chrono::milliseconds(100); // the line is drawn at most this often

// The terminal's columns, or 80.
std::size_t terminal_columns()
{
    winsize size {};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

void write_stderr(const std::string& text)
{
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
}

} // namespace

std::string phase_text(const LoopPhase& phase, int islands, double seconds)
{
    std::string what;
    switch (phase.kind) {
    case LoopPhase::Kind::Building: what = "building"; break;
    case LoopPhase::Kind::Evaluating: what = "evaluating"; break;
    case LoopPhase::Kind::Asking: what = "asking " + phase.model; break;
    }
    std::string where = fmt::format("gen {:03}", phase.generation);
    if (islands > 1)
        where += fmt::format(" island {}", phase.island);
    if (phase.generation > 1)
        where += fmt::format(" candidate {}", phase.candidate);
    return fmt::format("loop: {}: {} ({} s)", where, what, int(seconds));
}

LoopProgress::LoopProgress(Settings settings)
    : m_settings(std::move(settings))
{
    if (m_settings.progress_line)
        m_ticker = std::thread([this] { tick(); });
}

LoopProgress::~LoopProgress()
{
    finish();
}

void LoopProgress::finish()
{
    {
        std::unique_lock lock(m_mutex);
        m_stop = true;
        m_active = false;
        clear(lock);
    }
    m_wake.notify_all();
    if (m_ticker.joinable())
        m_ticker.join();
}

void LoopProgress::tick()
{
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        m_wake.wait_for(lock, kRedraw);
        if (!m_stop && m_active)
            draw(lock);
    }
}

void LoopProgress::draw(std::unique_lock<std::mutex>&)
{
    Clock::time_point now = Clock::now();
    std::string line = escape_for_terminal(
        phase_text(m_phase, m_settings.islands, std::chrono::duration<double>(now - m_since).count()));
    std::size_t columns = terminal_columns();
    if (line.size() >= columns) // (escaped: one byte a column)
        line.resize(columns - 1);
    if (line == m_line)
        return;
    write_stderr("\r\x1b[K" + line);
    m_line = std::move(line);
    m_drawn = now;
}

void LoopProgress::clear(std::unique_lock<std::mutex>&)
{
    if (m_line.empty())
        return;
    write_stderr("\r\x1b[K");
    m_line.clear();
}

void LoopProgress::started()
{
    std::unique_lock lock(m_mutex);
    clear(lock);
    spdlog::info("{}", m_settings.banner);
}

void LoopProgress::phase(const LoopPhase& phase)
{
    if (!m_settings.progress_line)
        return;
    std::unique_lock lock(m_mutex);
    m_phase = phase;
    m_since = Clock::now();
    m_active = true;
    if (m_since - m_drawn >= kRedraw) // else the ticker draws it
        draw(lock);
}

void LoopProgress::generation_done(const GenerationRecord& record, double milliseconds)
{
    std::unique_lock lock(m_mutex);
    m_active = false;
    clear(lock);
    if (m_settings.json) {
        std::fputs((generation_summary_line(record, milliseconds) + "\n").c_str(), stdout);
        std::fflush(stdout);
        return;
    }
    spdlog::info("gen {:03}  score {:>2}/{}  best {:>2}/{} (gen {:03})  {:<9} {:>8.1f} ms  {}", record.generation,
        record.score, record.max_score, record.best_score, record.max_score, record.best_generation,
        record.proposer + (record.fallback ? "*" : ""), milliseconds, record.note);
}

void LoopProgress::note(const std::string& text)
{
    std::unique_lock lock(m_mutex);
    clear(lock);
    spdlog::warn("{}", text);
}

void LoopProgress::fell_back(int generation, int candidate, const std::string& why)
{
    std::unique_lock lock(m_mutex);
    clear(lock);
    spdlog::warn("loop: warning: generation {}{}: no proposal from the LLM ({}); the heuristic proposes instead",
        generation, candidate > 1 ? fmt::format(" candidate {}", candidate) : std::string(), why);
}

} // namespace pxos::cli
