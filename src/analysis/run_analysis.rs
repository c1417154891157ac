//! `gridrnn analyze RUN`, first part: record the run's latest network and write
//! `analysis/ratemaps.npy`, `ratemaps.json`, `tuning.npz` and `scores.csv` (design section 5)
//! with the scores that exist so far.

use std::fmt::Write as _;
use std::io::Cursor;
use std::path::Path;

use anyhow::Context;
use ndarray::{ArrayD, IxDyn};
use ndarray_npy::WriteNpyExt;

use super::{
    Recording, RecordingOptions, grid_scores_deepmind, map_scores, masked_autocorrelogram, record,
};
use crate::config::load;
use crate::io::{NpzOut, load_checkpoint, write_atomic};
use crate::task::TrajectorySpec;

/// Common bins an autocorrelogram shift needs before it counts.
const MIN_OVERLAP: usize = 20;

/// One unit's scores (a `scores.csv` row).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitScores {
    /// Unit index.
    pub unit: usize,
    /// Banino et al. ring-mask hexagonal score.
    pub grid_score_deepmind: f64,
    /// The same rings, square-lattice score.
    pub grid_score_square_deepmind: f64,
    /// The other single-map scores.
    pub map: super::MapScores,
}

/// What `analyze` found.
#[derive(Clone, Debug)]
pub struct AnalysisSummary {
    /// Steps recorded.
    pub steps: usize,
    /// Per-unit scores.
    pub units: Vec<UnitScores>,
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
}

/// Scores of every unit of a recording.
pub fn score_recording(r: &Recording) -> Vec<UnitScores> {
    let (h, w, nb) = (r.bins.ny, r.bins.nx, r.bins.len());
    let maps = r.rate_maps();
    let halves = [r.half_maps(0), r.half_maps(1)];
    let dir = r.direction_tuning();
    let speed = r.speed_tuning();
    let centres = r.speed_bin_centres();
    let nbins = h.max(w);
    (0..r.units)
        .map(|j| {
            let m = &maps[j * nb..(j + 1) * nb];
            let sac = masked_autocorrelogram(m, h, w, MIN_OVERLAP);
            let flat = super::single_map::is_flat(m);
            let g = grid_scores_deepmind(&sac, 2 * h - 1, 2 * w - 1, nbins);
            let s = super::SPEED_COLUMNS;
            UnitScores {
                unit: j,
                grid_score_deepmind: if flat { f64::NAN } else { g.grid60 },
                grid_score_square_deepmind: if flat { f64::NAN } else { g.grid90 },
                map: map_scores(
                    m,
                    &r.occupancy,
                    [
                        &halves[0][j * nb..(j + 1) * nb],
                        &halves[1][j * nb..(j + 1) * nb],
                    ],
                    &dir[j * 36..(j + 1) * 36],
                    &speed[j * s..j * s + 20],
                    &centres,
                ),
            }
        })
        .collect()
}

fn npy_bytes(shape: &[usize], data: Vec<f32>) -> anyhow::Result<Vec<u8>> {
    let a = ArrayD::from_shape_vec(IxDyn(shape), data)?;
    let mut buf = Cursor::new(Vec::new());
    a.write_npy(&mut buf)?;
    Ok(buf.into_inner())
}

/// Record the latest checkpoint of the run in `dir` and write its analysis files.
pub fn analyze_run(dir: &Path, o: &AnalyzeOptions) -> anyhow::Result<AnalysisSummary> {
    let cfg = load(Some(&dir.join("config.toml")), None, &[])?;
    let (net, _) = load_checkpoint(&dir.join("checkpoints/latest.npz"))?;
    let spec = TrajectorySpec::from_config(&cfg);
    let opts = RecordingOptions {
        steps: o.steps,
        bins: o.bins,
        noise: o.noise,
        chunk_trials: 200,
        threads: o.threads,
        seed: cfg.train.seed,
    };
    let r = record(&net, &spec, &opts);
    let out = dir.join("analysis");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let (h, w, n) = (r.bins.ny, r.bins.nx, r.units);
    let maps: Vec<f32> = r.rate_maps().into_iter().map(|v| v as f32).collect();
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
        "steps": r.trials * r.steps,
        "trial_length": r.steps,
        "noise": o.noise,
        "layout": "(unit, row = y from the bottom, column = x); NaN = unvisited or outside the arena",
    });
    write_atomic(
        &out.join("ratemaps.json"),
        serde_json::to_string_pretty(&meta)?.as_bytes(),
    )?;
    let mut z = NpzOut::new();
    let dir_centres: Vec<f64> = (0..36).map(|k| (k as f64 + 0.5) * 10.0).collect();
    z.add("direction_bins", &[36], dir_centres)?;
    z.add("direction_tuning", &[n, 36], r.direction_tuning())?;
    z.add("speed_bins", &[20], r.speed_bin_centres())?;
    let speed = r.speed_tuning();
    let s = super::SPEED_COLUMNS;
    z.add(
        "speed_tuning",
        &[n, 20],
        (0..n)
            .flat_map(|j| speed[j * s..j * s + 20].to_vec())
            .collect(),
    )?;
    z.add(
        "speed_zero",
        &[n],
        (0..n).map(|j| speed[j * s + 20]).collect(),
    )?;
    z.add("occupancy", &[h, w], r.occupancy.clone())?;
    z.write(&out.join("tuning.npz"))?;
    let units = score_recording(&r);
    let mut csv = String::from(
        "unit,grid_score_deepmind,grid_score_square_deepmind,spatial_information,sparseness,stability,direction_selectivity,speed_selectivity\n",
    );
    let f = |v: f64| {
        if v.is_nan() {
            "NaN".to_string()
        } else {
            format!("{v:.6}")
        }
    };
    for u in &units {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            u.unit,
            f(u.grid_score_deepmind),
            f(u.grid_score_square_deepmind),
            f(u.map.spatial_information),
            f(u.map.sparseness),
            f(u.map.stability),
            f(u.map.direction_selectivity),
            f(u.map.speed_selectivity)
        );
    }
    write_atomic(&out.join("scores.csv"), csv.as_bytes())?;
    Ok(AnalysisSummary {
        steps: r.trials * r.steps,
        units,
    })
}
