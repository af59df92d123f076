#!/usr/bin/env python3
"""Import/export benchmark, side by side with khal, on the same generated data.

    python3 bench/import_export.py [--write]   # --write appends the results to BENCHMARKS.md

Measures (release build, fresh profile each time, wall clock):
  1. `pim import` of a 10 000-event .ics (bench/gen_ics.py, seed 42: 10 % recurring,
     mixed zones)                                   target < 1 s
  2. `khal import --batch` of the same file         pim must be >= 50x faster
  3. `pim export all --format json` and `pim export events --format ics` of
     100 000 records                                target < 2 s each
Needs: python3, khal (pip install khal).
"""
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIM = os.path.join(ROOT, "target", "release", "pim")


def run(cmd, **kw):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    return time.perf_counter() - start


def best_of(n, make_cmd, setup=None):
    times = []
    for _ in range(n):
        if setup:
            setup()
        times.append(run(make_cmd()))
    return min(times)


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(l.split()[1] for l in f if l.startswith("MemTotal")))
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    if not shutil.which("khal"):
        sys.exit("khal is needed for the side-by-side run: pip install khal")
    work = tempfile.mkdtemp(prefix="pim-bench-")
    gen = os.path.join(ROOT, "bench", "gen_ics.py")
    f10k = os.path.join(work, "events10k.ics")
    f100k = os.path.join(work, "events100k.ics")
    with open(f10k, "w") as out:
        subprocess.run([sys.executable, gen, "10000", "42"], stdout=out, check=True)
    with open(f100k, "w") as out:
        subprocess.run([sys.executable, gen, "100000", "7"], stdout=out, check=True)

    home = os.path.join(work, "pim-home")

    def fresh():
        shutil.rmtree(home, ignore_errors=True)
        # Create the profile outside the timing.
        subprocess.run([PIM, "--home", home, "collections", "list"], check=True,
                       stdout=subprocess.DEVNULL)

    pim_import = best_of(3, lambda: [PIM, "--home", home, "import", f10k], setup=fresh)

    khal_dir = os.path.join(work, "khal")
    os.makedirs(os.path.join(khal_dir, "cal"))
    conf = os.path.join(khal_dir, "khal.conf")
    with open(conf, "w") as c:
        c.write(f"[calendars]\n[[bench]]\npath = {khal_dir}/cal\ntype = calendar\n"
                f"[sqlite]\npath = {khal_dir}/khal.db\n"
                "[locale]\nlocal_timezone = Europe/Berlin\ndefault_timezone = Europe/Berlin\n")
    khal_import = run(["khal", "-c", conf, "import", "--batch", "-a", "bench", f10k])

    big = os.path.join(work, "pim-big")
    subprocess.run([PIM, "--home", big, "collections", "list"], check=True, stdout=subprocess.DEVNULL)
    big_import = run([PIM, "--home", big, "import", f100k])
    out_json = os.path.join(work, "all.json")
    out_ics = os.path.join(work, "events.ics")
    export_json = best_of(3, lambda: [PIM, "--home", big, "export", "all", "--format", "json",
                                      "-o", out_json])
    export_ics = best_of(3, lambda: [PIM, "--home", big, "export", "events", "--format", "ics",
                                     "-o", out_ics])
    khal_version = subprocess.run(["khal", "--version"], capture_output=True, text=True).stdout.strip()

    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "",
        f"### Import/export run of {today}",
        "",
        f"- Machine: {machine()}; load average at start {load_start}, at end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other jobs share the cores)",
        f"- Command: `python3 bench/import_export.py` (release build; wall clock; pim: best of 3, "
        f"fresh profile each; {khal_version}: one run)",
        "- Data: `bench/gen_ics.py 10000 42` (10 000 events, 10 % recurring, UTC/floating/all-day/"
        "4 IANA zones with VTIMEZONEs) and `bench/gen_ics.py 100000 7` for the 100 000-record export",
        "",
        "| what | time | target |",
        "|---|---|---|",
        f"| `pim import` 10 000 events | {pim_import:.3f} s | < 1 s |",
        f"| `khal import --batch` same file | {khal_import:.1f} s | — |",
        f"| speed-up pim vs khal | {khal_import / pim_import:.0f}x | >= 50x |",
        f"| `pim import` 100 000 events (setup, informational) | {big_import:.2f} s | — |",
        f"| `pim export all --format json` 100 000 records | {export_json:.3f} s | < 2 s |",
        f"| `pim export events --format ics` 100 000 records | {export_ics:.3f} s | < 2 s |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if "--write" in sys.argv:
        path = os.path.join(ROOT, "BENCHMARKS.md")
        existing = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
        if "## Import/export" not in existing:
            existing = existing.rstrip() + "\n\n## Import/export\n"
        head, _, tail = existing.partition("## Import/export\n")
        # New results go right under the section heading; other sections stay untouched.
        with open(path, "w") as f:
            f.write(head + "## Import/export\n" + text + tail)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
