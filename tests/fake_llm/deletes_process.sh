#!/bin/sh
# An LLM that deletes the primes demo process from the default roadmap: a
# smaller, shorter-running OS that can no longer do what its parent did
# (the boot's primes scenario), so it must never become the best.
cat > /dev/null
roadmap="$(dirname "$0")/../../roadmaps/ROADMAP_VRAM_OS.yaml"
echo '```yaml'
awk '
  held != "" { if ($0 ~ /name: primes/) { skipping = 1; held = ""; next } print held; held = "" }
  skipping && /params:/ { skipping = 0; next }
  skipping { next }
  /- step: add_process/ { held = $0; next }
  { print }
' "$roadmap"
echo '```'
echo 'rationale: the primes demo costs steps and words; drop it'
