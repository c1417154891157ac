"""Train a network, analyze it and look at its rate maps, from Python.

    pip install .            # at the repository root, once
    python examples/python_quickstart.py                      # grid cells, ~20 min on 2 cores
    python examples/python_quickstart.py --preset pytorch-peer --iterations 1000  # paper's model

Writes OUT/ratemaps.png: the twelve units with the highest grid score, and prints what the
analysis typed them. Needs matplotlib for the figure.
"""

import argparse
import json
from pathlib import Path

import numpy as np

import gridrnn


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="place-cells")
    ap.add_argument("--iterations", type=int, default=None, help="default: the preset's")
    ap.add_argument("--analysis-steps", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("runs/python-quickstart"))
    a = ap.parse_args()

    config = {} if a.iterations is None else {"train.iterations": a.iterations}
    run = gridrnn.train(config, preset=a.preset, out=a.out)
    print("trained:", run.path, "final loss", run.log["loss"][-1])

    report = run.analyze(steps=a.analysis_steps, stages="off", long_steps=0)
    scores = run.scores()
    types, counts = np.unique(scores["cell_type"], return_counts=True)
    print("cell types:", dict(zip(types.tolist(), counts.tolist())))
    # A count proves little alone: the network must do its task and its maps must differ.
    held = json.loads((run.path / "analysis" / "held_out.json").read_text())
    print(f"held-out error {held['mse']:.4g} (always answering the start: "
          f"{held['start_mse']:.4g}; the centre: {held['centre_mse']:.4g})")
    diversity = json.loads((run.path / "analysis" / "cell_types.json").read_text())
    print("median |r| between the maps of two units:",
          {k: round(v["median_abs_r"], 3) for k, v in diversity["map_diversity"].items()
           if v is not None})
    print("report:", report)

    maps = run.ratemaps()
    best = np.argsort(-np.nan_to_num(scores["grid_score"], nan=-9))[:12]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure")
        return
    fig, axes = plt.subplots(2, 6, figsize=(12, 5.2))
    for ax, u in zip(axes.flat, best):
        ax.imshow(maps[u], origin="lower", cmap="viridis")
        ax.set_title(f"unit {u}: {scores['cell_type'][u]}\ngrid {scores['grid_score'][u]:.2f}",
                     fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(run.path / "ratemaps.png", dpi=120)
    print("figure:", run.path / "ratemaps.png")


if __name__ == "__main__":
    main()
