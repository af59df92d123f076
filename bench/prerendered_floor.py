#!/usr/bin/env python3
"""The floor of a pre-rendered export (issue 19): if every record's text in an export
format were kept in SQLite, in the export's order, an export would still have to read
it. This writes each item of pim's own JSON and iCalendar exports of the benchmark
profiles as one row of a table (through SQLite, page by page, as a profile is
written), then times SQLite reading those rows and nothing else
(`examples/sqlite_floor.rs`, mapped and copied) beside `cat` of the export, in
interleaved rounds (bench/ab.py).

    cargo build --release --examples
    python3 bench/prerendered_floor.py PIM [--rounds N]

Needs bench-data/home and bench-data/events100k (made by bench/issue19.py).
"""
import argparse
import json
import os
import sqlite3
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
FLOOR = os.path.join(ROOT, "target/release/examples/sqlite_floor")


def table(path, items):
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE items (text TEXT NOT NULL)")
    db.executemany("INSERT INTO items (text) VALUES (?)", ((i,) for i in items))
    db.commit()
    db.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pim")
    ap.add_argument("--rounds", type=int, default=21)
    a = ap.parse_args()
    for need in (FLOOR, os.path.join(DATA, "home"), os.path.join(DATA, "events100k")):
        if not os.path.exists(need):
            sys.exit(f"missing {need} (see the docstring)")
    pim = os.path.realpath(a.pim)
    out = {"json": os.path.join(DATA, "export-all.json"), "ics": os.path.join(DATA, "export-events.ics")}
    subprocess.run(f"{pim} --home {DATA}/home export all --format json > {out['json']}", shell=True, check=True)
    subprocess.run(f"{pim} --home {DATA}/events100k export events --format ics > {out['ics']}", shell=True, check=True)
    # One row per item, as the export writes it: a JSON item with its separator,
    # an iCalendar component from its BEGIN line (the calendar's head and time
    # zones go with the first).
    with open(out["json"], encoding="utf-8") as f:
        items = [json.dumps(i, ensure_ascii=False, separators=(",", ":")) + ",\n" for i in json.load(f)]
    table(os.path.join(DATA, "prerendered-json.sqlite3"), items)
    with open(out["ics"], encoding="utf-8", newline="") as f:
        parts = f.read().split("BEGIN:VEVENT")
    table(os.path.join(DATA, "prerendered-ics.sqlite3"),
          [parts[0]] + ["BEGIN:VEVENT" + p for p in parts[1:]])
    cmds = []
    for fmt in ("json", "ics"):
        db = os.path.join(DATA, f"prerendered-{fmt}.sqlite3")
        size = os.path.getsize(out[fmt]) / 1e6
        cmds += [f"{fmt} read copied::{FLOOR} {db} copied",
                 f"{fmt} read mapped::{FLOOR} {db} mapped",
                 f"{fmt} cat ({size:.1f} MB)::cat {out[fmt]}"]
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/ab.py"), str(a.rounds)] + cmds, check=True)


if __name__ == "__main__":
    main()
