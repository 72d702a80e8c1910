// The reference interpreter: the pixel machine written for clarity, not
// speed, as the definition the fast interpreter (vm/cpu/) is checked
// against (tests/vm/differential_test.cpp) and a future backend will be.
// Each step() decodes the instruction at pc afresh from memory through the
// opcode table (self-modifying code needs no care), takes its length from
// the table, runs it in one plain switch, and enters the kernel through
// the same trap entry as the fast interpreter (vm/trap_entry.hpp). Its
// state is a MachineState and the VRAM; it keeps no side tables.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/image/vram.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/vm/machine.hpp"
#include "pxos/vm/state.hpp"

#include <cstdint>
#include <string>

namespace pxos {

class ReferenceMachine {
public:
    static Result<ReferenceMachine> boot(SimulatedVRAM image, const std::string& image_name);

    void set_input(std::string input) { m_input = std::move(input), m_state.input_position = 0; }
    // As Machine::set_input_source: console input from `source` (not owned).
    void set_input_source(ConsoleInput* source) { m_input_source = source; }
    void set_record_limits(const RunRecordLimits& limits) { m_record_limits = limits; }

    // What one step did.
    enum class Event : std::uint8_t {
        Executed,    // one instruction ran (a step)
        Trapped,     // the kernel was entered: a syscall or user fault (its instruction counted a step) or the timer
        EnteredUser, // SYSRET ran: user mode at EPC
        Halted,      // HALT ran
        Panicked,    // a kernel fault: the machine stopped
        Stopped,     // nothing: the machine had stopped already
        Interrupted, // nothing: the input source asked to stop at this IN (ConsoleInput::kStop)
    };
    // The timer trap when the time slice is over, else the instruction at pc.
    Event step();
    // As Machine::run: steps until the kernel halts or panics, or until
    // `max_steps` more instructions have run.
    RunResult run(std::uint64_t max_steps);

    const MachineState& state() const { return m_state; }
    const SimulatedVRAM& vram() const { return m_vram; }
    const BootHeader& header() const { return m_header; }
    // The console output kept (up to the console output cap).
    const std::string& console_output() const { return m_output; }
    // Faults, syscalls, the halt code or panic so far (steps as of the last run()).
    const RunResult& result() const { return m_result; }

private:
    ReferenceMachine(SimulatedVRAM image, BootHeader header, Palette palette);

    // What the running mode may touch: data in [lo, lo + span) (user mode:
    // and the display area), instructions starting in [lo, lo + fetch_span),
    // the stack in [stack_lo, stack_lo + stack_span).
    struct Bounds {
        std::uint32_t lo, span, fetch_span, stack_lo, stack_span;
    };
    Bounds bounds() const;
    bool accessible(const Bounds& bounds, std::uint32_t address) const;
    bool fetchable(const Bounds& bounds, std::uint32_t address) const;
    bool in_display(std::uint32_t address) const;
    std::array<std::uint32_t, isa::kRegisterCount>& bank();
    void store(std::uint32_t address, std::uint32_t word);
    void write_console(char c);
    Event execute(const Instruction& instruction, const Bounds& bounds);
    Event jump(const Bounds& bounds, std::uint32_t target);
    Event raise(isa::TrapCause cause, std::uint32_t pc, std::uint32_t address);

    SimulatedVRAM m_vram;
    BootHeader m_header;
    Palette m_palette;
    MachineState m_state;
    // Set when the machine starts running (run()) and on entering user
    // mode: the fast interpreter checks the pc then, before it counts a step.
    // FIXME: the check at run() follows vm/cpu/, whose every run() call
    // (the debugger's single steps, a traced run) starts that way, so that a
    // run split into pieces can fault elsewhere than a run at once; drop it
    // when vm/cpu/ resumes a split run as sequential execution goes on.
    bool m_check_pc = true;
    RunResult m_result;
    RunRecordLimits m_record_limits;
    std::string m_output;
    std::string m_input;
    ConsoleInput* m_input_source = nullptr;
};

} // namespace pxos
