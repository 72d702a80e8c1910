#!/usr/bin/env python3
"""pxos build against the seed's Python prototype, side by side.

    python3 bench/vs_prototype.py [--pxos build-release/pxos] [--runs 21] [--callgrind] [--scratch DIR]

Builds the seed's roadmap (roadmaps/seed_stage1.yaml) at 512x512 and the
same roadmap at 4096x4096, both with the PNG saved, with the prototype and
with pxos. Runs are interleaved (prototype, pxos, prototype, ...; the order
flips every round) so that load from other work on a shared machine falls on
both alike; each figure is the median wall time of a whole process (and, beside it,
the median CPU time, user + system, which load on the machine moves less). Before
timing, the two PNGs of each size are compared pixel by pixel (`pxos diff`).

The prototype is timed as the process /work/shared/bench/prototype starts
(python3 run_vram_os_build.py in its working copy), not the wrapper script
around it, which first imports numpy, PIL and yaml once more to check that
they are installed (`--through-wrapper` times the wrapper as well).

--callgrind adds the instructions pxos executes for each build (valgrind's
callgrind: a figure that does not depend on the machine's load).
Standard library only. Run it from the repository root on a Release build.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

PROTOTYPE = "/work/shared/bench/prototype"


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command, cwd=None, env=None, cpu=None):
    """Wall milliseconds of one process; its CPU milliseconds (user + system) go to `cpu`."""
    cpu_before = cpu_of_children()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000.0
    if cpu is not None:
        cpu.append((cpu_of_children() - cpu_before) * 1000.0)
    if result.returncode != 0:
        sys.exit(f"vs_prototype: {' '.join(command)} exited {result.returncode}: {result.stderr.decode(errors='replace')}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pxos", default="build-release/pxos")
    parser.add_argument("--prototype", default=PROTOTYPE)
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each build (default 21)")
    parser.add_argument("--through-wrapper", action="store_true", help="time the prototype's wrapper script too")
    parser.add_argument("--callgrind", action="store_true", help="also count pxos's instructions with callgrind")
    parser.add_argument("--scratch", default=None,
                        help="folder for the roadmaps and PNGs of both (default: the system's temporary folder); "
                             "/dev/shm takes the disk's fsync latency out of both figures")
    arguments = parser.parse_args()
    pxos = os.path.abspath(arguments.pxos)
    if not os.access(pxos, os.X_OK):
        sys.exit(f"vs_prototype: no pxos binary at {pxos} (make release)")

    scratch = tempfile.mkdtemp(prefix="pxos-vs-prototype-", dir=arguments.scratch)
    with open("roadmaps/seed_stage1.yaml") as seed:
        seed_text = seed.read()
    big_text = re.sub(r"vram_height: 512", "vram_height: 4096", re.sub(r"vram_width: 512", "vram_width: 4096", seed_text))
    if big_text == seed_text:
        sys.exit("vs_prototype: roadmaps/seed_stage1.yaml no longer says vram_width: 512 / vram_height: 512")
    cases = []
    for label, text in (("seed roadmap, 512x512", seed_text), ("seed roadmap, 4096x4096, PNG saved", big_text)):
        size = "512" if "512x512" in label else "4096"
        roadmap = os.path.join(scratch, f"seed{size}.yaml")
        with open(roadmap, "w") as out:
            out.write(text)
        cases.append({"label": label, "roadmap": roadmap, "size": size,
                      "proto_png": os.path.join(scratch, f"prototype{size}.png"),
                      "pxos_png": os.path.join(scratch, f"pxos{size}.png")})

    # The wrapper makes its working copy of the prototype (and checks its
    # packages) on the first call; that call is not timed.
    work = os.environ.get("PXOS_PROTOTYPE_DIR", "/tmp/pxos-prototype")
    env = dict(os.environ, PYTHONPATH=".")
    for case in cases:
        run([arguments.prototype, "build", case["roadmap"], case["proto_png"]])
        case["proto_command"] = ([arguments.prototype, "build", case["roadmap"], case["proto_png"]]
                                 if arguments.through_wrapper else
                                 ["/usr/bin/python3", "run_vram_os_build.py", case["roadmap"], case["proto_png"]])
        case["pxos_command"] = [pxos, "build", case["roadmap"], "-q", "-o", case["pxos_png"]]
        run(case["pxos_command"])
        same = subprocess.run([pxos, "diff", case["proto_png"], case["pxos_png"]], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        case["same"] = same.returncode == 0
        if not case["same"]:
            print(f"warning: {case['label']}: the two PNGs differ: {same.stdout.decode(errors='replace').strip()}",
                  file=sys.stderr)
        case["proto"], case["pxos"], case["proto_cpu"], case["pxos_cpu"] = [], [], [], []

    for round_index in range(arguments.runs):
        for case in cases:
            order = ("proto", "pxos") if round_index % 2 == 0 else ("pxos", "proto")
            for who in order:
                if who == "proto":
                    case["proto"].append(run(case["proto_command"], cwd=None if arguments.through_wrapper else work,
                                             env=env, cpu=case["proto_cpu"]))
                else:
                    case["pxos"].append(run(case["pxos_command"], cpu=case["pxos_cpu"]))

    if arguments.callgrind:
        for case in cases:
            log = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/cg.out"]
                                 + case["pxos_command"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            match = re.search(r"Collected : (\d+)", log.stderr.decode(errors="replace"))
            case["callgrind"] = int(match.group(1)) if match else None

    print(f"pxos: {pxos}; {arguments.runs} interleaved runs each, medians (min-max); files in {os.path.dirname(scratch)}")
    header = "| build | prototype | pxos | ratio | CPU ms: prototype, pxos, ratio | same pixels |"
    if arguments.callgrind:
        header += " pxos instructions (callgrind) |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for case in cases:
        proto = statistics.median(case["proto"])
        ours = statistics.median(case["pxos"])
        proto_cpu = statistics.median(case["proto_cpu"])
        ours_cpu = max(statistics.median(case["pxos_cpu"]), 0.001)
        line = (f"| {case['label']} | {proto:.0f} ms ({min(case['proto']):.0f}-{max(case['proto']):.0f}) "
                f"| {ours:.1f} ms ({min(case['pxos']):.1f}-{max(case['pxos']):.1f}) | **{proto / ours:.1f}x** "
                f"| {proto_cpu:.0f}, {ours_cpu:.1f}, {proto_cpu / ours_cpu:.1f}x | {'yes' if case['same'] else 'NO'} |")
        if arguments.callgrind:
            count = case.get("callgrind")
            line += f" {count / 1e6:.1f} M |" if count else " ? |"
        print(line)
    for name in os.listdir(scratch):
        os.remove(os.path.join(scratch, name))
    os.rmdir(scratch)


if __name__ == "__main__":
    main()
