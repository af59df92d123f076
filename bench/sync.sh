#!/usr/bin/env bash
# Sync benchmarks (issue 5) against a real Dovecot on loopback, started with the
# test harness: 10 000 changes from A to B, an idle sync, and --watch latency.
# usage: bench/sync.sh            (needs scripts/install-test-deps.sh; run as root)
#   PIM=… GENERATE=… bench/sync.sh   uses those release builds instead of building;
#   SYNC_ONLY=1 stops after the 10 000-change sync (no idle or --watch runs).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PIM:-}" ]; then
  cargo build --release --quiet --bin pim --example generate
  PIM=$PWD/target/release/pim
fi
GENERATE=${GENERATE:-target/release/examples/generate}
W=$(mktemp -d /tmp/pimb.XXXXXX); chmod 755 "$W"; mkdir -p "$W/srv"
echo 'bench:pw-bench' > "$W/srv/passwd"
BASE=${BENCH_BASE_PORT:-23100}
eval "$(tests/harness/start-mailserver.sh "$W/srv" "$BASE" </dev/null)"
trap 'tests/harness/stop-mailserver.sh "$W/srv"; rm -rf "$W"' EXIT
A=$W/a B=$W/b
for h in "$A" "$B"; do
  $PIM --home "$h" account add bench --imap "127.0.0.1:$IMAPS_PORT" --smtp "127.0.0.1:$SMTPS_PORT" \
    --user bench --email bench@example.test --password-command 'echo pw-bench' \
    --ca-file "$CA_FILE" --conflict-policy newest >/dev/null
done
KEY=$($PIM --home "$A" sync init --device-name A | tail -1)
$PIM --home "$B" sync join --key "$KEY" --device-name B >/dev/null
echo "== 10 000 changes on A (generate --scale 0.1)"
"$GENERATE" --home "$A" --seed 42 --scale 0.1 >/dev/null
python3 - "$PIM" "$A" "$B" <<'PY'
import json, os, subprocess, sys, time, statistics
pim, a, b = sys.argv[1:]
def sync(home):
    t = time.perf_counter()
    out = subprocess.run([pim, "--home", home, "sync", "--json"], check=True, capture_output=True, text=True).stdout
    return (time.perf_counter() - t), json.loads(out)
ta, ra = sync(a)
tb, rb = sync(b)
print(f"   pim sync on A: {ta*1000:.0f} ms, uploaded {ra['uploaded']} changes in {ra['appends']} messages, {ra['imap_commands']} IMAP commands, {ra['bytes_up']} B up")
print(f"   pim sync on B: {tb*1000:.0f} ms, applied {rb['applied']}, {rb['imap_commands']} IMAP commands, {rb['bytes_down']} B down")
print(f"   total A then B: {(ta+tb)*1000:.0f} ms")
if os.environ.get("SYNC_ONLY"):
    sys.exit(0)
times, cmds = [], []
for i in range(11):
    t, r = sync(b)
    times.append((t) * 1000); cmds.append(r["imap_commands"])
print(f"== idle pim sync on B (11 runs, process start included): median {statistics.median(times):.0f} ms, min {min(times):.0f} ms; IMAP commands {max(cmds)}")
# --watch: an edit on A visible on B
ws = [subprocess.Popen([pim, "--home", h, "sync", "--watch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for h in (a, b)]
time.sleep(1.5)
lat = []
for i in range(5):
    name = f"Watch Probe {i}"
    subprocess.run([pim, "--home", a, "add", "contact", "--name", name], check=True, capture_output=True)
    t = time.perf_counter()
    while time.perf_counter() - t < 10:
        out = subprocess.run([pim, "--home", b, "search", name.replace(" ", " "), "--json"], capture_output=True, text=True).stdout
        if name in out:
            break
        time.sleep(0.05)
    lat.append((time.perf_counter() - t) * 1000)
    time.sleep(0.5)
for w in ws:
    w.kill(); w.wait()
print(f"== --watch on both, edit on A visible on B (5 edits, polled every 50 ms): median {statistics.median(lat):.0f} ms, max {max(lat):.0f} ms")
PY
