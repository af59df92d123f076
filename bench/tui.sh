#!/usr/bin/env bash
# TUI benchmark (issue 4): first frame, per-frame cost of month moves and tab
# switches, worker latency and peak RSS over the 100 000-record dataset.
# usage: bench/tui.sh [DATA_DIR]   (default: bench-data/, shared with bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:-bench-data}
cargo build --release --quiet --example generate --example tui_bench
HOME_DIR="$DATA/home"
if [ ! -f "$HOME_DIR/pim.sqlite3" ]; then
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"
  echo "== generating 100 000 records (seed 42)"
  target/release/examples/generate --home "$HOME_DIR" --seed 42 2>&1
fi
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== date: $(date -u +%Y-%m-%dT%H:%MZ)"
target/release/examples/tui_bench "$HOME_DIR/pim.sqlite3"
echo "== the real binary in tmux (120x40): time from launch until the first frame is on screen"
cargo build --release --quiet --bin pim
python3 - "$HOME_DIR" <<'PY'
import os, subprocess, sys, time, statistics
home = sys.argv[1]
sock = f"pim-tui-bench-{os.getpid()}"
def tmux(*a):
    return subprocess.run(["tmux", "-L", sock, *a], capture_output=True, text=True)
times = []
try:
    for i in range(11):
        t = time.perf_counter()
        tmux("new-session", "-d", "-s", "b", "-x", "120", "-y", "40",
             f"target/release/pim --home '{home}'")
        while "Calendar" not in tmux("capture-pane", "-p", "-t", "b").stdout:
            if time.perf_counter() - t > 10:
                raise SystemExit("no frame within 10 s")
        times.append((time.perf_counter() - t) * 1000)
        tmux("send-keys", "-t", "b", "q")
        while tmux("has-session", "-t", "b").returncode == 0:
            time.sleep(0.01)
finally:
    tmux("kill-server")
times = times[1:]
print(f"   median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, max {max(times):.1f} ms "
      "(includes tmux start-up and polling)")
PY
