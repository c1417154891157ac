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

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    gridrnn::analysis::pearson_valid(a, b)
}

#[test]
fn grid_score_agrees_with_opexebo() {
    let g = golden();
    let n = g.kind.len();
    let mut ok = 0;
    let mut worst: f64 = 0.0;
    let mut report = String::new();
    for i in 0..n {
        let (m, h, w) = map(&g, i);
        let ours = grid_score(&opexebo_autocorrelogram(&m, h, w)).hexagonal;
        let theirs = g.grid[i];
        if !(ours - theirs).is_nan() {
            worst = worst.max((ours - theirs).abs());
        }
        let same = if theirs.is_nan() || ours.is_nan() {
            theirs.is_nan() && ours.is_nan()
        } else {
            (ours - theirs).abs() <= 0.05
        };
        if same {
            ok += 1;
        } else {
            report += &format!(
                "\n  map {i} ({}): ours {ours:.4} opexebo {theirs:.4}",
                g.kind[i]
            );
        }
    }
    eprintln!(
        "grid_score: {ok}/{n} within 0.05 with the same NaN pattern, largest difference {worst:.2e}{report}"
    );
    assert!(ok as f64 >= 0.95 * n as f64, "{ok}/{n}{report}");
}

#[test]
fn border_score_agrees_with_opexebo_given_its_own_peaks() {
    let g = golden();
    let n = g.kind.len();
    let (mut ok, mut counted) = (0, 0);
    let (mut ours_all, mut theirs_all) = (vec![], vec![]);
    let mut report = String::new();
    for i in 0..n {
        let (m, h, w) = map(&g, i);
        let ours = border_score_opexebo(&m, h, w, None);
        let theirs = g.border_peaks[i];
        ours_all.push(ours);
        theirs_all.push(theirs);
        let excused = (g.border_default[i] - theirs).abs() > 0.02;
        let close = (ours - theirs).abs() <= 0.05;
        if close {
            ok += 1;
            counted += 1;
        } else if !excused {
            counted += 1;
            report += &format!(
                "\n  map {i} ({}): ours {ours:.4} opexebo {theirs:.4}",
                g.kind[i]
            );
        }
    }
    let r = pearson(&ours_all, &theirs_all);
    let worst = ours_all
        .iter()
        .zip(&theirs_all)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    eprintln!(
        "border_score: {ok}/{counted} within 0.05 (excused maps left out), r = {r:.4}, largest difference {worst:.2e}{report}"
    );
    assert!(ok as f64 >= 0.9 * counted as f64, "{ok}/{counted}{report}");
    assert!(r >= 0.95, "r = {r}");
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
