#!/usr/bin/env python3
"""Two commands side by side: whole processes, run interleaved with the
order flipped every round, medians of wall time. For "no change of speed"
checks of a branch against main's binary.

    python3 bench/ab.py [--runs N] OLD_COMMAND... -- NEW_COMMAND...

e.g. python3 bench/ab.py old/pxos build roadmaps/ROADMAP_VRAM_OS.yaml -o /tmp/a.png \\
         -- build-release/pxos build roadmaps/ROADMAP_VRAM_OS.yaml -o /tmp/b.png
Both commands must exit 0 (a failing one would time its error path)."""
import statistics
import subprocess
import sys
import time


def main(argv):
    runs = 30
    if len(argv) > 1 and argv[0] == "--runs":
        runs, argv = int(argv[1]), argv[2:]
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    commands = (argv[:split], argv[split + 1:])
    times = ([], [])
    for round_number in range(runs):
        for which in ((0, 1) if round_number % 2 == 0 else (1, 0)):
            start = time.perf_counter()
            done = subprocess.run(commands[which], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[which].append(time.perf_counter() - start)
            if done.returncode != 0:
                sys.exit(f"ab.py: {' '.join(commands[which])} exited with {done.returncode}")
    old, new = (statistics.median(t) * 1000 for t in times)
    print(f"{' '.join(commands[1][1:])[:60]:60s} old {old:7.2f} ms  new {new:7.2f} ms  new/old {new / old:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
