//! The loop around [`Trainer::step`]: run directory, `train_log.csv`, checkpoints on the
//! design's schedule, progress bar, manifest (docs/design.md section 5); resuming a killed run from
//! its last good checkpoint, rolling back a diverging step, and checkpointing on Ctrl-C.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::drive::{Budget, LR_CUT, MAX_ROLLBACKS, Outcome, drive};
use super::observer::{FailAt, Interrupt, Observer};
use super::run_logs::RunLogs;
use super::{Manifest, StepRecord, Trainer, manifest::utc_now};
use crate::config::{ValidConfig, apply_set, load, render_commented};
use crate::error::{Failure, bad_config};
use crate::io::{
    load_checkpoint, read_train_state, save_checkpoint, write_atomic, write_train_state,
};
use crate::model::PhaseTimes;

/// Header of `train_log.csv`, exactly as docs/design.md section 5 fixes it.
pub const LOG_HEADER: &str =
    "iteration,wall_s,loss,E,R_L2,R_FR,lambda_L2,lambda_FR,grad_norm,lr,position";

/// Header of `hf_log.csv`, written beside `train_log.csv` by Hessian-free runs: per update
/// the damping its CG used, CG iterations, the iteration backtracking chose, the reduction
/// ratio rho, the line search's step size, the quadratic model's value there, the loss after
/// the update and the loss evaluations spent.
pub const HF_LOG_HEADER: &str =
    "iteration,damping,cg_iterations,chosen,rho,rate,model,loss_after,evaluations";

/// How to run the loop.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Write into a non-empty directory.
    pub force: bool,
    /// Show the progress bar (it also hides itself when stderr is not a terminal).
    pub progress: bool,
    /// Set by a Ctrl-C handler: checkpoint now and stop with exit code 130.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Iterations whose step fails once as if its loss were not finite, so that a caller (and
    /// the robustness tests) can exercise the roll-back deterministically. Empty in real runs;
    /// the command line fills it from `GRIDRNN_FAULT_NONFINITE_AT=I[,J...]`.
    pub fail_at: Vec<u64>,
}

/// What a finished run reports.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// The run directory.
    pub dir: PathBuf,
    /// Iteration the loop started at (0, or the checkpoint a resume started from).
    pub started_at: u64,
    /// Updates done in all.
    pub iterations: u64,
    /// Wall-clock seconds of this invocation.
    pub wall_s: f64,
    /// Mean E over the last 10% of this invocation's iterations (at least 1).
    pub tail_e: f64,
    /// Mean centre baseline over the same iterations.
    pub tail_centre: f64,
    /// Time per phase summed over this invocation.
    pub times: PhaseTimes,
    /// Divergence roll-backs.
    pub rollbacks: u32,
}

fn write_manifest(dir: &Path, m: &Manifest) -> anyhow::Result<()> {
    write_atomic(
        &dir.join("manifest.json"),
        serde_json::to_string_pretty(m)?.as_bytes(),
    )
}

/// Write checkpoint `it`: the network (.npz, .safetensors), then its training state, then
/// `latest`. A checkpoint counts once its `.state.npz` exists.
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

/// Train a network from `cfg` into the new run directory `dir`.
pub fn train_run(cfg: &ValidConfig, dir: &Path, opts: &RunOptions) -> anyhow::Result<RunSummary> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() && !opts.force {
        return Err(bad_config(format!(
            "{} is not empty; continue it with `gridrnn resume {}` or overwrite it with --force",
            dir.display(),
            dir.display()
        )));
    }
    if opts.force && dir.join("checkpoints").exists() {
        std::fs::remove_dir_all(dir.join("checkpoints"))?;
    }
    std::fs::create_dir_all(dir.join("checkpoints"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    write_atomic(
        &dir.join("config.toml"),
        render_commented(&cfg.to_table()).as_bytes(),
    )?;
    let threads = cfg.threads();
    let manifest = Manifest::start(threads, cfg.train.shards, cfg.train.seed);
    write_manifest(dir, &manifest)?;
    let mut log = File::create(dir.join("train_log.csv"))?;
    writeln!(log, "{LOG_HEADER}")?;
    run_loop(cfg, dir, Trainer::<f32>::new(cfg), log, manifest, opts, 0.0)
}

/// How a resume ended.
#[derive(Clone, Debug)]
pub enum Resumed {
    /// The run had already used its budget.
    AlreadyFinished {
        /// Its last checkpoint.
        iteration: u64,
    },
    /// Training went on and finished.
    Trained(RunSummary),
}

/// Checkpoint iterations present in `dir/checkpoints` with their training state, newest first.
pub fn complete_checkpoints(dir: &Path) -> Vec<u64> {
    let ck = dir.join("checkpoints");
    let mut its: Vec<u64> = std::fs::read_dir(&ck)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".state.npz")?;
            (stem.len() == 8 && stem.bytes().all(|b| b.is_ascii_digit()))
                .then(|| stem.parse().ok())?
        })
        .filter(|it| ck.join(format!("{it:08}.npz")).exists())
        .collect();
    its.sort_unstable_by(|a, b| b.cmp(a));
    its
}

/// Continue the run in `dir` from its latest good checkpoint (docs/design.md section 5).
/// `sets` may only extend `train.iterations` or `train.minutes`.
pub fn resume_run(dir: &Path, sets: &[String], opts: &RunOptions) -> anyhow::Result<Resumed> {
    let cfg_path = dir.join("config.toml");
    if !cfg_path.exists() {
        return Err(bad_config(format!(
            "{} is not a run directory: it has no config.toml",
            dir.display()
        )));
    }
    for s in sets {
        let key = s.split_once('=').map_or(s.as_str(), |(k, _)| k).trim();
        if key != "train.iterations" && key != "train.minutes" {
            return Err(bad_config(format!(
                "--set {s}: resume may only change train.iterations or train.minutes; start a new run to change `{key}`"
            )));
        }
    }
    let base = load(Some(&cfg_path), None, &[])?;
    let mut table = base.to_table();
    for s in sets {
        apply_set(&mut table, s)?;
    }
    let cfg: crate::config::Config = table
        .try_into()
        .map_err(|e: toml::de::Error| bad_config(format!("bad --set: {}", e.message())))?;
    let cfg = cfg.validate()?;
    if !sets.is_empty() {
        write_atomic(&cfg_path, render_commented(&cfg.to_table()).as_bytes())?;
    }
    // Leftovers of writes that a kill interrupted are never checkpoints.
    for e in std::fs::read_dir(dir.join("checkpoints"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if e.file_name().to_string_lossy().contains(".tmp-") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let mut trainer = None;
    let mut wall = 0.0;
    for it in complete_checkpoints(dir) {
        let npz = dir.join(format!("checkpoints/{it:08}.npz"));
        let state = dir.join(format!("checkpoints/{it:08}.state.npz"));
        let loaded = (|| -> anyhow::Result<(Trainer<f32>, f64)> {
            let (net, _) = load_checkpoint(&npz)?;
            let st = read_train_state(&state)?;
            anyhow::ensure!(
                st.iteration == it,
                "{} says iteration {}",
                state.display(),
                st.iteration
            );
            Ok((
                Trainer::resume(&cfg, net, &st).with_context(|| npz.display().to_string())?,
                st.wall_s,
            ))
        })();
        match loaded {
            Ok((t, w)) => {
                trainer = Some(t);
                wall = w;
                break;
            }
            Err(e) => {
                eprintln!("warning: skipping checkpoint {it}: {e:#}; trying the previous one")
            }
        }
    }
    let trainer = trainer.unwrap_or_else(|| {
        eprintln!(
            "no usable checkpoint in {}: restarting at iteration 0",
            dir.display()
        );
        Trainer::new(&cfg)
    });
    let start = trainer.iteration;
    if start >= cfg.train.iterations
        || (cfg.train.minutes > 0.0 && wall >= cfg.train.minutes * 60.0)
    {
        return Ok(Resumed::AlreadyFinished { iteration: start });
    }
    println!("resuming from iteration {start}");
    let log = truncate_log(&dir.join("train_log.csv"), LOG_HEADER, start)?;
    let mut manifest: Manifest = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| Manifest::start(cfg.threads(), cfg.train.shards, cfg.train.seed));
    manifest.resumes.push(super::manifest::Resume {
        iteration: start,
        utc: utc_now(),
    });
    manifest.threads = cfg.threads();
    write_manifest(dir, &manifest)?;
    Ok(Resumed::Trained(run_loop(
        &cfg, dir, trainer, log, manifest, opts, wall,
    )?))
}

/// Keep the header and the rows of iterations before `keep_below`, so that the log has
/// exactly one row per iteration; returns the file open for appending.
pub(super) fn truncate_log(path: &Path, header: &str, keep_below: u64) -> anyhow::Result<File> {
    let columns = header.split(',').count();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = format!("{header}\n");
    for line in text.lines().skip(1) {
        let it = line.split(',').next().and_then(|v| v.parse::<u64>().ok());
        // Stop at the first row that is not complete and in order (a kill can cut a row).
        match it {
            Some(it) if it < keep_below && line.split(',').count() == columns => {
                out.push_str(line);
                out.push('\n');
            }
            _ => break,
        }
    }
    write_atomic(path, out.as_bytes())?;
    let mut f = std::fs::OpenOptions::new().append(true).open(path)?;
    f.seek(SeekFrom::End(0))?;
    Ok(f)
}

fn run_loop(
    cfg: &ValidConfig,
    dir: &Path,
    mut trainer: Trainer<f32>,
    log: File,
    manifest: Manifest,
    opts: &RunOptions,
    wall_before: f64,
) -> anyhow::Result<RunSummary> {
    let started_at = trainer.iteration;
    let budget = Budget {
        iterations: cfg.train.iterations,
        deadline_s: (cfg.train.minutes > 0.0).then(|| cfg.train.minutes * 60.0),
        checkpoint_every: cfg.train.checkpoint_every,
        wall_before,
    };
    let mut logs = RunLogs::open(dir, log, trainer.hf.is_some(), started_at)?;
    let mut files = CheckpointFiles(dir.to_path_buf());
    let mut progress = Progress(progress_bar(opts.progress, budget.iterations, started_at));
    let mut tally = Tally::default();
    let mut interrupt = Interrupt(opts.interrupt.clone().unwrap_or_default());
    let mut faults = FailAt(opts.fail_at.clone());
    let driven = drive(
        &mut trainer,
        &budget,
        &mut [
            &mut logs,
            &mut files,
            &mut progress,
            &mut tally,
            &mut interrupt,
            &mut faults,
        ],
    )?;
    match driven.outcome {
        Outcome::Finished => {}
        Outcome::Interrupted { iteration } => {
            return Err(Failure::Interrupted(format!(
                "interrupted at iteration {iteration}; checkpoint written; continue with `gridrnn resume {}`",
                dir.display()
            ))
            .into());
        }
        Outcome::Diverged { bad, last_good } => {
            return Err(Failure::Diverged(format!(
                "training diverged {MAX_ROLLBACKS} times in a row after iteration {last_good} (last: loss {}, grad norm {} at iteration {}, lr {:e}); the last good checkpoint is {}",
                bad.loss,
                bad.grad_norm,
                bad.iteration,
                trainer.lr,
                dir.join(format!("checkpoints/{last_good:08}.npz")).display()
            ))
            .into());
        }
    }
    finish(
        dir,
        manifest,
        &trainer,
        started_at,
        driven.wall_s,
        tally,
        driven.rollbacks,
    )
}

/// Writes checkpoint files into the run directory.
struct CheckpointFiles(PathBuf);

impl Observer for CheckpointFiles {
    fn checkpoint(&mut self, trainer: &Trainer<f32>, wall_s: f64) -> anyhow::Result<()> {
        checkpoint(&self.0, trainer, wall_s)
    }
}

/// The progress bar, and the roll-backs reported on stderr.
struct Progress(ProgressBar);

impl Observer for Progress {
    fn step(
        &mut self,
        rec: &StepRecord,
        trainer: &Trainer<f32>,
        _wall_s: f64,
    ) -> anyhow::Result<()> {
        let t = &rec.terms;
        self.0.set_message(format!(
            "loss {:.4} E/centre {:.3}",
            rec.loss,
            t.position / t.centre
        ));
        self.0.set_position(trainer.iteration);
        Ok(())
    }

    fn rolled_back(&mut self, bad: &StepRecord, trainer: &Trainer<f32>) -> anyhow::Result<()> {
        let what = match &trainer.hf {
            Some(h) => format!("damping raised x{} to {:e}", 1.0 / LR_CUT, h.damping),
            None => format!("learning rate cut x{LR_CUT} to {:e}", trainer.lr),
        };
        self.0.suspend(|| {
            eprintln!(
                "iteration {}: non-finite loss ({}) or gradient norm ({}); rolled back to iteration {}, {what}",
                bad.iteration, bad.loss, bad.grad_norm, trainer.iteration
            )
        });
        self.0.set_position(trainer.iteration);
        Ok(())
    }

    fn end(&mut self) -> anyhow::Result<()> {
        self.0.finish_and_clear();
        Ok(())
    }
}

/// Time per phase and each kept update's (E, centre baseline), for the run's summary.
#[derive(Default)]
struct Tally {
    times: PhaseTimes,
    tail: Vec<(f64, f64)>,
}

impl Observer for Tally {
    fn step(
        &mut self,
        rec: &StepRecord,
        _trainer: &Trainer<f32>,
        _wall_s: f64,
    ) -> anyhow::Result<()> {
        self.times.add(&rec.times);
        self.tail.push((rec.terms.position, rec.terms.centre));
        Ok(())
    }
}

/// The progress bar of a run from `started_at` to `total` (hidden where not asked for).
fn progress_bar(shown: bool, total: u64, started_at: u64) -> ProgressBar {
    let bar = if shown {
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
    bar.set_position(started_at);
    bar.reset_eta();
    bar
}

/// Record the run's end and time per phase in the manifest, and summarise it: E over the
/// last 10 % of iterations from `tail` (decoded-position error, centre baseline).
fn finish(
    dir: &Path,
    mut manifest: Manifest,
    trainer: &Trainer<f32>,
    started_at: u64,
    wall_s: f64,
    Tally { times, tail }: Tally,
    rollbacks: u32,
) -> anyhow::Result<RunSummary> {
    let keep = (tail.len() / 10).max(1).min(tail.len());
    let tail = &tail[tail.len() - keep..];
    let mean =
        |f: fn(&(f64, f64)) -> f64| tail.iter().map(f).sum::<f64>() / tail.len().max(1) as f64;
    manifest.end_utc = utc_now();
    for (k, v) in [
        ("trajectories", times.trajectories),
        ("noise", times.noise),
        ("forward", times.forward),
        ("backward", times.backward),
        ("optimiser", times.optimiser),
        ("total", wall_s),
    ] {
        *manifest
            .time_per_phase_s
            .entry(k.to_string())
            .or_insert(0.0) += v;
    }
    write_manifest(dir, &manifest)?;
    Ok(RunSummary {
        dir: dir.to_path_buf(),
        started_at,
        iterations: trainer.iteration,
        wall_s,
        tail_e: mean(|p| p.0),
        tail_centre: mean(|p| p.1),
        times,
        rollbacks,
    })
}
