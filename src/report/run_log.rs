//! What the report reads of a run's training: `train_log.csv` (docs/design.md section 5) and the
//! summary it gives (iterations, wall time, E over the last 10 % of iterations).

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use crate::figures::LogRow;

/// The columns of `train_log.csv` the report reads, by name (`crate::train::LOG_HEADER`
/// writes them).
#[derive(Deserialize)]
struct LogCsvRow {
    iteration: f64,
    wall_s: f64,
    #[serde(rename = "E")]
    e: f64,
    #[serde(rename = "R_L2")]
    r_l2: f64,
    #[serde(rename = "R_FR")]
    r_fr: f64,
    #[serde(rename = "lambda_L2")]
    lambda_l2: f64,
    #[serde(rename = "lambda_FR")]
    lambda_fr: f64,
    /// Absent in logs written before the decoded position's error was logged.
    #[serde(default)]
    position: Option<f64>,
}

/// `train_log.csv` as (wall seconds, row). An interrupted run's log is read as far as it
/// goes: a row cut short by a kill is left out.
pub fn read_log(path: &Path) -> anyhow::Result<Vec<(f64, LogRow)>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("cannot read {}", path.display()))?;
        if record.len() < headers.len() {
            continue;
        }
        let r: LogCsvRow = record
            .deserialize(Some(&headers))
            .with_context(|| format!("{}: a row that is not a training log row", path.display()))?;
        rows.push((
            r.wall_s,
            LogRow {
                iteration: r.iteration,
                // E on eq. 3's scale, what the centre baseline is compared with: the decoded
                // position's error where the log has it (a place-cell readout's E column is
                // its cross-entropy; for the Cartesian readout both are equal).
                e: r.position.unwrap_or(r.e),
                r_l2: r.r_l2,
                r_fr: r.r_fr,
                lambda_l2: r.lambda_l2,
                lambda_fr: r.lambda_fr,
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
