#!/usr/bin/env python3
"""Interleaved side-by-side timing of shell commands (e.g. two pim builds).

    python3 bench/ab.py N 'label::command' 'label::command' ...

Runs every command once as a warm-up, then N rounds in turn (so a change of machine
load hits all of them alike), and prints median/min/max wall time per label, process
start included, with the 1-minute load average seen during the runs.
"""
import os
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    variants = [arg.split("::", 1) for arg in sys.argv[2:]]
    times = {label: [] for label, _ in variants}
    loads = []
    for r in range(rounds + 1):
        for label, cmd in variants:
            start = time.perf_counter()
            subprocess.run(cmd, shell=True, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r > 0:
                times[label].append((time.perf_counter() - start) * 1000)
        loads.append(os.getloadavg()[0])
    for label, _ in variants:
        t = times[label]
        print(f"{label:14s} median {statistics.median(t):8.1f} ms  min {min(t):8.1f}  "
              f"max {max(t):8.1f}  (n={len(t)})")
    print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}")


if __name__ == "__main__":
    main()
