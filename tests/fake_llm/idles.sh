#!/bin/sh
# An LLM that never improves on its parent: its edit changes nothing.
cat > /dev/null
printf '```yaml\nedits:\n  - move: {from: 1, to: 1}\n```\n'
