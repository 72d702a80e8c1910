#!/bin/sh
# A good LLM: chatter, then one whole roadmap in a fenced block.
cat > /dev/null
cat <<'REPLY'
Sure! Here is an improved roadmap that boots:

```yaml
metadata:
  name: "pxOS by the LLM"
  vram_width: 512
  vram_height: 512
steps:
  - step: init_background
  - step: layout_regions
  - step: write_boot_banner
  - step: write_isa_palette
  - step: write_hello_program
  - step: install_kernel
  - step: add_process
    params: { program_file: "builtin:hello.pxasm" }
  - step: add_process
    params: { program_file: "builtin:draw.pxasm" }
output:
  png_path: "/etc/evil.png"
```
REPLY
