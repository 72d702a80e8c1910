// Processes as the kernel keeps them: ONE table of PCB fields
// (PXOS_PCB_FIELDS) and ONE of process states (PXOS_PROCESS_STATES). The
// enums, the pxasm symbols (PCB_<field>, PCB_WORDS, PCB_SHIFT, STATE_<name>),
// the names in reports and the tables of docs/ISA.md all expand them, and
// place_process() lays a process out the way the kernel expects: the build
// step add_process and the evaluator's probes both use it.
//
// A PCB is a power of two of words, so kernel code finds slot n's PCB as
// PROCESS_TABLE + (n << PCB_SHIFT). A pid is its slot + kFirstPid.
//
// The names that existed before the ABI was a layer of its own keep their
// namespaces (isa::PcbField, isa::ProcessState, pxos::ProcessSpec, ...) so
// their many call sites did not change; new names are in pxos::abi.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/image/vram.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

namespace pxos::isa {

// X(name, symbol, offset, words, doc): the field's first word in the PCB
// and how many words it has; pxasm sees PCB_<symbol> = offset.
#define PXOS_PCB_FIELDS(X)                                                                                            \
    X(State, STATE, 0, 1, "process state (STATE_*)")                                                                  \
    X(Pid, PID, 1, 1, "process id: slot + 1")                                                                         \
    X(Pc, PC, 2, 1, "where the process resumes")                                                                      \
    X(Base, BASE, 3, 1, "first address of its memory (UBASE while it runs)")                                         \
    X(Limit, LIMIT, 4, 1, "one past the last address of its memory (ULIMIT)")                                        \
    X(Entry, ENTRY, 5, 1, "its entry point (its `main` label)")                           \
    X(ExitCode, EXIT_CODE, 6, 1, "exit code, or the fault cause (TRAP_*)")                                           \
    X(WaitFor, WAIT_FOR, 7, 1, "pid waited for, or wake-up tick")                                                    \
    X(FaultAddress, FAULT_ADDRESS, 8, 1, "pc of the fault that ended it")                                            \
    X(StackBase, STACK_BASE, 9, 1, "lowest stack address (SBASE)")                                                   \
    X(Parent, PARENT, 10, 1, "pid of the process that spawned it (0: placed by the build)")                         \
    X(Cwd, CWD, 11, 1, "inode of its working directory (0: the root)")                                               \
    X(Break, BREAK, 12, 1, "end of its heap (SYS_SBRK moves it; the stack starts at PCB_STACK_BASE)")               \
    X(Registers, REGISTERS, 16, 16, "r0..r15 of the user bank; sp (r15) starts at the limit")                        \
    X(Files, FILES, 32, 16, "its descriptors 0..OS_OPEN_MAX-1: 0 closed, else an open file table index + 1")

enum class PcbField : int {
#define PXOS_PCB_ENUM(name, symbol, offset, words, doc) name = offset,
    PXOS_PCB_FIELDS(PXOS_PCB_ENUM)
#undef PXOS_PCB_ENUM
};
inline constexpr int kPcbShift = 6;
inline constexpr int kPcbWords = 1 << kPcbShift;
inline constexpr int kProcessSlots = 16;

// X(name, symbol, value, doc): pxasm sees STATE_<symbol> = value; reports
// print the name in lower case.
#define PXOS_PROCESS_STATES(X)                                                                                        \
    X(Free, FREE, 0, "the slot holds no process")                                                                     \
    X(Ready, READY, 1, "waits for its time slice")                                                                    \
    X(Running, RUNNING, 2, "the process on the machine now")                                                          \
    X(Waiting, WAITING, 3, "blocked in SYS_WAIT until process PCB_WAIT_FOR ends")                                    \
    X(Sleeping, SLEEPING, 4, "blocked in SYS_SLEEP until TICKS reaches PCB_WAIT_FOR")                                \
    X(Exited, EXITED, 5, "ended by SYS_EXIT with PCB_EXIT_CODE")                                                     \
    X(Faulted, FAULTED, 6, "ended by a fault: PCB_EXIT_CODE is the cause, PCB_FAULT_ADDRESS the pc")                 \
    X(Dormant, DORMANT, 7, "loaded but not started (add_process autostart: false)")                                  \
    X(Blocked, BLOCKED, 8, "blocked on a pipe (PCB_WAIT_FOR: the pipe); its system call runs again when woken")

enum class ProcessState : std::uint32_t {
#define PXOS_STATE_ENUM(name, symbol, value, doc) name = value,
    PXOS_PROCESS_STATES(PXOS_STATE_ENUM)
#undef PXOS_STATE_ENUM
};
// "ready", ...; "invalid" for a value that is not a state.
std::string_view process_state_name(std::uint32_t state);

} // namespace pxos::isa

namespace pxos::abi {

struct PcbFieldInfo {
    isa::PcbField field;
    std::string_view symbol; // PCB_<symbol>
    int offset;
    int words;
    std::string_view doc;
};

inline constexpr std::array kPcbFields {
#define PXOS_PCB_INFO(name, symbol, offset, words, doc) PcbFieldInfo { isa::PcbField::name, #symbol, offset, words, doc },
    PXOS_PCB_FIELDS(PXOS_PCB_INFO)
#undef PXOS_PCB_INFO
};

struct ProcessStateInfo {
    isa::ProcessState state;
    std::string_view symbol; // STATE_<symbol>
    std::string_view doc;
};

inline constexpr std::array kProcessStates {
#define PXOS_STATE_INFO(name, symbol, value, doc) ProcessStateInfo { isa::ProcessState::name, #symbol, doc },
    PXOS_PROCESS_STATES(PXOS_STATE_INFO)
#undef PXOS_STATE_INFO
};

// The fields lie in order, apart, inside the PCB; the states are 0, 1, ...
// (the evaluator takes a value past the last one for "not a state").
constexpr bool pcb_fields_fit()
{
    int end = 0;
    for (const PcbFieldInfo& entry : kPcbFields) {
        if (entry.offset < end || entry.words < 1)
            return false;
        end = entry.offset + entry.words;
    }
    return end <= isa::kPcbWords;
}
static_assert(pcb_fields_fit(), "PXOS_PCB_FIELDS: fields overlap, are out of order or do not fit in kPcbWords");
constexpr bool process_states_are_rows()
{
    for (std::size_t i = 0; i < kProcessStates.size(); ++i)
        if (std::uint32_t(kProcessStates[i].state) != i)
            return false;
    return true;
}
static_assert(process_states_are_rows(), "PXOS_PROCESS_STATES: the values must be 0, 1, 2, ... in row order");

// A pid is its slot + kFirstPid: 0 stays free to mean "no process".
inline constexpr std::uint32_t kFirstPid = 1;
constexpr std::uint32_t pid_of_slot(std::uint32_t slot)
{
    return slot + kFirstPid;
}

} // namespace pxos::abi

namespace pxos {

// A new process control block, as the kernel's convention lays it out
// (isa::PcbField): pid = abi::pid_of_slot(slot), pc = entry, sp = limit,
// registers 0.
struct ProcessSpec {
    std::uint32_t slot = 0;
    isa::ProcessState state = isa::ProcessState::Ready;
    std::uint32_t entry = 0;
    std::uint32_t base = 0;
    std::uint32_t limit = 0;
    std::uint32_t stack_base = 0;
};
// Writes the PCB of `spec.slot` into the process table at `process_table`.
Result<void> write_pcb(SimulatedVRAM& vram, std::uint32_t process_table, const ProcessSpec& spec);

} // namespace pxos

namespace pxos::abi {

// A process in `rows` whole rows of a VRAM `width` wide from `first_row`,
// its stack the top `stack_words` of them; it starts at its first word.
ProcessSpec process_in_rows(std::uint32_t slot, isa::ProcessState state, int width, std::uint32_t first_row,
    std::uint32_t rows, std::uint32_t stack_words);

// Lays the process out as the kernel expects: clears its memory
// [base, limit), lets `write_code` put its program there, then writes its
// PCB into the process table at `process_table`. The first error stops it.
Result<void> place_process(SimulatedVRAM& vram, std::uint32_t process_table, const ProcessSpec& spec,
    const std::function<Result<void>(SimulatedVRAM&)>& write_code);

} // namespace pxos::abi
