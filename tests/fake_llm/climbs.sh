#!/bin/sh
# An LLM whose every reply improves on its parent while it can: it adds the
# first step of a working OS that the roadmap in its prompt ($1) lacks (the
# ISA palette, the hello blocks, the kernel, a hello process, a drawing
# process: each raises the gates). With all of them there it changes
# nothing (moves step 1 to 1).
has() { grep -Eq -- "- step: $1( |$)" "$prompt"; }
prompt="$1"
processes=$(grep -Ec -- "- step: add_process( |$)" "$prompt")
if ! has write_isa_palette; then edit='add: {step: write_isa_palette}'
elif ! has write_hello_program; then edit='add: {step: write_hello_program}'
elif ! has install_kernel; then edit='add: {step: install_kernel}'
elif [ "$processes" -eq 0 ]; then edit='add: {step: add_process, params: {program_file: "builtin:hello.pxasm"}}'
elif [ "$processes" -eq 1 ]; then edit='add: {step: add_process, params: {program_file: "builtin:draw.pxasm"}}'
else edit='move: {from: 1, to: 1}'
fi
printf '```yaml\nedits:\n  - %s\n```\n' "$edit"
