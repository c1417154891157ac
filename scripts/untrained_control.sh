#!/usr/bin/env bash
# The untrained control (docs/analysis.md): analyze a run's iteration-0 network (random W_rec,
# W_out = 0) exactly as `gridrnn analyze` analyzes the trained one, in a new run directory
# that holds only that checkpoint. Run by hand:
#
#     bash scripts/untrained_control.sh runs/RUN /tmp/RUN-untrained [gridrnn binary]
#
# Prints the cell-type line; the maps, scores and report are in the new directory.
set -euo pipefail
run=${1:?usage: untrained_control.sh RUN OUT [GRIDRNN]}
out=${2:?usage: untrained_control.sh RUN OUT [GRIDRNN]}
gridrnn=${3:-target/release/gridrnn}
[ -f "$run/checkpoints/00000000.npz" ] || { echo "$run has no iteration-0 checkpoint" >&2; exit 2; }
[ ! -e "$out" ] || { echo "$out exists: give a new directory" >&2; exit 2; }
mkdir -p "$out/checkpoints"
cp "$run/config.toml" "$run/manifest.json" "$out/"
head -2 "$run/train_log.csv" > "$out/train_log.csv"
cp "$run"/checkpoints/00000000.* "$out/checkpoints/"
cp "$run/checkpoints/00000000.npz" "$out/checkpoints/latest.npz"
"$gridrnn" analyze "$out" --stages off --long-steps 0 | grep -E "^(thresholds|cell types|maps differ)"
