// The MAP-Elites side of the population: a candidate's cell from its two
// feature metrics (log-scale bins, archive_bins per doubling).
#include "pxos/loop/population.hpp"

#include <algorithm>
#include <cmath>

namespace pxos {

namespace {

std::optional<double> measured(const EvalResult& evaluation, const std::string& key)
{
    if (!evaluation.metrics.measured)
        return std::nullopt;
    for (const MetricValue& value : evaluation.metrics.values)
        if (value.key == key && value.measured && std::isfinite(value.value))
            return value.value;
    return std::nullopt;
}

int bin_of(double value, int bins)
{
    double scaled = std::floor(std::log2(std::max(value, 1.0)) * std::max(bins, 1));
    return int(std::clamp(scaled, -1e6, 1e6));
}

} // namespace

std::optional<Cell> Population::cell_of(const EvalResult& evaluation) const
{
    auto x = measured(evaluation, m_options.features[0]);
    auto y = measured(evaluation, m_options.features[1]);
    if (!x || !y)
        return std::nullopt;
    return Cell { bin_of(*x, m_options.archive_bins), bin_of(*y, m_options.archive_bins) };
}

} // namespace pxos
