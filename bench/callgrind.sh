#!/bin/sh
# Host instructions per pxos instruction, counted by callgrind: run the
# countdown at two sizes and divide the difference in host instructions by
# the difference in pxos instructions (start-up and boot cancel out).
#   bench/callgrind.sh [PXOS_BINARY]
set -eu
PXOS=${1:-build-release/pxos}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
HERE=$(cd "$(dirname "$0")" && pwd)
for COUNT in 1000000 5000000; do
    sed "s/@COUNT@/$COUNT/; s|\.\./\.\./roadmaps/kernel.pxasm|$HERE/../roadmaps/kernel.pxasm|" \
        "$HERE/roadmaps/countdown.yaml.in" > "$WORK/countdown$COUNT.yaml"
    "$PXOS" build "$WORK/countdown$COUNT.yaml" -q -o "$WORK/countdown$COUNT.png" >/dev/null
    STEPS=$("$PXOS" run "$WORK/countdown$COUNT.png" --json -q | sed -n 's/^  "steps": \([0-9]*\),$/\1/p')
    HOST=$(valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.$COUNT" "$PXOS" run "$WORK/countdown$COUNT.png" -q 2>&1 \
        | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    echo "$COUNT $STEPS $HOST" >> "$WORK/figures"
done
awk '{ steps[NR] = $2; host[NR] = $3 }
     END { printf "host instructions per pxos instruction: %.2f (callgrind; %d vs %d pxos instructions)\n",
           (host[2] - host[1]) / (steps[2] - steps[1]), steps[1], steps[2] }' "$WORK/figures"
