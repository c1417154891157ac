//! The loop around [`Trainer::step`]: run directory, `train_log.csv`, checkpoints on the
//! design's schedule, progress bar, manifest (design section 5).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::{Manifest, Trainer, manifest::utc_now};
use crate::config::{ValidConfig, render_commented};
use crate::error::{Failure, bad_config};
use crate::io::{save_checkpoint, write_atomic, write_train_state};
use crate::model::PhaseTimes;

/// Header of `train_log.csv`, exactly as design section 5 fixes it.
pub const LOG_HEADER: &str = "iteration,wall_s,loss,E,R_L2,R_FR,lambda_L2,lambda_FR,grad_norm,lr";

/// How to run the loop.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Write into a non-empty directory.
    pub force: bool,
    /// Show the progress bar (it also hides itself when stderr is not a terminal).
    pub progress: bool,
}

/// What a finished run reports.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// The run directory.
    pub dir: PathBuf,
    /// Updates done.
    pub iterations: u64,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// E of the last minibatch.
    pub last_e: f64,
    /// Centre baseline of the last minibatch.
    pub last_centre: f64,
    /// Mean E over the last 10% of iterations (at least 1).
    pub tail_e: f64,
    /// Mean centre baseline over the same iterations.
    pub tail_centre: f64,
    /// Time per phase summed over the run.
    pub times: PhaseTimes,
}

/// Whether a checkpoint is written at `it`: 0, every power of 2, every `every`, and `last`.
pub fn is_checkpoint_iteration(it: u64, every: u64, last: u64) -> bool {
    it == 0 || it.is_power_of_two() || it % every == 0 || it == last
}

fn write_manifest(dir: &Path, m: &Manifest) -> anyhow::Result<()> {
    write_atomic(
        &dir.join("manifest.json"),
        serde_json::to_string_pretty(m)?.as_bytes(),
    )
}

fn checkpoint(dir: &Path, trainer: &Trainer<f32>, wall_s: f64) -> anyhow::Result<()> {
    let ck = dir.join("checkpoints");
    let it = trainer.iteration;
    save_checkpoint(&ck.join(format!("{it:08}.npz")), &trainer.net)?;
    write_train_state(
        &ck.join(format!("{it:08}.state.npz")),
        &trainer.state(wall_s),
    )?;
    save_checkpoint(&ck.join("latest.npz"), &trainer.net)
}

/// Train a network from `cfg` into the run directory `dir`.
pub fn train_run(cfg: &ValidConfig, dir: &Path, opts: &RunOptions) -> anyhow::Result<RunSummary> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() && !opts.force {
        return Err(bad_config(format!(
            "{} is not empty; continue it with `gridrnn resume {}` or overwrite it with --force",
            dir.display(),
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir.join("checkpoints"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    write_atomic(
        &dir.join("config.toml"),
        render_commented(&cfg.to_table()).as_bytes(),
    )?;
    let mut trainer = Trainer::<f32>::new(cfg);
    let threads = match cfg.train.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        t => t,
    };
    let mut manifest = Manifest::start(threads, cfg.train.shards, cfg.train.seed);
    write_manifest(dir, &manifest)?;

    let total = cfg.train.iterations;
    let deadline = (cfg.train.minutes > 0.0).then(|| cfg.train.minutes * 60.0);
    let bar = if opts.progress {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} [{elapsed_precise}<{eta_precise}] {per_sec} {msg}",
        )
        .expect("valid template"),
    );
    let log_path = dir.join("train_log.csv");
    let mut log = std::io::BufWriter::new(std::fs::File::create(&log_path)?);
    writeln!(log, "{LOG_HEADER}")?;
    let start = Instant::now();
    let mut times = PhaseTimes::default();
    let mut tail: Vec<(f64, f64)> = Vec::new();
    let mut last = (f64::NAN, f64::NAN);
    loop {
        let wall = start.elapsed().as_secs_f64();
        let out_of_time = deadline.is_some_and(|d| wall >= d);
        let done = trainer.iteration >= total || out_of_time;
        if is_checkpoint_iteration(trainer.iteration, cfg.train.checkpoint_every, total) || done {
            log.flush()?;
            checkpoint(dir, &trainer, wall)?;
        }
        if done {
            break;
        }
        let rec = match trainer.step() {
            Ok(r) => r,
            Err(r) => {
                log.flush()?;
                return Err(Failure::Diverged(format!(
                    "training diverged at iteration {}: loss {} grad norm {}; the last good checkpoint is in {}",
                    r.iteration,
                    r.loss,
                    r.grad_norm,
                    dir.join("checkpoints").display()
                ))
                .into());
            }
        };
        let t = &rec.terms;
        writeln!(
            log,
            "{},{:.3},{:.8e},{:.8e},{:.8e},{:.8e},{:.8e},{:.8e},{:.8e},{:e}",
            rec.iteration,
            start.elapsed().as_secs_f64(),
            rec.loss,
            t.e,
            t.r_l2,
            t.r_fr,
            rec.lambdas.l2,
            rec.lambdas.fr,
            rec.grad_norm,
            rec.lr
        )?;
        times.add(&rec.times);
        tail.push((t.e, t.centre));
        last = (t.e, t.centre);
        bar.set_message(format!(
            "loss {:.4} E/centre {:.3}",
            rec.loss,
            t.e / t.centre
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();
    log.flush()?;
    drop(log);
    let wall_s = start.elapsed().as_secs_f64();
    let keep = (tail.len() / 10).max(1).min(tail.len());
    let tail = &tail[tail.len() - keep..];
    let mean =
        |f: fn(&(f64, f64)) -> f64| tail.iter().map(f).sum::<f64>() / tail.len().max(1) as f64;
    manifest.end_utc = utc_now();
    manifest.time_per_phase_s = [
        ("trajectories", times.trajectories),
        ("noise", times.noise),
        ("forward", times.forward),
        ("backward", times.backward),
        ("optimiser", times.optimiser),
        ("total", wall_s),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    write_manifest(dir, &manifest)?;
    Ok(RunSummary {
        dir: dir.to_path_buf(),
        iterations: trainer.iteration,
        wall_s,
        last_e: last.0,
        last_centre: last.1,
        tail_e: mean(|p| p.0),
        tail_centre: mean(|p| p.1),
        times,
    })
}
