#!/bin/sh
# An LLM that answers with a list of edits.
cat > /dev/null
cat <<'REPLY'
```yaml
edits:
  - add: {at: 2, step: write_isa_palette}
  - add: {at: 3, step: write_hello_program}
  - add: {at: 4, step: install_kernel}
  - add: {at: 5, step: add_process}
  - add: {step: add_process, params: {program_file: "builtin:draw.pxasm"}}
```
REPLY
