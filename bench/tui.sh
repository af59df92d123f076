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
