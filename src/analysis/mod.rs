//! Analysis (paper section 3.1, appendix D, docs/design.md section 7): a trained network run over long
//! trajectories with its activity binned into rate maps and tuning curves (streamed: memory
//! does not grow with the number of steps), autocorrelograms by FFT, the field's scores under
//! their own conventions (opexebo's `grid_score` and `border_score`, the masked and DeepMind
//! grid scores, band, ramp, lattice, information, sparseness, stability, selectivities), the
//! time-shift null and the cell types it supports.

mod band;
mod bins;
mod border;
mod boundary_events;
mod cell_types;
mod development;
mod fft2;
mod grid_score;
mod gridness;
mod lattice;
mod long_run;
mod map_diversity;
mod morphology;
mod null;
mod place_field;
mod ramp;
mod recording;
mod rotate;
mod run_analysis;
mod sac;
mod score_maps;
mod scores_table;
mod single_map;
mod spatial_scores;
mod stats;

pub use band::{Spectrum, band_score, line_angle, spectrum};
pub use bins::SpatialBins;
pub use border::{BorderGeometry, border_score, border_score_opexebo, wall_coverage};
pub use boundary_events::{EventCurves, EventStream, GROUP_LABELS, HALF_WINDOW, WINDOW};
pub use cell_types::{
    BAND_FLOOR, CellEvidence, CellType, DEFAULT_PERCENTILE, DEFAULT_SHUFFLES, FIXED_LEVELS,
    RAMP_FLOOR, Thresholds, classify,
};
pub use development::{
    DEVELOPMENT_ITERATION, Development, DevelopmentOptions, DevelopmentSummary, EmergenceTest,
    TypeDevelopment, development, write_development,
};
pub use grid_score::{GridScores, centre_radius, grid_score};
pub use gridness::{RingScores, grid_scores_deepmind};
pub use lattice::{Lattice, LatticeType, lattice};
pub use long_run::{
    LONG_RUN_ITERATION, LongRun, LongRunOptions, LongRunSummary, long_run, write_long_run,
};
pub use map_diversity::{MapDiversity, map_diversity};
pub use null::{NullSamples, map_shuffle_null, percentile, shifted_maps, time_shift_null};
pub use place_field::{Field, FieldOptions, map_peaks, place_field};
pub use ramp::{BORDER_DEPTH, DEPTH_PERCENTILE, Ramp, field_depth, ramp};
pub use recording::{
    ANALYSIS_ITERATION, DIRECTION_BINS, NO_BIN, Recording, RecordingOptions, SERIES_SCALE,
    SPEED_BINS, START_TRANSIENT, Series, record,
};
pub use rotate::rotate_bilinear;
pub use run_analysis::{
    AnalysisSummary, AnalyzeOptions, analyze_run, hexagonal_score_name, score_recording,
};
pub use sac::{Autocorrelogram, crop_central, masked_autocorrelogram, opexebo_autocorrelogram};
pub use score_maps::{
    ScoreOptions, arena_layout, check_null, map_stack_shape, score_maps, score_maps_to_files,
};
pub use scores_table::{
    CellTypesFile, DiversityRecord, NullDescription, NullRecord, SCORES_HEADER, ScoreRow,
    ScoresCsvRow, ThresholdsRecord, cell_type_summary, read_cell_types, read_scores_csv,
    score_values, scores_csv, write_cell_types,
};
pub use stats::{least_squares_slope, mann_whitney_less, median};

/// Columns of the speed tuning: the moving bins and the zero-speed bin.
pub const SPEED_COLUMNS: usize = SPEED_BINS + 1;
pub(crate) use single_map::shifted;
pub use single_map::{
    MapScores, lifetime_sparseness, map_scores, pearson_valid, spatial_information,
};
pub use spatial_scores::{
    ClassScores, MIN_OVERLAP, MapLayout, SpatialScores, class_scores,
    classification_autocorrelogram, null_scores, spatial_scores,
};
