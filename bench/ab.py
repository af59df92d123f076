#!/usr/bin/env python3
"""Interleaved side-by-side timing of shell commands (e.g. two pim builds).

    python3 bench/ab.py N 'label::command' 'label::command' ...

Runs every command once as a warm-up, then N rounds in turn (so a change of machine
load hits all of them alike), and prints median/min/max wall time per label, process
start included, the median CPU time (user + system of the command and its children:
less disturbed than wall time when other work shares the cores), the median peak
resident memory (the largest process the command started, children included), and
the 1-minute load average seen during the runs.
"""
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    """Wall time in ms, CPU time in ms and peak RSS in MB of one run of `cmd` (via sh -c)."""
    devnull = subprocess.DEVNULL
    start = time.perf_counter()
    p = subprocess.Popen(cmd, shell=True, stdout=devnull, stderr=devnull)
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {cmd}")
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return wall, cpu, usage.ru_maxrss / 1024


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    variants = [arg.split("::", 1) for arg in sys.argv[2:]]
    times = {label: [] for label, _ in variants}
    rss = {label: [] for label, _ in variants}
    cpu = {label: [] for label, _ in variants}
    loads = []
    for r in range(rounds + 1):
        for label, cmd in variants:
            wall, used, peak = run(cmd)
            if r > 0:
                times[label].append(wall)
                cpu[label].append(used)
                rss[label].append(peak)
        loads.append(os.getloadavg()[0])
    for label, _ in variants:
        t = times[label]
        print(f"{label:14s} median {statistics.median(t):8.1f} ms  min {min(t):8.1f}  "
              f"max {max(t):8.1f}  cpu {statistics.median(cpu[label]):8.1f} ms  "
              f"rss {statistics.median(rss[label]):6.1f} MB  (n={len(t)})")
    print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}")


if __name__ == "__main__":
    main()
