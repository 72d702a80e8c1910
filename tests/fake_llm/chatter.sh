#!/bin/sh
# Thinking, chatter, a broken first block, and the answer in the last block.
cat > /dev/null
cat <<'REPLY'
<think>
Maybe I should write ```yaml steps: [oops``` here? No.
</think>
First attempt:
```yaml
steps: [ {step: nope
```
Actually, use this one:
```yaml
edits:
  - add: {at: 2, step: write_isa_palette}
```
Hope this helps!
REPLY
