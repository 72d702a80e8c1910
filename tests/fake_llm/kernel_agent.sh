#!/bin/sh
# The kernel's agent: adds the kernel when the roadmap in its prompt ($1)
# has none. It answers only a prompt for the region kernel.
grep -q "You are the agent of the kernel region:" "$1" || { echo "not a kernel prompt"; exit 0; }
if grep -Eq -- "- step: install_kernel( |$)" "$1"; then edit='move: {from: 1, to: 1}'; else edit='add: {step: install_kernel}'; fi
printf '```yaml\nedits:\n  - %s\n```\n' "$edit"
