#!/usr/bin/env bash
# Issue 19, import: interleaved A/B runs of main's binary ("before") against this
# tree's ("after") importing 10 000, 100 000 and 1 000 000 generated events into a
# fresh profile each run (its creation included); wall clock and peak RSS from
# bench/ab.py (wait4's ru_maxrss of the largest process).
#
# usage: bench/import_stream.sh [BASE_COMMIT]   (default: main)
#
# The base binary is built from a detached worktree (bench-data/base-src) into a
# copy of this tree's release dir (the dependencies are built; only pim is rebuilt),
# then copied to bench-data/pim-base.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-main}
DATA=bench-data
mkdir -p "$DATA"
if [ ! -x "$DATA/pim-base" ]; then
  [ -d "$DATA/base-src" ] || git worktree add --detach "$DATA/base-src" "$BASE"
  # A copy of this tree's release dir: the dependencies are built already.
  [ -d "$DATA/base-target/release" ] || { mkdir -p "$DATA/base-target" && cp -a target/release "$DATA/base-target/"; }
  (cd "$DATA/base-src" && CARGO_TARGET_DIR="$PWD/../base-target" nice -n 10 cargo build --release --bin pim)
  cp "$DATA/base-target/release/pim" "$DATA/pim-base"
fi
nice -n 10 cargo build --release --quiet --bin pim
OLD="$PWD/$DATA/pim-base"
NEW="$PWD/target/release/pim"
[ -f "$DATA/events10k.ics" ] || python3 bench/gen_ics.py 10000 42 > "$DATA/events10k.ics"
[ -f "$DATA/events100k.ics" ] || python3 bench/gen_ics.py 100000 7 > "$DATA/events100k.ics"
[ -f "$DATA/events1m.ics" ] || python3 bench/gen_ics.py 1000000 11 > "$DATA/events1m.ics"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M UTC'), base $(git -C "$DATA/base-src" rev-parse --short HEAD), after $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# Both builds must store the same events: compare the exports of one import each.
for who in before after; do
  bin=$OLD; [ $who = after ] && bin=$NEW
  "$bin" --home "$T/$who" import "$DATA/events10k.ics" > /dev/null
  "$bin" --home "$T/$who" export events --format json | python3 -c '
import json, sys
records = json.load(sys.stdin)
for r in records:
    r.pop("id", None)
print(json.dumps(sorted(records, key=lambda r: json.dumps(r, sort_keys=True)), sort_keys=True))
' > "$T/$who.json"
done
cmp -s "$T/before.json" "$T/after.json" || { echo "!! the builds store different events"; exit 1; }
rm -rf "$T/before" "$T/after"
echo "== both builds store the same 10 000 events"

imp() { echo "$1::rm -rf $T/$1 && $2 --home $T/$1 import $3 > /dev/null"; }
run() {
  echo "-- import $1 events ($2 rounds)"
  python3 bench/ab.py "$2" "$(imp before "$OLD" "$DATA/$3")" "$(imp after "$NEW" "$DATA/$3")"
}
run "10 000" 5 events10k.ics
run "100 000" 3 events100k.ics
# 1 000 000 events: one run each, no warm-up (main's takes minutes), under time -v.
echo "-- import 1 000 000 events (1 run each, /usr/bin/time -v)"
for who in after before; do
  bin=$OLD; [ $who = after ] && bin=$NEW
  rm -rf "$T/$who"
  /usr/bin/time -v "$bin" --home "$T/$who" import "$DATA/events1m.ics" 2>&1 >/dev/null |
    grep -E 'created|Elapsed|Maximum resident' | sed "s/^/$who: /"
  rm -rf "$T/$who"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
