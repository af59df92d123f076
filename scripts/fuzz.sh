#!/usr/bin/env bash
# Fuzz every parser reachable from outside (tests/formats/fuzz.rs) for MINUTES
# (default 10): rounds of PIM_FUZZ_CASES cases per target (default 2000), each with
# a fresh seed. Stops at the first crash and prints the seed that replays it:
#   PIM_FUZZ_SEED=<seed> PIM_FUZZ_CASES=<cases> cargo test --test formats fuzz::
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
cases="${PIM_FUZZ_CASES:-2000}"
targets=5 # the fuzz_* targets in tests/formats/fuzz.rs (fuzz_findings_stay_fixed aside)
cargo test --test formats --no-run --quiet
deadline=$(($(date +%s) + minutes * 60))
start=$(date +%s)
rounds=0
while [ "$(date +%s)" -lt "$deadline" ]; do
    seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
    if ! RUST_BACKTRACE=0 PIM_FUZZ_SEED="$seed" PIM_FUZZ_CASES="$cases" \
        cargo test --quiet --test formats fuzz:: >/tmp/pim-fuzz.$$ 2>&1; then
        grep -E "panicked|found a crash|FAILED" /tmp/pim-fuzz.$$ | head -20
        rm -f /tmp/pim-fuzz.$$
        echo "fuzz: CRASH in round $((rounds + 1)); replay: PIM_FUZZ_SEED=$seed PIM_FUZZ_CASES=$cases cargo test --test formats fuzz::" >&2
        exit 1
    fi
    rounds=$((rounds + 1))
done
rm -f /tmp/pim-fuzz.$$
echo "fuzz: $rounds rounds, $((rounds * cases * targets)) executions in $(($(date +%s) - start)) s, no crash"
