//! `border_score` (Solstad et al. 2008, design section 7): (CM - DM) / (CM + DM), CM the largest
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
    let coverage = fields
        .iter()
        .flat_map(|f| {
            geometry.wall_bins.iter().map(move |wall| {
                let covered = wall.iter().filter(|b| f.binary_search(b).is_ok()).count();
                covered as f64 / wall.len().max(1) as f64
            })
        })
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
