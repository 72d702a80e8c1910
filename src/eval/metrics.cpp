#include "pxos/eval/metrics.hpp"

#include <array>
#include <fmt/format.h>

namespace pxos {

namespace {

// Baselines: the default roadmap's image at issue 15's start, measured by
// `pxos eval` (a test keeps the default image at ratio 1.0 for each row).
constexpr std::array kMetrics {
    MetricRow { MetricId::UsertestsPassed, "usertests_passed",
        "tests of the evaluator's own usertests (all but store_full_nospc) that pass, typed into the image's shell", MetricDirection::Higher,
        "tests", 3.0, 67.0, "system calls that keep their contract, error paths included", OsRegion::Kernel },
    MetricRow { MetricId::ScenariosPassed, "scenarios_passed",
        "scenarios of the suite (console input, expected output and pixels) that pass", MetricDirection::Higher,
        "scenarios", 3.0, 49.0, "a shell, files, pipes, processes and drawing that work as a user expects",
        OsRegion::Programs },
    MetricRow { MetricId::SyscallRoundTrip, "syscall_round_trip",
        "instructions per getpid call, SYSCALL to return, of a probe alone that makes 64 of them", MetricDirection::Lower,
        "instructions", 1.0, 7.0, "a shorter trap path and system call dispatch", OsRegion::Kernel },
    MetricRow { MetricId::ContextSwitch, "context_switch",
        "instructions per switch between two probes alone that yield to each other", MetricDirection::Lower,
        "instructions", 1.0, 460.5, "a cheaper scheduler and register save/restore", OsRegion::Kernel },
    MetricRow { MetricId::PipeWord, "pipe_word", "instructions per word a probe writes into a pipe and reads back, 16 words a call",
        MetricDirection::Lower, "instructions", 1.0, 44.625, "pipes that move words with less work", OsRegion::Kernel },
    MetricRow { MetricId::WorkloadSteps, "workload_steps",
        "steps of the fixed workload: boot, then a shell session of files, pipes and programs",
        MetricDirection::Lower, "steps", 1.0, 1619254.0, "a faster OS as a whole: kernel and programs", OsRegion::Any },
    MetricRow { MetricId::FairnessMaxWait, "fairness_max_wait",
        "the longest a process stayed ready without running during the workload (the process table read every 1,000 "
        "steps)", MetricDirection::Lower, "steps",
        1.0, 42000.0, "a scheduler that lets no ready process wait long (time slice, order)", OsRegion::Kernel },
    MetricRow { MetricId::KernelWords, "kernel_words", "words of the kernel's code and data: those of the kernel region that differ from its fill",
        MetricDirection::Lower, "words", 1.0, 7618.0, "a smaller kernel that does the same", OsRegion::Kernel },
    MetricRow { MetricId::RobustnessProbes, "robustness_probes",
        "hostile probes the OS survives: bad pointers into system calls, spawn without end, writes at the store",
        MetricDirection::Higher, "probes", 2.0, 15.0, "every argument checked, every resource bounded",
        OsRegion::Kernel },
};

} // namespace

std::string_view os_region_name(OsRegion region)
{
    switch (region) {
    case OsRegion::Kernel: return "kernel";
    case OsRegion::Programs: return "programs";
    case OsRegion::Any: return "any";
    }
    return "any";
}

std::span<const MetricRow> metric_table()
{
    return kMetrics;
}

const MetricRow* find_metric(std::string_view key)
{
    for (const MetricRow& row : kMetrics)
        if (row.key == key)
            return &row;
    return nullptr;
}

double metric_ratio(const MetricRow& row, double value)
{
    if (row.direction == MetricDirection::Higher)
        return value / row.baseline;
    return value > 0 ? row.baseline / value : 0.0;
}

double combined_score(const std::vector<MetricValue>& values)
{
    double sum = 0, weights = 0;
    for (const MetricRow& row : kMetrics) {
        weights += row.weight;
        for (const MetricValue& value : values)
            if (value.key == row.key && value.measured)
                sum += row.weight * metric_ratio(row, value.value);
    }
    return weights > 0 ? sum / weights : 0.0;
}

std::string metrics_markdown()
{
    double weights = 0;
    for (const MetricRow& row : kMetrics)
        weights += row.weight;
    std::string text = fmt::format("## metrics ({} metrics, weight {} in all)\n\n"
                                   "| metric | measures | better | unit | weight | baseline | rewards | region |\n"
                                   "|---|---|---|---|---|---|---|---|\n",
        kMetrics.size(), weights);
    for (const MetricRow& row : kMetrics)
        text += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} |\n", row.key, row.what,
            row.direction == MetricDirection::Higher ? "higher" : "lower", row.unit, row.weight, row.baseline,
            row.rewards, os_region_name(row.region));
    return text;
}

} // namespace pxos
