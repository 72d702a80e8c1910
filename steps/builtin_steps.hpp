// The compiled-in build steps. registry.cpp holds the one table that names
// them; each theme file implements its steps as plain functions.
#pragma once

#include "pxos/asm/assembler.hpp"
#include "pxos/roadmap/step_registry.hpp"

#include <string_view>

namespace pxos::steps {

// The registry of every compiled-in step, built once on first use.
const StepRegistry& builtin_registry();

// Layout (the seed's five steps): layout_steps.cpp
Result<void> init_background(StepContext&);
Result<void> layout_regions(StepContext&);
Result<void> write_boot_banner(StepContext&);
Result<void> write_opcode_palette(StepContext&);
Result<void> write_hello_program(StepContext&);

// The bootable OS: kernel_steps.cpp
Result<void> write_isa_palette(StepContext&);
Result<void> install_kernel(StepContext&);
Result<void> add_process(StepContext&);

// Assembles a step's pxasm, from the file parameter (relative to the
// roadmap, or builtin:NAME) or the inline source parameter (exactly one):
// install_kernel, add_process and add_file.
Result<Program> assemble_step_source(StepContext& step, std::string_view file_param, std::string_view source_param,
    AssembleOptions options);

// The file store: store_steps.cpp
Result<void> format_store(StepContext&);
Result<void> add_file(StepContext&);

// Painting primitives: paint_steps.cpp
Result<void> fill_rect(StepContext&);
Result<void> copy_rect(StepContext&);

} // namespace pxos::steps
