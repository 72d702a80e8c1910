#!/bin/sh
# Replies, then leaves children that escape its process group: one in a
# session of its own (setsid), one orphaned by a subshell (double fork),
# both holding stdout open. $2: a folder for the pids.
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
setsid sh -c 'echo $$ > "$1/escaped.pid.tmp" && mv "$1/escaped.pid.tmp" "$1/escaped.pid"; exec sleep 1000' sh "$2" &
(sleep 1000 & echo $! > "$2/orphan.pid")
while [ ! -s "$2/escaped.pid" ]; do sleep 0.01; done
echo $$ > "$2/command.pid"
