#!/bin/sh
cat > /dev/null
printf '```yaml\nsteps:\n  - step: layout_regions\n  - step: make_it_faster\n```\n'
