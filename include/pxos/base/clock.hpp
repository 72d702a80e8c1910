// Time behind an interface, so reports can be timed for real and tests can
// use a fake clock and assert exact durations.
#pragma once

#include <chrono>

namespace pxos {

class Clock {
public:
    virtual ~Clock() = default;
    // Milliseconds since an arbitrary fixed point.
    virtual double now_ms() = 0;
};

class SteadyClock final : public Clock {
public:
    double now_ms() override
    {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
};

// Advances by a fixed step at every reading.
class FakeClock final : public Clock {
public:
    explicit FakeClock(double step_ms = 1.0) : m_step_ms(step_ms) { }
    double now_ms() override { return m_now += m_step_ms; }

private:
    double m_step_ms;
    double m_now = 0;
};

} // namespace pxos
