#!/usr/bin/env python3
"""Every target of issue 19 in one interleaved run: two release builds side by side.

    python3 bench/issue19.py OLD_PIM NEW_PIM [--rounds N] [--skip-1m] [--skip-sync]

OLD_PIM and NEW_PIM are release binaries (e.g. main before a change and after it);
GENERATE (env, default target/release/examples/generate) builds the 100 000-record
profile; GENERATE_BEFORE, the OLD build's generator, makes its sync profile (a
generator of another schema version than the pim beside it cannot open its profile).
FLOOR (env, default target/release/examples/export_floor) times the store read as each
export reads it, with nothing made of the rows: the floor under that export.
Each group of commands runs once as a warm-up, then N rounds in turn (so a
change of machine load hits every command of the group alike); medians are printed.
Wall time includes process start; CPU is user + system from wait4 (less disturbed by
other work on the machine); RSS is the command's peak resident set (the largest
process it started). At the end a table states, per target, the figures and whether
the NEW build meets it. Needs python3, sqlite3, tmux, calcurse and, for the sync,
the test mail server (scripts/install-test-deps.sh; run as root).

Before timing anything, the script checks that both builds print the same bytes for
every listing, search and export it times.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
MONTH = "list events --from 2026-03-01 --to 2026-03-31"


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)


RSS_FILE = tempfile.NamedTemporaryFile(prefix="pim-bench-rss-", delete=False).name


def run_once(cmd):
    """(wall ms, cpu ms) of one run of `cmd` through sh -c, as bench/ab.py times it."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {cmd}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def peak_rss(cmd):
    """Peak RSS in MB of one run of `cmd`, from GNU time (`%M`), in a run apart from
    the timed ones: a child forked from this Python process would start with the
    interpreter's resident pages and report those."""
    with tempfile.NamedTemporaryFile(prefix="pim-bench-rss-") as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, "sh", "-c", cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return int(open(f.name).read().split()[-1]) / 1024


class Stat:
    def __init__(self, runs, rss):
        self.wall = statistics.median(r[0] for r in runs)
        self.wall_min = min(r[0] for r in runs)
        self.cpu = statistics.median(r[1] for r in runs)
        self.rss = rss
        self.n = len(runs)

    def __str__(self):
        return f"{self.wall:.1f} ms (min {self.wall_min:.1f}, cpu {self.cpu:.1f}), {self.rss:.1f} MB"


def group(title, rounds, commands):
    """Interleaved runs of {label: command} after one warm-up run each (which also
    measures the peak RSS); returns {label: Stat}."""
    runs = {label: [] for label in commands}
    rss = {label: peak_rss(cmd) for label, cmd in commands.items()}
    loads = []
    for _ in range(rounds):
        for label, cmd in commands.items():
            runs[label].append(run_once(cmd))
        loads.append(os.getloadavg()[0])
    stats = {label: Stat(v, rss[label]) for label, v in runs.items()}
    print(f"-- {title} (load {min(loads):.1f}-{max(loads):.1f})")
    for label, s in stats.items():
        print(f"   {label:10s} {s}")
    sys.stdout.flush()
    return stats


def same_output(old, new, homes, args):
    # Compared by cmp, not in this process: its resident memory would grow.
    a, b = homes
    same = subprocess.run(["bash", "-c", f"cmp -s <({old} --home {a} {args} 2>&1) <({new} --home {b} {args} 2>&1)"])
    if same.returncode != 0:
        sys.exit(f"!! output differs: {args}")


def copy_profile(src, dst):
    """A copy of the profile `src` at `dst`, its database written page by page by
    SQLite's backup, as SQLite writes a profile in use: the copy's pages then sit in
    the kernel's page cache as a real profile's do. A copy made with `cp` sits in
    large folios, which a memory map faults in far more cheaply: the month listing
    through a map took 11.8 ms on such a copy and 18.5 ms on the same database
    written by SQLite (BENCHMARKS.md, session 12), which flattered mapped reads."""
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    for f in os.listdir(src):
        if f == "pim.sqlite3":
            sh(f"sqlite3 {os.path.join(src, f)} \".backup {os.path.join(dst, f)}\"")
        elif not f.startswith("pim.sqlite3-"):
            shutil.copy2(os.path.join(src, f), dst)


def first_frame(binary, home):
    sock = f"pim-bench-{os.getpid()}"
    tmux = lambda *a: subprocess.run(["tmux", "-L", sock, *a], capture_output=True, text=True)
    t = time.perf_counter()
    tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", f"{binary} --home '{home}'")
    while "Calendar" not in tmux("capture-pane", "-p", "-t", "b").stdout:
        if time.perf_counter() - t > 10:
            tmux("kill-server")
            sys.exit("no TUI frame within 10 s")
    ms = (time.perf_counter() - t) * 1000
    tmux("send-keys", "-t", "b", "q")
    while tmux("has-session", "-t", "b").returncode == 0:
        time.sleep(0.005)
    tmux("kill-server")
    return ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--skip-1m", action="store_true", help="no 1 000 000-event import")
    ap.add_argument("--skip-sync", action="store_true", help="no sync through Dovecot")
    a = ap.parse_args()
    old, new = os.path.realpath(a.old), os.path.realpath(a.new)
    gen = os.path.realpath(os.environ.get("GENERATE", os.path.join(ROOT, "target/release/examples/generate")))
    # The sync runs make a profile with each build's own generator: a generator of
    # another schema version than the pim beside it cannot open its profile.
    gens = {"before": os.path.realpath(os.environ.get("GENERATE_BEFORE", gen)), "after": gen}
    os.makedirs(DATA, exist_ok=True)
    home = os.path.join(DATA, "home")
    if not os.path.exists(os.path.join(home, "pim.sqlite3")):
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(home)
        sh(f"{gen} --home {home} --seed 42")
    for n, seed, name in ((100000, 7, "events100k.ics"), (1000000, 11, "events1m.ics")):
        path = os.path.join(DATA, name)
        if not os.path.exists(path) and not (a.skip_1m and n == 1000000):
            sh(f"python3 {ROOT}/bench/gen_ics.py {n} {seed} > {path}")
    ev_home = os.path.join(DATA, "events100k")
    if not os.path.exists(os.path.join(ev_home, "pim.sqlite3")):
        sh(f"{old} --home {ev_home} import {DATA}/events100k.ics > /dev/null")
    # Each build reads its own copy of the two profiles: a newer build may migrate
    # the schema on opening, which an older one then refuses to read.
    homes = {}
    for who, binary in (("before", old), ("after", new)):
        for name, src in (("home", home), ("events100k", ev_home)):
            dst = os.path.join(DATA, f"{name}-{who}")
            copy_profile(src, dst)
            sh(f"{binary} --home {dst} collections list > /dev/null")  # migrated, if at all
            homes[(name, who)] = dst

    cpu = subprocess.run("grep -m1 'model name' /proc/cpuinfo", shell=True, capture_output=True, text=True).stdout
    print(f"== machine: {os.cpu_count()} cores, {cpu.split(':')[-1].strip()}, {os.uname().sysname} {os.uname().release}")
    print(f"== date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {a.rounds} rounds")
    print(f"== before: {old}\n== after:  {new}")
    # How fast this (virtual) machine's CPU is at the moment: the same Python loop
    # takes 0.5 s on an idle host and more when the host is shared.
    t = time.perf_counter()
    total = 0
    for i in range(10**7):
        total += i
    print(f"== CPU check: a 10^7-step Python loop took {time.perf_counter() - t:.2f} s")

    checks = [MONTH, MONTH + " --json", "list contacts", "list contacts --json", "list tasks",
              "list tasks --json", "search budget", "search budget --json",
              "search example.org --limit 1000000 --json", "export all --format json",
              "export contacts --format vcf"]
    H = (homes[("home", "before")], homes[("home", "after")])
    E = (homes[("events100k", "before")], homes[("events100k", "after")])
    for args in checks:
        same_output(old, new, H, args)
    same_output(old, new, E, "export events --format ics")
    print("== outputs identical")

    R = a.rounds
    def P(b, args, which="home"):
        who = "before" if b == old else "after"
        return f"{b} --home {homes[(which, who)]} {args} > /dev/null"
    res = {}
    res["month"] = group("month listing (100 000 records): text and --json", R, {
        "before": P(old, MONTH), "after": P(new, MONTH),
        "before/j": P(old, MONTH + " --json"), "after/j": P(new, MONTH + " --json")})
    res["contacts"] = group("list contacts (25 000)", R, {
        "before": P(old, "list contacts"), "after": P(new, "list contacts"),
        "before/j": P(old, "list contacts --json"), "after/j": P(new, "list contacts --json")})
    res["tasks"] = group("list tasks (10 000)", R, {
        "before": P(old, "list tasks"), "after": P(new, "list tasks")})
    res["search"] = group("search: 200 hits, and every contact (25 000 hits)", R, {
        "before": P(old, "search budget"), "after": P(new, "search budget"),
        "before/all": P(old, "search example.org --limit 1000000 --json"),
        "after/all": P(new, "search example.org --limit 1000000 --json")})

    outs = {"json": ("home", "export all --format json"),
            "ics": ("events100k", "export events --format ics"),
            "vcf": ("home", "export contacts --format vcf")}
    # The floor: SQLite's own shell printing the same bodies, in table order (`+kind`
    # keeps it off the index, whose order would make every row a random lookup).
    floors = {"json": "select data from records",
              "ics": "select data from records where +kind='event'",
              "vcf": "select data from records where +kind='contact'"}
    # And pim's own floor: the store read exactly as the export reads it, every body
    # fetched and nothing made of it (examples/export_floor.rs, built with NEW).
    floor = os.path.realpath(os.environ.get("FLOOR", os.path.join(ROOT, "target/release/examples/export_floor")))
    for fmt, (h, args) in outs.items():
        path = os.path.join(DATA, f"out.{fmt}")
        sh(f"{new} --home {homes[(h, 'after')]} {args} > {path}")
        fh, query = homes[(h, "after")], floors[fmt]
        res["export-" + fmt] = group(f"{args} ({os.path.getsize(path) / 1e6:.1f} MB)", R, {
            "before": P(old, args, h), "after": P(new, args, h),
            "cat": f"cat {path} > /dev/null",
            "sqlite3": f"sqlite3 {fh}/pim.sqlite3 \"{query}\" > /dev/null",
            "floor": f"{floor} {fh}/pim.sqlite3 {fmt} > /dev/null"})

    res["version"] = group("--version (process start)", max(R, 51), {
        "before": f"{old} --version > /dev/null", "after": f"{new} --version > /dev/null",
        "calcurse": "calcurse --version > /dev/null", "true": "/bin/true"})

    tmp = tempfile.mkdtemp(prefix="pim-bench-")
    imp = lambda b, who, f: f"rm -rf {tmp}/{who} && {b} --home {tmp}/{who} import {DATA}/{f} > /dev/null"
    res["import"] = group("import 100 000 events into a fresh profile", min(R, 5), {
        "before": imp(old, "before", "events100k.ics"), "after": imp(new, "after", "events100k.ics")})
    if not a.skip_1m:
        runs = {}
        for who, b in (("before", old), ("after", new)):
            # One run each, under GNU time (its own cost is nothing next to this one's).
            start = time.perf_counter()
            peak = peak_rss(imp(b, who, "events1m.ics"))
            runs[who] = Stat([((time.perf_counter() - start) * 1000, 0.0)], peak)
        print("-- import 1 000 000 events (one run each)")
        for who, s in runs.items():
            print(f"   {who:10s} {s}")
        res["import1m"] = runs
    shutil.rmtree(tmp, ignore_errors=True)

    frames = {"before": [], "after": []}
    for r in range(R + 1):
        for who, b in (("before", old), ("after", new)):
            ms = first_frame(b, homes[("home", who)])
            if r > 0:
                frames[who].append(ms)
    print("-- TUI: launch until the first frame is on screen (tmux 120x40, 100 000 records)")
    for who, t in frames.items():
        print(f"   {who:10s} {statistics.median(t):.1f} ms (min {min(t):.1f})")

    syncs = {"before": [], "after": []}
    if not a.skip_sync:
        for i in range(3):
            for who, b in (("before", old), ("after", new)):
                out = subprocess.run(f"PIM={b} GENERATE={gens[who]} SYNC_ONLY=1 {ROOT}/bench/sync.sh",
                                     shell=True, capture_output=True, text=True, check=True).stdout
                total = [l for l in out.splitlines() if "total A then B" in l][0]
                syncs[who].append(float(total.split(":")[1].split()[0]))
        print("-- sync of 10 000 changes A→B through Dovecot (3 runs each, alternating)")
        for who, t in syncs.items():
            print(f"   {who:10s} median {statistics.median(t):.0f} ms (runs {', '.join(f'{x:.0f}' for x in t)})")

    report(res, frames, syncs)


def verdict(ok):
    return "**met**" if ok else "**not met**"


def report(res, frames, syncs):
    m, c, t, s = res["month"], res["contacts"], res["tasks"], res["search"]
    rows = [
        ("month listing, text", m["before"], m["after"],
         f"≤ 1.2× `--json` ({m['after'].wall / m['after/j'].wall:.2f}×) and < 15 ms: "
         + verdict(m["after"].wall <= 1.2 * m["after/j"].wall and m["after"].wall < 15)),
        ("month listing, `--json`", m["before/j"], m["after/j"], "< 15 ms: " + verdict(m["after/j"].wall < 15)),
        ("`list contacts` (25 000)", c["before"], c["after"],
         "< 50 ms and < 40 MB: " + verdict(c["after"].wall < 50 and c["after"].rss < 40)),
        ("`list contacts --json`", c["before/j"], c["after/j"],
         "< 50 ms and < 40 MB: " + verdict(c["after/j"].wall < 50 and c["after/j"].rss < 40)),
        ("`list tasks` (10 000)", t["before"], t["after"], "< 15 ms: " + verdict(t["after"].wall < 15)),
        ("`search budget` (200 hits)", s["before"], s["after"], "not slower"),
        ("`search example.org` (25 000 hits)", s["before/all"], s["after/all"],
         f"memory bounded: {s['after/all'].rss:.1f} MB vs {s['after'].rss:.1f} MB at 200 hits"),
    ]
    for fmt, limit in (("json", 4), ("ics", 10), ("vcf", 10)):
        e = res["export-" + fmt]
        ratio = e["after"].wall / e["cat"].wall
        rows.append((f"`export` {fmt}", e["before"], e["after"],
                     f"≤ {limit}× `cat` ({e['cat'].wall:.1f} ms): {ratio:.0f}× — {verdict(ratio <= limit)}; "
                     f"sqlite3 reading the bodies: {e['sqlite3'].wall:.1f} ms = {e['sqlite3'].wall / e['cat'].wall:.0f}× `cat`; "
                     f"the store read as the export reads it, nothing else: {e['floor'].wall:.1f} ms "
                     f"= {e['floor'].wall / e['cat'].wall:.0f}× `cat`"))
    v = res["version"]
    rows.append(("`pim --version`", v["before"], v["after"],
                 f"≤ calcurse + 0.5 ms ({v['calcurse'].wall:.2f} ms; /bin/true {v['true'].wall:.2f}): "
                 + verdict(v["after"].wall <= v["calcurse"].wall + 0.5)))
    i = res["import"]
    rows.append(("import 100 000 events", i["before"], i["after"],
                 "< 3 s and < 150 MB: " + verdict(i["after"].wall < 3000 and i["after"].rss < 150)))
    if "import1m" in res:
        i1 = res["import1m"]
        rows.append(("import 1 000 000 events", i1["before"], i1["after"],
                     f"same peak as 100 000 ({i['after'].rss:.0f} MB): "
                     + verdict(i1["after"].rss < 1.2 * i["after"].rss)))
    print("\n| what | before | after | target |\n|---|---|---|---|")
    for what, b, a, target in rows:
        print(f"| {what} | {b.wall:.1f} ms (cpu {b.cpu:.1f}), {b.rss:.1f} MB "
              f"| {a.wall:.1f} ms (cpu {a.cpu:.1f}), {a.rss:.1f} MB | {target} |")
    fb, fa = statistics.median(frames["before"]), statistics.median(frames["after"])
    print(f"| TUI first frame | {fb:.1f} ms | {fa:.1f} ms | not slower than ~14 ms |")
    if syncs["before"]:
        sb, sa = statistics.median(syncs["before"]), statistics.median(syncs["after"])
        print(f"| sync 10 000 changes A→B | {sb:.0f} ms | {sa:.0f} ms | not slower than ~1.1 s |")


if __name__ == "__main__":
    main()
