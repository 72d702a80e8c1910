#include "pxos/vm/run_report.hpp"

#include "base/json_writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pxos {

namespace {

std::string source_suffix(std::uint32_t address, const SourceMap* source_map)
{
    if (!source_map)
        return "";
    auto location = source_map->find(address);
    return location ? fmt::format(" {}", location->to_string()) : std::string();
}

} // namespace

std::string describe_fault(const FaultRecord& fault, int width, const SourceMap* source_map)
{
    std::string text = fmt::format("{} at {}{}: {} ({})", fault.in_kernel ? std::string("kernel") : fmt::format("pid {}", fault.pid),
        format_address(fault.pc, width), source_suffix(fault.pc, source_map), isa::trap_cause_name(fault.cause),
        isa::trap_cause_doc(fault.cause));
    // A BadSyscall's address is the syscall number, not a place.
    if (fault.cause == std::uint32_t(isa::TrapCause::BadSyscall))
        text += fmt::format(", bad syscall {}", fault.address);
    else if (fault.address != fault.pc && fault.cause != std::uint32_t(isa::TrapCause::DivideByZero)
        && fault.cause != std::uint32_t(isa::TrapCause::Privileged))
        text += fmt::format(", address {}", fault.address == 0xffffffffu ? std::string("outside the VRAM")
                                                                         : format_address(fault.address, width));
    return text;
}

std::string format_trace_line(const TraceEvent& event, int width, const SourceMap* source_map)
{
    std::string text = fmt::format("{:>10} pid {} {} {:<11} {:<24}", event.step, event.pid, event.user_mode ? "U" : "K",
        format_address(event.pc, width),
        event.instruction ? format_instruction(*event.instruction) : std::string("(invalid)"));
    for (int i = 0; i < isa::kRegisterCount; ++i)
        if (event.before[std::size_t(i)] != event.after[std::size_t(i)])
            text += fmt::format(" {}={}", i == isa::kStackPointer ? std::string("sp") : fmt::format("r{}", i),
                std::int32_t(event.after[std::size_t(i)]));
    text += source_suffix(event.pc, source_map);
    return text;
}

std::string format_trace_json(const TraceEvent& event, int width, const SourceMap* source_map)
{
    nlohmann::ordered_json line;
    line["step"] = event.step;
    line["pid"] = event.pid;
    line["mode"] = event.user_mode ? "user" : "kernel";
    line["pc"] = { event.pc % std::uint32_t(width), event.pc / std::uint32_t(width) };
    line["instruction"] = event.instruction ? format_instruction(*event.instruction) : std::string("(invalid)");
    nlohmann::ordered_json changed = nlohmann::ordered_json::object();
    for (int i = 0; i < isa::kRegisterCount; ++i)
        if (event.before[std::size_t(i)] != event.after[std::size_t(i)])
            changed[i == isa::kStackPointer ? std::string("sp") : fmt::format("r{}", i)] = std::int32_t(event.after[std::size_t(i)]);
    line["changed"] = std::move(changed);
    if (source_map)
        if (auto location = source_map->find(event.pc))
            line["source"] = location->to_string();
    return write_json(line, JsonLayout::Compact);
}

int run_exit_status(const RunResult& result)
{
    if (result.reason == StopReason::KernelPanic)
        return 5;
    if (result.reason == StopReason::BudgetExhausted)
        return 4;
    if (result.reason == StopReason::Interrupted) // as a shell reports a command SIGINT ended
        return 130;
    if (result.fault_count > 0)
        return 3;
    if (result.halt_code != 0)
        return 1;
    return 0;
}

std::string not_kept_text(std::uint64_t count, std::string_view what, Cap cap, std::uint64_t limit)
{
    return fmt::format("{} more {}, counted but not kept: over {}", count, what, cap_text(cap, limit));
}

std::string run_summary_json(const Machine& machine, const RunResult& result, const SourceMap* source_map)
{
    int width = machine.vram().width();
    auto fault_json = [&](const FaultRecord& fault) {
        nlohmann::ordered_json entry;
        entry["pid"] = fault.pid;
        entry["pc"] = { fault.pc % std::uint32_t(width), fault.pc / std::uint32_t(width) };
        if (source_map)
            if (auto location = source_map->find(fault.pc))
                entry["source"] = location->to_string();
        entry["cause"] = isa::trap_cause_name(fault.cause);
        entry["address"] = fault.address;
        entry["step"] = fault.step;
        entry["message"] = describe_fault(fault, width, source_map);
        return entry;
    };
    nlohmann::ordered_json root;
    root["schema"] = kRunSummarySchema;
    root["stop"] = stop_reason_name(result.reason);
    root["halt_code"] = result.halt_code;
    root["exit_status"] = run_exit_status(result);
    root["steps"] = result.steps;
    root["syscalls"] = result.syscalls;
    nlohmann::ordered_json processes = nlohmann::ordered_json::array();
    for (const ProcessInfo& process : machine.processes()) {
        nlohmann::ordered_json entry;
        entry["pid"] = process.pid;
        entry["slot"] = process.slot;
        entry["state"] = isa::process_state_name(process.state);
        if (process.state == std::uint32_t(isa::ProcessState::Exited))
            entry["exit_code"] = process.exit_code;
        if (process.state == std::uint32_t(isa::ProcessState::Faulted))
            entry["fault"] = isa::trap_cause_name(std::uint32_t(process.exit_code));
        entry["memory"] = { { "base", { process.base % std::uint32_t(width), process.base / std::uint32_t(width) } },
            { "words", process.limit - process.base } };
        processes.push_back(std::move(entry));
    }
    root["processes"] = std::move(processes);
    nlohmann::ordered_json faults = nlohmann::ordered_json::array();
    for (const FaultRecord& fault : result.faults)
        faults.push_back(fault_json(fault));
    root["faults"] = std::move(faults);
    root["fault_count"] = result.fault_count;
    root["faults_not_kept"] = result.faults_not_kept();
    root["panic"] = result.panic ? fault_json(*result.panic) : nlohmann::ordered_json();
    root["console"] = machine.console_output();
    root["console_bytes_not_kept"] = machine.console_bytes_not_kept();
    return write_json(root, JsonLayout::Indented) + "\n";
}

} // namespace pxos
