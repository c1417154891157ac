//! `gridrnn run`, `train`, `resume` and `analyze`.

use std::path::PathBuf;

use gridrnn::config::{ValidConfig, resolve_threads};
use gridrnn::evaluate::{evaluate, held_out_trajectories};
use gridrnn::io::load_checkpoint;
use gridrnn::report::AnalysisSettings;
use gridrnn::task::TrajectorySpec;
use gridrnn::train::{Resumed, RunOptions, resume_run, train_run};

use super::args::{AnalyzeArgs, ColormapArg, ResumeArgs, RunArgs, TrainArgs};
use super::interrupt_flag;
use super::print::{analyze_and_print, report_training};

/// Options of a run trained from the command line: progress shown, Ctrl-C checkpoints.
fn interactive(force: bool) -> RunOptions {
    RunOptions {
        force,
        progress: true,
        interrupt: Some(interrupt_flag()),
        fail_at: injected_faults(),
    }
}

/// Testing hook of the robustness tests, which drive the binary:
/// `GRIDRNN_FAULT_NONFINITE_AT=I[,J...]` makes the step at each listed iteration fail once as
/// if its loss were not finite ([`RunOptions::fail_at`]).
fn injected_faults() -> Vec<u64> {
    std::env::var("GRIDRNN_FAULT_NONFINITE_AT")
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default()
}

/// `runs/<arena>-s<seed>-<UTC time>`, never an existing directory.
fn default_run_dir(cfg: &ValidConfig) -> PathBuf {
    let t = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace(':', "");
    let arena = cfg.task.arena.name();
    let base = PathBuf::from("runs").join(format!("{arena}-s{}-{t}", cfg.train.seed));
    let mut dir = base.clone();
    let mut k = 1;
    while dir.exists() {
        dir = PathBuf::from(format!("{}-{k}", base.display()));
        k += 1;
    }
    dir
}

/// The main job: train, evaluate on held-out trials, analyze and write the report.
pub fn run(a: RunArgs) -> anyhow::Result<()> {
    let cfg = a.cfg.load()?;
    let threads = cfg.threads();
    let report = AnalysisSettings::for_run(&cfg).options(threads)?;
    let dir = a.out.unwrap_or_else(|| default_run_dir(&cfg));
    println!("training into {}", dir.display());
    report_training(&train_run(&cfg, &dir, &interactive(false))?);
    let test = held_out_trajectories(&TrajectorySpec::from_config(&cfg), cfg.train.seed);
    let (net, _) = load_checkpoint(&dir.join("checkpoints/latest.npz"))?;
    for noise in [false, true] {
        let ev = evaluate(&net, &test, noise, threads, 500);
        println!(
            "held-out evaluation (500 trials, noise {}): E = {:.5}, centre baseline {:.5}, ratio {:.4}; start-point baseline {:.5}",
            if noise { "on" } else { "off" },
            ev.mse,
            ev.centre_mse,
            ev.mse_over_centre,
            ev.start_mse
        );
    }
    analyze_and_print(&dir, &report)?;
    println!("run directory: {}", dir.display());
    Ok(())
}

/// Train into a run directory.
pub fn train(a: TrainArgs) -> anyhow::Result<()> {
    let cfg = a.cfg.load()?;
    report_training(&train_run(&cfg, &a.out, &interactive(a.force))?);
    println!("run directory: {}", a.out.display());
    Ok(())
}

/// Continue a run from its latest good checkpoint.
pub fn resume(a: ResumeArgs) -> anyhow::Result<()> {
    match resume_run(&a.run, &a.sets, &interactive(false))? {
        Resumed::AlreadyFinished { iteration } => println!(
            "{} already finished (iteration {iteration}); extend it with --set train.iterations=N",
            a.run.display()
        ),
        Resumed::Trained(s) => {
            report_training(&s);
            println!("run directory: {}", a.run.display());
        }
    }
    Ok(())
}

/// Analyze a run and write its report.
pub fn analyze(a: AnalyzeArgs) -> anyhow::Result<()> {
    let settings = AnalysisSettings {
        steps: a.steps,
        bins: a.bins,
        noise: a.noise.on(),
        shuffles: a.shuffles,
        percentile: a.percentile,
        transient_steps: a.transient_steps,
        colormap: match a.colormap {
            ColormapArg::Viridis => "viridis",
            ColormapArg::Jet => "jet",
        }
        .into(),
        long_steps: a.long_steps,
        long_trials: a.long_trials,
        stages: a.stages,
    };
    analyze_and_print(&a.run, &settings.options(resolve_threads(a.threads))?)
}
