#!/usr/bin/env bash
# Fuzz one target on the stable toolchain (cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1
# lets stable rustc accept them). Not part of CI.
#   cargo install cargo-fuzz
#   fuzz/run.sh npz 600        # target, seconds
# Targets: npz, npy, trajectories, config. Crashes land in fuzz/artifacts/TARGET/; copy them
# to tests/fuzz_regressions/TARGET/ so that `cargo test` replays them.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?target}
secs=${2:-600}
mkdir -p "fuzz/corpus/$target"
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
  -max_total_time="$secs" -rss_limit_mb=4096 -max_len=65536
