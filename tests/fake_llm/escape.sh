#!/bin/sh
# Names a program outside the roadmap's folder.
cat > /dev/null
printf '```yaml\nsteps:\n  - step: layout_regions\n  - step: install_kernel\n    params: {kernel_file: "../../../../etc/passwd"}\n```\n'
