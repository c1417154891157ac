//! Small statistics the analyses share: medians, least-squares slopes and the one-sided
//! Mann-Whitney U test of Fig. 4's emergence times.

/// The median (NaN when empty); sorts `v`.
pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// One-sided Mann-Whitney U of `a` against `b` (H1: a tends to be smaller): U of `a`, and the
/// p-value from the normal approximation with tie correction and continuity correction.
pub fn mann_whitney_less(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&v| (v, true))
        .chain(b.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        rank_a += rank * all[i..=j].iter().filter(|x| x.1).count() as f64;
        i = j + 1;
    }
    let u = rank_a - n1 * (n1 + 1.0) / 2.0;
    let nn = n1 + n2;
    let var = n1 * n2 / 12.0 * ((nn + 1.0) - ties / (nn * (nn - 1.0)));
    if var <= 0.0 {
        return (u, 0.5);
    }
    // Small U means a is smaller; P(U <= u) with continuity correction.
    let z = (u - n1 * n2 / 2.0 + 0.5) / var.sqrt();
    (u, 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2))
}

/// The least-squares slope of y against x (NaN without spread in x).
pub fn least_squares_slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mann_whitney_matches_known_values() {
        // Fully separated samples of 5 and 5: U = 0; scipy's asymptotic one-sided p (with
        // continuity correction) is 0.0061.
        let (u, p) = mann_whitney_less(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!(u, 0.0);
        assert!((p - 0.0061).abs() < 2e-4, "{p}");
        // The other way round, p near 1; identical samples, p near 0.5.
        let (_, p) = mann_whitney_less(&[6.0, 7.0, 8.0, 9.0, 10.0], &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!(p > 0.99, "{p}");
        let (u, p) = mann_whitney_less(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 2.0, 3.0]);
        assert_eq!(u, 8.0);
        assert!((p - 0.5).abs() < 0.2, "{p}");
    }

    #[test]
    fn slopes_and_medians_of_known_data() {
        assert_eq!(
            least_squares_slope(&[0.0, 1.0, 2.0, 3.0], &[1.0, 3.0, 5.0, 7.0]),
            2.0
        );
        assert!(least_squares_slope(&[1.0, 1.0], &[0.0, 1.0]).is_nan());
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
