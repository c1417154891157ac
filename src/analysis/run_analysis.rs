//! `gridrnn analyze RUN`: record the run's latest network over long trajectories (design
//! section 7) and write `analysis/ratemaps.npy`, `ratemaps.json`, `tuning.npz`, `scores.csv`
//! and `cell_types.json` (docs/design.md section 5), with cell types from the time-shift null.

use std::io::Cursor;
use std::path::Path;

use anyhow::Context;
use ndarray::{ArrayD, IxDyn};
use ndarray_npy::WriteNpyExt;

use super::Thresholds;
use super::scores_table::{
    NullDescription, ScoreRow, cell_type_summary, scores_csv, write_cell_types,
};
use super::time_shift_null;
use super::{MapLayout, spatial_scores};
use super::{Recording, RecordingOptions, SpatialBins, map_scores, record};
use crate::config::ValidConfig;
use crate::io::{NpzOut, write_atomic};
use crate::model::Ctrnn;
use crate::task::TrajectorySpec;

/// What `analyze` found.
#[derive(Clone, Debug)]
pub struct AnalysisSummary {
    /// Steps recorded (binned: each trial's transient left out).
    pub steps: usize,
    /// Steps left out at the start of each trial.
    pub transient: usize,
    /// Per-unit scores and types.
    pub units: Vec<ScoreRow>,
    /// The null's thresholds.
    pub thresholds: Thresholds,
    /// Which hexagonal score classification used.
    pub hexagonal_score: &'static str,
    /// The maps' bins.
    pub bins: SpatialBins,
    /// The maps' layout.
    pub layout: MapLayout,
    /// Rate maps, unit x row x column (as ratemaps.npy).
    pub maps: Vec<f64>,
    /// Direction tuning, unit x heading bin (as tuning.npz).
    pub direction_tuning: Vec<f64>,
    /// Heading bin centres, degrees.
    pub direction_centres: Vec<f64>,
    /// Speed tuning, unit x moving-speed bin (as tuning.npz's `speed_tuning`).
    pub speed_tuning: Vec<f64>,
    /// Speed bin centres.
    pub speed_centres: Vec<f64>,
    /// Steps per bin.
    pub occupancy: Vec<f64>,
}

impl AnalysisSummary {
    /// How different the maps of the units typed `of` are from one another (None for fewer
    /// than two), and all units' maps for scale: what a grid count needs beside it.
    pub fn map_diversity(
        &self,
        of: super::CellType,
    ) -> (Option<super::MapDiversity>, Option<super::MapDiversity>) {
        let bins = self.bins.nx * self.bins.ny;
        let typed: Vec<usize> = (0..self.units.len())
            .filter(|&i| self.units[i].cell_type == of)
            .collect();
        let all: Vec<usize> = (0..self.units.len()).collect();
        (
            super::map_diversity(&self.maps, bins, &typed),
            super::map_diversity(&self.maps, bins, &all),
        )
    }
}

/// Options of `analyze`.
#[derive(Clone, Debug)]
pub struct AnalyzeOptions {
    /// Steps to record (design: at least 10^6).
    pub steps: usize,
    /// Spatial bins along the longer side.
    pub bins: usize,
    /// Unit noise on.
    pub noise: bool,
    /// Worker threads.
    pub threads: usize,
    /// Shuffles per unit of the time-shift null (design: 100).
    pub shuffles: usize,
    /// Percentile of the pooled null (design: 99).
    pub percentile: f64,
    /// Steps left out at the start of each recorded trial; None: 0 with a place-code initial
    /// state, else [`super::START_TRANSIENT`],
    /// or half the trial where trials are shorter than twice that.
    pub transient: Option<usize>,
}

/// Scores and types of every unit of a recording that kept its series.
pub fn score_recording(
    r: &Recording,
    layout: &MapLayout,
    o: &AnalyzeOptions,
    seed: u64,
) -> (Vec<ScoreRow>, Thresholds) {
    let nb = r.bins.len();
    let maps = r.rate_maps();
    let occupancy = r.occupancy();
    let halves = [r.half_maps(0), r.half_maps(1)];
    let dir = r.direction_tuning();
    let speed = r.speed_tuning();
    let centres = r.speed_bin_centres();
    let s = super::SPEED_COLUMNS;
    let d = super::DIRECTION_BINS;
    let series = r
        .series
        .as_ref()
        .expect("analyze records the series for its null");
    let null = time_shift_null(
        series,
        r.units,
        r.binned_steps(),
        layout,
        o.shuffles,
        seed,
        o.threads,
    );
    let thresholds = Thresholds::from_null(&null, o.percentile);
    let rows = (0..r.units)
        .map(|j| {
            let m = &maps[j * nb..(j + 1) * nb];
            let spatial = spatial_scores(m, layout);
            let map = map_scores(
                m,
                &occupancy,
                [
                    &halves[0][j * nb..(j + 1) * nb],
                    &halves[1][j * nb..(j + 1) * nb],
                ],
                &dir[j * d..(j + 1) * d],
                &speed[j * s..j * s + super::SPEED_BINS],
                &centres,
            );
            ScoreRow::new(j, spatial, Some(map), layout, &thresholds)
        })
        .collect();
    (rows, thresholds)
}

fn npy_bytes(shape: &[usize], data: Vec<f32>) -> anyhow::Result<Vec<u8>> {
    let a = ArrayD::from_shape_vec(IxDyn(shape), data)?;
    let mut buf = Cursor::new(Vec::new());
    a.write_npy(&mut buf)?;
    Ok(buf.into_inner())
}

/// Which hexagonal score a layout classifies with.
pub fn hexagonal_score_name(layout: &MapLayout) -> &'static str {
    if layout.rectangular {
        "grid_score"
    } else {
        "grid_score_masked"
    }
}

impl AnalyzeOptions {
    /// The design's protocol (docs/analysis.md): 10^6 steps, 20 bins, noise off, the default
    /// null, each trial's start transient left out.
    pub fn defaults(threads: usize) -> AnalyzeOptions {
        AnalyzeOptions {
            steps: 1_000_000,
            bins: 20,
            noise: false,
            threads,
            shuffles: super::DEFAULT_SHUFFLES,
            percentile: super::DEFAULT_PERCENTILE,
            transient: None,
        }
    }
}

/// Record `net` (the run's network, trained with `cfg`) and write its analysis files into
/// `dir/analysis/`.
pub fn analyze_run(
    dir: &Path,
    cfg: &ValidConfig,
    net: &Ctrnn<f32>,
    o: &AnalyzeOptions,
) -> anyhow::Result<AnalysisSummary> {
    // A place-code initial state tells the network where it starts: no transient to leave out.
    let default_transient = if cfg.model.initial_state == crate::config::InitialState::PlaceCode {
        0
    } else {
        super::START_TRANSIENT.min(cfg.task.steps / 2)
    };
    let transient = o.transient.unwrap_or(default_transient);
    if transient >= cfg.task.steps {
        return Err(crate::error::bad_config(format!(
            "--transient-steps {transient} leaves nothing of the run's trials (task.steps = {}): give fewer steps, or leave it out for the default",
            cfg.task.steps,
        )));
    }
    let spec = TrajectorySpec::from_config(cfg);
    let opts = RecordingOptions {
        steps: o.steps,
        bins: o.bins,
        noise: o.noise,
        chunk_trials: 200,
        threads: o.threads,
        seed: cfg.train.seed,
        keep_series: true,
        transient,
    };
    let r = record(net, &spec, &opts);
    let out = dir.join("analysis");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let (h, w) = (r.bins.ny, r.bins.nx);
    let rate_maps = r.rate_maps();
    write_rate_maps(&out, &r, &spec, o.noise, &rate_maps)?;
    let (dir_centres, direction_tuning, speed_tuning) = write_tuning(&out, &r)?;
    let layout = MapLayout::new(&spec.arena, &r.bins);
    let (units, thresholds) = score_recording(&r, &layout, o, cfg.train.seed);
    write_atomic(
        &out.join("scores.csv"),
        scores_csv(&units, r.bins.width).as_bytes(),
    )?;
    let null = NullDescription {
        kind: "time-shift",
        shuffles: o.shuffles,
        percentile: o.percentile,
        hexagonal_score: hexagonal_score_name(&layout),
    };
    let summary = cell_type_summary(&units, &thresholds, &null, &rate_maps, h * w);
    write_cell_types(&out.join("cell_types.json"), &summary)?;
    Ok(AnalysisSummary {
        steps: r.trials * r.binned_steps(),
        transient: r.transient,
        units,
        thresholds,
        hexagonal_score: null.hexagonal_score,
        speed_centres: r.speed_bin_centres(),
        occupancy: r.occupancy(),
        bins: r.bins.clone(),
        layout,
        maps: rate_maps,
        direction_tuning,
        direction_centres: dir_centres,
        speed_tuning,
    })
}

/// `ratemaps.npy` (float32, (unit, row, column)) and `ratemaps.json` (bin edges, arena,
/// steps, noise) in `out`.
fn write_rate_maps(
    out: &Path,
    r: &Recording,
    spec: &TrajectorySpec,
    noise: bool,
    rate_maps: &[f64],
) -> anyhow::Result<()> {
    let (h, w, n) = (r.bins.ny, r.bins.nx, r.units);
    let maps: Vec<f32> = rate_maps.iter().map(|&v| v as f32).collect();
    write_atomic(&out.join("ratemaps.npy"), &npy_bytes(&[n, h, w], maps)?)?;
    let edges = |start: f64, k: usize| {
        (0..=k)
            .map(|i| start + i as f64 * r.bins.width)
            .collect::<Vec<f64>>()
    };
    let meta = serde_json::json!({
        "x_edges": edges(r.bins.x0, w),
        "y_edges": edges(r.bins.y0, h),
        "arena_vertices": spec.arena.outline(),
        "steps": r.trials * r.binned_steps(),
        "trial_length": r.steps,
        "transient_steps": r.transient,
        "noise": noise,
        "layout": "(unit, row = y from the bottom, column = x); NaN = unvisited or outside the arena",
    });
    write_atomic(
        &out.join("ratemaps.json"),
        serde_json::to_string_pretty(&meta)?.as_bytes(),
    )?;
    Ok(())
}

/// `tuning.npz` in `out`: direction and speed tuning and the occupancy; returns the direction
/// bins' centres, the direction tuning (unit x 36) and the moving-speed tuning (unit x 20).
fn write_tuning(out: &Path, r: &Recording) -> anyhow::Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let (h, w, n) = (r.bins.ny, r.bins.nx, r.units);
    let mut z = NpzOut::new();
    let d = super::DIRECTION_BINS;
    let dir_centres: Vec<f64> = (0..d)
        .map(|k| (k as f64 + 0.5) * 360.0 / d as f64)
        .collect();
    z.add("direction_bins", &[d], dir_centres.clone())?;
    let direction_tuning = r.direction_tuning();
    z.add("direction_tuning", &[n, d], direction_tuning.clone())?;
    let sb = super::SPEED_BINS;
    z.add("speed_bins", &[sb], r.speed_bin_centres())?;
    let speed = r.speed_tuning();
    let s = super::SPEED_COLUMNS;
    let speed_tuning: Vec<f64> = (0..n)
        .flat_map(|j| speed[j * s..j * s + sb].to_vec())
        .collect();
    z.add("speed_tuning", &[n, sb], speed_tuning.clone())?;
    z.add(
        "speed_zero",
        &[n],
        (0..n).map(|j| speed[j * s + sb]).collect(),
    )?;
    z.add("occupancy", &[h, w], r.occupancy())?;
    z.write(&out.join("tuning.npz"))?;
    Ok((dir_centres, direction_tuning, speed_tuning))
}
