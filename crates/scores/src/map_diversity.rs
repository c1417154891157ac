//! Whether a group of units' rate maps differ from one another: the evidence a grid count
//! needs beside it (docs/analysis.md). A network whose units all collapse onto one shared
//! six-fold map scores "100 % grid"; its maps correlate near 1, have a participation ratio
//! near 1 and one principal component holding nearly all their variance.
//!
//! Over the bins every map visits, each map is standardised (z_i, mean 0, variance 1), so that
//! C = Z Z^T / bins is the maps' correlation matrix, and
//!
//! ```text
//! median |r|           = median over pairs i < j of |C_ij|
//! participation ratio  = (sum_k lambda_k)^2 / sum_k lambda_k^2 = K^2 / sum_ij C_ij^2
//! first PC fraction    = lambda_max / K
//! ```
//!
//! for K maps with eigenvalues lambda_k of C: between 1 (one shared map) and K (uncorrelated
//! maps).

use serde::{Deserialize, Serialize};

/// How different a group of maps is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapDiversity {
    /// Maps compared (those that vary over the common bins).
    pub units: usize,
    /// Median |Pearson r| over pairs of maps.
    pub median_abs_r: f64,
    /// Participation ratio of the maps' correlation matrix.
    pub participation_ratio: f64,
    /// Share of the variance on the first principal component.
    pub first_pc_fraction: f64,
}

impl std::fmt::Display for MapDiversity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} maps, median |r| {:.3}, participation ratio {:.1}, first PC {:.0} %",
            self.units,
            self.median_abs_r,
            self.participation_ratio,
            100.0 * self.first_pc_fraction
        )
    }
}

/// The diversity of the maps of `units` (`maps` is unit x bin, NaN = unvisited). None for
/// fewer than two maps that vary.
pub fn map_diversity(maps: &[f64], bins: usize, units: &[usize]) -> Option<MapDiversity> {
    let map = |u: usize| &maps[u * bins..(u + 1) * bins];
    let common: Vec<usize> = (0..bins)
        .filter(|&b| units.iter().all(|&u| map(u)[b].is_finite()))
        .collect();
    let z: Vec<Vec<f64>> = units
        .iter()
        .filter_map(|&u| standardised(map(u), &common))
        .collect();
    let k = z.len();
    if k < 2 {
        return None;
    }
    let nb = common.len() as f64;
    let mut c = vec![0.0; k * k];
    let mut pairs = Vec::with_capacity(k * (k - 1) / 2);
    for i in 0..k {
        c[i * k + i] = 1.0;
        for j in 0..i {
            let r = z[i].iter().zip(&z[j]).map(|(a, b)| a * b).sum::<f64>() / nb;
            c[i * k + j] = r;
            c[j * k + i] = r;
            pairs.push(r.abs());
        }
    }
    pairs.sort_by(f64::total_cmp);
    let median = if pairs.len() % 2 == 1 {
        pairs[pairs.len() / 2]
    } else {
        (pairs[pairs.len() / 2 - 1] + pairs[pairs.len() / 2]) / 2.0
    };
    let sum_sq: f64 = c.iter().map(|v| v * v).sum();
    Some(MapDiversity {
        units: k,
        median_abs_r: median,
        participation_ratio: (k * k) as f64 / sum_sq,
        first_pc_fraction: top_eigenvalue(&c, k) / k as f64,
    })
}

/// The map over `common` bins, mean 0 and variance 1; None if it is constant there.
fn standardised(m: &[f64], common: &[usize]) -> Option<Vec<f64>> {
    let v: Vec<f64> = common.iter().map(|&b| m[b]).collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    (sd > 1e-12).then(|| v.iter().map(|x| (x - mean) / sd).collect())
}

/// The largest eigenvalue of a symmetric positive semi-definite k x k matrix, by power
/// iteration from the all-ones vector (converged to 1e-12 or 1000 iterations).
fn top_eigenvalue(c: &[f64], k: usize) -> f64 {
    let mut v = vec![1.0 / (k as f64).sqrt(); k];
    let mut lambda = 0.0;
    for _ in 0..1000 {
        let w: Vec<f64> = (0..k)
            .map(|i| {
                c[i * k..(i + 1) * k]
                    .iter()
                    .zip(&v)
                    .map(|(a, b)| a * b)
                    .sum()
            })
            .collect();
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            return 0.0;
        }
        v = w.into_iter().map(|x| x / norm).collect();
        if (norm - lambda).abs() < 1e-12 * norm {
            return norm;
        }
        lambda = norm;
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(bins: usize, phase: [f64; 2], angle: f64) -> Vec<f64> {
        (0..bins * bins)
            .map(|i| {
                let (x, y) = ((i % bins) as f64 / 4.0, (i / bins) as f64 / 4.0);
                (0..3)
                    .map(|k| {
                        let a = angle + k as f64 * std::f64::consts::PI / 3.0;
                        ((x - phase[0]) * a.cos() + (y - phase[1]) * a.sin()).cos()
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn one_shared_map_is_told_from_maps_with_different_phases() {
        let b = 24;
        // Eight copies of one map (a little noise apart): collapsed.
        let mut u = crate::rng::synthetic_uniform(3);
        let shared: Vec<f64> = (0..8)
            .flat_map(|_| {
                grid(b, [0.0, 0.0], 0.2)
                    .into_iter()
                    .map(|v| v + 0.01 * u())
                    .collect::<Vec<_>>()
            })
            .collect();
        let units: Vec<usize> = (0..8).collect();
        let d = map_diversity(&shared, b * b, &units).unwrap();
        assert!(
            d.median_abs_r > 0.99 && d.participation_ratio < 1.01,
            "{d:?}"
        );
        assert!(d.first_pc_fraction > 0.99);
        // Eight phases and orientations: different maps.
        let varied: Vec<f64> = (0..8)
            .flat_map(|i| grid(b, [0.7 * i as f64, 1.3 * i as f64], 0.2 + 0.37 * i as f64))
            .collect();
        let d = map_diversity(&varied, b * b, &units).unwrap();
        assert!(d.median_abs_r < 0.3 && d.participation_ratio > 4.0, "{d:?}");
        assert!(d.first_pc_fraction < 0.4, "{d:?}");
    }

    #[test]
    fn unvisited_bins_and_flat_maps_are_left_out() {
        let mut maps = vec![0.0; 3 * 4];
        maps[..4].copy_from_slice(&[1.0, 2.0, 3.0, f64::NAN]);
        maps[4..8].copy_from_slice(&[3.0, 2.0, 1.0, 9.0]);
        maps[8..].copy_from_slice(&[5.0; 4]);
        let d = map_diversity(&maps, 4, &[0, 1, 2]).unwrap();
        assert_eq!(d.units, 2);
        assert!((d.median_abs_r - 1.0).abs() < 1e-12);
        assert!(map_diversity(&maps, 4, &[0]).is_none());
    }
}
