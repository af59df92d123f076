#!/usr/bin/env bash
# The one command that installs what the tests need and runs all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
export CARGO_TERM_COLOR=never
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test
