// What a run did, for people and for scripts: fault descriptions with their
// place (pid, pc as (x,y), pxasm file:line when a source map is known), the
// summary JSON of `pxos run --json`, and the exit status of a run.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/vm/machine.hpp"

#include <string>

namespace pxos {

// "pid 2 at (40,240) programs/bad.pxasm:7: MemoryViolation (access outside ...) at address (3,4)"
std::string describe_fault(const FaultRecord& fault, int width, const SourceMap* source_map);

// One line per executed instruction: step, pid, mode, pc, instruction, changed registers.
std::string format_trace_line(const TraceEvent& event, int width, const SourceMap* source_map);

// The same as one JSON object (a line of --trace-json): step, pid, mode, pc
// [x, y], instruction, changed registers, source.
std::string format_trace_json(const TraceEvent& event, int width, const SourceMap* source_map);

// Exit status of `pxos run`: 0 clean halt, 1 the kernel halted with a
// non-zero code (a process exited non-zero, or a deadlock), 3 a process
// faulted, 4 the step budget ran out, 5 kernel panic, 130 the console input
// source stopped it (Ctrl-C).
int run_exit_status(const RunResult& result);

// The closing line of a bounded list: "1234 more faults, counted but not
// kept: over the fault records cap of 1000 faults (raise it with ...)".
// `what` is plural ("faults", "bytes of console output").
std::string not_kept_text(std::uint64_t count, std::string_view what, Cap cap, std::uint64_t limit);

// The version of run_summary_json's shape (its "schema" key): raised when a
// key changes meaning or shape. Places are [x, y] arrays.
inline constexpr int kRunSummarySchema = 1;

// Faults are the ones the run kept (fault_count and faults_not_kept say how
// many more there were); console is the output kept
// (console_bytes_not_kept: how much more the guest wrote).
std::string run_summary_json(const Machine& machine, const RunResult& result, const SourceMap* source_map);

} // namespace pxos
