//! Every spatial score of one rate map under its own convention (docs/design.md section 7), computed
//! from the min-shifted map: opexebo's `grid_score` and `grid_score_square`, the masked and
//! DeepMind variants, the lattice, `border_score`, the band score, and the ramp score with the
//! upper half's depth from the walls (docs/analysis.md).

use super::band::{band_score, line_angle, spectrum};
use super::border::{BorderGeometry, border_score};
use super::grid_score::grid_score;
use super::gridness::grid_scores_deepmind;
use super::lattice::{Lattice, LatticeType, lattice};
use super::ramp::{Ramp, field_depth, ramp};
use super::sac::{Autocorrelogram, crop_central, masked_autocorrelogram, opexebo_autocorrelogram};
use super::single_map::shifted;
use super::{SpatialBins, lifetime_sparseness};
use crate::arena::Arena;

/// Common bins a masked-autocorrelogram shift needs before it counts.
pub const MIN_OVERLAP: usize = 20;

/// What the scores need to know about the maps' arena, computed once.
#[derive(Clone, Debug)]
pub struct MapLayout {
    /// Rows.
    pub h: usize,
    /// Columns.
    pub w: usize,
    /// Bin width in arena units (1 for maps without an arena).
    pub bin_width: f64,
    /// The walls' bins and distances.
    pub geometry: BorderGeometry,
    /// Direction of each straight wall, degrees in [0, 180) (empty for a circle).
    pub wall_directions: Vec<f64>,
    /// Whether the arena fills its bounding box (then classification uses opexebo's
    /// `grid_score`; otherwise `grid_score_masked`, docs/design.md section 7).
    pub rectangular: bool,
}

impl MapLayout {
    /// The layout of maps binned by `bins` over `arena`.
    pub fn new(arena: &Arena, bins: &SpatialBins) -> MapLayout {
        let rectangular = (0..bins.ny)
            .all(|r| (0..bins.nx).all(|c| arena.contains(bins.centre(r, c))))
            && arena.walls().len() == 4;
        MapLayout {
            h: bins.ny,
            w: bins.nx,
            bin_width: bins.width,
            geometry: BorderGeometry::new(arena, bins),
            wall_directions: arena
                .walls()
                .iter()
                .map(|w| {
                    (w.b[1] - w.a[1])
                        .atan2(w.b[0] - w.a[0])
                        .to_degrees()
                        .rem_euclid(180.0)
                })
                .collect(),
            rectangular,
        }
    }

    /// Maps without an arena (`gridrnn score` without `--arena`): the map's edges are walls.
    pub fn rectangle(h: usize, w: usize) -> MapLayout {
        MapLayout {
            h,
            w,
            bin_width: 1.0,
            geometry: BorderGeometry::rectangle(h, w),
            wall_directions: vec![0.0, 90.0],
            rectangular: true,
        }
    }
}

/// The spatial scores of one map (NaN where undefined; see docs/design.md section 7).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpatialScores {
    /// opexebo's hexagonal gridness.
    pub grid_score: f64,
    /// r90 - (r45 + r135) / 2 on `grid_score`'s annuli.
    pub grid_score_square: f64,
    /// `grid_score` on the masked autocorrelogram.
    pub grid_score_masked: f64,
    /// `grid_score_square` on the masked autocorrelogram.
    pub grid_score_square_masked: f64,
    /// Banino et al. ring masks, hexagonal.
    pub grid_score_deepmind: f64,
    /// Banino et al. ring masks, square.
    pub grid_score_square_deepmind: f64,
    /// From the masked autocorrelogram's nearest peaks (spacing in bins).
    pub lattice: Lattice,
    /// Solstad et al. on the arena's walls.
    pub border_score: f64,
    /// Fraction of Fourier power in the dominant plane wave.
    pub band_score: f64,
    /// Fraction in the strongest component at least 30 degrees from it.
    pub second_component: f64,
    /// Direction of the stripes, degrees in [0, 180).
    pub band_orientation: f64,
    /// Angle between the stripes and the nearest wall, degrees in [0, 90].
    pub band_wall_angle: f64,
    /// Variance explained by a monotone function of a plane (1 for a ramp, tanh-saturated or
    /// not; docs/analysis.md).
    pub ramp_score: f64,
    /// Variance explained by the plane alone.
    pub ramp_plane: f64,
    /// Direction in which the ramp rises, degrees in [0, 360).
    pub ramp_direction: f64,
    /// How far the upper half of the map reaches from the walls, fraction of the inradius
    /// (a border band's stays within [`super::BORDER_DEPTH`], a ramp's does not).
    pub field_depth: f64,
    /// Lifetime sparseness (appendix D's spatial selectivity).
    pub sparseness: f64,
}

impl SpatialScores {
    /// The hexagonal score classification uses: `grid_score` in rectangular arenas,
    /// `grid_score_masked` elsewhere (opexebo's NaN-to-0 gives every map in a triangle or
    /// hexagon the outline's 6-fold symmetry).
    pub fn hexagonal(&self, layout: &MapLayout) -> f64 {
        if layout.rectangular {
            self.grid_score
        } else {
            self.grid_score_masked
        }
    }

    /// The square-lattice score classification uses, by the same rule.
    pub fn square(&self, layout: &MapLayout) -> f64 {
        if layout.rectangular {
            self.grid_score_square
        } else {
            self.grid_score_square_masked
        }
    }
}

/// The scores cell types are decided on (all the shuffle null computes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassScores {
    /// [`SpatialScores::hexagonal`].
    pub hexagonal: f64,
    /// [`SpatialScores::square`].
    pub square: f64,
    /// Band score.
    pub band: f64,
    /// The second Fourier component's share.
    pub second_component: f64,
    /// Border score.
    pub border: f64,
    /// Ramp score.
    pub ramp: f64,
    /// [`SpatialScores::field_depth`].
    pub field_depth: f64,
}

/// The autocorrelogram of a min-shifted map that classification scores: opexebo's in
/// rectangular arenas, the masked one (cropped as opexebo crops) elsewhere (docs/design.md section 7).
pub fn classification_autocorrelogram(shifted: &[f64], layout: &MapLayout) -> Autocorrelogram {
    let (h, w) = (layout.h, layout.w);
    if layout.rectangular {
        opexebo_autocorrelogram(shifted, h, w)
    } else {
        crop_central(&masked_autocorrelogram(shifted, h, w, MIN_OVERLAP), h, w)
    }
}

/// [`ClassScores`] of one map, computing only the autocorrelogram its arena classifies with.
pub fn class_scores(map: &[f64], layout: &MapLayout) -> ClassScores {
    scores_for_types(map, layout, true)
}

/// [`class_scores`] less the second Fourier component and the field depth (NaN here): the
/// scores the shuffle null pools. The second component is compared with the band score's
/// null and the depth with a fixed fraction of the inradius, so the null's maps skip both.
pub fn null_scores(map: &[f64], layout: &MapLayout) -> ClassScores {
    scores_for_types(map, layout, false)
}

fn scores_for_types(map: &[f64], layout: &MapLayout, all: bool) -> ClassScores {
    let (h, w) = (layout.h, layout.w);
    let Some(m) = shifted(map) else {
        return ClassScores {
            hexagonal: f64::NAN,
            square: f64::NAN,
            band: f64::NAN,
            second_component: f64::NAN,
            border: f64::NAN,
            ramp: f64::NAN,
            field_depth: f64::NAN,
        };
    };
    let g = grid_score(&classification_autocorrelogram(&m, layout));
    let (band, second_component) = if all {
        spectrum(&m, h, w).map_or((f64::NAN, f64::NAN), |s| (s.band_score, s.second_component))
    } else {
        (band_score(&m, h, w).unwrap_or(f64::NAN), f64::NAN)
    };
    ClassScores {
        hexagonal: g.hexagonal,
        square: g.square,
        band,
        second_component,
        border: border_score(&m, h, w, &layout.geometry),
        ramp: ramp(&m, h, w).score,
        field_depth: if all {
            field_depth(&m, &layout.geometry.distance)
        } else {
            f64::NAN
        },
    }
}

/// Scores of one h x w map (NaN = unvisited or outside the arena).
pub fn spatial_scores(map: &[f64], layout: &MapLayout) -> SpatialScores {
    let (h, w) = (layout.h, layout.w);
    let nan_lattice = Lattice {
        lattice_angle: f64::NAN,
        spacing_ratio: f64::NAN,
        spacing: f64::NAN,
        orientation: f64::NAN,
        lattice: LatticeType::None,
    };
    let Some(m) = shifted(map) else {
        return SpatialScores {
            grid_score: f64::NAN,
            grid_score_square: f64::NAN,
            grid_score_masked: f64::NAN,
            grid_score_square_masked: f64::NAN,
            grid_score_deepmind: f64::NAN,
            grid_score_square_deepmind: f64::NAN,
            lattice: nan_lattice,
            border_score: f64::NAN,
            band_score: f64::NAN,
            second_component: f64::NAN,
            band_orientation: f64::NAN,
            band_wall_angle: f64::NAN,
            ramp_score: f64::NAN,
            ramp_plane: f64::NAN,
            ramp_direction: f64::NAN,
            field_depth: f64::NAN,
            sparseness: 0.0,
        };
    };
    let opexebo = grid_score(&opexebo_autocorrelogram(&m, h, w));
    let full = masked_autocorrelogram(&m, h, w, MIN_OVERLAP);
    let masked = grid_score(&crop_central(&full, h, w));
    let ring = grid_scores_deepmind(&full, 2 * h - 1, 2 * w - 1, h.max(w));
    let spec = spectrum(&m, h, w);
    let orientation = spec.map_or(f64::NAN, |s| s.band_orientation);
    let lat = lattice(&full, 2 * h - 1, 2 * w - 1);
    let Ramp {
        score: ramp_score,
        plane: ramp_plane,
        direction: ramp_direction,
    } = ramp(&m, h, w);
    SpatialScores {
        grid_score: opexebo.hexagonal,
        grid_score_square: opexebo.square,
        grid_score_masked: masked.hexagonal,
        grid_score_square_masked: masked.square,
        grid_score_deepmind: ring.grid60,
        grid_score_square_deepmind: ring.grid90,
        lattice: lat,
        border_score: border_score(&m, h, w, &layout.geometry),
        band_score: spec.map_or(f64::NAN, |s| s.band_score),
        second_component: spec.map_or(f64::NAN, |s| s.second_component),
        band_orientation: orientation,
        band_wall_angle: layout
            .wall_directions
            .iter()
            .map(|&d| line_angle(orientation, d))
            .fold(f64::NAN, f64::min),
        ramp_score,
        ramp_plane,
        ramp_direction,
        field_depth: field_depth(&m, &layout.geometry.distance),
        sparseness: lifetime_sparseness(&m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_null_scores_are_the_class_scores_less_the_second_component_and_depth() {
        let layout = MapLayout::rectangle(20, 20);
        let mut maps = crate::synthetic::synthetic_maps(25, 20);
        // And shuffled ones, as the null scores them.
        for k in 0..25 {
            let mut m = maps[k].clone();
            m.rotate_left(7 * k + 1);
            m[3 * k] = f64::NAN;
            maps.push(m);
        }
        for m in &maps {
            let (c, n) = (class_scores(m, &layout), null_scores(m, &layout));
            for (a, b) in [
                (c.hexagonal, n.hexagonal),
                (c.square, n.square),
                (c.band, n.band),
                (c.border, n.border),
                (c.ramp, n.ramp),
            ] {
                assert_eq!(a.to_bits(), b.to_bits(), "{c:?} vs {n:?}");
            }
            assert!(n.second_component.is_nan() && n.field_depth.is_nan());
        }
    }
}
