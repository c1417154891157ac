//! Ring-mask grid scores of Banino et al. (2018) and Sorscher et al. (2019), labelled
//! `grid_score_deepmind` (docs/design.md section 7): the autocorrelogram is compared with itself
//! rotated by 30..150 degrees inside annuli from 0.2 to 0.4..1.0 map widths; the score is the
//! best over the 10 annuli. Rotation here is bilinear (their code used scipy's cubic spline).

/// Scores of one autocorrelogram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RingScores {
    /// Hexagonal: min(r60, r120) - max(r30, r90, r150).
    pub grid60: f64,
    /// Square: r90 - (r45 + r135) / 2.
    pub grid90: f64,
}

use super::rotate_bilinear;

const ANGLES: [f64; 7] = [30.0, 45.0, 60.0, 90.0, 120.0, 135.0, 150.0];

/// Grid scores of an autocorrelogram (sh x sw, centre in the middle; NaN counts as 0) of a
/// map `nbins` bins across.
pub fn grid_scores_deepmind(sac: &[f64], sh: usize, sw: usize, nbins: usize) -> RingScores {
    let sac: Vec<f64> = sac
        .iter()
        .map(|v| if v.is_nan() { 0.0 } else { *v })
        .collect();
    let rotated: Vec<Vec<f64>> = ANGLES
        .iter()
        .map(|&a| rotate_bilinear(&sac, sh, sw, a))
        .collect();
    let (cy, cx) = ((sh as f64 - 1.0) / 2.0, (sw as f64 - 1.0) / 2.0);
    let radius: Vec<f64> = (0..sh * sw)
        .map(|i| (((i / sw) as f64 - cy).powi(2) + ((i % sw) as f64 - cx).powi(2)).sqrt())
        .collect();
    let mut best = RingScores {
        grid60: f64::NEG_INFINITY,
        grid90: f64::NEG_INFINITY,
    };
    for k in 0..10 {
        let (r_in, r_out) = (
            0.2 * nbins as f64,
            (0.4 + 0.6 * k as f64 / 9.0) * nbins as f64,
        );
        let mask: Vec<usize> = (0..sh * sw)
            .filter(|&i| radius[i] >= r_in && radius[i] <= r_out)
            .collect();
        if mask.is_empty() {
            continue;
        }
        let area = mask.len() as f64;
        let mean = mask.iter().map(|&i| sac[i]).sum::<f64>() / area;
        let var = mask.iter().map(|&i| (sac[i] - mean).powi(2)).sum::<f64>() / area + 1e-5;
        let corr: Vec<f64> = rotated
            .iter()
            .map(|rot| {
                mask.iter()
                    .map(|&i| (sac[i] - mean) * (rot[i] - mean))
                    .sum::<f64>()
                    / area
                    / var
            })
            .collect();
        let [c30, c45, c60, c90, c120, c135, c150] = corr[..] else {
            unreachable!("7 angles")
        };
        best.grid60 = best.grid60.max(c60.min(c120) - c30.max(c90).max(c150));
        best.grid90 = best.grid90.max(c90 - (c45 + c135) / 2.0);
    }
    if best.grid60 == f64::NEG_INFINITY {
        return RingScores {
            grid60: f64::NAN,
            grid90: f64::NAN,
        };
    }
    best
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::masked_autocorrelogram;

    /// A lattice map on n x n bins: the sum of cosines along `dirs` (degrees) with period
    /// `period` bins.
    pub fn lattice(n: usize, period: f64, dirs: &[f64], phase: f64) -> Vec<f64> {
        let k = std::f64::consts::TAU / period;
        (0..n * n)
            .map(|i| {
                let (y, x) = ((i / n) as f64, (i % n) as f64);
                dirs.iter()
                    .map(|d| {
                        (k * (x * d.to_radians().cos() + y * d.to_radians().sin()) + phase).cos()
                    })
                    .sum()
            })
            .collect()
    }

    fn scores(map: &[f64], n: usize) -> RingScores {
        grid_scores_deepmind(
            &masked_autocorrelogram(map, n, n, 20),
            2 * n - 1,
            2 * n - 1,
            n,
        )
    }

    #[test]
    fn rotation_by_90_degrees_is_exact_on_the_grid() {
        let img: Vec<f64> = (0..25).map(|i| i as f64).collect();
        let r = rotate_bilinear(&img, 5, 5, 90.0);
        let r4 = (0..3).fold(r.clone(), |a, _| rotate_bilinear(&a, 5, 5, 90.0));
        for (a, b) in r4.iter().zip(&img) {
            assert!((a - b).abs() < 1e-9);
        }
        assert!(r.iter().zip(&img).any(|(a, b)| (a - b).abs() > 1.0));
    }

    #[test]
    fn hexagonal_grids_score_high_on_60_square_lattices_on_90_and_noise_near_zero() {
        let n = 20;
        for (period, orient) in [(5.0, 0.0), (6.5, 17.0), (8.0, 40.0)] {
            let hex = lattice(n, period, &[orient, orient + 60.0, orient + 120.0], 0.3);
            let s = scores(&hex, n);
            assert!(
                s.grid60 > 0.7,
                "hexagonal period {period} orientation {orient}: {s:?}"
            );
            assert!(s.grid60 > s.grid90, "{s:?}");
        }
        let sq = lattice(n, 6.0, &[10.0, 100.0], 0.0);
        let s = scores(&sq, n);
        assert!(s.grid90 > 0.7 && s.grid60 < 0.3, "square lattice: {s:?}");
        let band = lattice(n, 6.0, &[30.0], 0.0);
        assert!(
            scores(&band, n).grid60 < 0.3,
            "a band is not a hexagonal grid"
        );
        let mut state = 12345u64;
        let noise: Vec<f64> = (0..n * n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect();
        let s = scores(&noise, n);
        assert!(
            s.grid60.abs() < 0.35 && s.grid90.abs() < 0.35,
            "noise: {s:?}"
        );
    }
}
