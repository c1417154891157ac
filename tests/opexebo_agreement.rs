//! Our ports of opexebo 0.7.2's `grid_score` and `border_score` against opexebo's own numbers
//! on 210 maps (grids, square lattices, bands, border fields, place fields, smooth and white
//! noise; some with unvisited bins), stored by `scripts/opexebo_golden.py` in tests/golden.

use gridrnn::analysis::{
    BorderGeometry, border_score, border_score_opexebo, grid_score, opexebo_autocorrelogram,
};
use ndarray::Array3;

struct Golden {
    maps: Array3<f64>,
    kind: Vec<String>,
    grid: Vec<f64>,
    border_default: Vec<f64>,
    border_peaks: Vec<f64>,
}

fn golden() -> Golden {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let maps: Array3<f64> = ndarray_npy::read_npy(dir.join("opexebo_maps.npy")).unwrap();
    let text = std::fs::read_to_string(dir.join("opexebo_scores.csv")).unwrap();
    let mut g = Golden {
        maps,
        kind: vec![],
        grid: vec![],
        border_default: vec![],
        border_peaks: vec![],
    };
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let num = |s: &str| {
            if s == "nan" {
                f64::NAN
            } else {
                s.parse().unwrap()
            }
        };
        g.kind.push(f[1].to_string());
        g.grid.push(num(f[2]));
        g.border_default.push(num(f[3]));
        g.border_peaks.push(num(f[4]));
    }
    assert_eq!(g.kind.len(), g.maps.shape()[0]);
    g
}

fn map(g: &Golden, i: usize) -> (Vec<f64>, usize, usize) {
    let m = g.maps.index_axis(ndarray::Axis(0), i);
    (m.iter().copied().collect(), m.shape()[0], m.shape()[1])
}

/// The largest difference a map may show against opexebo: both compute the same float64
/// arithmetic in a different order, so they differ by rounding only (1.4e-13 at most on the
/// golden maps); anything near a score's scale would be a different convention.
const SAME: f64 = 1e-9;

/// Maps whose opexebo number the ports are not held to, with the reason. None today: the
/// border port is compared with opexebo given its own peaks, which sidesteps opexebo 0.7.2's
/// peak search moving peaks next to an unvisited bin to (0, 0) (docs/analysis.md); the maps
/// where that bug changes opexebo's default call are counted and printed below.
const EXCUSED: &[(usize, &str)] = &[];

/// Every map not in [`EXCUSED`] gets `ours` within [`SAME`] of `theirs`, NaN where theirs is.
fn every_map_agrees(g: &Golden, what: &str, ours: impl Fn(usize) -> f64, theirs: &[f64]) {
    let mut report = String::new();
    let mut worst: f64 = 0.0;
    for (i, &t) in theirs.iter().enumerate() {
        if EXCUSED.iter().any(|e| e.0 == i) {
            continue;
        }
        let o = ours(i);
        let same = if t.is_nan() || o.is_nan() {
            t.is_nan() && o.is_nan()
        } else {
            worst = worst.max((o - t).abs());
            (o - t).abs() <= SAME
        };
        if !same {
            report += &format!("\n  map {i} ({}): ours {o:.6} opexebo {t:.6}", g.kind[i]);
        }
    }
    eprintln!(
        "{what}: {} maps, largest difference {worst:.2e}",
        theirs.len() - EXCUSED.len()
    );
    assert!(report.is_empty(), "{what} differs from opexebo on:{report}");
}

#[test]
fn grid_score_agrees_with_opexebo_on_every_map() {
    let g = golden();
    every_map_agrees(
        &g,
        "grid_score",
        |i| {
            let (m, h, w) = map(&g, i);
            grid_score(&opexebo_autocorrelogram(&m, h, w)).hexagonal
        },
        &g.grid,
    );
}

#[test]
fn border_score_agrees_with_opexebo_given_its_own_peaks_on_every_map() {
    let g = golden();
    every_map_agrees(
        &g,
        "border_score",
        |i| {
            let (m, h, w) = map(&g, i);
            border_score_opexebo(&m, h, w, None)
        },
        &g.border_peaks,
    );
    // Where opexebo's own default call moved a peak (its peak-search bug), ours follows the
    // peaks, not the bug: those maps are in the comparison above, not excused.
    let moved = (0..g.kind.len())
        .filter(|&i| (g.border_default[i] - g.border_peaks[i]).abs() > 0.02)
        .count();
    eprintln!("border_score: opexebo's default call differs from its own peaks on {moved} maps");
    assert!(
        moved > 0,
        "the golden set no longer exercises opexebo's peak bug"
    );
}

#[test]
fn polygon_border_score_reduces_to_opexebo_on_the_square() {
    let g = golden();
    let n = g.kind.len();
    let mut ok = 0;
    let mut report = String::new();
    for i in 0..n {
        let (m, h, w) = map(&g, i);
        let a = border_score_opexebo(&m, h, w, None);
        let b = border_score(&m, h, w, &BorderGeometry::rectangle(h, w));
        if (a - b).abs() <= 0.05 {
            ok += 1;
        } else {
            report += &format!(
                "\n  map {i} ({}): opexebo port {a:.4} polygon {b:.4}",
                g.kind[i]
            );
        }
    }
    assert_eq!(ok, n, "{report}");
}
