//! Analysis (paper section 3.1, appendix D, design section 7), first part: a trained network
//! run over long trajectories with its activity binned into rate maps and tuning curves
//! (streamed: memory does not grow with the number of steps), the masked spatial
//! autocorrelogram by FFT, the ring-mask grid scores of Banino et al. (2018), and the
//! single-map scores (spatial information, sparseness, split-half stability, selectivities).
//! Not yet here: opexebo's `grid_score` and `border_score`, the band score, lattice
//! measures, the shuffle null and cell types (issue 4 remains open).

mod bins;
mod gridness;
mod recording;
mod run_analysis;
mod sac;
mod single_map;

pub use bins::SpatialBins;
pub use gridness::{RingScores, grid_scores_deepmind, rotate_bilinear};
pub use recording::{
    ANALYSIS_ITERATION, DIRECTION_BINS, Recording, RecordingOptions, SPEED_BINS, record,
};
pub use run_analysis::{AnalysisSummary, AnalyzeOptions, UnitScores, analyze_run, score_recording};

/// Columns of the speed tuning: the moving bins and the zero-speed bin.
pub const SPEED_COLUMNS: usize = SPEED_BINS + 1;
pub use sac::masked_autocorrelogram;
pub use single_map::{
    MapScores, lifetime_sparseness, map_scores, pearson_valid, spatial_information,
};
