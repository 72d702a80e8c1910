#!/bin/sh
# A kernel agent that first also paints the ISA palette (a layout step, not
# its region's); once its prompt carries the error naming that step, it adds
# the kernel alone.
if grep -q "previous reply was rejected" "$1" && grep -q "(write_isa_palette)" "$1"; then
    printf '```yaml\nedits:\n  - add: {step: install_kernel}\n```\n'
else
    printf '```yaml\nedits:\n  - add: {step: write_isa_palette}\n  - add: {step: install_kernel}\n```\n'
fi
