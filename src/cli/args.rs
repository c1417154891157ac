//! The command line's grammar: one `clap` struct per subcommand (docs/design.md section 6).

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use gridrnn::config::{ValidConfig, load};
use gridrnn::reproduce::Budget;

#[derive(Parser)]
#[command(
    name = "gridrnn",
    version,
    about = "Train CTRNNs to path-integrate and measure the grid-like codes that emerge (Cueva & Wei, ICLR 2018)",
    after_help = "Example:\n  gridrnn run --set task.arena=hexagon"
)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Args, Clone)]
pub struct ConfigArgs {
    /// TOML config file (keys of docs/design.md section 5; `gridrnn config` lists them).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Start from a preset: pytorch-peer | authors-code | sorscher | place-cells.
    #[arg(long)]
    pub preset: Option<String>,
    /// Override one key, e.g. --set task.arena=hexagon (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

impl ConfigArgs {
    /// The validated config these options describe.
    pub fn load(&self) -> anyhow::Result<ValidConfig> {
        load(self.config.as_deref(), self.preset.as_deref(), &self.sets)
    }
}

#[derive(Subcommand)]
pub enum Cmd {
    /// The main job: train the default network and print its evaluation.
    #[command(
        after_help = "Example:\n  gridrnn run --set task.arena=hexagon --set train.iterations=500"
    )]
    Run(RunArgs),
    /// Train a network into a run directory.
    #[command(
        after_help = "Example:\n  gridrnn train --preset authors-code --set train.iterations=2000 --out runs/authors"
    )]
    Train(TrainArgs),
    /// Continue a killed or interrupted run from its latest good checkpoint.
    #[command(
        after_help = "Example:\n  gridrnn resume runs/square-s0-2026-11-22T120000Z --set train.iterations=4000"
    )]
    Resume(ResumeArgs),
    /// Record a run's latest network over long trajectories and write its rate maps, tuning
    /// curves, scores and cell types into RUN/analysis/, the paper's figures and RUN/report.html.
    #[command(
        after_help = "Example:\n  gridrnn analyze runs/square-s0-2026-11-22T120000Z --steps 1000000"
    )]
    Analyze(AnalyzeArgs),
    /// Run a sweep: a base config plus axes (sweep file, see sweeps/), one run per point, on
    /// a local pool or (`--emit slurm`) as a SLURM job array; finished points are skipped and
    /// interrupted ones resumed.
    #[command(
        after_help = "Example:\n  gridrnn sweep sweeps/regularisation.toml --out runs/regularisation\n  gridrnn sweep sweeps/regularisation.toml --out /scratch/reg --emit slurm && sbatch /scratch/reg/sweep.sbatch"
    )]
    Sweep(SweepArgs),
    /// Run one point of a prepared sweep directory (what each SLURM array task calls).
    #[command(
        after_help = "Example:\n  gridrnn sweep-point runs/regularisation 003-noise_std=0.1-lambda_fr=0.0-arena=square-seed=0"
    )]
    SweepPoint(SweepPointArgs),
    /// Gather a sweep's (or a directory of runs') results into one CSV and a figure of cell-type
    /// counts per condition with seeds as points (CSV's name with .png).
    #[command(
        after_help = "Example:\n  gridrnn summary runs/regularisation --out regularisation.csv"
    )]
    Summary(SummaryArgs),
    /// Score anyone's rate maps (.npy, maps x rows x columns or one map; NaN = unvisited).
    #[command(
        after_help = "Maps alone have no time series: the null is a mask-preserving shuffle of each map's\nvisited bins, and without split halves the irregular and non-spatial types are\n`unclassified`.\n\nExample:\n  gridrnn score runs/x/analysis/ratemaps.npy --out scores.csv"
    )]
    Score(ScoreArgs),
    /// The whole paper, claim by claim: train every condition the paper trained (the studies
    /// of reproduce/studies.toml), analyze every run, judge every claim by the rules of
    /// reproduce/claims.toml and write DIR/paper.html. Resumable: run it again to go on.
    #[command(
        after_help = "Examples:\n  gridrnn reproduce --out runs/paper-fast\n  gridrnn reproduce --budget paper --out /scratch/paper --plan\n  gridrnn reproduce --budget paper --out /scratch/paper --emit slurm && bash /scratch/paper/submit.sh"
    )]
    Reproduce(ReproduceArgs),
    /// Print the resolved config with a comment per key.
    #[command(after_help = "Example:\n  gridrnn config --preset authors-code > my.toml")]
    Config(ConfigCmdArgs),
    /// E (eq. 3) of a checkpoint on a trajectory file.
    #[command(
        after_help = "Example:\n  gridrnn evaluate --checkpoint runs/x/checkpoints/latest.npz --trajectories test.npz --json eval.json"
    )]
    Evaluate(EvaluateArgs),
    /// Generate trajectories from the task config and write them as .npz.
    #[command(
        after_help = "Example:\n  gridrnn trajectories --set task.arena=triangle --set train.seed=99 --trials 500 --steps 500 --out test.npz"
    )]
    Trajectories(TrajectoriesArgs),
    /// Benchmark a training iteration at paper size against the PyTorch peer.
    #[command(
        after_help = "Examples:\n  gridrnn bench --iters 10 --json bench.json\n  gridrnn bench --analysis"
    )]
    Bench(BenchArgs),
}

/// The options of `gridrnn run`.
#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub cfg: ConfigArgs,
    /// Run directory (default runs/<arena>-s<seed>-<UTC time>).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The options of `gridrnn train`.
#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub cfg: ConfigArgs,
    /// Run directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Overwrite a non-empty run directory.
    #[arg(long)]
    pub force: bool,
}

/// The options of `gridrnn resume`.
#[derive(Args)]
pub struct ResumeArgs {
    /// Run directory.
    pub run: PathBuf,
    /// Extend the budget: train.iterations=N or train.minutes=M (nothing else).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

/// The options of `gridrnn analyze`.
#[derive(Args)]
pub struct AnalyzeArgs {
    /// Run directory.
    pub run: PathBuf,
    /// Steps to record (docs/design.md section 7: at least 10^6).
    #[arg(long, default_value_t = 1_000_000)]
    pub steps: usize,
    /// Spatial bins along the arena's longer side.
    #[arg(long, default_value_t = 20)]
    pub bins: usize,
    /// Unit noise: on | off.
    #[arg(long, value_enum, default_value_t = OnOff::Off)]
    pub noise: OnOff,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Shuffles per unit of the time-shift null (docs/design.md section 7).
    #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_SHUFFLES)]
    pub shuffles: usize,
    /// Percentile of the null pooled over units that a score must exceed.
    #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_PERCENTILE)]
    pub percentile: f64,
    /// Steps at the start of each recorded trial left out of the maps, tuning and null
    /// while the network settles from x_0 = 0 (docs/analysis.md; default 40, or half a
    /// trial for trials shorter than 80 steps; 0 with a place-code initial state).
    #[arg(long)]
    pub transient_steps: Option<usize>,
    /// Colour map of the figures' heat maps: viridis | jet (the paper's).
    #[arg(long, value_enum, default_value_t = ColormapArg::Viridis)]
    pub colormap: ColormapArg,
    /// Steps per long trial of Fig. 6 (noise on; 0 skips the long trials).
    #[arg(long, default_value_t = 1_000_000)]
    pub long_steps: usize,
    /// Long trials of Fig. 6.
    #[arg(long, default_value_t = 10)]
    pub long_trials: usize,
    /// Training stages of Fig. 4 as fractions of the last checkpoint's iteration
    /// (early,intermediate,late), or `off`; needs at least 3 checkpoints.
    #[arg(long, default_value = "0.02,0.2,1")]
    pub stages: String,
}

/// The options of `gridrnn sweep`.
#[derive(Args)]
pub struct SweepArgs {
    /// The sweep file (TOML).
    pub file: PathBuf,
    /// Sweep directory (default runs/sweep-NAME).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Points run at once (0 = one per core); with more than one, each runs on one thread.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Write a cluster job script instead of running: slurm.
    #[arg(long)]
    #[arg(value_enum)]
    pub emit: Option<Emit>,
    /// CPUs per array task in the emitted script.
    #[arg(long, default_value_t = 2)]
    pub cpus_per_task: usize,
}

/// The options of `gridrnn sweep-point`.
#[derive(Args)]
pub struct SweepPointArgs {
    /// The sweep directory.
    pub dir: PathBuf,
    /// The point's name (a line of runs.txt).
    pub name: String,
    /// Threads.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// The options of `gridrnn summary`.
#[derive(Args)]
pub struct SummaryArgs {
    /// Sweep directory, or a directory whose subdirectories are runs.
    pub dir: PathBuf,
    /// The CSV to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// The options of `gridrnn score`.
#[derive(Args)]
pub struct ScoreArgs {
    /// Maps, .npy (float32 or float64).
    pub maps: PathBuf,
    /// Arena the maps were binned in (square, triangle, hexagon, circle), binned as
    /// `gridrnn analyze` bins it (its bounding box, square bins, centred); without it the
    /// map's edges are the walls of a rectangle.
    #[arg(long)]
    #[arg(value_enum)]
    pub arena: Option<ArenaArg>,
    /// Area of that arena (spacings in its units).
    #[arg(long, default_value_t = 4.0)]
    pub arena_area: f64,
    /// Output CSV (scores.csv columns); a cell_types.json is written next to it.
    #[arg(long)]
    pub out: PathBuf,
    /// Shuffles per map.
    #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_SHUFFLES)]
    pub shuffles: usize,
    /// Percentile of the pooled null.
    #[arg(long, default_value_t = gridrnn::analysis::DEFAULT_PERCENTILE)]
    pub percentile: f64,
    /// Seed of the shuffles.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// The options of `gridrnn reproduce`.
#[derive(Args)]
pub struct ReproduceArgs {
    /// fast (on 2 cores about 40 minutes for the paper's readout, 80 for place cells) |
    /// paper (the authors' 1900 Hessian-free updates per run, about 100 hours on 2 cores;
    /// place cells the preset's 8000 updates, about 8 hours).
    #[arg(long, default_value = "fast", value_parser = Budget::from_str)]
    pub budget: Budget,
    /// Output directory: a sweep directory per study, claims.csv/.json and paper.html.
    #[arg(long)]
    pub out: PathBuf,
    /// Runs at once (0 = one per core); with more than one, each runs on one thread.
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Override keys of every run (applied after the budget's and the study's).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Readouts to train and judge, comma-separated (default: every readout of
    /// reproduce/studies.toml: cartesian, the paper's, and place-cells).
    #[arg(long, value_delimiter = ',')]
    pub readouts: Vec<String>,
    /// Print the studies and their runs, and stop.
    #[arg(long)]
    pub plan: bool,
    /// Only judge the runs already in DIR and rewrite the page (train nothing).
    #[arg(long)]
    pub judge_only: bool,
    /// Write cluster job scripts instead of running: slurm (DIR/submit.sh submits one job
    /// array per study, then the verdicts).
    #[arg(long)]
    #[arg(value_enum)]
    pub emit: Option<Emit>,
    /// CPUs per array task in the emitted scripts.
    #[arg(long, default_value_t = 2)]
    pub cpus_per_task: usize,
}

/// The options of `gridrnn config`.
#[derive(Args)]
pub struct ConfigCmdArgs {
    #[command(flatten)]
    pub cfg: ConfigArgs,
}

/// The options of `gridrnn evaluate`.
#[derive(Args)]
pub struct EvaluateArgs {
    /// Checkpoint .npz (ours, or one exported from elsewhere with W_rec, W_in, b, W_out).
    #[arg(long)]
    pub checkpoint: PathBuf,
    /// Trajectory .npz (docs/design.md section 5).
    #[arg(long)]
    pub trajectories: PathBuf,
    /// Unit noise as in training: on | off.
    #[arg(long, value_enum, default_value_t = OnOff::Off)]
    pub noise: OnOff,
    /// Also write the result as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

/// The options of `gridrnn trajectories`.
#[derive(Args)]
pub struct TrajectoriesArgs {
    #[command(flatten)]
    pub cfg: ConfigArgs,
    /// Trials B.
    #[arg(long)]
    pub trials: usize,
    /// Steps T (default task.steps).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Output .npz.
    #[arg(long)]
    pub out: PathBuf,
}

/// The options of `gridrnn bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Timed iterations.
    #[arg(long, default_value_t = 10)]
    pub iters: usize,
    /// Threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Override keys of the benchmarked config (e.g. model.units=256).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Directory of the PyTorch peer (torch_ref.py).
    #[arg(long, default_value = "../shared/peers/pytorch")]
    pub peer_dir: PathBuf,
    /// Python interpreter with torch.
    #[arg(long)]
    pub peer_python: Option<PathBuf>,
    /// Skip the PyTorch peer.
    #[arg(long)]
    pub no_peer: bool,
    /// Also write the table as JSON.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also time N = 100, 256, 512; B = 100, 500, 2000; T = 100, 500, 2000, one axis at a
    /// time from the paper size.
    #[arg(long)]
    pub scaling: bool,
    /// Time the analysis stage instead (recording, scores, shuffle null).
    #[arg(long)]
    pub analysis: bool,
    /// Time the place-cell scale instead (--preset sorscher at N = 256, 512, 1024, 4096)
    /// against Sorscher et al.'s PyTorch code.
    #[arg(long)]
    pub place_cells: bool,
    /// Directory of Sorscher et al.'s peer (peer_common.py), for --place-cells.
    #[arg(long, default_value = "../shared/peers/sorscher")]
    pub sorscher_dir: PathBuf,
}

/// A switch: on | off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

impl OnOff {
    /// Whether it is on.
    pub fn on(self) -> bool {
        self == OnOff::On
    }
}

/// The figures' colour map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColormapArg {
    /// Perceptually uniform (the default).
    Viridis,
    /// The paper's.
    Jet,
}

/// A cluster scheduler to write job scripts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// SLURM job arrays.
    Slurm,
}

/// A named arena of `gridrnn score --arena`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ArenaArg {
    /// Square.
    Square,
    /// Equilateral triangle.
    Triangle,
    /// Regular hexagon.
    Hexagon,
    /// Circle.
    Circle,
}
