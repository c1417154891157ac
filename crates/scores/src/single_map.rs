//! Scores of one rate map and its tuning curves (docs/design.md section 7, appendix D): Skaggs spatial
//! information, lifetime sparseness, split-half stability, speed and direction selectivity.
//! Maps are shifted to m - min(m) over their visited bins first (tanh activity is signed).

/// Scores that need no autocorrelogram.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapScores {
    /// Skaggs information, bits per step (per unit of mean activity).
    pub spatial_information: f64,
    /// Lifetime sparseness (Vinje-Gallant form), the paper's spatial selectivity.
    pub sparseness: f64,
    /// Pearson r between the even- and odd-trial maps.
    pub stability: f64,
    /// max - min of the direction tuning curve.
    pub direction_selectivity: f64,
    /// |slope| of a line through the moving-speed tuning curve (per unit of s * speed).
    pub speed_selectivity: f64,
}

/// The map shifted to m - min(m) over its visited bins, or None where its visited range is
/// below 1e-9 (docs/design.md section 7: a flat map).
pub fn shifted(map: &[f64]) -> Option<Vec<f64>> {
    let vals: Vec<f64> = map.iter().copied().filter(|v| !v.is_nan()).collect();
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (hi - lo >= 1e-9).then(|| map.iter().map(|v| v - lo).collect())
}

/// Skaggs et al. (1993): sum_i p_i (r_i / r) log2(r_i / r), p_i the occupancy probability,
/// r = sum_i p_i r_i, on the shifted map; bins with r_i = 0 add nothing (the limit), no
/// clamping. 0 for a flat map.
pub fn spatial_information(map: &[f64], occupancy: &[f64]) -> f64 {
    let Some(m) = shifted(map) else { return 0.0 };
    let total: f64 = m
        .iter()
        .zip(occupancy)
        .filter(|(v, _)| !v.is_nan())
        .map(|(_, o)| o)
        .sum();
    let mean: f64 = m
        .iter()
        .zip(occupancy)
        .filter(|(v, _)| !v.is_nan())
        .map(|(v, o)| v * o / total)
        .sum();
    m.iter()
        .zip(occupancy)
        .filter(|(v, _)| !v.is_nan() && **v > 0.0)
        .map(|(v, o)| (o / total) * (v / mean) * (v / mean).log2())
        .sum()
}

/// (1 - (sum r / n)^2 / (sum r^2 / n)) / (1 - 1/n) over visited bins of the shifted map; 0 for
/// a flat map.
pub fn lifetime_sparseness(map: &[f64]) -> f64 {
    let Some(m) = shifted(map) else { return 0.0 };
    let v: Vec<f64> = m.into_iter().filter(|v| !v.is_nan()).collect();
    let n = v.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (s1, s2) = (
        v.iter().sum::<f64>() / n,
        v.iter().map(|x| x * x).sum::<f64>() / n,
    );
    (1.0 - s1 * s1 / s2) / (1.0 - 1.0 / n)
}

/// Pearson correlation over the entries valid (not NaN) in both; NaN with fewer than 3.
pub fn pearson_valid(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .collect();
    let n = pairs.len() as f64;
    if n < 3.0 {
        return f64::NAN;
    }
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = pairs.iter().map(|p| (p.0 - ma) * (p.1 - mb)).sum();
    let va: f64 = pairs.iter().map(|p| (p.0 - ma).powi(2)).sum();
    let vb: f64 = pairs.iter().map(|p| (p.1 - mb).powi(2)).sum();
    if va <= 0.0 || vb <= 0.0 {
        f64::NAN
    } else {
        cov / (va * vb).sqrt()
    }
}

/// All single-map scores of one unit.
pub fn map_scores(
    map: &[f64],
    occupancy: &[f64],
    halves: [&[f64]; 2],
    direction: &[f64],
    speed_moving: &[f64],
    speed_centres: &[f64],
) -> MapScores {
    let finite = |v: &[f64]| {
        v.iter()
            .copied()
            .filter(|x| !x.is_nan())
            .collect::<Vec<f64>>()
    };
    let d = finite(direction);
    let direction_selectivity = if d.is_empty() {
        f64::NAN
    } else {
        d.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            - d.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let pts: Vec<(f64, f64)> = speed_centres
        .iter()
        .zip(speed_moving)
        .filter(|(_, y)| !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .collect();
    let speed_selectivity = if pts.len() < 2 {
        f64::NAN
    } else {
        let (x, y): (Vec<f64>, Vec<f64>) = pts.into_iter().unzip();
        super::stats::least_squares_slope(&x, &y).abs()
    };
    MapScores {
        spatial_information: spatial_information(map, occupancy),
        sparseness: lifetime_sparseness(map),
        stability: pearson_valid(halves[0], halves[1]),
        direction_selectivity,
        speed_selectivity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // Activity in one of four equally visited bins: information log2(4) = 2 bits,
        // sparseness 1; uniform activity: 0 and 0.
        let occ = [1.0; 4];
        assert!((spatial_information(&[0.0, 0.0, 0.0, 1.0], &occ) - 2.0).abs() < 1e-12);
        assert!((lifetime_sparseness(&[0.0, 0.0, 0.0, 1.0]) - 1.0).abs() < 1e-12);
        assert_eq!(spatial_information(&[0.3; 4], &occ), 0.0);
        assert_eq!(lifetime_sparseness(&[0.3; 4]), 0.0);
        // Shifting by a constant (signed tanh activity) changes nothing.
        assert!((spatial_information(&[-1.0, -1.0, -1.0, 0.0], &occ) - 2.0).abs() < 1e-12);
        // Unvisited bins are left out.
        assert!(
            (spatial_information(&[0.0, f64::NAN, 0.0, 1.0], &[1.0, 0.0, 1.0, 1.0]) - 3f64.log2())
                .abs()
                < 1e-12
        );
        assert!(
            (pearson_valid(&[1.0, 2.0, 3.0, f64::NAN], &[2.0, 4.0, 6.0, 1.0]) - 1.0).abs() < 1e-12
        );
        let s = map_scores(
            &[0.0, 1.0],
            &[1.0, 1.0],
            [&[0.0, 1.0, 2.0], &[0.0, 1.0, 2.5]],
            &[0.1, 0.5, 0.2],
            &[1.0, 2.0, 3.0],
            &[0.5, 1.0, 1.5],
        );
        assert!((s.direction_selectivity - 0.4).abs() < 1e-12);
        assert!((s.speed_selectivity - 2.0).abs() < 1e-12);
        assert!(s.stability > 0.99);
    }
}
