#!/usr/bin/env python3
"""The seeds table of docs/place_cells.md from analyzed runs, with their untrained controls.

    python3 scripts/place_cell_table.py runs/place-cells-s0 runs/place-cells-s1 ...

Each RUN is a run directory analyzed by `gridrnn run` or `gridrnn analyze`; its control is
RUN-untrained (made by scripts/untrained_control.sh; the iteration-0 network does not depend
on model.bias, so a control serves runs that differ only there) or the directory given as
RUN:CONTROL. Standard library only.
"""
import csv
import json
import sys
from pathlib import Path


def summary(run: Path) -> dict:
    a = run / "analysis"
    ct = json.loads((a / "cell_types.json").read_text())
    held = json.loads((a / "held_out.json").read_text())
    with open(a / "scores.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    grid = [r for r in rows if r["cell_type"] == "grid"]
    units = ct["units"]
    div = (ct.get("map_diversity") or {}).get("grid") or {}
    return {
        "units": units,
        "grid": len(grid),
        "hexagonal": sum(r["lattice"] == "hexagonal" for r in grid),
        "e_centre": held["mse"] / held["centre_mse"],
        "e_start": held["mse"] / held["start_mse"] if held.get("start_mse") else float("nan"),
        "median_r": div.get("median_abs_r", float("nan")),
        "pr": div.get("participation_ratio", float("nan")),
        "first_pc": div.get("first_pc_fraction", float("nan")),
    }


def main() -> None:
    print("| run | grid (of N) | hexagonal | E/centre | E/start | median abs r | PR | first PC | untrained control |")
    print("|---|---|---|---|---|---|---|---|---|")
    for arg in sys.argv[1:]:
        run, _, control = arg.partition(":")
        run = Path(run)
        control = Path(control) if control else run.parent / (run.name + "-untrained")
        s = summary(run)
        ctl = "none"
        if (control / "analysis" / "cell_types.json").exists():
            c = summary(control)
            ctl = (f"{c['grid']} grid ({c['hexagonal']} hexagonal, median r {c['median_r']:.2f}, "
                   f"PR {c['pr']:.1f}); E/centre {c['e_centre']:.2f}")
        print(f"| {run.name} | {s['grid']} ({100 * s['grid'] / s['units']:.1f} %) | {s['hexagonal']} "
              f"| {s['e_centre']:.4f} | {s['e_start']:.3f} | {s['median_r']:.3f} | {s['pr']:.1f} "
              f"| {100 * s['first_pc']:.0f} % | {ctl} |")


if __name__ == "__main__":
    main()
