#!/bin/sh
# Wrong first; when the prompt carries the error it was given, right.
if grep -q "previous reply was rejected" "$1"; then
    printf '```yaml\nedits:\n  - add: {at: 2, step: write_isa_palette}\n```\n'
else
    printf '```yaml\nedits:\n  - remove: {step: 99}\n```\n'
fi
