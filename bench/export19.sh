#!/usr/bin/env bash
# Issue 19, second pass: exports against `cat` of their own output, process start
# against calcurse, the TUI's first frame and a sync of 10 000 changes A→B, for two
# release builds side by side (interleaved, so both see the same machine load).
#
# usage: bench/export19.sh OLD_PIM NEW_PIM [ROUNDS] [GENERATE]
#   OLD_PIM, NEW_PIM  release binaries (e.g. main's and this branch's)
#   GENERATE          release build of examples/generate.rs (default target/release/examples/generate)
# The floor of each export: the sqlite3 shell writing the same stored rows to
# /dev/null in table order (no sorting, no formatting).
# Needs python3, sqlite3, tmux, calcurse (`apt-get install calcurse`) and, for the sync, the
# test mail server (scripts/install-test-deps.sh; run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$(realpath "$1")
NEW=$(realpath "$2")
ROUNDS=${3:-11}
GEN=$(realpath "${4:-target/release/examples/generate}")
DATA=bench-data
mkdir -p "$DATA"
H="$DATA/home"
if [ ! -f "$H/pim.sqlite3" ]; then
  rm -rf "$H"; mkdir -p "$H"
  "$GEN" --home "$H" --seed 42
fi
[ -f "$DATA/events100k.ics" ] || python3 bench/gen_ics.py 100000 7 > "$DATA/events100k.ics"
E="$DATA/events100k"   # a profile of the 100 000 events, for the ics export
if [ ! -f "$E/pim.sqlite3" ]; then
  rm -rf "$E"; "$NEW" --home "$E" import "$DATA/events100k.ics" > /dev/null
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"

# Same bytes from both builds before timing anything.
same() {
  local home=$1; shift
  if ! cmp -s <("$OLD" --home "$home" "$@" 2>&1) <("$NEW" --home "$home" "$@" 2>&1); then
    echo "!! output differs: $*"; exit 1
  fi
}
same "$H" export all --format json
same "$H" export contacts --format vcf
same "$H" export contacts --format vcf --vcard-version 3.0
same "$H" export tasks --format ics
same "$E" export events --format ics
same "$E" export all --format json
same "$H" export events --format ics
same "$H" export all --format json --collection calendar
same "$H" export contacts --format vcf -o /dev/stdout
echo "== export outputs identical"

ab() { echo "-- $1"; shift; python3 bench/ab.py "$ROUNDS" "$@"; }
"$NEW" --home "$H" export all --format json > "$DATA/all.json"
"$NEW" --home "$E" export events --format ics > "$DATA/events.ics"
"$NEW" --home "$H" export contacts --format vcf > "$DATA/contacts.vcf"
ls -l "$DATA/all.json" "$DATA/events.ics" "$DATA/contacts.vcf"
# The floor: SQLite alone reading the rows an export reads, the way it reads them
# since issue 19's third pass: a scan of the table, or (contacts, a quarter of the
# mixed profile) the rows an index of rowids names, in table order. `ORDER BY
# sort_key, id` through the index would cost more (a random lookup per row).
floor() { echo "floor::sqlite3 -cmd 'PRAGMA mmap_size = 1073741824' $1 \"$2\" > /dev/null"; }
ab "export all --format json (100 000 mixed)" \
  "before::$OLD --home $H export all --format json > /dev/null" \
  "after::$NEW --home $H export all --format json > /dev/null" \
  "cat::cat $DATA/all.json > /dev/null" \
  "$(floor "$H/pim.sqlite3" "SELECT id, collection, data, sort_key FROM records")"
ab "export events --format ics (100 000 events)" \
  "before::$OLD --home $E export events --format ics > /dev/null" \
  "after::$NEW --home $E export events --format ics > /dev/null" \
  "cat::cat $DATA/events.ics > /dev/null" \
  "$(floor "$E/pim.sqlite3" "SELECT id, data, sort_key FROM records WHERE +kind = 'event'")"
ab "export contacts --format vcf (25 000)" \
  "before::$OLD --home $H export contacts --format vcf > /dev/null" \
  "after::$NEW --home $H export contacts --format vcf > /dev/null" \
  "cat::cat $DATA/contacts.vcf > /dev/null" \
  "$(floor "$H/pim.sqlite3" "SELECT id, data, sort_key FROM records WHERE rowid IN (SELECT rowid FROM records WHERE kind = 'contact')")"
ab "--version (process start)" \
  "before::$OLD --version > /dev/null" "after::$NEW --version > /dev/null" \
  "calcurse::calcurse --version > /dev/null" "/bin/true::/bin/true"

echo "-- TUI: launch until the first frame is on screen (tmux 120x40, 100 000 records)"
python3 - "$H" "$ROUNDS" "$OLD" "$NEW" <<'PY'
import os, subprocess, sys, time, statistics
home, rounds, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sock = f"pim-tui-bench-{os.getpid()}"
def tmux(*a):
    return subprocess.run(["tmux", "-L", sock, *a], capture_output=True, text=True)
def first_frame(binary):
    t = time.perf_counter()
    tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40", f"{binary} --home '{home}'")
    while "Calendar" not in tmux("capture-pane", "-p", "-t", "b").stdout:
        if time.perf_counter() - t > 10:
            raise SystemExit("no frame within 10 s")
    ms = (time.perf_counter() - t) * 1000
    tmux("send-keys", "-t", "b", "q")
    while tmux("has-session", "-t", "b").returncode == 0:
        time.sleep(0.01)
    return ms
times = {"before": [], "after": []}
try:
    for r in range(rounds + 1):
        for label, binary in (("before", old), ("after", new)):
            ms = first_frame(binary)
            if r > 0:
                times[label].append(ms)
finally:
    tmux("kill-server")
for label, t in times.items():
    print(f"{label:14s} median {statistics.median(t):8.1f} ms  min {min(t):8.1f}  max {max(t):8.1f}  (n={len(t)}; tmux start and polling included)")
PY

echo "-- sync of 10 000 changes A→B (Dovecot on loopback), alternating builds"
for i in 1 2; do
  for label in before after; do
    bin=$OLD; [ "$label" = after ] && bin=$NEW
    echo "   [$label, run $i]"
    PIM="$bin" GENERATE="$GEN" SYNC_ONLY=1 bench/sync.sh 2>&1 | grep -E "sync on|total" | sed 's/^/   /'
  done
done
