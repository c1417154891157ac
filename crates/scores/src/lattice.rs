//! Lattice measures (docs/design.md section 7) from the peaks of an autocorrelogram nearest its centre:
//! the angle between the two shortest non-collinear lattice vectors, their length ratio, the
//! spacing and the orientation, and the lattice type they imply.

use super::band::line_angle;
use super::morphology::regional_maxima;

/// Lattice types (docs/design.md section 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatticeType {
    /// 60 +- 10 degrees, ratio < 1.3.
    Hexagonal,
    /// 90 +- 10 degrees, ratio < 1.3.
    Square,
    /// 90 +- 10 degrees, ratio >= 1.3.
    Rectangular,
    /// Anything else, or too few peaks.
    None,
}

impl LatticeType {
    /// The name written to scores.csv.
    pub fn name(self) -> &'static str {
        match self {
            LatticeType::Hexagonal => "hexagonal",
            LatticeType::Square => "square",
            LatticeType::Rectangular => "rectangular",
            LatticeType::None => "none",
        }
    }
}

/// The lattice of one autocorrelogram; NaN fields where it has no two non-collinear peaks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lattice {
    /// Angle between the two shortest non-collinear peak vectors, folded to [0, 90] degrees.
    pub lattice_angle: f64,
    /// Longer / shorter of those two vectors.
    pub spacing_ratio: f64,
    /// Mean distance of the 6 (hexagonal) or 4 (square) nearest peaks, else of the nearest
    /// one; bins.
    pub spacing: f64,
    /// Degrees counter-clockwise from +x of the lattice vectors: in [0, 60) for a hexagonal
    /// lattice, [0, 90) for square and rectangular ones; NaN for none.
    pub orientation: f64,
    /// The type.
    pub lattice: LatticeType,
}

/// Smallest autocorrelation a peak needs (opexebo's peak search uses the same 0.1).
const MIN_PEAK: f64 = 0.1;

/// Peaks (dx, dy) in bins from the centre of an h x w autocorrelogram (NaN = undefined),
/// refined to sub-bin precision by a parabola through each axis' neighbours; nearest first.
fn peaks(sac: &[f64], h: usize, w: usize) -> Vec<(f64, f64)> {
    let img: Vec<f64> = sac
        .iter()
        .map(|v| if v.is_nan() { f64::NEG_INFINITY } else { *v })
        .collect();
    let (cy, cx) = ((h / 2) as f64, (w / 2) as f64);
    let at = |r: isize, c: isize| {
        if r < 0 || c < 0 || r >= h as isize || c >= w as isize {
            f64::NAN
        } else {
            img[r as usize * w + c as usize]
        }
    };
    let refine = |lo: f64, mid: f64, hi: f64| {
        let d = lo - 2.0 * mid + hi;
        if lo.is_finite() && hi.is_finite() && d < 0.0 {
            (0.5 * (lo - hi) / d).clamp(-0.5, 0.5)
        } else {
            0.0
        }
    };
    let mut found: Vec<(f64, f64)> = regional_maxima(&img, h, w)
        .into_iter()
        .filter(|p| p.len() == 1 && img[p[0]] >= MIN_PEAK)
        .map(|p| {
            let (r, c) = ((p[0] / w) as isize, (p[0] % w) as isize);
            let v = img[p[0]];
            let dy = refine(at(r - 1, c), v, at(r + 1, c));
            let dx = refine(at(r, c - 1), v, at(r, c + 1));
            (c as f64 + dx - cx, r as f64 + dy - cy)
        })
        .filter(|(x, y)| x.hypot(*y) >= 2.0)
        .collect();
    found.sort_by(|a, b| a.0.hypot(a.1).total_cmp(&b.0.hypot(b.1)));
    found
}

/// Circular mean of angles (degrees) with period `period`.
fn mean_angle(angles: impl Iterator<Item = f64>, period: f64) -> f64 {
    let k = 360.0 / period;
    let (s, c) = angles.fold((0.0, 0.0), |(s, c), a| {
        let (sa, ca) = (a * k).to_radians().sin_cos();
        (s + sa, c + ca)
    });
    (s.atan2(c).to_degrees() / k).rem_euclid(period)
}

/// The lattice of an autocorrelogram with its zero shift at (h/2, w/2) (odd sizes).
pub fn lattice(sac: &[f64], h: usize, w: usize) -> Lattice {
    let none = Lattice {
        lattice_angle: f64::NAN,
        spacing_ratio: f64::NAN,
        spacing: f64::NAN,
        orientation: f64::NAN,
        lattice: LatticeType::None,
    };
    let p = peaks(sac, h, w);
    let Some(&a) = p.first() else { return none };
    let dir = |v: (f64, f64)| v.1.atan2(v.0).to_degrees();
    let Some(&b) = p.iter().find(|&&v| line_angle(dir(v), dir(a)) >= 30.0) else {
        return Lattice {
            spacing: a.0.hypot(a.1),
            ..none
        };
    };
    let angle = line_angle(dir(a), dir(b));
    let (la, lb) = (a.0.hypot(a.1), b.0.hypot(b.1));
    let ratio = la.max(lb) / la.min(lb);
    let kind = if (angle - 60.0).abs() <= 10.0 && ratio < 1.3 {
        LatticeType::Hexagonal
    } else if (angle - 90.0).abs() <= 10.0 {
        if ratio < 1.3 {
            LatticeType::Square
        } else {
            LatticeType::Rectangular
        }
    } else {
        LatticeType::None
    };
    let (k, period) = match kind {
        LatticeType::Hexagonal => (6, 60.0),
        LatticeType::Square | LatticeType::Rectangular => (4, 90.0),
        LatticeType::None => (1, f64::NAN),
    };
    let near = &p[..k.min(p.len())];
    let spacing = if kind == LatticeType::Rectangular {
        la.min(lb)
    } else {
        near.iter().map(|v| v.0.hypot(v.1)).sum::<f64>() / near.len() as f64
    };
    Lattice {
        lattice_angle: angle,
        spacing_ratio: ratio,
        spacing,
        orientation: if period.is_nan() {
            f64::NAN
        } else {
            mean_angle(near.iter().map(|&v| dir(v)), period)
        },
        lattice: kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gridness::tests::lattice as cosines;
    use crate::masked_autocorrelogram;

    fn of(map: &[f64], n: usize) -> Lattice {
        lattice(&masked_autocorrelogram(map, n, n, 20), 2 * n - 1, 2 * n - 1)
    }

    #[test]
    fn hexagonal_grids_give_their_spacing_and_orientation() {
        let n = 20;
        // Three plane waves of period p at phi, phi+60, phi+120 make a hexagonal lattice with
        // spacing 2p/sqrt(3) whose vectors lie at phi + 30 (mod 60).
        for (p, phi) in [(5.0, 0.0), (6.0, 12.0), (7.0, 41.0)] {
            let m = cosines(n, p, &[phi, phi + 60.0, phi + 120.0], 0.2);
            let l = of(&m, n);
            assert_eq!(l.lattice, LatticeType::Hexagonal, "{l:?}");
            let spacing = 2.0 * p / 3f64.sqrt();
            assert!(
                (l.spacing - spacing).abs() < 0.05 * spacing,
                "{l:?} vs {spacing}"
            );
            let want = (phi + 30.0) % 60.0;
            let err = ((l.orientation - want + 30.0).rem_euclid(60.0) - 30.0).abs();
            assert!(err < 3.0, "{l:?} vs orientation {want}");
        }
    }

    #[test]
    fn square_and_rectangular_lattices_are_told_apart() {
        let n = 20;
        let sq = cosines(n, 6.0, &[20.0, 110.0], 0.0);
        let l = of(&sq, n);
        assert_eq!(l.lattice, LatticeType::Square, "{l:?}");
        assert!((l.orientation - 20.0).abs() < 3.0, "{l:?}");
        // Periods 4 and 7 along x and y.
        let rect: Vec<f64> = (0..n * n)
            .map(|i| {
                let (y, x) = ((i / n) as f64, (i % n) as f64);
                (2.0 * std::f64::consts::PI * x / 4.0).cos()
                    + (2.0 * std::f64::consts::PI * y / 7.0).cos()
            })
            .collect();
        let l = of(&rect, n);
        assert_eq!(l.lattice, LatticeType::Rectangular, "{l:?}");
        assert!((l.spacing_ratio - 7.0 / 4.0).abs() < 0.15, "{l:?}");
    }
}
