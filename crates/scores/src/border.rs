//! `border_score` (Solstad et al. 2008, docs/design.md section 7): (CM - DM) / (CM + DM), CM the largest
//! fraction of one wall covered by one firing field, DM the rate-weighted mean distance of the
//! fields' bins to the nearest wall over half the arena's width. Fields are found as opexebo's
//! `place_field(min_bins=9, min_peak=0, min_mean=0, init_thresh=0.96)` finds them.
//! [`border_score_opexebo`] is opexebo 0.7.2's square-arena convention; [`border_score`] works
//! on the walls of any polygon (or a circle) and reduces to it on the square.

use super::SpatialBins;
use super::place_field::{FieldOptions, place_field};
use crate::arena::Arena;

/// Where a map's bins lie relative to the walls of its arena.
#[derive(Clone, Debug, PartialEq)]
pub struct BorderGeometry {
    /// For each wall, the in-arena bins whose centre lies within one bin of it.
    pub wall_bins: Vec<Vec<usize>>,
    /// For each bin, (distance from its centre to the nearest wall + half a bin) / inradius;
    /// NaN outside the arena.
    pub distance: Vec<f64>,
}

impl BorderGeometry {
    /// The geometry of `arena` binned by `bins` (the map's layout).
    pub fn new(arena: &Arena, bins: &SpatialBins) -> BorderGeometry {
        let n_walls = arena.walls().len().max(1);
        let inradius = arena.inradius();
        let mut wall_bins = vec![Vec::new(); n_walls];
        let mut distance = vec![f64::NAN; bins.len()];
        for row in 0..bins.ny {
            for col in 0..bins.nx {
                let c = bins.centre(row, col);
                if !arena.contains(c) {
                    continue;
                }
                let i = row * bins.nx + col;
                let d = arena.wall_distances(c);
                for (k, dk) in d.iter().enumerate() {
                    if *dk <= bins.width * (1.0 + 1e-9) {
                        wall_bins[k].push(i);
                    }
                }
                let nearest = d.iter().copied().fold(f64::INFINITY, f64::min);
                distance[i] = (nearest + bins.width / 2.0) / inradius;
            }
        }
        BorderGeometry {
            wall_bins,
            distance,
        }
    }

    /// The map's own edges as the four walls of a rectangle (`gridrnn score` without
    /// `--arena`): bins of width 1 over [0, w] x [0, h].
    pub fn rectangle(h: usize, w: usize) -> BorderGeometry {
        let arena = Arena::polygon(vec![
            [0.0, 0.0],
            [w as f64, 0.0],
            [w as f64, h as f64],
            [0.0, h as f64],
        ])
        .expect("a rectangle is a convex polygon");
        let bins = SpatialBins {
            nx: w,
            ny: h,
            width: 1.0,
            x0: 0.0,
            y0: 0.0,
        };
        BorderGeometry::new(&arena, &bins)
    }

    /// opexebo 0.7.2's square convention: the walls are the first and last rows and columns,
    /// and distances are taxicab steps to outside the map over half its smaller side.
    pub fn opexebo_square(h: usize, w: usize) -> BorderGeometry {
        let half = h.min(w) as f64 / 2.0;
        BorderGeometry {
            wall_bins: vec![
                (0..w).collect(),
                (0..w).map(|c| (h - 1) * w + c).collect(),
                (0..h).map(|r| r * w).collect(),
                (0..h).map(|r| r * w + w - 1).collect(),
            ],
            distance: (0..h * w)
                .map(|i| {
                    let (r, c) = (i / w, i % w);
                    (r + 1).min(h - r).min(c + 1).min(w - c) as f64 / half
                })
                .collect(),
        }
    }
}

/// (CM - DM) / (CM + DM) of a min-shifted map: fields as opexebo's `place_field` finds them
/// (from `peaks`, or its peak search without the 0.7.2 bug), CM the largest covered fraction
/// of one wall by one field, DM the rate-weighted mean of the geometry's distances over the
/// fields' bins. -1 where the map has no field (opexebo's value).
fn solstad(
    map: &[f64],
    h: usize,
    w: usize,
    peaks: Option<&[usize]>,
    geometry: &BorderGeometry,
) -> f64 {
    let fields: Vec<Vec<usize>> = place_field(map, h, w, &FieldOptions::BORDER, peaks)
        .into_iter()
        .map(|f| f.bins)
        .collect();
    if fields.is_empty() {
        return -1.0;
    }
    let coverage = coverage_by_wall(&fields, geometry)
        .into_iter()
        .fold(0.0, f64::max);
    let distance = &geometry.distance;
    let in_field: Vec<usize> = {
        let mut v: Vec<usize> = fields.iter().flatten().copied().collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (mut num, mut den) = (0.0, 0.0);
    for &b in &in_field {
        if !map[b].is_nan() && !distance[b].is_nan() {
            num += map[b] * distance[b];
            den += map[b];
        }
    }
    let dm = num / den;
    (coverage - dm) / (coverage + dm)
}

/// The largest fraction of each wall that one field covers (CM is their maximum).
fn coverage_by_wall(fields: &[Vec<usize>], geometry: &BorderGeometry) -> Vec<f64> {
    geometry
        .wall_bins
        .iter()
        .map(|wall| {
            fields
                .iter()
                .map(|f| {
                    let covered = wall.iter().filter(|b| f.binary_search(b).is_ok()).count();
                    covered as f64 / wall.len().max(1) as f64
                })
                .fold(0.0, f64::max)
        })
        .collect()
}

/// Solstad's CM before its maximum over walls: for each wall of `geometry`, the largest
/// fraction of it that one of the map's fields covers (fields as [`border_score`] finds them
/// on the min-shifted map; all 0 for a flat map). Paper section 3.1.1 says border units
/// "typically only encode ... one piece of wall"; this is how many they cover.
pub fn wall_coverage(map: &[f64], h: usize, w: usize, geometry: &BorderGeometry) -> Vec<f64> {
    let Some(m) = super::shifted(map) else {
        return vec![0.0; geometry.wall_bins.len()];
    };
    let fields: Vec<Vec<usize>> = place_field(&m, h, w, &FieldOptions::BORDER, None)
        .into_iter()
        .map(|f| f.bins)
        .collect();
    coverage_by_wall(&fields, geometry)
}

/// Border score of a min-shifted map on any arena (fields without opexebo's peak-search bug,
/// CM over the arena's walls).
pub fn border_score(map: &[f64], h: usize, w: usize, geometry: &BorderGeometry) -> f64 {
    solstad(map, h, w, None, geometry)
}

/// opexebo 0.7.2's `border_score(map, fields_map, fields, 'square')` (after copying each field's
/// `map` to `field_map`, which 0.7.2 forgets), on [`BorderGeometry::opexebo_square`]. `peaks`
/// None finds the peaks without opexebo's peak-search bug.
pub fn border_score_opexebo(map: &[f64], h: usize, w: usize, peaks: Option<&[usize]>) -> f64 {
    solstad(map, h, w, peaks, &BorderGeometry::opexebo_square(h, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_along_one_wall_covers_that_wall_only() {
        let (h, w) = (20, 20);
        let geometry = BorderGeometry::rectangle(h, w);
        // Rate falls off with the distance from column 0: one field along that wall.
        let map: Vec<f64> = (0..h * w)
            .map(|i| (-((i % w) as f64) / 2.0).exp())
            .collect();
        let c = wall_coverage(&map, h, w, &geometry);
        assert_eq!(c.len(), 4);
        let mut sorted = c.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(sorted[3] > 0.9, "{c:?}");
        assert!(sorted[2] < 0.2, "{c:?}");
        // The wall it covers is the one that holds column 0's bins.
        let k = c.iter().position(|&v| v == sorted[3]).unwrap();
        assert!(geometry.wall_bins[k].iter().all(|b| b % w == 0), "{c:?}");
        // A flat map has no fields.
        assert!(
            wall_coverage(&vec![1.0; h * w], h, w, &geometry)
                .iter()
                .all(|&v| v == 0.0)
        );
    }
}
