#!/usr/bin/env bash
# Benchmarks for the foundation (issue 2): builds release binaries, generates the
# 100 000-record dataset with the seeded generator, and times the CLI.
# usage: bench/bench.sh [DATA_DIR]   (default: bench-data/, reused when present)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-bench-data}
cargo build --release --quiet --bin pim --example generate
PIM=target/release/pim
HOME_DIR="$DATA/home"

if [ ! -f "$HOME_DIR/pim.sqlite3" ]; then
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"
  echo "== generating 100 000 records (seed 42)"
  target/release/examples/generate --home "$HOME_DIR" --seed 42 2>&1
fi

# median wall time of N runs of a command, in ms (process start included)
median_ms() {
  python3 - "$@" <<'PY'
import subprocess, sys, time, statistics
cmd = sys.argv[1:]
times = []
for i in range(21):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t) * 1000)
times = times[1:]  # first run warms the page cache
print(f"median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms")
PY
}

echo "== pim list events --from 2026-03-01 --to 2026-03-31 --json"
echo "   occurrences: $($PIM --home "$HOME_DIR" list events --from 2026-03-01 --to 2026-03-31 --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")"
median_ms $PIM --home "$HOME_DIR" list events --from 2026-03-01 --to 2026-03-31 --json
echo "== pim search budget --json"
echo "   results: $($PIM --home "$HOME_DIR" search budget --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")"
median_ms $PIM --home "$HOME_DIR" search budget --json
echo "== pim search lovelace --json"
median_ms $PIM --home "$HOME_DIR" search lovelace --json
echo "== pim agenda --next (answered from agenda-next.json: database unchanged)"
$PIM --home "$HOME_DIR" agenda --next
median_ms $PIM --home "$HOME_DIR" agenda --next
echo "== pim agenda --next, first call after a change (kept file removed each run; sh start included)"
median_ms sh -c "rm -f '$HOME_DIR/agenda-next.json'; exec $PIM --home '$HOME_DIR' agenda --next"
echo "== pim agenda --json (7 days)"
median_ms $PIM --home "$HOME_DIR" agenda --json
echo "== pim search '030 1234' --json, country DE (national and international forms)"
median_ms env LC_ALL=de_DE.UTF-8 $PIM --home "$HOME_DIR" search "030 1234" --json
echo "== database size"
du -b "$HOME_DIR/pim.sqlite3" | awk '{printf "   %.1f MB\n", $1/1e6}'
echo "== creating the 100 000 records, fresh database (3 runs)"
for i in 1 2 3; do
  T=$(mktemp -d); target/release/examples/generate --home "$T" --seed 42 2>&1 | sed 's/^/   /'; rm -rf "$T"
done
