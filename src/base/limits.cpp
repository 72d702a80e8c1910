#include "pxos/base/limits.hpp"

#include <fmt/format.h>

namespace pxos {

static_assert([] {
    for (std::size_t i = 0; i < kCaps.size(); ++i)
        if (std::size_t(kCaps[i].cap) != i || kCaps[i].default_units < 1 || kCaps[i].default_units > kCaps[i].max_units)
            return false;
    return true;
}(), "kCaps rows must follow the Cap enum's order, with 1 <= default <= max");

namespace {

// Whole units when the amount is whole ("1 MiB"), else bytes.
std::string amount(const CapInfo& info, std::uint64_t value)
{
    if (info.scale == 1)
        return fmt::format("{} {}", value, info.unit);
    if (value % info.scale == 0)
        return fmt::format("{} {}", value / info.scale, info.unit);
    return fmt::format("{} bytes", value);
}

} // namespace

std::string cap_text(Cap cap, std::uint64_t limit)
{
    const CapInfo& info = cap_info(cap);
    return fmt::format("the {} cap of {} (raise it with {}, up to {})", info.name, amount(info, limit), info.flag,
        amount(info, cap_maximum(cap)));
}

CapValues::CapValues()
{
    for (const CapInfo& info : kCaps)
        m_values[std::size_t(info.cap)] = info.default_units * info.scale;
}

} // namespace pxos
