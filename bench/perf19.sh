#!/usr/bin/env bash
# Issue 19 (and #15's import/search check): interleaved A/B runs of main's binary
# ("before") against this tree's ("after"), release builds, on the seeded data sets.
#
# usage: bench/perf19.sh [ROUNDS] [BASE_COMMIT]   (default 15 rounds, base = main)
#
# The base binary is built from a separate worktree (bench-data/base-src) into its
# own target dir, so this tree's target/ is untouched. Data: `examples/generate.rs
# --seed 42` (100 000 records: 60 000 events, 25 000 contacts, 10 000 tasks, 5 000
# notes) and `bench/gen_ics.py` files; every run is timed by bench/ab.py (median wall
# clock, process start included; peak RSS of the largest process).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-15}
BASE=${2:-main}
DATA=bench-data
mkdir -p "$DATA"

if [ ! -x "$DATA/pim-base" ]; then
  [ -d "$DATA/base-src" ] || git worktree add --detach "$DATA/base-src" "$BASE"
  (cd "$DATA/base-src" && CARGO_TARGET_DIR="$PWD/../base-target" cargo build --release --bin pim)
  cp "$DATA/base-target/release/pim" "$DATA/pim-base"
fi
cargo build --release --quiet --bin pim
OLD="$PWD/$DATA/pim-base"
NEW="$PWD/target/release/pim"
H="$DATA/home"
if [ ! -f "$H/pim.sqlite3" ]; then
  cargo build --release --quiet --example generate
  rm -rf "$H"; mkdir -p "$H"
  target/release/examples/generate --home "$H" --seed 42
fi
[ -f "$DATA/events10k.ics" ] || python3 bench/gen_ics.py 10000 42 > "$DATA/events10k.ics"
[ -f "$DATA/events100k.ics" ] || python3 bench/gen_ics.py 100000 7 > "$DATA/events100k.ics"
E="$DATA/events100k"   # a profile of the 100 000 events, for the ics export
if [ ! -f "$E/pim.sqlite3" ]; then
  rm -rf "$E"; "$NEW" --home "$E" import "$DATA/events100k.ics" > /dev/null
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr)"
echo "== date: $(date -u '+%Y-%m-%d %H:%M UTC'), base $(git rev-parse --short "$BASE"), after $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (dirty)')"

# Same bytes from both builds (text and JSON), before timing anything.
same() {
  if ! cmp -s <("$OLD" --home "$H" "$@" 2>&1) <("$NEW" --home "$H" "$@" 2>&1); then
    echo "!! output differs: $*"; exit 1
  fi
}
M=(list events --from 2026-03-01 --to 2026-03-31)
for args in "${M[*]}" "${M[*]} --json" "list contacts" "list contacts --json" \
  "list tasks" "list tasks --json" "list notes" "search budget" "search budget --json" \
  "search lovelace --json" "search example.org --json --limit 1000000" \
  "export all --format json" "export contacts --format vcf"; do
  # shellcheck disable=SC2086
  same $args
done
echo "== outputs identical"

ab() { echo "-- $1"; shift; python3 bench/ab.py "$ROUNDS" "$@"; }
P() { echo "$1::$2 --home $H ${*:3} > /dev/null"; }
ab "month listing, text" "$(P before "$OLD" "${M[@]}")" "$(P after "$NEW" "${M[@]}")"
ab "month listing, --json" "$(P before "$OLD" "${M[@]}" --json)" "$(P after "$NEW" "${M[@]}" --json)"
ab "list contacts (25 000), text" "$(P before "$OLD" list contacts)" "$(P after "$NEW" list contacts)"
ab "list contacts (25 000), --json" "$(P before "$OLD" list contacts --json)" "$(P after "$NEW" list contacts --json)"
ab "list tasks (10 000), text" "$(P before "$OLD" list tasks)" "$(P after "$NEW" list tasks)"
ab "search budget (200 hits), text" "$(P before "$OLD" search budget)" "$(P after "$NEW" search budget)"
ab "search budget --json" "$(P before "$OLD" search budget --json)" "$(P after "$NEW" search budget --json)"
ab "search lovelace --json" "$(P before "$OLD" search lovelace --json)" "$(P after "$NEW" search lovelace --json)"
ab "search example.org --limit 1000000 --json (every contact)" \
  "$(P before "$OLD" search example.org --limit 1000000 --json)" \
  "$(P after "$NEW" search example.org --limit 1000000 --json)"
ab "--version" "before::$OLD --version > /dev/null" "after::$NEW --version > /dev/null" \
  "/bin/true::/bin/true"

# Exports against cat of their own output (file in the page cache).
"$NEW" --home "$H" export all --format json > "$DATA/all.json"
"$NEW" --home "$E" export events --format ics > "$DATA/events.ics"
"$NEW" --home "$H" export contacts --format vcf > "$DATA/contacts.vcf"
ab "export all --format json (100 000 mixed)" \
  "$(P before "$OLD" export all --format json)" "$(P after "$NEW" export all --format json)" \
  "cat::cat $DATA/all.json > /dev/null"
ab "export events --format ics (100 000 events)" \
  "before::$OLD --home $E export events --format ics > /dev/null" \
  "after::$NEW --home $E export events --format ics > /dev/null" \
  "cat::cat $DATA/events.ics > /dev/null"
ab "export contacts --format vcf (25 000)" \
  "$(P before "$OLD" export contacts --format vcf)" "$(P after "$NEW" export contacts --format vcf)" \
  "cat::cat $DATA/contacts.vcf > /dev/null"

# Imports into a fresh profile each run (its creation included).
T=$(mktemp -d)
imp() { echo "$1::rm -rf $T/$1 && $2 --home $T/$1 import $3 > /dev/null"; }
ab "import 10 000 events" "$(imp before "$OLD" "$DATA/events10k.ics")" "$(imp after "$NEW" "$DATA/events10k.ics")"
R=$(( ROUNDS < 3 ? ROUNDS : 3 ))
# main before 2026-12-06 looked each UID up by scanning every record of the kind: its
# 100 000-event import runs for many minutes, so only this tree's is timed here.
echo "-- import 100 000 events ($R rounds, this tree only)"
python3 bench/ab.py "$R" "$(imp after "$NEW" "$DATA/events100k.ics")"
rm -rf "$T"
