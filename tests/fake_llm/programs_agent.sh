#!/bin/sh
# The programs' agent: adds a hello process. It answers only a prompt for
# the region programs.
grep -q "You are the agent of the programs region:" "$1" || { echo "not a programs prompt"; exit 0; }
printf '```yaml\nedits:\n  - add: {step: add_process, params: {program_file: "builtin:hello.pxasm"}}\n```\n'
