//! The `gridrnn` command line (docs/design.md section 6): parse, call the library, report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use gridrnn::arena::Arena;
use gridrnn::config::{ValidConfig, load, render_commented, resolve_threads};
use gridrnn::error::{Failure, bad_config, bad_input};
use gridrnn::evaluate::evaluate;
use gridrnn::figures::Colormap;
use gridrnn::io::{load_checkpoint, write_atomic};
use gridrnn::task::{Trajectories, TrajectorySpec, read_trajectories, write_trajectories};
use gridrnn::train::{Resumed, RunOptions, resume_run, train_run};

#[path = "cli/print.rs"]
mod print;
use print::{analyze_and_print, report_cell_types, report_training};

/// A flag set by the first Ctrl-C (the run then checkpoints and exits 130); a second Ctrl-C
/// exits at once.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    let _ = ctrlc::set_handler(move || {
        if f.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: writing a checkpoint (Ctrl-C again to quit at once)");
    });
    flag
}

#[derive(Parser)]
#[command(
    name = "gridrnn",
    version,
    about = "Train CTRNNs to path-integrate and measure the grid-like codes that emerge (Cueva & Wei, ICLR 2018)",
    after_help = "Example:\n  gridrnn run --set task.arena=hexagon"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct ConfigArgs {
    /// TOML config file (keys of docs/design.md section 5; `gridrnn config` lists them).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Start from a preset: pytorch-peer | authors-code | sorscher | place-cells.
    #[arg(long)]
    preset: Option<String>,
    /// Override one key, e.g. --set task.arena=hexagon (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
}

impl ConfigArgs {
    fn load(&self) -> anyhow::Result<ValidConfig> {
        load(self.config.as_deref(), self.preset.as_deref(), &self.sets)
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// The main job: train the default network and print its evaluation.
    #[command(
        after_help = "Example:\n  gridrnn run --set task.arena=hexagon --set train.iterations=500"
    )]
    Run {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// Run directory (default runs/<arena>-s<seed>-<UTC time>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Train a network into a run directory.
    #[command(
        after_help = "Example:\n  gridrnn train --preset authors-code --set train.iterations=2000 --out runs/authors"
    )]
    Train {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// Run directory.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite a non-empty run directory.
        #[arg(long)]
        force: bool,
    },
    /// Continue a killed or interrupted run from its latest good checkpoint.
    #[command(
        after_help = "Example:\n  gridrnn resume runs/square-s0-2026-11-22T120000Z --set train.iterations=4000"
    )]
    Resume {
        /// Run directory.
        run: PathBuf,
        /// Extend the budget: train.iterations=N or train.minutes=M (nothing else).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Record a run's latest network over long trajectories and write its rate maps, tuning
    /// curves, scores and cell types into RUN/analysis/, the paper's figures and RUN/report.html.
    #[command(
        after_help = "Example:\n  gridrnn analyze runs/square-s0-2026-11-22T120000Z --steps 1000000"
    )]
    Analyze {
        /// Run directory.
        run: PathBuf,
        /// Steps to record (docs/design.md section 7: at least 10^6).
        #[arg(long, default_value_t = 1_000_000)]
        steps: usize,
        /// Spatial bins along the arena's longer side.
        #[arg(long, default_value_t = 20)]
        bins: usize,
        /// Unit noise: on | off.
        #[arg(long, default_value = "off")]
        noise: String,
        /// Worker threads (0 = all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Shuffles per unit of the time-shift null (docs/design.md section 7).
        #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_SHUFFLES)]
        shuffles: usize,
        /// Percentile of the null pooled over units that a score must exceed.
        #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_PERCENTILE)]
        percentile: f64,
        /// Steps at the start of each recorded trial left out of the maps, tuning and null
        /// while the network settles from x_0 = 0 (docs/analysis.md; default 40, or half a
        /// trial for trials shorter than 80 steps; 0 with a place-code initial state).
        #[arg(long)]
        transient_steps: Option<usize>,
        /// Colour map of the figures' heat maps: viridis | jet (the paper's).
        #[arg(long, default_value = "viridis")]
        colormap: String,
        /// Steps per long trial of Fig. 6 (noise on; 0 skips the long trials).
        #[arg(long, default_value_t = 1_000_000)]
        long_steps: usize,
        /// Long trials of Fig. 6.
        #[arg(long, default_value_t = 10)]
        long_trials: usize,
        /// Training stages of Fig. 4 as fractions of the last checkpoint's iteration
        /// (early,intermediate,late), or `off`; needs at least 3 checkpoints.
        #[arg(long, default_value = "0.02,0.2,1")]
        stages: String,
    },
    /// Run a sweep: a base config plus axes (sweep file, see sweeps/), one run per point, on
    /// a local pool or (`--emit slurm`) as a SLURM job array; finished points are skipped and
    /// interrupted ones resumed.
    #[command(
        after_help = "Example:\n  gridrnn sweep sweeps/regularisation.toml --out runs/regularisation\n  gridrnn sweep sweeps/regularisation.toml --out /scratch/reg --emit slurm && sbatch /scratch/reg/sweep.sbatch"
    )]
    Sweep {
        /// The sweep file (TOML).
        file: PathBuf,
        /// Sweep directory (default runs/sweep-NAME).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Points run at once (0 = one per core); with more than one, each runs on one thread.
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Write a cluster job script instead of running: slurm.
        #[arg(long)]
        emit: Option<String>,
        /// CPUs per array task in the emitted script.
        #[arg(long, default_value_t = 2)]
        cpus_per_task: usize,
    },
    /// Run one point of a prepared sweep directory (what each SLURM array task calls).
    #[command(
        after_help = "Example:\n  gridrnn sweep-point runs/regularisation 003-noise_std=0.1-lambda_fr=0.0-arena=square-seed=0"
    )]
    SweepPoint {
        /// The sweep directory.
        dir: PathBuf,
        /// The point's name (a line of runs.txt).
        name: String,
        /// Threads.
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Gather a sweep's (or a directory of runs') results into one CSV and a figure of cell-type
    /// counts per condition with seeds as points (CSV's name with .png).
    #[command(
        after_help = "Example:\n  gridrnn summary runs/regularisation --out regularisation.csv"
    )]
    Summary {
        /// Sweep directory, or a directory whose subdirectories are runs.
        dir: PathBuf,
        /// The CSV to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Score anyone's rate maps (.npy, maps x rows x columns or one map; NaN = unvisited).
    #[command(
        after_help = "Maps alone have no time series: the null is a mask-preserving shuffle of each map's\nvisited bins, and without split halves the irregular and non-spatial types are\n`unclassified`.\n\nExample:\n  gridrnn score runs/x/analysis/ratemaps.npy --out scores.csv"
    )]
    Score {
        /// Maps, .npy (float32 or float64).
        maps: PathBuf,
        /// Arena the maps were binned in (square, triangle, hexagon, circle), binned as
        /// `gridrnn analyze` bins it (its bounding box, square bins, centred); without it the
        /// map's edges are the walls of a rectangle.
        #[arg(long)]
        arena: Option<String>,
        /// Area of that arena (spacings in its units).
        #[arg(long, default_value_t = 4.0)]
        arena_area: f64,
        /// Output CSV (scores.csv columns); a cell_types.json is written next to it.
        #[arg(long)]
        out: PathBuf,
        /// Shuffles per map.
        #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_SHUFFLES)]
        shuffles: usize,
        /// Percentile of the pooled null.
        #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_PERCENTILE)]
        percentile: f64,
        /// Seed of the shuffles.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Worker threads (0 = all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// The whole paper, claim by claim: train every condition the paper trained (the studies
    /// of reproduce/studies.toml), analyze every run, judge every claim by the rules of
    /// reproduce/claims.toml and write DIR/paper.html. Resumable: run it again to go on.
    #[command(
        after_help = "Examples:\n  gridrnn reproduce --out runs/paper-fast\n  gridrnn reproduce --budget paper --out /scratch/paper --plan\n  gridrnn reproduce --budget paper --out /scratch/paper --emit slurm && bash /scratch/paper/submit.sh"
    )]
    Reproduce {
        /// fast (on 2 cores about 40 minutes for the paper's readout, 80 for place cells) |
        /// paper (the authors' 1900 Hessian-free updates per run, about 100 hours on 2 cores;
        /// place cells the preset's 8000 updates, about 8 hours).
        #[arg(long, default_value = "fast")]
        budget: String,
        /// Output directory: a sweep directory per study, claims.csv/.json and paper.html.
        #[arg(long)]
        out: PathBuf,
        /// Runs at once (0 = one per core); with more than one, each runs on one thread.
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Override keys of every run (applied after the budget's and the study's).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Readouts to train and judge, comma-separated (default: every readout of
        /// reproduce/studies.toml: cartesian, the paper's, and place-cells).
        #[arg(long, value_delimiter = ',')]
        readouts: Vec<String>,
        /// Print the studies and their runs, and stop.
        #[arg(long)]
        plan: bool,
        /// Only judge the runs already in DIR and rewrite the page (train nothing).
        #[arg(long)]
        judge_only: bool,
        /// Write cluster job scripts instead of running: slurm (DIR/submit.sh submits one job
        /// array per study, then the verdicts).
        #[arg(long)]
        emit: Option<String>,
        /// CPUs per array task in the emitted scripts.
        #[arg(long, default_value_t = 2)]
        cpus_per_task: usize,
    },
    /// Print the resolved config with a comment per key.
    #[command(after_help = "Example:\n  gridrnn config --preset authors-code > my.toml")]
    Config {
        #[command(flatten)]
        cfg: ConfigArgs,
    },
    /// E (eq. 3) of a checkpoint on a trajectory file.
    #[command(
        after_help = "Example:\n  gridrnn evaluate --checkpoint runs/x/checkpoints/latest.npz --trajectories test.npz --json eval.json"
    )]
    Evaluate {
        /// Checkpoint .npz (ours, or one exported from elsewhere with W_rec, W_in, b, W_out).
        #[arg(long)]
        checkpoint: PathBuf,
        /// Trajectory .npz (docs/design.md section 5).
        #[arg(long)]
        trajectories: PathBuf,
        /// Unit noise as in training: on | off.
        #[arg(long, default_value = "off")]
        noise: String,
        /// Also write the result as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Worker threads (0 = all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Generate trajectories from the task config and write them as .npz.
    #[command(
        after_help = "Example:\n  gridrnn trajectories --set task.arena=triangle --set train.seed=99 --trials 500 --steps 500 --out test.npz"
    )]
    Trajectories {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// Trials B.
        #[arg(long)]
        trials: usize,
        /// Steps T (default task.steps).
        #[arg(long)]
        steps: Option<usize>,
        /// Output .npz.
        #[arg(long)]
        out: PathBuf,
    },
    /// Benchmark a training iteration at paper size against the PyTorch peer.
    #[command(
        after_help = "Examples:\n  gridrnn bench --iters 10 --json bench.json\n  gridrnn bench --analysis"
    )]
    Bench {
        /// Timed iterations.
        #[arg(long, default_value_t = 10)]
        iters: usize,
        /// Threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        /// Override keys of the benchmarked config (e.g. model.units=256).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Directory of the PyTorch peer (torch_ref.py).
        #[arg(long, default_value = "../shared/peers/pytorch")]
        peer_dir: PathBuf,
        /// Python interpreter with torch.
        #[arg(long)]
        peer_python: Option<PathBuf>,
        /// Skip the PyTorch peer.
        #[arg(long)]
        no_peer: bool,
        /// Also write the table as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also time N = 100, 256, 512; B = 100, 500, 2000; T = 100, 500, 2000, one axis at a
        /// time from the paper size.
        #[arg(long)]
        scaling: bool,
        /// Time the analysis stage instead (recording, scores, shuffle null).
        #[arg(long)]
        analysis: bool,
    },
}

/// The shuffle null's settings, checked before any work.
fn check_null(shuffles: usize, percentile: f64) -> anyhow::Result<()> {
    if shuffles == 0 {
        return Err(bad_config(
            "--shuffles must be at least 1 (the design's null uses 100)",
        ));
    }
    if !(percentile > 0.0 && percentile < 100.0) {
        return Err(bad_config(format!(
            "--percentile must lie in (0, 100), got {percentile} (the design uses 99)"
        )));
    }
    Ok(())
}

/// Whether `--emit` asks for SLURM scripts (None: run here); any other scheduler is refused.
fn wants_slurm(emit: Option<&str>) -> anyhow::Result<bool> {
    match emit {
        None => Ok(false),
        Some("slurm") => Ok(true),
        Some(other) => Err(bad_config(format!(
            "--emit {other}: the only scheduler is slurm"
        ))),
    }
}

/// A sweep point's ending, as the progress lines say it.
fn outcome_label(r: Result<&gridrnn::sweep::PointOutcome, String>) -> String {
    match r {
        Ok(gridrnn::sweep::PointOutcome::Skipped) => "already done".to_string(),
        Ok(gridrnn::sweep::PointOutcome::Done) => "done".to_string(),
        Err(e) => format!("FAILED: {e}"),
    }
}

/// An error listing `failures` (name, message), if there are any.
fn failed(failures: &[(String, String)], what: &str) -> anyhow::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "{} {what}: {}",
        failures.len(),
        failures
            .iter()
            .map(|f| format!("{} ({})", f.0, f.1))
            .collect::<Vec<_>>()
            .join("; ")
    ))
}

fn parse_noise(s: &str) -> anyhow::Result<bool> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(bad_config(format!("--noise {other}: use on or off"))),
    }
}

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

fn main_inner() -> anyhow::Result<()> {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    match cli.cmd {
        Cmd::Run { cfg, out } => {
            let cfg = cfg.load()?;
            let dir = out.unwrap_or_else(|| default_run_dir(&cfg));
            println!("training into {}", dir.display());
            let s = train_run(
                &cfg,
                &dir,
                &RunOptions {
                    force: false,
                    progress: true,
                    interrupt: Some(interrupt_flag()),
                },
            )?;
            report_training(&s);
            let spec = TrajectorySpec::from_config(&cfg);
            let test = gridrnn::evaluate::held_out_trajectories(&spec, cfg.train.seed);
            let (net, _) = load_checkpoint(&dir.join("checkpoints/latest.npz"))?;
            let threads = cfg.threads();
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
            analyze_and_print(
                &dir,
                gridrnn::analysis::AnalyzeOptions::defaults(threads),
                Colormap::default(),
                Some(gridrnn::analysis::LongRunOptions::for_config(&cfg, threads)),
                Some(gridrnn::analysis::DevelopmentOptions::defaults(threads)),
            )?;
            println!("run directory: {}", dir.display());
        }
        Cmd::Train { cfg, out, force } => {
            let cfg = cfg.load()?;
            let s = train_run(
                &cfg,
                &out,
                &RunOptions {
                    force,
                    progress: true,
                    interrupt: Some(interrupt_flag()),
                },
            )?;
            report_training(&s);
            println!("run directory: {}", out.display());
        }
        Cmd::Resume { run, sets } => {
            let opts = RunOptions {
                force: false,
                progress: true,
                interrupt: Some(interrupt_flag()),
            };
            match resume_run(&run, &sets, &opts)? {
                Resumed::AlreadyFinished { iteration } => {
                    println!(
                        "{} already finished (iteration {iteration}); extend it with --set train.iterations=N",
                        run.display()
                    );
                }
                Resumed::Trained(s) => {
                    report_training(&s);
                    println!("run directory: {}", run.display());
                }
            }
        }
        Cmd::Analyze {
            run,
            steps,
            bins,
            noise,
            threads,
            shuffles,
            percentile,
            transient_steps,
            colormap,
            long_steps,
            long_trials,
            stages,
        } => {
            let noise = parse_noise(&noise)?;
            let colormap = Colormap::parse(&colormap)
                .ok_or_else(|| bad_config(format!("--colormap {colormap}: use viridis or jet")))?;
            if bins < 2 || steps == 0 {
                return Err(bad_config(
                    "--bins must be at least 2 and --steps at least 1",
                ));
            }
            check_null(shuffles, percentile)?;
            let o = gridrnn::analysis::AnalyzeOptions {
                steps,
                bins,
                noise,
                threads: resolve_threads(threads),
                shuffles,
                percentile,
                transient: transient_steps,
            };
            let long = (long_steps > 0).then(|| {
                gridrnn::analysis::LongRunOptions::with_steps(
                    long_trials,
                    long_steps,
                    bins,
                    o.threads,
                )
            });
            if let Some(l) = &long {
                l.check().map_err(bad_config)?;
            }
            let development = gridrnn::analysis::DevelopmentOptions::parse_stages(&stages)
                .map_err(|e| bad_config(format!("--{e}")))?
                .map(|stages| gridrnn::analysis::DevelopmentOptions {
                    stages,
                    bins,
                    ..gridrnn::analysis::DevelopmentOptions::defaults(o.threads)
                });
            if let Some(d) = &development {
                d.check().map_err(bad_config)?;
            }
            analyze_and_print(&run, o, colormap, long, development)?;
        }
        Cmd::Sweep {
            file,
            out,
            jobs,
            emit,
            cpus_per_task,
        } => {
            let sweep = gridrnn::sweep::Sweep::load(&file)?;
            gridrnn::sweep::check_analysis(&sweep.analysis)?;
            let out =
                out.unwrap_or_else(|| PathBuf::from("runs").join(format!("sweep-{}", sweep.name)));
            if wants_slurm(emit.as_deref())? {
                let record = gridrnn::sweep::prepare(&sweep, &out)?;
                let exe = std::env::current_exe()?;
                let script = gridrnn::sweep::emit_slurm(&record, &out, &exe, cpus_per_task.max(1))?;
                println!(
                    "{} points prepared in {}; submit with: sbatch {}",
                    sweep.points.len(),
                    out.display(),
                    script.display()
                );
            } else {
                let cores = resolve_threads(0);
                let jobs = if jobs == 0 { cores } else { jobs };
                println!(
                    "sweep {}: {} points into {} ({} at a time)",
                    sweep.name,
                    sweep.points.len(),
                    out.display(),
                    jobs.min(sweep.points.len())
                );
                let bar = indicatif::ProgressBar::new(sweep.points.len() as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {pos}/{len} points, {elapsed} elapsed, eta {eta} {msg}",
                    )
                    .expect("a valid template"),
                );
                let t0 = std::time::Instant::now();
                let report = |name: &str, r: &anyhow::Result<gridrnn::sweep::PointOutcome>| {
                    let what = outcome_label(r.as_ref().map_err(|e| format!("{e:#}")));
                    let line = format!("{name}: {what} ({:.0} s)", t0.elapsed().as_secs_f64());
                    if bar.is_hidden() {
                        println!("{line}");
                    } else {
                        bar.println(line);
                    }
                    bar.inc(1);
                };
                let failures = gridrnn::sweep::run_sweep(
                    &sweep,
                    &out,
                    jobs,
                    cores,
                    Some(interrupt_flag()),
                    &report,
                )?;
                bar.finish_and_clear();
                println!(
                    "sweep {}: {} of {} points done in {:.0} s; summary: gridrnn summary {} --out {}/summary.csv",
                    sweep.name,
                    sweep.points.len() - failures.len(),
                    sweep.points.len(),
                    t0.elapsed().as_secs_f64(),
                    out.display(),
                    out.display()
                );
                failed(&failures, "points failed")?;
            }
        }
        Cmd::Reproduce {
            budget,
            out,
            jobs,
            sets,
            readouts,
            plan,
            judge_only,
            emit,
            cpus_per_task,
        } => {
            use gridrnn::reproduce as rp;
            let budget: rp::Budget = budget.parse()?;
            let only = (!readouts.is_empty()).then_some(readouts.as_slice());
            let studies = rp::Plan::parse_readouts(rp::STUDIES_TOML, budget, &sets, only)?;
            let claims = rp::parse_claims(rp::CLAIMS_TOML, &studies.names())?;
            println!(
                "reproduce, budget {}: {} runs in {} studies, {} claims, into {}",
                budget.name(),
                studies.runs(),
                studies.studies.len(),
                claims.len(),
                out.display()
            );
            if plan {
                for s in &studies.studies {
                    println!("  {} ({}):", s.label(), s.about);
                    for p in &s.sweep.points {
                        println!(
                            "    {}: {} updates ({:?}), {} units, T {}",
                            p.name,
                            p.config.train.iterations,
                            p.config.train.optimizer,
                            p.config.model.units,
                            p.config.task.steps
                        );
                    }
                }
                return Ok(());
            }
            if wants_slurm(emit.as_deref())? {
                let submit = rp::emit_reproduce_slurm(
                    &studies,
                    &out,
                    &std::env::current_exe()?,
                    cpus_per_task.max(1),
                    &sets,
                    rp::CLAIMS_TOML,
                    rp::STUDIES_TOML,
                )?;
                println!(
                    "{} runs prepared in {}; submit with: bash {}",
                    studies.runs(),
                    out.display(),
                    submit.display()
                );
                return Ok(());
            }
            let (judgements, runs, page, failures) = if judge_only {
                let (j, n, page) = rp::write_verdicts(&studies, &claims, &out)?;
                (j, n, page, Vec::new())
            } else {
                let cores = resolve_threads(0);
                let o = rp::ReproduceOptions {
                    out: out.clone(),
                    jobs: if jobs == 0 { cores } else { jobs },
                    cores,
                    interrupt: Some(interrupt_flag()),
                };
                let progress = |p: &rp::Progress| {
                    let what = outcome_label(p.outcome.clone());
                    let eta = p.elapsed_s / p.done as f64 * (p.total - p.done) as f64;
                    println!(
                        "[{}/{}] {}/{}: {what} ({:.0} s elapsed, about {:.0} s to go)",
                        p.done, p.total, p.study, p.point, p.elapsed_s, eta
                    );
                };
                let r = rp::reproduce(
                    &studies,
                    &claims,
                    rp::CLAIMS_TOML,
                    rp::STUDIES_TOML,
                    &o,
                    &progress,
                )?;
                if r.interrupted {
                    println!(
                        "{} analyzed runs judged so far; page: {}",
                        r.runs,
                        r.page.display()
                    );
                    return Err(gridrnn::error::Failure::Interrupted(format!(
                        "interrupted after {} of {} runs: running ones keep their checkpoints; run the same command again to go on",
                        r.runs,
                        studies.runs()
                    ))
                    .into());
                }
                (r.judgements, r.runs, r.page, r.failures)
            };
            println!("{runs} analyzed runs judged:");
            for j in &judgements {
                println!(
                    "  {:<12} {:<18} {}{}",
                    j.readout,
                    j.verdict.label(),
                    j.claim,
                    if j.verdict.reason().is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", j.verdict.reason())
                    }
                );
            }
            println!("page: {}", page.display());
            failed(
                &failures,
                "runs failed (run the same command again to retry)",
            )?;
        }
        Cmd::SweepPoint { dir, name, threads } => {
            let r = gridrnn::sweep::run_prepared_point(&dir, &name, resolve_threads(threads))?;
            println!("{name}: {r:?}");
        }
        Cmd::Summary { dir, out } => {
            let s = gridrnn::sweep::collect(&dir)?;
            if s.rows.is_empty() {
                return Err(gridrnn::error::bad_input(format!(
                    "{}: no analyzed runs found ({} pending)",
                    dir.display(),
                    s.pending.len()
                )));
            }
            gridrnn::io::write_atomic(&out, gridrnn::sweep::summary_csv(&s).as_bytes())?;
            let pooled = gridrnn::sweep::pooled_emergence(&s);
            if s.rows.iter().any(|r| !r.emergence[0].is_empty()) {
                for (c, t) in &pooled {
                    match t {
                        Some(t) => println!(
                            "{c}: border vs grid emergence over seeds: {} vs {} units, medians {:.0} vs {:.0}, one-sided Mann-Whitney p = {:.4}",
                            t.border_units,
                            t.grid_units,
                            t.border_median,
                            t.grid_median,
                            t.p_border_first
                        ),
                        None => {
                            println!("{c}: no border-vs-grid emergence test (needs both types)")
                        }
                    }
                }
            }
            let json: Vec<serde_json::Value> = pooled
                .iter()
                .map(|(c, t)| serde_json::json!({"condition": c, "test": t}))
                .collect();
            gridrnn::io::write_atomic(
                &out.with_extension("emergence.json"),
                serde_json::to_string_pretty(&json)?.as_bytes(),
            )?;
            let png = out.with_extension("png");
            gridrnn::io::write_atomic(&png, &gridrnn::sweep::summary_figure(&s)?)?;
            println!(
                "{} runs summarised into {} and {}{}",
                s.rows.len(),
                out.display(),
                png.display(),
                if s.pending.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} not analyzed yet: {}",
                        s.pending.len(),
                        s.pending.join(", ")
                    )
                }
            );
        }
        Cmd::Score {
            maps,
            arena,
            arena_area,
            out,
            shuffles,
            percentile,
            seed,
            threads,
        } => {
            check_null(shuffles, percentile)?;
            let arr = gridrnn::io::read_npy(&maps)?;
            let (count, h, w) = match arr.shape[..] {
                [h, w] => (1, h, w),
                [n, h, w] => (n, h, w),
                _ => {
                    return Err(bad_input(format!(
                        "{}: maps must have shape (rows, columns) or (maps, rows, columns), got {:?}",
                        maps.display(),
                        arr.shape
                    )));
                }
            };
            if h < 3 || w < 3 || count == 0 {
                return Err(bad_input(format!(
                    "{}: need at least one map of at least 3 x 3 bins, got {:?}",
                    maps.display(),
                    arr.shape
                )));
            }
            let layout = match &arena {
                None => gridrnn::analysis::MapLayout::rectangle(h, w),
                Some(name) => {
                    use serde::Deserialize;
                    use serde::de::IntoDeserializer;
                    use serde::de::value::{Error, StrDeserializer};
                    // The names of `task.arena`, parsed as the config parses them.
                    let text: StrDeserializer<Error> = name.as_str().into_deserializer();
                    let named = gridrnn::config::ArenaName::deserialize(text)
                        .ok()
                        .and_then(|n: gridrnn::config::ArenaName| n.regular_shape());
                    let Some(shape) = named else {
                        return Err(bad_config(format!(
                            "--arena {name:?} is not known; use square, triangle, hexagon or circle (or leave it out: the map's edges are then the walls)"
                        )));
                    };
                    let a = Arena::new(shape, arena_area)
                        .map_err(|e| bad_config(format!("--arena-area: {e}")))?;
                    let bins = gridrnn::analysis::SpatialBins::new(&a, h.max(w));
                    if (bins.ny, bins.nx) != (h, w) {
                        return Err(bad_input(format!(
                            "{}: maps of {h} x {w} bins do not match the {name} arena binned with {} bins along its longer side ({} x {}); give maps binned that way or leave out --arena",
                            maps.display(),
                            h.max(w),
                            bins.ny,
                            bins.nx
                        )));
                    }
                    gridrnn::analysis::MapLayout::new(&a, &bins)
                }
            };
            let list: Vec<Vec<f64>> = arr.data.chunks(h * w).map(|c| c.to_vec()).collect();
            let o = gridrnn::analysis::ScoreOptions {
                shuffles,
                percentile,
                threads: resolve_threads(threads),
                seed,
            };
            let t0 = std::time::Instant::now();
            let (rows, thresholds) = gridrnn::analysis::score_maps(&list, &layout, &o);
            gridrnn::io::write_atomic(
                &out,
                gridrnn::analysis::scores_csv(&rows, layout.bin_width).as_bytes(),
            )?;
            let how = gridrnn::analysis::NullDescription {
                kind: "map-permutation",
                shuffles,
                percentile,
                hexagonal_score: gridrnn::analysis::hexagonal_score_name(&layout),
            };
            let json = out.with_file_name(format!(
                "{}.cell_types.json",
                out.file_stem().unwrap_or_default().to_string_lossy()
            ));
            gridrnn::io::write_atomic(
                &json,
                serde_json::to_string_pretty(&gridrnn::analysis::cell_type_summary(
                    &rows,
                    &thresholds,
                    &how,
                    &arr.data,
                    h * w,
                ))?
                .as_bytes(),
            )?;
            println!(
                "scored {count} maps of {h} x {w} bins and {shuffles} mask-preserving shuffles each in {:.2} s (maps alone: the null permutes visited bins; irregular and non-spatial need split halves and are reported as unclassified)",
                t0.elapsed().as_secs_f64()
            );
            report_cell_types(&rows, &thresholds, how.hexagonal_score, percentile);
            println!("wrote {} and {}", out.display(), json.display());
        }
        Cmd::Config { cfg } => {
            print!("{}", render_commented(&cfg.load()?.to_table()));
        }
        Cmd::Evaluate {
            checkpoint,
            trajectories,
            noise,
            json,
            threads,
        } => {
            let noise = parse_noise(&noise)?;
            let (net, notes) = load_checkpoint(&checkpoint)?;
            for n in notes {
                eprintln!("note: {n}");
            }
            let traj = read_trajectories(&trajectories)?;
            let ev = evaluate(&net, &traj, noise, resolve_threads(threads), 500);
            let text = serde_json::to_string_pretty(&ev)?;
            println!("{text}");
            if let Some(p) = json {
                write_atomic(&p, text.as_bytes())?;
            }
        }
        Cmd::Trajectories {
            cfg,
            trials,
            steps,
            out,
        } => {
            let cfg = cfg.load()?;
            if trials == 0 {
                return Err(bad_config("--trials must be at least 1"));
            }
            let mut spec = TrajectorySpec::from_config(&cfg);
            if let Some(t) = steps {
                if t == 0 {
                    return Err(bad_config("--steps must be at least 1"));
                }
                spec.task.steps = t;
            }
            let tr = Trajectories::generate(&spec, cfg.train.seed, 0, 0, trials);
            write_trajectories(&out, &tr).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "wrote {} trials x {} steps to {}",
                trials,
                spec.task.steps,
                out.display()
            );
        }
        Cmd::Bench {
            iters,
            threads,
            sets,
            peer_dir,
            peer_python,
            no_peer,
            json,
            scaling,
            analysis,
        } => {
            if analysis {
                let rows = gridrnn::bench_analysis::bench_analysis(threads.max(1), 1_000_000)?;
                print!("{}", gridrnn::bench_analysis::render_analysis(&rows));
                if let Some(path) = json {
                    gridrnn::io::write_atomic(
                        &path,
                        serde_json::to_string_pretty(&rows)?.as_bytes(),
                    )?;
                }
                return Ok(());
            }
            let o = gridrnn::bench::BenchOptions {
                iters: iters.max(1),
                threads: threads.max(1),
                sets,
                peer_python,
                peer_dir: (!no_peer).then_some(peer_dir),
            };
            let mut rows = vec![gridrnn::bench::bench_gridrnn(&o)?];
            rows.extend(gridrnn::bench::bench_peer(&o)?);
            if scaling {
                for set in [
                    "model.units=256",
                    "model.units=512",
                    "train.batch_size=100",
                    "train.batch_size=2000",
                    "task.steps=100",
                    "task.steps=2000",
                ] {
                    let mut so = o.clone();
                    so.iters = o.iters.min(3);
                    so.sets.push(set.to_string());
                    rows.push(gridrnn::bench::bench_gridrnn(&so)?);
                }
            }
            print!("{}", gridrnn::bench::render(&rows));
            let step = gridrnn::bench::gemm_gflops(500, 100, 100, 50);
            let dw = gridrnn::bench::gemm_gflops(100, 100, 250_000, 5);
            let roof = 2.0 * step.max(dw);
            let g = &rows[0];
            let flop = 6.0 * 500.0 * 500.0 * 100.0 * 100.0;
            let eff = flop / ((g.phases_ms[2] + g.phases_ms[3]) / 1e3) / 1e9;
            println!(
                "single-thread GEMM: {step:.1} GFLOP/s (500x100.100x100), {dw:.1} GFLOP/s (100x250000.250000x100); \
                 roofline 2 x {:.1} = {roof:.1} GFLOP/s",
                step.max(dw)
            );
            println!(
                "gridrnn forward + BPTT + dW at paper size: {eff:.1} GFLOP/s = {:.0}% of the roofline (6 T B N^2 FLOP)",
                100.0 * eff / roof
            );
            if let Some(p) = json {
                write_atomic(&p, serde_json::to_string_pretty(&rows)?.as_bytes())?;
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match main_inner() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let code = e.downcast_ref::<Failure>().map_or(1, Failure::exit_code);
            ExitCode::from(code as u8)
        }
    }
}
