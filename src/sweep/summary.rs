//! `gridrnn summary DIR --out CSV`: every analyzed run of a sweep (or any directory
//! of runs) in one CSV: its axis values, E, cell-type counts, counts at the fixed levels and
//! best scores; and a figure of the counts per condition with seeds as points.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::pool::{SweepRecord, run_dir};
use crate::analysis::{CellType, FIXED_LEVELS};
use crate::analysis::{
    EmergenceTest, ScoresCsvRow, mann_whitney_less, read_cell_types, read_scores_csv,
};
use crate::config::load;
use crate::error::bad_input;
use crate::figures::{render, text};
use crate::io::{NpzIn, csv_text, write_atomic};
use crate::report::{read_log, summarise};

/// What [`write_summary`] wrote.
#[derive(Clone, Debug)]
pub struct WrittenSummary {
    /// The runs gathered.
    pub summary: Summary,
    /// Border-before-grid emergence per condition, pooled over seeds; empty where no run
    /// recorded Fig. 4's development.
    pub emergence: Vec<(String, Option<EmergenceTest>)>,
    /// The figure's path (the CSV's with `.png`).
    pub figure: PathBuf,
}

/// Gather the analyzed runs under `dir` into the CSV `out`, the emergence tests into
/// `out` with `.emergence.json` and the figure into `out` with `.png`; an error where no
/// run is analyzed yet.
pub fn write_summary(dir: &Path, out: &Path) -> anyhow::Result<WrittenSummary> {
    let s = collect(dir)?;
    if s.rows.is_empty() {
        return Err(bad_input(format!(
            "{}: no analyzed runs found ({} pending)",
            dir.display(),
            s.pending.len()
        )));
    }
    write_atomic(out, summary_csv(&s)?.as_bytes())?;
    let pooled = pooled_emergence(&s);
    let json: Vec<serde_json::Value> = pooled
        .iter()
        .map(|(c, t)| serde_json::json!({"condition": c, "test": t}))
        .collect();
    write_atomic(
        &out.with_extension("emergence.json"),
        serde_json::to_string_pretty(&json)?.as_bytes(),
    )?;
    let figure = out.with_extension("png");
    write_atomic(&figure, &summary_figure(&s)?)?;
    let recorded = s.rows.iter().any(|r| !r.emergence[0].is_empty());
    Ok(WrittenSummary {
        emergence: if recorded { pooled } else { Vec::new() },
        summary: s,
        figure,
    })
}

/// One analyzed run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Run directory name.
    pub run: String,
    /// The value of each axis (`summary`'s columns), as the sweep set it.
    pub values: Vec<String>,
    /// Last logged iteration.
    pub iterations: f64,
    /// Training wall time, seconds.
    pub wall_s: f64,
    /// Mean training E over the last 10 % of iterations.
    pub tail_e: f64,
    /// Held-out E (noise off) and its always-the-centre baseline.
    pub held_out_e: f64,
    /// The baseline.
    pub centre_e: f64,
    /// Units per type, in [`CellType::ALL`] order.
    pub counts: Vec<usize>,
    /// Units whose hexagonal score is above each of [`FIXED_LEVELS`].
    pub fixed: Vec<usize>,
    /// Best hexagonal (classification), border and band scores.
    pub best: [f64; 3],
    /// Emergence iterations (Fig. 4) of the units ending as border and as grid cells, where
    /// the run's analysis followed its development.
    pub emergence: [Vec<f64>; 2],
}

/// A summary: the axis keys and the runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Axis keys (columns after `run`).
    pub axes: Vec<String>,
    /// Runs found, analyzed ones only.
    pub rows: Vec<RunRow>,
    /// Run directories without an analysis yet.
    pub pending: Vec<String>,
}

/// A JSON file of a run's analysis; errors name the file.
pub(crate) fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| bad_input(format!("{}: {e}", path.display())))
}

/// Largest finite value of a score over a run's rows (NaN if none is finite).
fn best_of(rows: &[ScoresCsvRow], score: impl Fn(&ScoresCsvRow) -> f64) -> f64 {
    rows.iter()
        .map(score)
        .filter(|v| v.is_finite())
        .fold(f64::NAN, f64::max)
}

/// Emergence iterations of the border and the grid units from `development.npz` and the
/// types in scores.csv (empty without a development analysis).
fn emergence_of(analysis: &Path, scores: &[ScoresCsvRow]) -> anyhow::Result<[Vec<f64>; 2]> {
    let path = analysis.join("development.npz");
    if !path.exists() {
        return Ok([Vec::new(), Vec::new()]);
    }
    let em = NpzIn::open(&path)?.array("emergence")?.data;
    let of = |t: CellType| {
        em.iter()
            .zip(scores)
            .filter(|&(e, r)| *e >= 0.0 && r.cell_type == t.name())
            .map(|(e, _)| *e)
            .collect()
    };
    Ok([of(CellType::Border), of(CellType::Grid)])
}

fn row(dir: &Path, run: &str, values: Vec<String>) -> anyhow::Result<Option<RunRow>> {
    let a = dir.join("analysis");
    if !a.join("cell_types.json").exists() || !a.join("held_out.json").exists() {
        return Ok(None);
    }
    let types = read_cell_types(&a.join("cell_types.json"))?;
    let held = read_json(&a.join("held_out.json"))?;
    let log = summarise(&read_log(&dir.join("train_log.csv"))?);
    let scores = read_scores_csv(&a.join("scores.csv"))?;
    let hex = types.hexagonal_score.as_str();
    let emergence = emergence_of(&a, &scores)?;
    Ok(Some(RunRow {
        run: run.to_string(),
        values,
        iterations: log.iterations,
        wall_s: log.wall_s,
        tail_e: log.tail_e,
        held_out_e: held["mse"].as_f64().unwrap_or(f64::NAN),
        centre_e: held["centre_mse"].as_f64().unwrap_or(f64::NAN),
        counts: CellType::ALL
            .iter()
            .map(|t| types.counts.get(t.name()).copied().unwrap_or(0))
            .collect(),
        fixed: FIXED_LEVELS
            .iter()
            .map(|l| {
                let level = types.hexagonal_above_fixed_levels.get(&format!("{l}"));
                level.copied().unwrap_or(0)
            })
            .collect(),
        best: [
            best_of(&scores, |r| r.hexagonal(hex)),
            best_of(&scores, |r| r.border_score),
            best_of(&scores, |r| r.band_score),
        ],
        emergence,
    }))
}

/// Collect the runs under `dir`: a sweep directory (with `sweep.json`: its points, axis
/// values from the sweep) or any directory whose subdirectories are runs (columns: arena and
/// seed from each run's config).
pub fn collect(dir: &Path) -> anyhow::Result<Summary> {
    let mut s = Summary {
        axes: Vec::new(),
        rows: Vec::new(),
        pending: Vec::new(),
    };
    let sweep = dir.join("sweep.json");
    if sweep.exists() {
        let record: SweepRecord = serde_json::from_value(read_json(&sweep)?)
            .map_err(|e| bad_input(format!("{}: {e}", sweep.display())))?;
        s.axes = record.axes.clone();
        for (name, sets) in &record.points {
            let values = sets
                .iter()
                .map(|v| {
                    v.split_once('=')
                        .map_or(v.clone(), |x| x.1.trim_matches('"').to_string())
                })
                .collect();
            match row(&run_dir(dir, name), name, values)? {
                Some(r) => s.rows.push(r),
                None => s.pending.push(name.clone()),
            }
        }
        return Ok(s);
    }
    s.axes = vec!["task.arena".into(), "train.seed".into()];
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| bad_input(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("config.toml").exists())
        .collect();
    dirs.sort();
    for d in dirs {
        let name = d
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let cfg = load(Some(&d.join("config.toml")), None, &[])?;
        let values = vec![
            cfg.task.arena.name().to_string(),
            cfg.train.seed.to_string(),
        ];
        match row(&d, &name, values)? {
            Some(r) => s.rows.push(r),
            None => s.pending.push(name),
        }
    }
    Ok(s)
}

/// The CSV: run, the axes, iterations, wall time, E's, counts per type, counts at the fixed
/// levels, best scores.
pub fn summary_csv(s: &Summary) -> anyhow::Result<String> {
    let mut header: Vec<String> = vec!["run".into()];
    header.extend(s.axes.iter().cloned());
    header.extend(
        [
            "iterations",
            "train_seconds",
            "tail_e",
            "held_out_e",
            "centre_e",
        ]
        .map(String::from),
    );
    header.extend(CellType::ALL.iter().map(|t| format!("n_{}", t.name())));
    header.extend(
        FIXED_LEVELS
            .iter()
            .map(|l| format!("n_hexagonal_above_{l}")),
    );
    header.extend(
        [
            "best_hexagonal",
            "best_border",
            "best_band",
            "border_emergence_median",
            "grid_emergence_median",
        ]
        .map(String::from),
    );
    let rows = s.rows.iter().map(|r| {
        let mut f: Vec<String> = vec![r.run.clone()];
        f.extend(r.values.iter().cloned());
        f.extend(
            [r.iterations, r.wall_s, r.tail_e, r.held_out_e, r.centre_e]
                .iter()
                .map(|v| format!("{v}")),
        );
        f.extend(r.counts.iter().map(|c| c.to_string()));
        f.extend(r.fixed.iter().map(|c| c.to_string()));
        f.extend(r.best.iter().map(|v| format!("{v:.4}")));
        f.extend(
            r.emergence
                .iter()
                .map(|e| format!("{}", crate::analysis::median(&mut e.clone()))),
        );
        f
    });
    csv_text(std::iter::once(header).chain(rows))
}

/// The condition of a row: its axis values other than the seed.
fn condition(s: &Summary, r: &RunRow) -> String {
    s.axes
        .iter()
        .zip(&r.values)
        .filter(|(k, _)| k.as_str() != "train.seed")
        .map(|(k, v)| format!("{}={v}", k.rsplit('.').next().unwrap_or(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Per condition (the axes but the seed): border against grid emergence over the units of
/// all its seeds (Fig. 4's test pooled over seeds); None where a condition lacks either.
pub fn pooled_emergence(s: &Summary) -> Vec<(String, Option<EmergenceTest>)> {
    let mut by: BTreeMap<String, [Vec<f64>; 2]> = BTreeMap::new();
    for r in &s.rows {
        let e = by.entry(condition(s, r)).or_default();
        e[0].extend(&r.emergence[0]);
        e[1].extend(&r.emergence[1]);
    }
    by.into_iter()
        .map(|(c, [mut b, mut g])| {
            let test = (!b.is_empty() && !g.is_empty()).then(|| {
                let (u, p) = mann_whitney_less(&b, &g);
                EmergenceTest {
                    border_units: b.len(),
                    grid_units: g.len(),
                    border_median: crate::analysis::median(&mut b),
                    grid_median: crate::analysis::median(&mut g),
                    u,
                    p_border_first: p,
                }
            });
            (c, test)
        })
        .collect()
}

/// Counts of grid, border, band and ramp units per condition (a row each), one point per seed and
/// a bar at their mean.
pub fn summary_figure(s: &Summary) -> anyhow::Result<Vec<u8>> {
    let mut by: BTreeMap<String, Vec<&RunRow>> = BTreeMap::new();
    for r in &s.rows {
        by.entry(condition(s, r)).or_default().push(r);
    }
    let conditions: Vec<(&String, &Vec<&RunRow>)> = by.iter().collect();
    let panels = [
        ("grid", CellType::Grid),
        ("border", CellType::Border),
        ("band", CellType::Band),
        ("ramp", CellType::Ramp),
    ];
    let rows = conditions.len().max(1);
    let height = (120 + 26 * rows) as u32;
    render(1500, height, |root| {
        let (labels, plots) = root.split_horizontally(330);
        let areas = plots.split_evenly((1, panels.len()));
        for (area, (title, t)) in areas.iter().zip(panels) {
            let k = t.index();
            let max = s.rows.iter().map(|r| r.counts[k]).max().unwrap_or(1).max(1) as f64;
            let mut chart = ChartBuilder::on(area)
                .caption(format!("{title} units"), text(13))
                .margin(8)
                .x_label_area_size(28)
                .y_label_area_size(8)
                .build_cartesian_2d(-0.5..max * 1.1 + 0.5, -0.5..rows as f64 - 0.5)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_desc("units")
                .label_style(text(10))
                .axis_desc_style(text(11))
                .draw()?;
            for (i, (_, runs)) in conditions.iter().enumerate() {
                let y = (rows - 1 - i) as f64;
                let mean = runs.iter().map(|r| r.counts[k] as f64).sum::<f64>() / runs.len() as f64;
                chart.draw_series(std::iter::once(PathElement::new(
                    [(mean, y - 0.3), (mean, y + 0.3)],
                    BLACK.stroke_width(2),
                )))?;
                chart.draw_series(runs.iter().enumerate().map(|(j, r)| {
                    // Seeds spread a little vertically so that equal counts stay visible.
                    let dy = (j as f64 - (runs.len() as f64 - 1.0) / 2.0) * 0.12;
                    Circle::new(
                        (r.counts[k] as f64, y + dy),
                        4,
                        RGBColor(31, 119, 180).filled(),
                    )
                }))?;
            }
        }
        let (_, lh) = labels.dim_in_pixel();
        let top = 8 + 13 + 16;
        let span = lh as f64 - top as f64 - 8.0 - 28.0;
        for (i, (name, runs)) in conditions.iter().enumerate() {
            let y = top as f64 + span * (i as f64 + 0.5) / rows as f64;
            labels.draw_text(
                &format!("{name} ({} seeds)", runs.len()),
                &text(11),
                (6, y as i32 - 6),
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_of_takes_the_largest_finite_value_of_a_column() {
        // Columns in any order, one missing (read as NaN), cell_type not last.
        let path = std::env::temp_dir().join(format!("gridrnn-best-{}.csv", std::process::id()));
        let text = "cell_type,unit,grid_score,lattice,border_score\ngrid,0,0.5,none,NaN\nband,1,1.25,none,0.1\nborder,2,nan,none,-0.3\n";
        std::fs::write(&path, text).unwrap();
        let rows = read_scores_csv(&path).unwrap();
        assert_eq!(rows[2].cell_type, "border");
        assert_eq!(best_of(&rows, |r| r.grid_score), 1.25);
        assert_eq!(best_of(&rows, |r| r.border_score), 0.1);
        assert!(best_of(&rows, |r| r.band_score).is_nan());
        std::fs::remove_file(&path).unwrap();
    }
}
