#include "pxos/vm/trap_entry.hpp"

namespace pxos {

namespace {

// Past the fault records cap a fault is counted, not kept.
void record_fault(const FaultRecord& fault, const RunRecordLimits& limits, RunResult& result)
{
    ++result.fault_count;
    result.latest_fault = fault;
    if (result.faults.size() < limits.max_faults)
        result.faults.push_back(fault);
}

} // namespace

std::uint32_t enter_trap(const RaisedTrap& trap, const TrapContext& context)
{
    using isa::Special;
    std::uint32_t cause = trap.cause;
    std::uint32_t target = context.header.trap_vector;
    std::uint32_t resume = trap.pc;
    if (cause == std::uint32_t(isa::TrapCause::Syscall)) {
        std::uint32_t number = trap.address;
        std::uint32_t handler = number < context.header.syscall_count
            ? context.memory[context.header.syscall_table + number]
            : 0xffffffffu;
        if (handler >= context.memory_words) {
            cause = std::uint32_t(isa::TrapCause::BadSyscall);
        } else {
            target = handler;
            resume = trap.pc + isa::info(isa::Opcode::SYSCALL).length();
            ++context.result.syscalls;
        }
    }
    if (isa::is_fault(cause))
        record_fault(
            { context.specials[std::size_t(Special::Pid)], trap.pc, cause, trap.address, context.steps, false },
            context.limits, context.result);
    context.specials[std::size_t(Special::Epc)] = resume;
    context.specials[std::size_t(Special::Cause)] = cause;
    context.specials[std::size_t(Special::Arg)] = trap.address;
    return target;
}

void record_panic(const RaisedTrap& trap, std::uint32_t pid, std::uint64_t steps, RunResult& result)
{
    FaultRecord record { pid, trap.pc, trap.cause, trap.address, steps, true };
    if (trap.cause == std::uint32_t(isa::TrapCause::Syscall))
        record.cause = std::uint32_t(isa::TrapCause::BadSyscall);
    result.panic = record;
    result.reason = StopReason::KernelPanic;
}

} // namespace pxos
