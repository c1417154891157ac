"""Golden scores from opexebo 0.7.2 for the agreement tests (tests/opexebo_agreement.rs).

Run by hand, not in CI (needs opexebo 0.7.2 and its scientific stack; 0.7.2 calls int() on a
one-element array, which numpy 2 refuses, hence numpy<2):

    python -m venv /tmp/opx && /tmp/opx/bin/pip install opexebo==0.7.2 "numpy<2"
    /tmp/opx/bin/python scripts/opexebo_golden.py tests/golden

Writes `opexebo_maps.npy` (float64, maps x rows x columns, NaN = unvisited; every map already
shifted to m - min(m) over its visited bins, as docs/design.md section 7 scores them) and
`opexebo_scores.csv` with, per map: its kind, opexebo's grid score, and two border scores:
opexebo's default chain, and the same chain with `peak_coords=` given from opexebo's own local
maxima (which skips 0.7.2's rejection step that moves peaks near a zero bin to (0, 0)). In
0.7.2 `border_coverage` reads each field's `field_map`, which `place_field` stores as `map`:
it is copied over.
"""

import csv
import sys
from pathlib import Path

import numpy as np
import opexebo
from skimage import measure, morphology

assert opexebo.__version__ == "0.7.2", opexebo.__version__

RNG = np.random.default_rng(20181120)


def lattice(n, period, orientation_deg, directions, phase):
    y, x = np.mgrid[0:n, 0:n].astype(float)
    m = np.zeros((n, n))
    for k in directions:
        a = np.radians(orientation_deg + k)
        m += np.cos(2 * np.pi / period * (x * np.cos(a) + y * np.sin(a)) + phase[0] * (k + 1) + phase[1])
    return m


def bump(n, r0, c0, sigma):
    y, x = np.mgrid[0:n, 0:n].astype(float)
    return np.exp(-((y - r0) ** 2 + (x - c0) ** 2) / (2 * sigma**2))


def smooth_noise(n, sigma):
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(RNG.standard_normal((n, n)), sigma, mode="wrap")


def make_maps(n=20):
    maps = []
    for i in range(60):
        period = RNG.uniform(5, 11)
        m = lattice(n, period, RNG.uniform(0, 60), (0, 60, 120), RNG.uniform(0, 2 * np.pi, 2))
        maps.append(("hexagonal", m + RNG.uniform(0, 1.0) * RNG.standard_normal((n, n))))
    for i in range(25):
        m = lattice(n, RNG.uniform(5, 11), RNG.uniform(0, 90), (0, 90), RNG.uniform(0, 2 * np.pi, 2))
        maps.append(("square", m + 0.3 * RNG.standard_normal((n, n))))
    for i in range(25):
        m = lattice(n, RNG.uniform(5, 14), RNG.uniform(0, 180), (0,), RNG.uniform(0, 2 * np.pi, 2))
        maps.append(("band", m + 0.3 * RNG.standard_normal((n, n))))
    for i in range(40):
        wall = RNG.integers(4)
        t = RNG.uniform(0, n - 1)
        along = RNG.uniform(2, 8)
        r0, c0 = [(0, t), (n - 1, t), (t, 0), (t, n - 1)][wall]
        y, x = np.mgrid[0:n, 0:n].astype(float)
        width = RNG.uniform(1.0, 2.5)
        if wall < 2:
            m = np.exp(-((y - r0) ** 2) / (2 * width**2)) * np.exp(-((x - c0) ** 2) / (2 * (along * 3) ** 2))
        else:
            m = np.exp(-((x - c0) ** 2) / (2 * width**2)) * np.exp(-((y - r0) ** 2) / (2 * (along * 3) ** 2))
        maps.append(("border", m + 0.05 * RNG.standard_normal((n, n))))
    for i in range(30):
        m = sum(bump(n, *RNG.uniform(0, n - 1, 2), RNG.uniform(1.2, 3.0)) for _ in range(RNG.integers(1, 5)))
        maps.append(("fields", m + 0.05 * RNG.standard_normal((n, n))))
    for i in range(20):
        maps.append(("smooth_noise", smooth_noise(n, RNG.uniform(1.0, 3.0))))
    for i in range(10):
        maps.append(("noise", RNG.standard_normal((n, n))))
    out = []
    for kind, m in maps:
        if RNG.uniform() < 0.3:
            # Unvisited bins: a few scattered ones, sometimes a corner.
            m = m.copy()
            m[RNG.uniform(size=m.shape) < 0.03] = np.nan
            if RNG.uniform() < 0.5:
                m[:3, :3] = np.nan
        m = m - np.nanmin(m)
        out.append((kind, m))
    return out


def own_peaks(m):
    """opexebo's peak search without its rejection step, on the map place_field searches."""
    peak = np.nanmax(m)
    f = np.nan_to_num(m.copy())
    if peak < 1:
        f = f * (4 / peak)
    eroded = morphology.erosion(f, morphology.disk(1))
    fmap = morphology.reconstruction(eroded, f)
    maxima = morphology.local_maxima(fmap, connectivity=2, allow_borders=True)
    regions = measure.regionprops(measure.label(maxima, connectivity=2))
    coords = np.zeros((len(regions), 2), dtype=int)
    for i, r in enumerate(regions):
        coords[i, :] = np.array(r.centroid)
    return coords


def border(m, peak_coords=None):
    kw = dict(min_bins=9, min_peak=0, min_mean=0, init_thresh=0.96)
    if peak_coords is not None:
        kw["peak_coords"] = peak_coords
    fields, fields_map = opexebo.analysis.place_field(m, **kw)
    for f in fields:
        f["field_map"] = f["map"]
    score, _ = opexebo.analysis.border_score(m, fields_map, fields, "square")
    return score


def main(out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    maps = make_maps()
    np.save(out / "opexebo_maps.npy", np.stack([m for _, m in maps]).astype(np.float64))
    with open(out / "opexebo_scores.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["map", "kind", "grid_score", "border_default", "border_peaks_given"])
        for i, (kind, m) in enumerate(maps):
            acorr = opexebo.analysis.autocorrelation(m)
            g, _ = opexebo.analysis.grid_score(acorr)
            w.writerow([i, kind, repr(float(g)), repr(float(border(m))), repr(float(border(m, own_peaks(m))))])
    print(f"wrote {len(maps)} maps to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/golden")
