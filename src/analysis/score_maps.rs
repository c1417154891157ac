//! `gridrnn score MAPS.npy` (docs/design.md section 6): every spatial score and a cell type for anyone's
//! rate maps, so that users can put our numbers next to their data. Maps alone have no time
//! series, so the null is the mask-preserving map shuffle (each map's visited values permuted
//! among its visited bins), and without split halves no unit can be called irregular or
//! non-spatial: those are `unclassified`.

use std::path::{Path, PathBuf};

use super::SpatialBins;
use super::Thresholds;
use super::map_shuffle_null;
use super::scores_table::{
    NullDescription, ScoreRow, cell_type_summary, scores_csv, write_cell_types,
};
use super::{MapLayout, spatial_scores};
use crate::arena::Arena;
use crate::io::write_atomic;

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

impl ScoreOptions {
    /// Checks the null's settings; the error names the setting and the values it takes.
    pub fn check(&self) -> Result<(), String> {
        check_null(self.shuffles, self.percentile)
    }
}

/// Checks a shuffle null's settings (docs/design.md section 7: 100 shuffles, the 99th
/// percentile); the error names the setting.
pub fn check_null(shuffles: usize, percentile: f64) -> Result<(), String> {
    if shuffles == 0 {
        return Err("shuffles = 0: give at least 1 (the design's null uses 100)".into());
    }
    if !(percentile > 0.0 && percentile < 100.0) {
        return Err(format!(
            "percentile = {percentile}: give a value in (0, 100) (the design uses 99)"
        ));
    }
    Ok(())
}

/// (maps, rows, columns) of a `.npy` stack of maps: (rows, columns) is one map; each map at
/// least 3 x 3 bins.
pub fn map_stack_shape(shape: &[usize]) -> Result<(usize, usize, usize), String> {
    let (count, h, w) = match shape {
        [h, w] => (1, *h, *w),
        [n, h, w] => (*n, *h, *w),
        _ => {
            return Err(format!(
                "maps must have shape (rows, columns) or (maps, rows, columns), got {shape:?}"
            ));
        }
    };
    if h < 3 || w < 3 || count == 0 {
        return Err(format!(
            "need at least one map of at least 3 x 3 bins, got {shape:?}"
        ));
    }
    Ok((count, h, w))
}

/// The layout of h x w maps binned over `arena` as `gridrnn analyze` bins it (its bounding
/// box, square bins, centred); an error where h x w is not that binning.
pub fn arena_layout(arena: &Arena, h: usize, w: usize) -> Result<MapLayout, String> {
    let bins = SpatialBins::new(arena, h.max(w));
    if (bins.ny, bins.nx) != (h, w) {
        return Err(format!(
            "maps of {h} x {w} bins do not match the arena binned with {} bins along its longer side ({} x {}); give maps binned that way or leave out --arena",
            h.max(w),
            bins.ny,
            bins.nx
        ));
    }
    Ok(MapLayout::new(arena, &bins))
}

/// Scores and types `maps` (row-major h x w maps, one after another) and writes `out`
/// (the columns of `scores.csv`) and `STEM.cell_types.json` beside it; returns the rows,
/// the thresholds and the JSON's path.
pub fn score_maps_to_files(
    data: &[f64],
    layout: &MapLayout,
    o: &ScoreOptions,
    out: &Path,
) -> anyhow::Result<(Vec<ScoreRow>, Thresholds, PathBuf)> {
    let bins = layout.h * layout.w;
    let list: Vec<Vec<f64>> = data.chunks(bins).map(|c| c.to_vec()).collect();
    let (rows, thresholds) = score_maps(&list, layout, o);
    write_atomic(out, scores_csv(&rows, layout.bin_width).as_bytes())?;
    let how = NullDescription {
        kind: "map-permutation",
        shuffles: o.shuffles,
        percentile: o.percentile,
        hexagonal_score: super::hexagonal_score_name(layout),
    };
    let json = out.with_file_name(format!(
        "{}.cell_types.json",
        out.file_stem().unwrap_or_default().to_string_lossy()
    ));
    write_cell_types(
        &json,
        &cell_type_summary(&rows, &thresholds, &how, data, bins),
    )?;
    Ok((rows, thresholds, json))
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
