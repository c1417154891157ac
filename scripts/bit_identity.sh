#!/usr/bin/env bash
# Train the same configs with two gridrnn binaries and compare what they wrote: every
# checkpoint file byte for byte (the training state without its wall clock), train_log.csv
# without its wall_s column, hf_log.csv and stderr whole. Used to show that a refactor leaves
# behaviour unchanged (docs/design.md, "Checking a refactor").
#   scripts/bit_identity.sh OLD_BIN NEW_BIN [WORKDIR]
set -uo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); work=${3:-$(mktemp -d)}
mkdir -p "$work" && cd "$work" || exit 2
state_same() { python3 - "$1" "$2" <<'PY'
import sys, zipfile
za, zb = (zipfile.ZipFile(p) for p in sys.argv[1:3])
names = [n for n in za.namelist() if n != 'wall_s.npy']
same = names == [n for n in zb.namelist() if n != 'wall_s.npy'] and all(za.read(n) == zb.read(n) for n in names)
sys.exit(0 if same else 1)
PY
}
status=0
run() { # name, train arguments...
  local n=$1; shift
  rm -rf "old-$n" "new-$n"
  "$old" train "$@" --out "old-$n" >/dev/null 2>"old-$n.err"
  "$new" train "$@" --out "new-$n" >/dev/null 2>"new-$n.err"
  local k=0 f
  for f in $(ls "old-$n/checkpoints"); do
    k=$((k + 1))
    case $f in
      *.state.npz) state_same "old-$n/checkpoints/$f" "new-$n/checkpoints/$f" ;;
      *) cmp -s "old-$n/checkpoints/$f" "new-$n/checkpoints/$f" ;;
    esac || { echo "DIFF $n checkpoints/$f"; status=1; }
  done
  cmp -s <(cut -d, -f1,3- "old-$n/train_log.csv") <(cut -d, -f1,3- "new-$n/train_log.csv") \
    || { echo "DIFF $n train_log.csv"; status=1; }
  if [ -f "old-$n/hf_log.csv" ]; then
    cmp -s "old-$n/hf_log.csv" "new-$n/hf_log.csv" || { echo "DIFF $n hf_log.csv"; status=1; }
  fi
  cmp -s "old-$n.err" "new-$n.err" || { echo "DIFF $n stderr"; status=1; }
  echo "$n: $k checkpoint files, $(($(wc -l < "old-$n/train_log.csv") - 1)) log rows, $(wc -l < "old-$n.err") stderr lines compared"
}
small=(--set model.units=32 --set task.steps=50 --set train.batch_size=32)
run default --set train.iterations=150
run hessian-free --set train.optimizer=hessian-free --set train.iterations=12 "${small[@]}"
run hexagon --set task.arena=hexagon --set train.iterations=8 "${small[@]}"
run place-cells --preset place-cells --set train.iterations=3
GRIDRNN_FAULT_NONFINITE_AT=7,9 run roll-back --set train.iterations=20 --set train.checkpoint_every=5 "${small[@]}"
[ $status = 0 ] && echo "identical" || echo "DIFFERENT"
exit $status
