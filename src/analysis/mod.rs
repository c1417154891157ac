//! Analysis (paper section 3.1, appendix D, design section 7): a trained network run over long
//! trajectories with its activity binned into rate maps and tuning curves (streamed: memory
//! does not grow with the number of steps), autocorrelograms by FFT, the field's scores under
//! their own conventions (opexebo's `grid_score` and `border_score`, the masked and DeepMind
//! grid scores, band, lattice, information, sparseness, stability, selectivities), the
//! time-shift null and the cell types it supports.

mod bins;
mod border;
mod grid_score;
mod gridness;
mod morphology;
mod place_field;
mod recording;
mod rotate;
mod run_analysis;
mod sac;
mod single_map;

pub use bins::SpatialBins;
pub use border::{BorderGeometry, border_score, border_score_opexebo};
pub use grid_score::{GridScores, centre_radius, grid_score};
pub use gridness::{RingScores, grid_scores_deepmind};
pub use place_field::{Field, FieldOptions, map_peaks, place_field};
pub use recording::{
    ANALYSIS_ITERATION, DIRECTION_BINS, Recording, RecordingOptions, SPEED_BINS, record,
};
pub use rotate::rotate_bilinear;
pub use run_analysis::{AnalysisSummary, AnalyzeOptions, UnitScores, analyze_run, score_recording};
pub use sac::{Autocorrelogram, crop_central, masked_autocorrelogram, opexebo_autocorrelogram};

/// Columns of the speed tuning: the moving bins and the zero-speed bin.
pub const SPEED_COLUMNS: usize = SPEED_BINS + 1;
pub use single_map::{
    MapScores, lifetime_sparseness, map_scores, pearson_valid, spatial_information,
};
