//! Cell types (docs/analysis.md): grid, ramp, border, band, irregular and non-spatial, each
//! against a threshold from the shuffle null (the chosen percentile of the null pooled over all
//! units, with floors of 0.3 for the hexagonal, 0.5 for the square and band and 0.75 for the
//! ramp score),
//! so that a count of grid units means something. A ramp and a border cell are told apart by
//! where the map's upper half lies: next to the walls for a border cell (Solstad et al. 2008:
//! a band along a wall, silent away from it), into the middle of the arena for a ramp. NaN
//! never passes a threshold.

use super::LatticeType;
use super::null::{NullSamples, percentile};
use super::ramp::BORDER_DEPTH;
use super::spatial_scores::{MapLayout, SpatialScores};

/// The design's default number of shuffles per unit.
pub const DEFAULT_SHUFFLES: usize = 100;
/// The design's default percentile of the pooled null.
pub const DEFAULT_PERCENTILE: f64 = 99.0;
/// Floor of the hexagonal threshold.
pub const HEXAGONAL_FLOOR: f64 = 0.3;
/// Floor of the square threshold.
pub const SQUARE_FLOOR: f64 = 0.5;
/// Share of the map's Fourier power the dominant plane wave must hold for a band: "one dominant
/// orientation" read as at least half the power. Our reading; the design fixes floors for the
/// lattice scores only. Without it the time-shift null (whose shuffled maps spread their power
/// thinly, 99th percentile about 0.06) let ramps and single fields pass as bands.
pub const BAND_FLOOR: f64 = 0.5;
/// Floor of the ramp threshold. The most saturated ramp, a step across the middle of the
/// arena, is explained to 3/4 by the plane alone (the squared correlation of a step with a
/// uniform coordinate); the monotone fit is more flexible than the plane, so it must explain
/// at least that much. The shuffle nulls alone put the threshold near 0.05-0.2, where place
/// fields against a wall pass (docs/analysis.md, "Ramps and border cells").
pub const RAMP_FLOOR: f64 = 0.75;
/// Fixed hexagonal levels whose counts are reported too.
pub const FIXED_LEVELS: [f64; 3] = [0.3, 0.8, 1.2];

/// The thresholds a null gives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Hexagonal score (floored at 0.3).
    pub hexagonal: f64,
    /// Square score (floored at 0.5).
    pub square: f64,
    /// A Fourier component counts as significant above this share of the power (the null's
    /// percentile of the band score).
    pub component: f64,
    /// Band score (the null's percentile, floored at [`BAND_FLOOR`]).
    pub band: f64,
    /// Border score.
    pub border: f64,
    /// Ramp score (the null's percentile, floored at [`RAMP_FLOOR`]).
    pub ramp: f64,
    /// Split-half stability (NaN for map shuffles, which have no halves).
    pub stability: f64,
}

impl Thresholds {
    /// The `q`-th percentile of each pooled null, floors applied.
    pub fn from_null(null: &NullSamples, q: f64) -> Thresholds {
        Thresholds {
            hexagonal: percentile(&null.hexagonal, q).max(HEXAGONAL_FLOOR),
            square: percentile(&null.square, q).max(SQUARE_FLOOR),
            component: percentile(&null.band, q),
            band: percentile(&null.band, q).max(BAND_FLOOR),
            border: percentile(&null.border, q),
            ramp: percentile(&null.ramp, q).max(RAMP_FLOOR),
            stability: percentile(&null.stability, q),
        }
    }
}

/// What classification looks at for one unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellEvidence {
    /// Classification hexagonal score (`grid_score`, or `grid_score_masked` off rectangles).
    pub hexagonal: f64,
    /// Classification square score.
    pub square: f64,
    /// The lattice type.
    pub lattice: LatticeType,
    /// Band score (the dominant Fourier component's share).
    pub band: f64,
    /// The second, non-collinear component's share.
    pub second_component: f64,
    /// Border score.
    pub border: f64,
    /// Ramp score.
    pub ramp: f64,
    /// How far the map's upper half reaches from the walls (fraction of the inradius).
    pub field_depth: f64,
    /// Split-half stability (NaN when unknown).
    pub stability: f64,
}

impl CellEvidence {
    /// The evidence in a map's scores (the classification scores its layout picks) and its
    /// split-half stability (NaN where unknown).
    pub fn new(spatial: &SpatialScores, layout: &MapLayout, stability: f64) -> CellEvidence {
        CellEvidence {
            hexagonal: spatial.hexagonal(layout),
            square: spatial.square(layout),
            lattice: spatial.lattice.lattice,
            band: spatial.band_score,
            second_component: spatial.second_component,
            border: spatial.border_score,
            ramp: spatial.ramp_score,
            field_depth: spatial.field_depth,
            stability,
        }
    }
}

/// A unit's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellType {
    /// A lattice score above its threshold, a lattice, and two non-collinear significant
    /// Fourier components.
    Grid,
    /// Ramp score above its threshold, and the map's upper half reaching beyond the band along
    /// the walls ([`BORDER_DEPTH`]): activity rising across the arena.
    Ramp,
    /// Border score above its threshold, and the map's upper half within the band along the
    /// walls.
    Border,
    /// One dominant Fourier component (above the band threshold) and no second significant one.
    Band,
    /// Spatially stable (split-half r above its null) and none of the above.
    Irregular,
    /// None of the above.
    NonSpatial,
    /// None of grid, border, band where stability is unknown (maps alone).
    Unclassified,
}

impl CellType {
    /// The name written to scores.csv.
    pub fn name(self) -> &'static str {
        match self {
            CellType::Grid => "grid",
            CellType::Ramp => "ramp",
            CellType::Border => "border",
            CellType::Band => "band",
            CellType::Irregular => "irregular",
            CellType::NonSpatial => "non_spatial",
            CellType::Unclassified => "unclassified",
        }
    }

    /// The type's position in [`CellType::ALL`] (the order of per-type counts).
    pub fn index(self) -> usize {
        CellType::ALL
            .iter()
            .position(|&t| t == self)
            .expect("ALL holds every type")
    }

    /// Every type, in report order.
    pub const ALL: [CellType; 7] = [
        CellType::Grid,
        CellType::Ramp,
        CellType::Border,
        CellType::Band,
        CellType::Irregular,
        CellType::NonSpatial,
        CellType::Unclassified,
    ];
}

/// The type of one unit.
pub fn classify(e: &CellEvidence, t: &Thresholds) -> CellType {
    let first = e.band > t.component;
    let second = e.second_component > t.component;
    let lattice_score = e.hexagonal > t.hexagonal || e.square > t.square;
    // NaN depth (no bin above half the peak inside the arena) is confined to nothing.
    let confined = e.field_depth <= BORDER_DEPTH;
    if lattice_score && e.lattice != LatticeType::None && first && second {
        CellType::Grid
    } else if e.ramp > t.ramp && !confined {
        CellType::Ramp
    } else if e.border > t.border && confined {
        CellType::Border
    } else if e.band > t.band && !second {
        CellType::Band
    } else if t.stability.is_nan() {
        CellType::Unclassified
    } else if e.stability > t.stability {
        CellType::Irregular
    } else {
        CellType::NonSpatial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_have_floors_and_nan_never_passes() {
        let null = NullSamples {
            hexagonal: vec![0.0; 10],
            square: vec![0.1; 10],
            band: vec![0.1; 10],
            border: vec![0.2; 10],
            ramp: vec![0.05; 10],
            stability: vec![0.3; 10],
        };
        let t = Thresholds::from_null(&null, 99.0);
        assert_eq!((t.hexagonal, t.square), (0.3, 0.5));
        assert_eq!((t.component, t.band), (0.1, BAND_FLOOR));
        assert_eq!(t.ramp, RAMP_FLOOR);
        let grid = CellEvidence {
            hexagonal: 0.9,
            square: 0.0,
            lattice: LatticeType::Hexagonal,
            band: 0.3,
            second_component: 0.3,
            border: -0.5,
            ramp: 0.1,
            field_depth: 0.9,
            stability: 0.9,
        };
        assert_eq!(classify(&grid, &t), CellType::Grid);
        // A ramp's upper half reaches into the arena; a border cell's stays by the walls,
        // whatever the other score says.
        let ramp = CellEvidence {
            hexagonal: 0.0,
            ramp: 0.9,
            border: 0.6,
            ..grid
        };
        assert_eq!(classify(&ramp, &t), CellType::Ramp);
        let border = CellEvidence {
            field_depth: BORDER_DEPTH,
            ..ramp
        };
        assert_eq!(classify(&border, &t), CellType::Border);
        let wide = CellEvidence { ramp: 0.3, ..ramp };
        assert_eq!(
            classify(&wide, &t),
            CellType::Irregular,
            "a border score without a band along the wall"
        );
        let band = CellEvidence {
            band: 0.8,
            second_component: 0.01,
            ..grid
        };
        assert_eq!(classify(&band, &t), CellType::Band, "a band is not a grid");
        let weak = CellEvidence { band: 0.3, ..band };
        assert_eq!(
            classify(&weak, &t),
            CellType::Irregular,
            "below the band floor"
        );
        let nan = CellEvidence {
            hexagonal: f64::NAN,
            square: f64::NAN,
            lattice: LatticeType::None,
            band: f64::NAN,
            second_component: f64::NAN,
            border: f64::NAN,
            ramp: f64::NAN,
            field_depth: f64::NAN,
            stability: f64::NAN,
        };
        assert_eq!(classify(&nan, &t), CellType::NonSpatial);
        let stable = CellEvidence {
            stability: 0.8,
            ..nan
        };
        assert_eq!(classify(&stable, &t), CellType::Irregular);
    }
}
