#!/usr/bin/env python3
"""Measure how long the start of each recorded trial stands out in a run's rate maps
(docs/analysis.md, "The start transient"). Run by hand, not in CI (needs numpy):

    python3 scripts/start_transient.py runs/RUN [--gridrnn target/release/gridrnn]

Every recorded trial starts at the arena's centre from x_0 = 0. For each number of left-out
steps K it runs `gridrnn analyze RUN --transient-steps K` (no long trials, no development,
20 shuffles: only the maps matter here) and measures, per unit, how far the 2 x 2 block of
bins around the start stands out from the 12 bins around it, as a z-score against the same
contrast at every other block of the map. It prints the start block's median |z| over units
next to the other blocks' (median, 95th percentile) and how many blocks are at least as
extreme. The run's analysis/ is left as the last K wrote it: run `gridrnn analyze RUN` after.
Square arenas with an even number of bins only (the start is then a bin corner).
"""

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

STEPS = [0, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100]


def contrasts(m):
    """Block-minus-ring contrast at every interior 2 x 2 block of one map."""
    h, w = m.shape
    out = {}
    for r in range(1, h - 2):
        for c in range(1, w - 2):
            block = m[r : r + 2, c : c + 2]
            ring = m[r - 1 : r + 3, c - 1 : c + 3]
            out[(r, c)] = block.mean() - (ring.sum() - block.sum()) / 12
    return out


def standout(maps):
    """Median over units of |z| for each block, and the start block's key."""
    n, h, w = maps.shape
    start = (h // 2 - 1, w // 2 - 1)
    z = {}
    for u in range(n):
        d = contrasts(maps[u])
        v = np.array(list(d.values()))
        for key, x in d.items():
            z.setdefault(key, []).append(abs((x - v.mean()) / v.std()))
    return {key: float(np.median(v)) for key, v in z.items()}, start


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("run", type=Path)
    p.add_argument("--gridrnn", default="target/release/gridrnn")
    a = p.parse_args()
    for k in STEPS:
        subprocess.run(
            [a.gridrnn, "analyze", str(a.run), "--transient-steps", str(k), "--long-steps",
             "0", "--stages", "off", "--shuffles", "20"],
            check=True, stdout=subprocess.DEVNULL,
        )
        maps = np.load(a.run / "analysis" / "ratemaps.npy").astype(float)
        if maps.shape[1] % 2 or maps.shape[2] % 2:
            sys.exit("needs an even number of bins on each side")
        med, start = standout(maps)
        others = np.array([v for key, v in med.items() if key != start])
        print(
            f"transient {k:3d}: start block median |z| {med[start]:.2f}; other blocks median "
            f"{np.median(others):.2f}, 95th percentile {np.percentile(others, 95):.2f}; "
            f"blocks at least as extreme {(others >= med[start]).sum()} of {len(others)}"
        )


if __name__ == "__main__":
    main()
