//! `gridrnn score MAPS.npy` (docs/design.md section 6): every spatial score and a cell type for anyone's
//! rate maps, so that users can put our numbers next to their data. Maps alone have no time
//! series, so the null is the mask-preserving map shuffle (each map's visited values permuted
//! among its visited bins), and without split halves no unit can be called irregular or
//! non-spatial: those are `unclassified`.

use super::cell_types::Thresholds;
use super::null::map_shuffle_null;
use super::scores_table::ScoreRow;
use super::spatial_scores::{MapLayout, spatial_scores};

/// Options of `score`.
#[derive(Clone, Debug)]
pub struct ScoreOptions {
    /// Shuffles per map (design: 100).
    pub shuffles: usize,
    /// Percentile of the pooled null (design: 99).
    pub percentile: f64,
    /// Worker threads.
    pub threads: usize,
    /// Seed of the shuffles.
    pub seed: u64,
}

/// Scores and types of `maps` (each h x w, row-major, NaN = unvisited) on `layout`.
pub fn score_maps(
    maps: &[Vec<f64>],
    layout: &MapLayout,
    o: &ScoreOptions,
) -> (Vec<ScoreRow>, Thresholds) {
    let null = map_shuffle_null(maps, layout, o.shuffles, o.seed, o.threads);
    let thresholds = Thresholds::from_null(&null, o.percentile);
    let rows = maps
        .iter()
        .enumerate()
        .map(|(i, m)| ScoreRow::new(i, spatial_scores(m, layout), None, layout, &thresholds))
        .collect();
    (rows, thresholds)
}
