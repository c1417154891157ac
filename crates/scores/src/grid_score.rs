//! `grid_score` (docs/design.md section 7): hexagonal gridness as the Kavli lab's opexebo 0.7.2 computes
//! it (Sargolini et al. 2006, Langston et al. 2010), a line-by-line port so that our numbers
//! can be put next to theirs, and on the same annuli `grid_score_square`. (opexebo normalises
//! the autocorrelogram to its peak, which no score depends on.) The central field's radius
//! comes from `place_field`; annuli grow from that radius to half the autocorrelogram; each
//! annulus is correlated with its rotations and the score is the best mean over 3
//! consecutive radii.

use std::cell::RefCell;
use std::rc::Rc;

use super::place_field::{FieldOptions, linspace, place_field};
use super::rotate::{Tap, rotation_taps};
use super::sac::Autocorrelogram;

/// The rotational-symmetry scores of one autocorrelogram; NaN where opexebo's is undefined
/// (no central field, or a central field as large as the autocorrelogram).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridScores {
    /// min(r60, r120) - max(r30, r90, r150).
    pub hexagonal: f64,
    /// r90 - (r45 + r135) / 2.
    pub square: f64,
    /// Radius of the central field, bins (0 where there is none).
    pub centre_radius: usize,
}

const ANGLES: [f64; 7] = [30.0, 45.0, 60.0, 90.0, 120.0, 135.0, 150.0];

/// opexebo's `_findCentreRadius`: floor(sqrt(area / pi)) of the field grown from the centre
/// (or, of two fields about as near the centre, the smaller).
pub fn centre_radius(a: &Autocorrelogram) -> usize {
    let (hh, hw) = (a.h.div_ceil(2), a.w.div_ceil(2));
    let centre = (hh - 1) * a.w + (hw - 1);
    let fields = place_field(&a.values, a.h, a.w, &FieldOptions::CENTRE, Some(&[centre]));
    if fields.is_empty() {
        return 0;
    }
    // opexebo measures from (ceil(h/2), ceil(w/2)), one bin off the centre; kept.
    let dist = |p: usize| {
        (((p / a.w) as f64 - hh as f64).powi(2) + ((p % a.w) as f64 - hw as f64).powi(2)).sqrt()
    };
    let mut pick = 0;
    if fields.len() >= 2 {
        let mut order: Vec<usize> = (0..fields.len()).collect();
        order.sort_by(|&i, &j| dist(fields[i].peak).total_cmp(&dist(fields[j].peak)));
        pick = order[0];
        if (dist(fields[order[0]].peak) - dist(fields[order[1]].peak)).abs() < 2.0
            && fields[order[1]].bins.len() < fields[order[0]].bins.len()
        {
            pick = order[1];
        }
    }
    (fields[pick].bins.len() as f64 / std::f64::consts::PI)
        .sqrt()
        .floor() as usize
}

/// `grid_score` and `grid_score_square` of an autocorrelogram (NaN entries count as
/// unvisited in the central field and are left out of the correlations).
pub fn grid_score(a: &Autocorrelogram) -> GridScores {
    let nan = GridScores {
        hexagonal: f64::NAN,
        square: f64::NAN,
        centre_radius: 0,
    };
    let peak = a
        .values
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NAN, f64::max);
    if peak.is_nan() || peak <= 0.0 {
        return nan;
    }
    // opexebo normalises the autocorrelogram to its peak here. No score depends on the
    // scale (correlations are scale-free, and the central field's thresholds are fractions
    // of its own peak), so `a` is used as it is.
    let (h, w) = (a.h, a.w);
    let radius = centre_radius(a);
    let outer = h.min(w) / 2;
    if radius == 0 || outer <= radius {
        return GridScores {
            centre_radius: radius,
            ..nan
        };
    }
    let radii: Vec<f64> = linspace((radius + 1).max(3) as f64, outer as f64, outer - radius)
        .into_iter()
        .map(|r| r.trunc())
        .collect();
    let shape = shape_cache(h, w);
    // The annuli share their inner edge and grow outwards, so each angle's Pearson sums are
    // accumulated once over the bins in order of distance; only those bins are rotated.
    let largest = radii.last().copied().unwrap_or(0.0);
    let lo = shape
        .by_distance
        .partition_point(|&(_, d)| d <= radius as f64);
    let hi = shape.by_distance.partition_point(|&(_, d)| d < largest);
    let annulus = &shape.by_distance[lo..hi.max(lo)];
    let mut padded = Vec::with_capacity(a.values.len() + 1);
    padded.extend_from_slice(&a.values);
    padded.push(0.0);
    // Each bin's rotations are sampled as the bin joins the sums, never stored.
    let taps: Vec<&[Tap]> = shape.taps.iter().map(|t| &t[lo..hi.max(lo)]).collect();
    let mut sums = [[0.0f64; 6]; 7];
    let mut next = 0;
    let per_radius: Vec<(f64, f64)> = radii
        .iter()
        .map(|&r| {
            while next < annulus.len() && annulus[next].1 < r {
                let x = a.values[annulus[next].0];
                for (k, taps) in taps.iter().enumerate() {
                    let y = taps[next].sample(&padded);
                    if !x.is_nan() && !y.is_nan() {
                        let s = &mut sums[k];
                        s[0] += 1.0;
                        s[1] += x;
                        s[2] += y;
                        s[3] += x * x;
                        s[4] += y * y;
                        s[5] += x * y;
                    }
                }
                next += 1;
            }
            let c = sums.map(|s| pearson_from_sums(&s));
            let [c30, c45, c60, c90, c120, c135, c150] = c;
            (
                nan_min(c60, c120) - nan_max(nan_max(c30, c90), c150),
                c90 - (c45 + c135) / 2.0,
            )
        })
        .collect();
    GridScores {
        hexagonal: best_window(&per_radius.iter().map(|p| p.0).collect::<Vec<_>>()),
        square: best_window(&per_radius.iter().map(|p| p.1).collect::<Vec<_>>()),
        centre_radius: radius,
    }
}

/// What every autocorrelogram of one shape shares: its pixels by distance from opexebo's
/// centre (ceil(h/2), ceil(w/2)) in 1-based indices, nearest first (ties in raster order; of
/// an odd shape only the half before the centre, see below), and
/// for each angle the rotation taps of those pixels in that order. Cached per shape and
/// thread, since every map of a run has the same shape.
struct ShapeCache {
    by_distance: Vec<(usize, f64)>,
    taps: Vec<Vec<Tap>>,
}

fn shape_cache(h: usize, w: usize) -> Rc<ShapeCache> {
    type Shapes = RefCell<Vec<((usize, usize), Rc<ShapeCache>)>>;
    thread_local! {
        static CACHE: Shapes = const { RefCell::new(Vec::new()) };
    }
    CACHE.with(|c| {
        if let Some((_, v)) = c.borrow().iter().find(|(k, _)| *k == (h, w)) {
            return v.clone();
        }
        let (hh, hw) = (h.div_ceil(2) as f64, w.div_ceil(2) as f64);
        let mut by_distance: Vec<(usize, f64)> = (0..h * w)
            .map(|i| {
                let d =
                    (((i % w + 1) as f64 - hw).powi(2) + ((i / w + 1) as f64 - hh).powi(2)).sqrt();
                (i, d)
            })
            .collect();
        by_distance.sort_by(|a, b| a.1.total_cmp(&b.1));
        if h % 2 == 1 && w % 2 == 1 {
            // An autocorrelogram is point-symmetric (the correlation at shift -s is the one
            // at s), and so are the annuli and rotations about its centre, which odd sizes
            // put on a bin: each bin's pair at the mirror bin adds the same terms to every
            // Pearson sum, and r is unchanged by counting each pair once.
            by_distance.retain(|&(i, _)| i < h * w / 2);
        }
        let pixels: Vec<(usize, usize)> =
            by_distance.iter().map(|&(i, _)| (i / w, i % w)).collect();
        let taps = ANGLES
            .iter()
            .map(|&deg| rotation_taps(h, w, deg, &pixels))
            .collect();
        let v = Rc::new(ShapeCache { by_distance, taps });
        c.borrow_mut().push(((h, w), v.clone()));
        v
    })
}

/// Pearson r from (count, sum x, sum y, sum x^2, sum y^2, sum xy); NaN with fewer than 3
/// pairs or no variance (scipy's `pearsonr` on constant input).
fn pearson_from_sums(s: &[f64; 6]) -> f64 {
    let [n, sx, sy, sxx, syy, sxy] = *s;
    if n < 3.0 {
        return f64::NAN;
    }
    let vx = n * sxx - sx * sx;
    let vy = n * syy - sy * sy;
    if vx <= 1e-12 * n * sxx || vy <= 1e-12 * n * syy {
        return f64::NAN;
    }
    ((n * sxy - sx * sy) / (vx * vy).sqrt()).clamp(-1.0, 1.0)
}

/// numpy's `min`/`max` of two: NaN wins.
fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn nan_max(a: f64, b: f64) -> f64 {
    -nan_min(-a, -b)
}

/// opexebo's 3-radius window: with 4 radii or fewer the plain mean of all; otherwise the best
/// NaN-skipping mean over windows starting at 0 .. n-4 (so the last radius only ever counts
/// in the short case, as in opexebo).
fn best_window(scores: &[f64]) -> f64 {
    let steps = scores.len().saturating_sub(3).max(1);
    if steps == 1 {
        return scores.iter().sum::<f64>() / scores.len() as f64;
    }
    (0..steps)
        .map(|i| {
            let win: Vec<f64> = scores[i..(i + 3).min(scores.len())]
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            if win.is_empty() {
                f64::NAN
            } else {
                win.iter().sum::<f64>() / win.len() as f64
            }
        })
        .fold(f64::NEG_INFINITY, nan_max)
}
