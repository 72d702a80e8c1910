#!/bin/sh
cat > /dev/null
printf '```yaml\nsteps:\n  - step: init_background\n    params: {background_color: [300, 0]}\n```\n'
