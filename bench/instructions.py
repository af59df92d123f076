#!/usr/bin/env python3
"""Instructions executed by two pim builds for issue 19's paths (valgrind's
callgrind, whole process, every thread): the same count on an idle or a busy
machine, so it shows a change that wall time on a shared host cannot.

    python3 bench/instructions.py OLD_PIM NEW_PIM [--exports] [--faults]

Data: bench-data/home (`examples/generate --seed 42`, 100 000 records) and an
iCalendar file of 10 000 events (`bench/gen_ics.py 10000 7`, written to
bench-data/events10k.ics when missing). Each build reads its own copy of the
profile (a newer build may migrate it), and runs each command once before it is
counted (a first listing fills the birthday cache the later ones read). `--exports` adds the three exports (a few
minutes under callgrind); `--faults` adds the page faults of one plain run.
Prints a Markdown table.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
MONTH = "list events --from 2026-03-01 --to 2026-03-31"


def instructions(cmd):
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    m = re.search(r"refs:\s+([\d,]+)", out.stderr)
    return int(m.group(1).replace(",", ""))


def faults(cmd):
    with tempfile.NamedTemporaryFile() as f:
        subprocess.run(["/usr/bin/time", "-f", "%R", "-o", f.name] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return int(open(f.name).read().split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--exports", action="store_true")
    ap.add_argument("--faults", action="store_true")
    args = ap.parse_args()
    home = os.path.join(DATA, "home")
    if not os.path.exists(os.path.join(home, "pim.sqlite3")):
        sys.exit(f"no profile at {home}: run examples/generate --home {home} --seed 42")
    ics = os.path.join(DATA, "events10k.ics")
    if not os.path.exists(ics):
        with open(ics, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_ics.py"),
                            "10000", "7"], stdout=f, check=True)
    work = tempfile.mkdtemp(prefix="pim-instr-")
    homes = {}
    for who, binary in (("old", args.old), ("new", args.new)):
        homes[who] = os.path.join(work, who)
        shutil.copytree(home, homes[who])
        subprocess.run([binary, "--home", homes[who], "collections", "list"],
                       stdout=subprocess.DEVNULL, check=True)  # migrated, if at all
    paths = [
        ("`pim --version`", ["--version"], False),
        ("month listing, text", MONTH.split(), True),
        ("month listing, `--json`", MONTH.split() + ["--json"], True),
        ("`list tasks` (10 000)", ["list", "tasks"], True),
        ("`list contacts` (25 000)", ["list", "contacts"], True),
        ("`search budget`", ["search", "budget"], True),
    ]
    if args.exports:
        paths += [
            ("`export all --format json`", ["export", "all", "--format", "json"], True),
            ("`export events --format ics`", ["export", "events", "--format", "ics"], True),
            ("`export contacts --format vcf`", ["export", "contacts", "--format", "vcf"], True),
        ]
    print("| what | before | after | change |" + (" faults before | faults after |" if args.faults else ""))
    print("|---|---|---|---|" + ("---|---|" if args.faults else ""))
    for label, argv, needs_home in paths:
        row = {}
        for who, binary in (("old", args.old), ("new", args.new)):
            cmd = [binary] + (["--home", homes[who]] if needs_home else []) + argv
            # A first run may fill a cache the later ones read (birthdays.json).
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            row[who] = (instructions(cmd), faults(cmd) if args.faults else None)
        line(label, row, args.faults)
    row = {}
    for who, binary in (("old", args.old), ("new", args.new)):
        target = os.path.join(work, "import-" + who)
        cmd = [binary, "--home", target, "import", ics]
        row[who] = (instructions(cmd), None)
        if args.faults:
            shutil.rmtree(target)
            row[who] = (row[who][0], faults(cmd))
        shutil.rmtree(target)
    line("import of 10 000 events", row, args.faults)
    shutil.rmtree(work)


def line(label, row, with_faults):
    (a, fa), (b, fb) = row["old"], row["new"]
    text = f"| {label} | {a / 1e6:,.1f} M | {b / 1e6:,.1f} M | {100 * (b - a) / a:+.1f} % |"
    if with_faults:
        text += f" {fa} | {fb} |"
    print(text, flush=True)


if __name__ == "__main__":
    main()
