//! Analysis (paper section 3.1, appendix D, docs/design.md section 7): a trained network run over long
//! trajectories with its activity binned into rate maps and tuning curves (streamed: memory
//! does not grow with the number of steps), autocorrelograms by FFT, the field's scores under
//! their own conventions (opexebo's `grid_score` and `border_score`, the masked and DeepMind
//! grid scores, band, ramp, lattice, information, sparseness, stability, selectivities), the
//! time-shift null and the cell types it supports.

mod development;
mod emergence;
mod long_run;
mod recording;
mod run_analysis;
mod score_maps;
mod scores_table;

pub use development::{
    DEVELOPMENT_ITERATION, Development, DevelopmentOptions, DevelopmentSummary, TypeDevelopment,
    development, write_development,
};
pub use emergence::EmergenceTest;
/// The pure map scores: the `gridrnn-scores` crate, which this module runs on recordings and
/// writes to files.
pub use gridrnn_scores::rng::ANALYSIS_ITERATION;
pub use gridrnn_scores::{
    Autocorrelogram, BAND_FLOOR, BORDER_DEPTH, BorderGeometry, CellEvidence, CellType, ClassScores,
    DEFAULT_PERCENTILE, DEFAULT_SHUFFLES, DEPTH_PERCENTILE, EventCurves, EventStream, FIXED_LEVELS,
    Field, FieldOptions, GROUP_LABELS, GridScores, HALF_WINDOW, Lattice, LatticeType, MIN_OVERLAP,
    MapDiversity, MapLayout, MapScores, NO_BIN, NullSamples, RAMP_FLOOR, Ramp, RingScores,
    SERIES_SCALE, Series, SpatialBins, SpatialScores, Spectrum, Thresholds, WINDOW, band_score,
    border_score, border_score_opexebo, centre_radius, class_scores,
    classification_autocorrelogram, classify, crop_central, field_depth, grid_score,
    grid_scores_deepmind, lattice, least_squares_slope, lifetime_sparseness, line_angle,
    mann_whitney_less, map_diversity, map_peaks, map_scores, map_shuffle_null,
    masked_autocorrelogram, median, null_scores, opexebo_autocorrelogram, pearson_valid,
    percentile, place_field, ramp, rotate_bilinear, shifted, shifted_maps, spatial_information,
    spatial_scores, spectrum, synthetic_maps, time_shift_null, wall_coverage,
};
pub use long_run::{
    LONG_RUN_ITERATION, LongRun, LongRunOptions, LongRunSummary, long_run, write_long_run,
};
pub use recording::{
    DIRECTION_BINS, Recording, RecordingOptions, SPEED_BINS, START_TRANSIENT, record,
};
pub use run_analysis::{
    AnalysisSummary, AnalyzeOptions, analyze_run, hexagonal_score_name, score_recording,
};
pub use score_maps::{
    ScoreOptions, arena_layout, check_null, map_stack_shape, score_maps, score_maps_to_files,
};
pub use scores_table::{
    CellTypesFile, DiversityRecord, NullDescription, NullRecord, SCORES_HEADER, ScoreCell,
    ScoreRow, ScoresCsvRow, ThresholdsRecord, cell_type_summary, read_cell_types, read_scores_csv,
    score_cells, score_values, scores_csv, write_cell_types,
};

/// Columns of the speed tuning: the moving bins and the zero-speed bin.
pub const SPEED_COLUMNS: usize = SPEED_BINS + 1;
