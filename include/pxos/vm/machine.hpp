// The pixel machine: boots an image and runs its kernel and processes. The
// memory is the VRAM itself (a word is a pixel, an address is y * width + x),
// so everything a program does is visible in the image. The machine reads the
// palette and header from the image it boots, decodes each instruction once
// into a side table (invalidated when the pixels under it are written, so
// self-modifying code is exact), and dispatches with direct threading.
// It knows two modes: kernel (everything allowed) and user (memory limited to
// [UBASE, ULIMIT) plus the display area, no privileged instructions, a time
// slice). A user fault traps to the kernel's trap vector; a kernel fault
// stops the machine (a panic). The host never crashes on any image, and the
// same image and input give the same output, pixels and step count.
#pragma once

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/trap_causes.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/base/diagnostic.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/image/vram.hpp"
#include "pxos/vm/state.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pxos {

struct FaultRecord {
    std::uint32_t pid = 0;     // as the kernel set PID when the fault happened
    std::uint32_t pc = 0;      // address of the faulting instruction
    std::uint32_t cause = 0;   // an isa::TrapCause
    std::uint32_t address = 0; // the address involved (memory, jump target), else pc
    std::uint64_t step = 0;
    bool in_kernel = false;
};

// Interrupted: the console input source asked to stop (ConsoleInput::kStop);
// like BudgetExhausted, run() can be called again to go on.
enum class StopReason { Halted, BudgetExhausted, KernelPanic, Interrupted };

// One executed instruction, for traces and debuggers.
struct TraceEvent {
    std::uint64_t step;
    std::uint32_t pid;
    bool user_mode;
    std::uint32_t pc;
    std::optional<Instruction> instruction; // nullopt: the pixel did not decode
    std::array<std::uint32_t, isa::kRegisterCount> before;
    std::array<std::uint32_t, isa::kRegisterCount> after;
};

class TraceSink {
public:
    virtual ~TraceSink() = default;
    virtual void on_instruction(const TraceEvent& event) = 0;
};

// Where console output goes; the default collects it in a string.
class ConsoleSink {
public:
    virtual ~ConsoleSink() = default;
    virtual void write(char c) = 0;
};

// Where console input comes from, when set (else the bytes of
// Machine::set_input). The machine asks for a byte only when IN reads the
// console port, one byte an IN, so the same bytes give the same run. A
// source may block (a terminal) and may ask the machine to stop at once.
class ConsoleInput {
public:
    static constexpr int kEnd = -1;  // no more input now: IN reads 0xffffffff
    static constexpr int kStop = -2; // stop before this IN: run() returns StopReason::Interrupted with the pc at
                                     // the IN, not executed and no step counted (a later run() asks again)
    virtual ~ConsoleInput() = default;
    virtual int next_byte() = 0; // 0..255, kEnd or kStop
};

// The bytes of a string, then the end (what set_input gives, as a source).
class StringConsoleInput final : public ConsoleInput {
public:
    explicit StringConsoleInput(std::string bytes)
        : m_bytes(std::move(bytes))
    {
    }
    int next_byte() override { return m_position < m_bytes.size() ? static_cast<unsigned char>(m_bytes[m_position++]) : kEnd; }

private:
    std::string m_bytes;
    std::size_t m_position = 0;
};

// Told of every word the running program stores (provenance). Only when set.
class StoreObserver {
public:
    virtual ~StoreObserver() = default;
    virtual void on_store(std::uint32_t pid, bool user_mode, std::uint32_t pc, std::uint32_t address,
        std::uint32_t old_word, std::uint32_t new_word)
        = 0;
};

// Told of every data word a program loads (LOAD, LOADX, PGET). Only when set.
class LoadObserver {
public:
    virtual ~LoadObserver() = default;
    virtual void on_load(std::uint32_t pid, bool user_mode, std::uint32_t pc, std::uint32_t address, std::uint32_t word)
        = 0;
};

class Machine;

// Told of every trap once the kernel was entered for it (a syscall, a user
// fault, the end of a time slice): the machine is in kernel mode at the
// handler or trap vector, with EPC, CAUSE and ARG set. Only when set.
class TrapObserver {
public:
    virtual ~TrapObserver() = default;
    virtual void on_trap(const Machine& machine) = 0;
};

struct RunResult {
    StopReason reason = StopReason::Halted;
    std::uint32_t halt_code = 0;
    std::uint64_t steps = 0;
    std::uint64_t syscalls = 0;
    std::vector<FaultRecord> faults; // the first user faults, in order, up to RunRecordLimits::max_faults
    std::uint64_t fault_count = 0;   // every user fault, kept or not
    std::optional<FaultRecord> latest_fault; // the last user fault (kept or not)
    std::optional<FaultRecord> panic;

    // Faults counted but not kept in `faults` (past the fault records cap).
    std::uint64_t faults_not_kept() const { return fault_count - faults.size(); }
};

// What one run keeps of what a guest makes without bound: fault records
// and console bytes. A guest that faults or prints in a loop for the whole
// step budget must not grow the host's memory or output with it, so past
// these the machine only counts (RunResult::fault_count,
// Machine::console_bytes_not_kept()). Defaults from the caps table.
struct RunRecordLimits {
    std::uint64_t max_faults = cap_default(Cap::FaultRecords);
    std::uint64_t max_console_bytes = cap_default(Cap::ConsoleOutput);

    static RunRecordLimits from_caps(const CapValues& caps)
    {
        return { caps.get(Cap::FaultRecords), caps.get(Cap::ConsoleOutput) };
    }
};

struct ProcessInfo {
    std::uint32_t slot;
    std::uint32_t pid;
    std::uint32_t state; // isa::ProcessState
    std::uint32_t pc;
    std::uint32_t base;
    std::uint32_t limit;
    std::int32_t exit_code;
};

// What booting reads from an image: its header and palette, checked (magic,
// version, pointers, a display that overlaps nothing the kernel owns, unique
// opcode colours). Both interpreters boot through here.
struct BootImage {
    BootHeader header;
    Palette palette;
};
Result<BootImage> read_boot_image(const SimulatedVRAM& image, const std::string& image_name);

class Machine {
public:
    // Checks the header and palette of the image; the machine owns the VRAM.
    static Result<std::unique_ptr<Machine>> boot(SimulatedVRAM image, const std::string& image_name);
    ~Machine();

    void set_input(std::string input) { m_input = std::move(input), m_input_position = 0; }
    // Console input from `source` instead of the string (not owned; nullptr: the string again).
    void set_input_source(ConsoleInput* source) { m_input_source = source; }
    void set_console(ConsoleSink* console) { m_console = console; }
    void set_trace(TraceSink* trace) { m_trace = trace; }
    void set_store_observer(StoreObserver* observer) { m_store_observer = observer; }
    void set_load_observer(LoadObserver* observer) { m_load_observer = observer; }
    void set_trap_observer(TrapObserver* observer) { m_trap_observer = observer; }
    void set_record_limits(const RunRecordLimits& limits) { m_record_limits = limits; }

    // Runs until the kernel halts, a kernel fault, or `max_steps` more
    // instructions (the budget). Can be called again to continue.
    RunResult run(std::uint64_t max_steps);
    // A copy of this machine between runs: its memory, registers, step
    // count, results and console so far, and its input string; running the
    // copy goes on exactly as this machine would. Observers, sinks and the
    // input source are not copied (none is set on the copy). The scenario
    // suite forks its sessions from one boot so.
    std::unique_ptr<Machine> clone() const;
    // Makes this machine what `other` is (as clone() would), reusing this
    // one's memory and decode cache: only the words that differ are copied
    // (and their decoded slots dropped). Both must come from the same boot
    // (one a clone of the other, or both of a third): else nothing changes
    // and it returns false.
    bool reset_to(const Machine& other);

    const SimulatedVRAM& vram() const { return m_vram; }
    const BootHeader& header() const { return m_header; }
    const Palette& palette() const { return m_palette; }
    // The console output kept (up to the console output cap; with a
    // ConsoleSink set, the sink got it instead and this is empty).
    const std::string& console_output() const { return m_output; }
    // Console bytes the guest wrote past the console output cap: neither
    // kept nor given to the sink.
    std::uint64_t console_bytes_not_kept() const { return m_console_bytes - std::min(m_console_bytes, m_record_limits.max_console_bytes); }
    std::uint64_t steps() const { return m_steps; }
    bool halted() const { return m_halted; }
    bool user_mode() const { return m_user_mode; }
    std::uint32_t pc() const { return m_pc; }
    const std::array<std::uint32_t, isa::kRegisterCount>& registers(bool user) const
    {
        return user == m_user_mode ? m_active : m_inactive;
    }
    std::uint32_t special(isa::Special which) const;
    // The architectural state now (a copy: the running bank is kept in place).
    MachineState state() const;
    // For debuggers: change a register of a bank, or the pc.
    void set_register(bool user, int index, std::uint32_t value)
    {
        (user == m_user_mode ? m_active : m_inactive)[std::size_t(index & 15)] = value;
    }
    // The processes as the kernel's process table describes them now.
    std::vector<ProcessInfo> processes() const;

    struct Slot;

private:
    Machine(SimulatedVRAM image, BootHeader header, Palette palette);
    void set_display_bounds();

    enum class Exit : std::uint8_t { Budget, Trap, ModeSwitch, Halt, Panic, Interrupted };
    Exit run_chunk(std::uint64_t budget);
    void decode_slot(std::uint32_t address, std::uint64_t fetch_end);
    void invalidate(std::uint32_t address);
    bool display_contains(std::uint32_t address) const;
    void raise(std::uint32_t cause, std::uint32_t pc, std::uint32_t address);
    void enter_user_mode();
    void switch_mode(bool user);
    void write_console(char c);
    void enter_kernel(std::uint32_t cause, std::uint32_t pc, std::uint32_t address);

    void copy_state(const Machine& other);
    SimulatedVRAM m_vram;
    std::uint64_t m_boot_id = 0; // the boot it comes from (clones keep it)
    BootHeader m_header;
    Palette m_palette;
    std::uint32_t* m_memory;
    std::uint32_t m_memory_words;
    struct FreeSlots {
        void operator()(Slot* slots) const;
    };
    std::unique_ptr<Slot[], FreeSlots> m_slots;
    std::size_t m_slot_count = 0;
    // Per block of slots (cpu::kSlotBlockShift): whether this machine decoded
    // any there. A machine's slot array goes back to a pool when it ends,
    // cleared only in those blocks (machine.cpp).
    std::vector<std::uint8_t> m_decoded_blocks;
    // reset_to's bookkeeping. This machine's memory equalled the memory of
    // machine m_synced_instance at that one's m_memory_version
    // m_synced_version, but for the blocks of words (cpu::kDirtyShift) set
    // in m_dirty_blocks, which the run's stores mark.
    std::vector<std::uint8_t> m_dirty_blocks;
    std::uint64_t m_instance = 0;       // unique per Machine
    std::uint64_t m_memory_version = 0; // moves on whenever this memory may change
    std::uint64_t m_synced_instance = 0, m_synced_version = 0;

    // The running mode's registers sit at a fixed place (the interpreter
    // addresses them from `this`, saving a host register); a mode switch
    // swaps the two banks.
    std::array<std::uint32_t, isa::kRegisterCount> m_active {};
    std::array<std::uint32_t, isa::kRegisterCount> m_inactive {};
    std::array<std::uint32_t, isa::kSpecials.size()> m_specials {};
    std::uint32_t m_pc = 0;
    bool m_user_mode = false;
    bool m_halted = false;
    std::uint64_t m_steps = 0;
    std::uint64_t m_slice_end = 0; // user mode: step at which the time slice ends (0: none)
    std::uint32_t m_display_begin = 0, m_display_end = 0;
    std::uint32_t m_span = 0; // accessible words from the chunk's first address
    std::uint32_t m_fence_begin = 0, m_fence_end = 0;
    std::uint32_t m_stack_lo = 0, m_stack_span = 0; // PUSH/CALL/POP/RET stay in [lo, lo + span)
    std::uint64_t m_fetch_span = 0;       // words from the chunk's first address that may start an instruction
    std::uint64_t m_bad_jump_relative = 0;

    // Pending trap raised inside a chunk.
    std::uint32_t m_trap_cause = 0, m_trap_pc = 0, m_trap_address = 0;
    RunResult m_result;

    std::string m_output;
    std::uint64_t m_console_bytes = 0; // written by the guest, kept or not
    RunRecordLimits m_record_limits;
    std::string m_input;
    std::size_t m_input_position = 0; // bytes IN read (from the string or the source)
    ConsoleInput* m_input_source = nullptr;
    ConsoleSink* m_console = nullptr;
    TraceSink* m_trace = nullptr;
    StoreObserver* m_store_observer = nullptr;
    LoadObserver* m_load_observer = nullptr;
    TrapObserver* m_trap_observer = nullptr;
};

std::string_view stop_reason_name(StopReason reason);

} // namespace pxos
