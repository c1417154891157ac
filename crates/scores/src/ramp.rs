//! The ramp score (docs/analysis.md, "Ramps and border cells"): how much of a map's variance
//! over its visited bins a planar ramp explains. A plane `a + b x + c y` is fitted by least
//! squares, and then the best nondecreasing function `g` of its projection
//! `s = b x + c y` (isotonic regression by pool-adjacent-violators), which also fits a ramp
//! that saturates (a tanh unit's `tanh(k s)`). The plane itself is such a function, so
//!
//! ```text
//! ramp_score = 1 - SSE(g(s)) / SST  >=  ramp_plane = 1 - SSE(plane) / SST.
//! ```
//!
//! The direction is the plane's gradient, `atan2(c, b)`, the way activity rises. A field
//! that hugs one wall is also a monotone function of the distance to that wall; what tells a
//! ramp from it is [`field_depth`]: a ramp's upper half reaches into the middle of the arena,
//! a border band's stays next to the walls.

use super::null::percentile;

/// How deep into the arena a border cell's upper half may reach, as a fraction of the
/// arena's inradius: the outer half. A band along a wall of a 20-bin square whose rate has
/// fallen to half within 4 bins of it lies within 0.45 of the inradius; a linear ramp's upper
/// half reaches the centre (1.0).
pub const BORDER_DEPTH: f64 = 0.5;

/// Percentile of the upper half's wall distances that [`field_depth`] reports: a few noisy
/// bins above half the peak must not move it.
pub const DEPTH_PERCENTILE: f64 = 90.0;

/// A map's ramp fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ramp {
    /// Variance explained by the best monotone function of the plane's projection.
    pub score: f64,
    /// Variance explained by the plane.
    pub plane: f64,
    /// Direction in which activity rises, degrees in [0, 360) (x = columns, y = rows up).
    pub direction: f64,
}

impl Ramp {
    /// No fit: a flat map, or fewer than three visited bins.
    pub const NAN: Ramp = Ramp {
        score: f64::NAN,
        plane: f64::NAN,
        direction: f64::NAN,
    };
}

/// The ramp fit of an h x w map (NaN = unvisited); any shift of the map gives the same fit.
pub fn ramp(map: &[f64], h: usize, w: usize) -> Ramp {
    debug_assert_eq!(map.len(), h * w);
    let bins: Vec<(f64, f64, f64)> = map
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .map(|(i, &v)| ((i % w) as f64, (i / w) as f64, v))
        .collect();
    if bins.len() < 3 {
        return Ramp::NAN;
    }
    let n = bins.len() as f64;
    let (mut mx, mut my, mut mv) = (0.0, 0.0, 0.0);
    for &(x, y, v) in &bins {
        (mx, my, mv) = (mx + x, my + y, mv + v);
    }
    (mx, my, mv) = (mx / n, my / n, mv / n);
    let (mut sxx, mut sxy, mut syy, mut sxv, mut syv, mut svv) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &(x, y, v) in &bins {
        let (x, y, v) = (x - mx, y - my, v - mv);
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
        sxv += x * v;
        syv += y * v;
        svv += v * v;
    }
    let det = sxx * syy - sxy * sxy;
    // A flat map (to rounding) or collinear bins have no plane.
    if svv <= 1e-18 * n * (1.0 + mv * mv) || det <= 1e-12 * (sxx * syy).max(1.0) {
        return Ramp::NAN;
    }
    let b = (syy * sxv - sxy * syv) / det;
    let c = (sxx * syv - sxy * sxv) / det;
    let plane = ((b * sxv + c * syv) / svv).clamp(0.0, 1.0);
    // The projection along the gradient, sorted; bins at the same s are one point of g.
    let mut s: Vec<(f64, f64)> = bins
        .iter()
        .map(|&(x, y, v)| (b * (x - mx) + c * (y - my), v - mv))
        .collect();
    s.sort_unstable_by(|p, q| p.0.total_cmp(&q.0));
    let tie = 1e-9 * (b.abs() + c.abs()) * (h.max(w) as f64);
    let sse = isotonic_sse(&s, tie);
    Ramp {
        score: (1.0 - sse / svv).clamp(plane, 1.0),
        plane,
        direction: c.atan2(b).to_degrees().rem_euclid(360.0),
    }
}

/// Residual sum of squares of the least-squares nondecreasing fit to `points` (sorted by
/// their first element; points whose first elements lie within `tie` share one value):
/// pool-adjacent-violators over blocks of (sum, count).
fn isotonic_sse(points: &[(f64, f64)], tie: f64) -> f64 {
    let mut blocks: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    let mut last_s = f64::NEG_INFINITY;
    let mut total_sq = 0.0;
    for &(s, v) in points {
        total_sq += v * v;
        if s - last_s <= tie {
            let top = blocks.last_mut().expect("a tie follows a point");
            *top = (top.0 + v, top.1 + 1.0);
        } else {
            blocks.push((v, 1.0));
        }
        last_s = s;
        // Pool while the last block's mean falls below the one before it.
        while blocks.len() > 1 {
            let (s1, n1) = blocks[blocks.len() - 1];
            let (s0, n0) = blocks[blocks.len() - 2];
            if s0 * n1 <= s1 * n0 {
                break;
            }
            blocks.pop();
            *blocks.last_mut().expect("two blocks") = (s0 + s1, n0 + n1);
        }
    }
    let fitted_sq: f64 = blocks.iter().map(|&(s, n)| s * s / n).sum();
    (total_sq - fitted_sq).max(0.0)
}

/// How far from the walls a min-shifted map's upper half reaches: the
/// [`DEPTH_PERCENTILE`]-th percentile, over the bins at or above half the map's peak, of
/// their distance to the nearest wall as a fraction of the inradius (`distance`, as
/// [`super::BorderGeometry`] holds it). NaN for a map with no such bin inside the arena.
pub fn field_depth(shifted: &[f64], distance: &[f64]) -> f64 {
    let peak = shifted
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    let upper: Vec<f64> = shifted
        .iter()
        .zip(distance)
        .filter(|&(&v, d)| v >= 0.5 * peak && !d.is_nan())
        .map(|(_, &d)| d)
        .collect();
    percentile(&upper, DEPTH_PERCENTILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_regression_pools_violators_and_ties() {
        // 1, 3, 2, 4: the middle two pool to 2.5 and leave 0.5 of squared error.
        let p = [(0.0, 1.0), (1.0, 3.0), (2.0, 2.0), (3.0, 4.0)];
        assert!((isotonic_sse(&p, 0.0) - 0.5).abs() < 1e-12);
        // Already nondecreasing: no error.
        assert_eq!(isotonic_sse(&[(0.0, 1.0), (1.0, 2.0)], 0.0), 0.0);
        // Two values at one s share their mean: error 2 whatever the order.
        assert!((isotonic_sse(&[(0.0, 3.0), (0.0, 1.0)], 1e-9) - 2.0).abs() < 1e-12);
        // Decreasing: one block at the mean.
        let d = [(0.0, 3.0), (1.0, 2.0), (2.0, 1.0)];
        assert!((isotonic_sse(&d, 0.0) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn a_plane_is_a_perfect_ramp_in_its_direction_and_a_bump_is_not() {
        let (h, w) = (10, 12);
        for deg in [0.0f64, 37.0, 90.0, 200.0, 315.0] {
            let (dx, dy) = (deg.to_radians().cos(), deg.to_radians().sin());
            let mut map: Vec<f64> = (0..h * w)
                .map(|i| 0.3 + dx * (i % w) as f64 + dy * (i / w) as f64)
                .collect();
            map[5] = f64::NAN;
            let r = ramp(&map, h, w);
            assert!(r.plane > 1.0 - 1e-12 && r.score > 1.0 - 1e-12, "{r:?}");
            let err = (r.direction - deg).rem_euclid(360.0);
            assert!(err.min(360.0 - err) < 1e-6, "{deg}: {r:?}");
            // A saturating ramp, its step a third of the way across: the plane misses its
            // flat ends, g does not (up to the plane's direction, which an off-centre step in
            // a rectangle tilts by a few degrees).
            let (lo, hi) = map
                .iter()
                .filter(|v| !v.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                });
            let step = lo + (hi - lo) / 3.0;
            let sat: Vec<f64> = map.iter().map(|v| (0.8 * (v - step)).tanh()).collect();
            let r = ramp(&sat, h, w);
            assert!(r.score > 0.99 && r.plane < r.score - 0.1, "{deg}: {r:?}");
        }
        let bump: Vec<f64> = (0..h * w)
            .map(|i| {
                let (x, y) = ((i % w) as f64 - 5.5, (i / w) as f64 - 4.5);
                (-(x * x + y * y) / 8.0).exp()
            })
            .collect();
        assert!(ramp(&bump, h, w).score < 0.2, "{:?}", ramp(&bump, h, w));
        assert!(ramp(&vec![2.0; h * w], h, w).score.is_nan());
    }
}
