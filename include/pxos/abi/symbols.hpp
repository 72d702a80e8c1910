// The symbols every pxasm program sees, all expanded from the ABI's tables
// (and the ISA's and the layout's): SYS_<call>, SYSCALL_COUNT, TRAP_<cause>,
// STATE_<state>, PCB_<field>, PCB_WORDS, PCB_SHIFT, PROCESS_SLOTS,
// FIRST_PID, HEADER_<field>, HEADER, REGISTER_COUNT, REGISTER_SP, the
// console ports, REGION_<region> and VRAM_WIDTH. Kernel code names ABI
// facts by these symbols, never by a literal. The reference tables of
// docs/ISA.md and docs/PXASM.md are generated here too (`pxos abi
// --markdown`), so the docs cannot drift from the tables.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace pxos {

// Symbol name -> value, for a VRAM `vram_width` pixels wide.
std::map<std::string, std::int64_t> standard_symbols(int vram_width);

} // namespace pxos

namespace pxos::abi {

// The ABI tables of docs/ISA.md: trap causes, boot header, PCB fields and
// process states.
std::string kernel_tables_markdown();
// The system call table of docs/PXASM.md.
std::string syscalls_markdown();
// The tables of docs/OS.md: error codes, open flags, file types, stat
// words, the kernel's limits, the store's format, the program file header.
std::string os_tables_markdown();
// All three, as `pxos abi --markdown` prints them, a blank line between.
std::string reference_markdown();
// `pxos abi`: every standard symbol and its value, one per line.
std::string symbols_text(int vram_width);

} // namespace pxos::abi
