#!/bin/sh
# A hostile LLM: a whole roadmap whose inline kernel
# (tests/inputs/guests/trap_flood_kernel.pxasm) floods the machine with
# faults, every other step for the whole budget. The loop must evaluate it
# within its bounds, score it and go on to the next generation.
cat > /dev/null
kernel="$(dirname "$0")/../inputs/guests/trap_flood_kernel.pxasm"
cat <<'REPLY'
Here is a faster kernel:

```yaml
metadata:
  name: "trap flood"
  vram_width: 512
  vram_height: 512
steps:
  - step: init_background
  - step: layout_regions
  - step: write_boot_banner
  - step: write_isa_palette
  - step: write_hello_program
  - step: install_kernel
    params:
      quantum: 1
      kernel_source: |
REPLY
sed 's/^/        /' "$kernel"
cat <<'REPLY'
  - step: add_process
    params:
      program_source: |
        main:
            LOAD r1, r0, 0
            JMP main
```
REPLY
