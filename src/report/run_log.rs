//! What the report reads of a run's training: `train_log.csv` (docs/design.md section 5) and the
//! summary it gives (iterations, wall time, E over the last 10 % of iterations).

use std::path::Path;

use anyhow::Context;

use crate::figures::LogRow;

/// `train_log.csv` as rows (an interrupted run's log is read as far as it goes).
pub fn read_log(path: &Path) -> anyhow::Result<Vec<(f64, LogRow)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("{}: no column {name}", path.display()))
    };
    // E on eq. 3's scale, what the centre baseline is compared with: the decoded position's
    // error where the log has it (a place-cell readout's E column is its cross-entropy; for
    // the Cartesian readout both columns are equal), E in logs written before it existed.
    let [it, wall, e, l2, fr, ll2, lfr] = [
        col("iteration")?,
        col("wall_s")?,
        col("position").or_else(|_| col("E"))?,
        col("R_L2")?,
        col("R_FR")?,
        col("lambda_L2")?,
        col("lambda_FR")?,
    ];
    let mut rows = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let v: Vec<f64> = line
            .split(',')
            .map(|x| x.trim().parse::<f64>().unwrap_or(f64::NAN))
            .collect();
        if v.len() < header.len() {
            continue;
        }
        rows.push((
            v[wall],
            LogRow {
                iteration: v[it],
                e: v[e],
                r_l2: v[l2],
                r_fr: v[fr],
                lambda_l2: v[ll2],
                lambda_fr: v[lfr],
            },
        ));
    }
    Ok(rows)
}

/// The report's training summary.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingSummary {
    /// Last logged iteration.
    pub iterations: f64,
    /// Wall time of the last logged iteration, seconds.
    pub wall_s: f64,
    /// Mean E over the last 10 % of logged iterations.
    pub tail_e: f64,
}

/// The summary of a log (NaN where it is empty).
pub fn summarise(rows: &[(f64, LogRow)]) -> TrainingSummary {
    let tail = &rows[rows.len() - (rows.len() / 10).max(1).min(rows.len())..];
    TrainingSummary {
        iterations: rows.last().map_or(f64::NAN, |r| r.1.iteration),
        wall_s: rows.last().map_or(f64::NAN, |r| r.0),
        tail_e: tail.iter().map(|r| r.1.e).sum::<f64>() / tail.len() as f64,
    }
}
