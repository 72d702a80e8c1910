#!/bin/sh
# Replies at once and exits, leaving a child that keeps stdout open: the
# reply is complete when this script exits, and the child dies with it.
# $2: a folder for the pids (command.pid, background.pid).
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
sleep 1000 &
echo $! > "$2/background.pid"
echo $$ > "$2/command.pid"
