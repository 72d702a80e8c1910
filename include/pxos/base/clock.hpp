// Time behind an interface, so reports can be timed for real and tests can
// use a fake clock and assert exact durations. The clock also sleeps (the
// loop's retry backoff): the steady clock really waits, the fake one only
// moves its time on and remembers what it was asked, so a test of a wait
// takes no time.
#pragma once

#include <chrono>
#include <thread>
#include <vector>

namespace pxos {

class Clock {
public:
    virtual ~Clock() = default;
    // Milliseconds since an arbitrary fixed point.
    virtual double now_ms() = 0;
    // Returns after `milliseconds` have passed on this clock.
    virtual void sleep_for(double milliseconds) = 0;
};

class SteadyClock final : public Clock {
public:
    double now_ms() override
    {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
    void sleep_for(double milliseconds) override
    {
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(milliseconds));
    }
};

// Advances by a fixed step at every reading, and by the time asked at every
// sleep, which it records.
class FakeClock final : public Clock {
public:
    explicit FakeClock(double step_ms = 1.0) : m_step_ms(step_ms) { }
    double now_ms() override { return m_now += m_step_ms; }
    void sleep_for(double milliseconds) override
    {
        m_now += milliseconds;
        m_sleeps.push_back(milliseconds);
    }
    // Every sleep_for so far, in order.
    const std::vector<double>& sleeps() const { return m_sleeps; }

private:
    double m_step_ms;
    double m_now = 0;
    std::vector<double> m_sleeps;
};

} // namespace pxos
