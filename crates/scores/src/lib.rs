//! gridrnn-scores: the spatial scores of rate maps (paper section 3.1 and appendix D,
//! docs/design.md section 7, docs/analysis.md), free of any model, file or training code.
//!
//! A map is a row-major `&[f64]` of `rows x cols` bins with NaN for unvisited bins; the
//! [`Arena`](arena::Arena) it was recorded in gives the walls and the mask. Autocorrelograms go
//! by FFT; the scores follow their field's own conventions (opexebo's `grid_score` and
//! `border_score`, the masked and DeepMind grid scores, band, ramp, lattice, information,
//! sparseness, stability); the shuffle nulls (of the maps, or of a recording's [`Series`]
//! shifted in time) set the thresholds of the cell types. The arena geometry lives here, not
//! in the simulation, because a score's mask and walls are part of its definition; the seeded
//! streams live here because the nulls draw from them.

pub mod arena;
pub mod rng;

mod band;
mod bins;
mod border;
mod boundary_events;
mod cell_types;
mod fft2;
mod grid_score;
mod gridness;
mod lattice;
mod map_diversity;
mod morphology;
mod null;
mod place_field;
mod ramp;
mod rotate;
mod sac;
mod series;
mod single_map;
mod spatial_scores;
mod stats;
mod synthetic;

pub use band::{Spectrum, band_score, line_angle, spectrum};
pub use bins::SpatialBins;
pub use border::{BorderGeometry, border_score, border_score_opexebo, wall_coverage};
pub use boundary_events::{EventCurves, EventStream, GROUP_LABELS, HALF_WINDOW, WINDOW};
pub use cell_types::{
    BAND_FLOOR, CellEvidence, CellType, DEFAULT_PERCENTILE, DEFAULT_SHUFFLES, FIXED_LEVELS,
    RAMP_FLOOR, Thresholds, classify,
};
pub use grid_score::{GridScores, centre_radius, grid_score};
pub use gridness::{RingScores, grid_scores_deepmind};
pub use lattice::{Lattice, LatticeType, lattice};
pub use map_diversity::{MapDiversity, map_diversity};
pub use null::{NullSamples, map_shuffle_null, percentile, shifted_maps, time_shift_null};
pub use place_field::{Field, FieldOptions, map_peaks, place_field};
pub use ramp::{BORDER_DEPTH, DEPTH_PERCENTILE, Ramp, field_depth, ramp};
pub use rotate::rotate_bilinear;
pub use sac::{Autocorrelogram, crop_central, masked_autocorrelogram, opexebo_autocorrelogram};
pub use series::{NO_BIN, SERIES_SCALE, Series};
pub use single_map::{
    MapScores, lifetime_sparseness, map_scores, pearson_valid, shifted, spatial_information,
};
pub use spatial_scores::{
    ClassScores, MIN_OVERLAP, MapLayout, SpatialScores, class_scores,
    classification_autocorrelogram, null_scores, spatial_scores,
};
pub use stats::{least_squares_slope, mann_whitney_less, median};
pub use synthetic::synthetic_maps;
