//! Running a sweep's points: each point trains (or resumes, or skips when done) and then
//! analyzes its run directory. Locally the points run on a pool bounded by the cores, each run
//! on one thread when several run at once; on a cluster each array task runs one point with
//! [`run_point`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::spec::Sweep;
use crate::config::{load, render_commented};
use crate::error::bad_config;
use crate::io::write_atomic;
use crate::report::{AnalysisSettings, analyze_and_report};
use crate::train::{RunOptions, resume_run, train_run};

/// What a sweep directory records about its points (`sweep.json`), for `summary` and for
/// cluster array tasks.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SweepRecord {
    /// The sweep's name.
    pub name: String,
    /// Axis keys.
    pub axes: Vec<String>,
    /// Each run's analysis.
    pub analysis: AnalysisSettings,
    /// Points: run name and its axis values (`key=value`).
    pub points: Vec<(String, Vec<String>)>,
}

/// How a point ended.
#[derive(Clone, Debug, PartialEq)]
pub enum PointOutcome {
    /// Its report already existed.
    Skipped,
    /// Trained (or resumed) and analyzed.
    Done,
}

/// The run directory of point `name` in sweep directory `out`.
pub fn run_dir(out: &Path, name: &str) -> PathBuf {
    out.join("runs").join(name)
}

/// Where point `name`'s resolved config is kept (array tasks read it).
pub fn config_path(out: &Path, name: &str) -> PathBuf {
    out.join("configs").join(format!("{name}.toml"))
}

/// Write `sweep.json` and every point's resolved config into `out`.
pub fn prepare(sweep: &Sweep, out: &Path) -> anyhow::Result<SweepRecord> {
    std::fs::create_dir_all(out.join("configs"))?;
    std::fs::create_dir_all(out.join("runs"))?;
    for p in &sweep.points {
        write_atomic(
            &config_path(out, &p.name),
            render_commented(&p.config.to_table()).as_bytes(),
        )?;
    }
    let record = SweepRecord {
        name: sweep.name.clone(),
        axes: sweep.axes.clone(),
        analysis: sweep.analysis.clone(),
        points: sweep
            .points
            .iter()
            .map(|p| (p.name.clone(), p.sets.clone()))
            .collect(),
    };
    write_atomic(
        &out.join("sweep.json"),
        serde_json::to_string_pretty(&record)?.as_bytes(),
    )?;
    Ok(record)
}

/// The first `section.key` whose value differs between two configs, as "key: a vs b".
fn config_difference(a: &toml::Table, b: &toml::Table) -> Option<String> {
    // section.key -> value; every config value sits one table deep.
    let flat = |t: &toml::Table| -> BTreeMap<String, toml::Value> {
        t.iter()
            .flat_map(|(sec, v)| {
                v.as_table()
                    .into_iter()
                    .flatten()
                    .map(move |(k, v)| (format!("{sec}.{k}"), v.clone()))
            })
            .collect()
    };
    let (a, b) = (flat(a), flat(b));
    let show = |v: Option<&toml::Value>| v.map_or("(none)".to_string(), |v| v.to_string());
    a.keys()
        .chain(b.keys())
        .find(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("{k}: {} vs {}", show(a.get(k)), show(b.get(k))))
}

/// Train (or resume) the run in `dir` from the config file `config` on `threads` threads
/// (the results do not depend on them), then analyze it and write its report; a run whose
/// report exists is skipped.
pub fn run_point(
    config: &Path,
    dir: &Path,
    analysis: &AnalysisSettings,
    threads: usize,
    interrupt: Option<std::sync::Arc<AtomicBool>>,
) -> anyhow::Result<PointOutcome> {
    // Results do not depend on the thread count, so both configs are read with this one.
    let threads_set = [format!("train.threads={threads}")];
    let cfg = load(Some(config), None, &threads_set)?;
    if dir.join("config.toml").exists() {
        // A finished or started run is reused only if it is this point's run: a sweep file
        // (or `reproduce` budget) changed since would otherwise be judged on old runs.
        let have = load(Some(&dir.join("config.toml")), None, &threads_set)?;
        if let Some(key) = config_difference(&cfg.to_table(), &have.to_table()) {
            return Err(bad_config(format!(
                "{} was trained with a different config ({key}); give another output directory or delete that run",
                dir.display()
            )));
        }
    }
    if dir.join("report.html").exists() {
        return Ok(PointOutcome::Skipped);
    }
    let opts = RunOptions {
        force: true,
        progress: false,
        interrupt,
        fail_at: Vec::new(),
    };
    if dir.join("config.toml").exists() && !crate::train::complete_checkpoints(dir).is_empty() {
        // Finished or trained on: either way the run is ready to analyze.
        resume_run(dir, &[], &opts)?;
    } else {
        train_run(&cfg, dir, &opts)?;
    }
    if opts
        .interrupt
        .as_ref()
        .is_some_and(|f| f.load(Ordering::SeqCst))
    {
        return Err(crate::error::Failure::Interrupted(format!(
            "interrupted: {} keeps its last checkpoint; run the sweep again to resume",
            dir.display()
        ))
        .into());
    }
    analyze_and_report(dir, &analysis.options(threads)?)?;
    Ok(PointOutcome::Done)
}

/// Run every point of `sweep` into `out` on `jobs` workers (each run on one thread when
/// `jobs` > 1); `progress` is told each finished point. Returns the failures by point name.
pub fn run_sweep(
    sweep: &Sweep,
    out: &Path,
    jobs: usize,
    cores: usize,
    interrupt: Option<std::sync::Arc<AtomicBool>>,
    progress: &(dyn Fn(&str, &anyhow::Result<PointOutcome>) + Sync),
) -> anyhow::Result<Vec<(String, String)>> {
    prepare(sweep, out)?;
    let jobs = jobs.clamp(1, sweep.points.len().max(1));
    let threads = if jobs > 1 { 1 } else { cores.max(1) };
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    if interrupt.as_ref().is_some_and(|f| f.load(Ordering::SeqCst)) {
                        break;
                    }
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(p) = sweep.points.get(k) else {
                        break;
                    };
                    let r = run_point(
                        &config_path(out, &p.name),
                        &run_dir(out, &p.name),
                        &sweep.analysis,
                        threads,
                        interrupt.clone(),
                    );
                    progress(&p.name, &r);
                    if let Err(e) = r {
                        failures
                            .lock()
                            .expect("no worker panics while holding it")
                            .push((p.name.clone(), format!("{e:#}")));
                    }
                }
            });
        }
    });
    let mut f = failures.into_inner().expect("workers finished");
    f.sort();
    Ok(f)
}

/// Run point `name` of the prepared sweep in `out` (a cluster array task).
pub fn run_prepared_point(out: &Path, name: &str, threads: usize) -> anyhow::Result<PointOutcome> {
    let record: SweepRecord = serde_json::from_str(
        &std::fs::read_to_string(out.join("sweep.json"))
            .map_err(|e| crate::error::bad_input(format!("{}/sweep.json: {e}", out.display())))?,
    )?;
    run_point(
        &config_path(out, name),
        &run_dir(out, name),
        &record.analysis,
        threads,
        None,
    )
}
