#!/usr/bin/env bash
# Address completion (issue 18): `pim contacts query` on the seeded dataset's 25 000
# contacts, as mutt's query_command and aerc's address-book-cmd run it. Wall clock,
# process start included, median of 20 runs after a warm-up; then instructions
# executed (valgrind's callgrind, when installed): the same on a loaded machine as
# on an idle one, so runs on the shared build machine compare.
# usage: bench/contacts_query.sh [DATA_DIR]   (default: bench-data/, shared with bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-bench-data}
cargo build --release --quiet --bin pim --example generate
PIM=target/release/pim
HOME_DIR="$DATA/home"

if [ ! -f "$HOME_DIR/pim.sqlite3" ]; then
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"
  echo "== generating 100 000 records, 25 000 of them contacts (seed 42)"
  target/release/examples/generate --home "$HOME_DIR" --seed 42 2>&1
fi
echo "   contacts: $($PIM --home "$HOME_DIR" list contacts --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")"

# Wall clock, and the CPU time the process used (user + system: less at the mercy
# of other work on the machine than wall clock).
median_ms() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time, statistics
cmd = sys.argv[1:]
wall, cpu = [], []
for i in range(21):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    wall.append((time.perf_counter() - t) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000)
wall, cpu = wall[1:], cpu[1:]
print(f"   wall median {statistics.median(wall):.1f} ms (min {min(wall):.1f}); "
      f"CPU median {statistics.median(cpu):.1f} ms (min {min(cpu):.1f})")
PY
}

echo "== pim search zz-no-match (process start and opening the database)"
median_ms $PIM --home "$HOME_DIR" search zz-no-match
for q in ada marg lovelace example zz-no-match; do
  [ -n "$q" ] || continue
  echo "== pim contacts query $q (mutt)"
  echo "   lines: $($PIM --home "$HOME_DIR" contacts query "$q" | wc -l)"
  median_ms $PIM --home "$HOME_DIR" contacts query "$q"
done

if command -v valgrind > /dev/null; then
  echo "== instructions executed (callgrind; process start and opening the database included)"
  instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
      | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  for q in zz-no-match ada marg lovelace example; do
    printf '   %-12s %s\n' "$q" "$(instructions $PIM --home "$HOME_DIR" contacts query "$q")"
  done
  printf '   %-12s %s\n' "(search zz-no-match)" "$(instructions $PIM --home "$HOME_DIR" search zz-no-match)"
fi
