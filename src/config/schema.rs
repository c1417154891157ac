//! The config's fields, with the defaults of docs/design.md section 4 (the PyTorch peer's values).

use serde::{Deserialize, Serialize};

/// The whole resolved configuration; one TOML table per section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The navigation task (paper section 2.2, docs/design.md section 3).
    pub task: TaskConfig,
    /// The CTRNN (eq. 1-2, docs/design.md section 1).
    pub model: ModelConfig,
    /// The loss (eq. 3-5, appendix E, docs/design.md section 2).
    pub loss: LossConfig,
    /// Optimisation and run control.
    pub train: TrainConfig,
}

/// Arena names of `task.arena`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArenaName {
    /// Side 2 at area 4.
    Square,
    /// Equilateral, apex up.
    Triangle,
    /// Regular, flat top.
    Hexagon,
    /// Radius 2/sqrt(pi) at area 4.
    Circle,
    /// `task.vertices`, used as given.
    Polygon,
}

impl ArenaName {
    /// Its name in configs (`task.arena`), run directories and summaries.
    pub fn name(self) -> &'static str {
        match self {
            ArenaName::Square => "square",
            ArenaName::Triangle => "triangle",
            ArenaName::Hexagon => "hexagon",
            ArenaName::Circle => "circle",
            ArenaName::Polygon => "polygon",
        }
    }

    /// The shape of a named regular arena; None for `polygon`, whose shape is its vertices.
    pub fn regular_shape(self) -> Option<crate::arena::ArenaShape> {
        use crate::arena::ArenaShape;
        match self {
            ArenaName::Square => Some(ArenaShape::Square),
            ArenaName::Triangle => Some(ArenaShape::Triangle),
            ArenaName::Hexagon => Some(ArenaShape::Hexagon),
            ArenaName::Circle => Some(ArenaShape::Circle),
            ArenaName::Polygon => None,
        }
    }
}

/// `task.stop_mode`: how zero-speed steps are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopMode {
    /// Each step independently stationary with probability p_stop.
    Iid,
    /// A two-state Markov chain with the same stationary fraction and mean moving-run length
    /// `task.run_length`.
    Runs,
}

/// `task.speed`: the distribution of the speed of a moving step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpeedDist {
    /// Rayleigh with scale `task.speed_sigma`.
    Rayleigh,
    /// Uniform on (0, `task.speed_max`).
    Uniform,
}

/// `task.motion`: the motion model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Motion {
    /// The paper's (section 2.2): heading random walk, stops, the wall rule.
    Paper,
    /// Sorscher et al.'s `trajectory_generator.py`: a new Rayleigh speed every step, heading
    /// turns after each step, and within 0.03 of a wall while heading at it the animal slows
    /// to a quarter and turns parallel to the wall.
    Sorscher,
}

/// `task.wall_rule`: what happens when a step would leave the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WallRule {
    /// Resample the heading uniformly until the step stays inside (the paper's rule).
    Uniform,
    /// Keep drawing heading steps around the current heading, widening their spread after
    /// repeated failures (the authors' code as reported).
    GaussianWiden,
}

/// `task.start`: "centre", "random" or a point [x, y].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StartSpec {
    /// A point [x, y] inside the arena.
    Point([f64; 2]),
    /// "centre" or "random".
    Named(StartName),
}

/// Named start rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartName {
    /// The arena's centre (the origin).
    Centre,
    /// Uniform in the arena, per trial.
    Random,
}

/// The task section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TaskConfig {
    /// Arena shape.
    pub arena: ArenaName,
    /// Vertices of a `polygon` arena.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vertices: Vec<[f64; 2]>,
    /// Area of named arenas.
    pub arena_area: f64,
    /// Steps per trial (T).
    pub steps: usize,
    /// Probability that a step has speed 0.
    pub p_stop: f64,
    /// How stationary steps are drawn.
    pub stop_mode: StopMode,
    /// Mean length of a moving run under `stop_mode = "runs"`.
    pub run_length: f64,
    /// Standard deviation of the heading step, rad.
    pub heading_std: f64,
    /// Speed distribution of moving steps.
    pub speed: SpeedDist,
    /// Rayleigh scale of moving speeds.
    pub speed_sigma: f64,
    /// Upper bound of uniform moving speeds.
    pub speed_max: f64,
    /// Motion model.
    pub motion: Motion,
    /// Wall rule.
    pub wall_rule: WallRule,
    /// Start point rule.
    pub start: StartSpec,
    /// Whether two extra inputs carry the start point during the first `cue_steps` steps.
    pub start_cue: bool,
    /// Steps during which the start cue is on.
    pub cue_steps: usize,
    /// Train on random T-step windows of this trajectory file instead of generated paths.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub trajectories: String,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            arena: ArenaName::Square,
            vertices: Vec::new(),
            arena_area: 4.0,
            steps: 500,
            p_stop: 0.9,
            stop_mode: StopMode::Iid,
            run_length: 10.0,
            heading_std: 0.2,
            speed: SpeedDist::Rayleigh,
            speed_sigma: 0.1,
            speed_max: 0.2,
            motion: Motion::Paper,
            wall_rule: WallRule::Uniform,
            start: StartSpec::Named(StartName::Centre),
            start_cue: false,
            cue_steps: 10,
            trajectories: String::new(),
        }
    }
}

/// `model.noise_site`: where xi enters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoiseSite {
    /// Inside eq. 1 (the paper).
    Eq1,
    /// On the rate: u = f(x) + xi (the authors' later code).
    Rate,
}

/// `model.activation`: the nonlinearity f.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// tanh (the paper).
    Tanh,
    /// max(0, tanh x).
    Retanh,
    /// max(0, x): nonnegative, unbounded rates (Sorscher et al. 2019, 2023).
    Relu,
}

/// `model.input`: the input encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// [s speed, cos heading, sin heading].
    SpeedCosSin,
    /// [s speed, heading wrapped to [0, 2 pi)] (the paper's literal two inputs).
    SpeedAngle,
    /// [s speed cos heading, s speed sin heading]: the velocity, as Sorscher et al.'s network
    /// receives it.
    Velocity,
}

/// `model.init_rec`: W_rec initialisation (section 2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InitRec {
    /// Orthogonal for square and triangle, Gaussian 1.5^2/N otherwise.
    Paper,
    /// Haar-random orthogonal.
    Orthogonal,
    /// Gaussian with variance 1.5^2/N.
    Gaussian,
    /// W_rec and W_in uniform on (-1/sqrt N, 1/sqrt N): `torch.nn.RNN`'s default, as
    /// Sorscher et al.'s network starts.
    Pytorch,
}

/// `model.readout`: what the network reads out, and so its loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadoutName {
    /// y = W_out u, the position (x, y), squared error (eq. 2-3, the paper).
    Cartesian,
    /// Logits W_out u over Np place cells, softmax cross-entropy against their code of the
    /// position (Banino et al. 2018; Sorscher et al. 2019).
    PlaceCells,
}

/// `model.place_cell_targets`: the place cells' tuning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlaceTargetName {
    /// A softmax of -d^2 / (2 sigma^2).
    Gaussian,
    /// Sorscher et al.'s difference of softmaxes (centre-surround), shifted to >= 0 and
    /// normalised.
    Dos,
}

/// `model.place_cell_layout`: how the place cells' centres cover the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlaceLayoutName {
    /// Independent uniform draws (Sorscher et al., Banino et al.): clusters and gaps as chance
    /// makes them.
    Uniform,
    /// Mitchell's best-candidate sampling: each centre the farthest from those before it of
    /// several uniform candidates, a random layout without clusters or gaps (blue noise).
    Even,
}

/// `model.initial_state`: the state the network starts each trial in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InitialState {
    /// x = 0 (the paper).
    Zero,
    /// x = u = W_enc p(start), the start's place-cell code through learned weights
    /// (Sorscher et al.'s encoder).
    PlaceCode,
}

/// The model section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    /// Recurrent units N.
    pub units: usize,
    /// dt / tau.
    pub alpha: f64,
    /// Standard deviation of xi.
    pub noise_std: f64,
    /// Where xi enters.
    pub noise_site: NoiseSite,
    /// Nonlinearity.
    pub activation: Activation,
    /// Input encoding.
    pub input: Encoding,
    /// Gain s on the speed input.
    pub speed_scale: f64,
    /// W_rec initialisation.
    pub init_rec: InitRec,
    /// What the network reads out.
    pub readout: ReadoutName,
    /// Np, place cells of the `place-cells` readout.
    pub place_cells: usize,
    /// sigma, the place cells' width, arena units.
    pub place_cell_width: f64,
    /// The place cells' tuning.
    pub place_cell_targets: PlaceTargetName,
    /// How the centres cover the arena.
    pub place_cell_layout: PlaceLayoutName,
    /// s of the difference of softmaxes: the surround's variance over the centre's.
    pub surround_scale: f64,
    /// The state each trial starts in.
    pub initial_state: InitialState,
    /// Whether b of eq. 1 is learned; false holds it at 0 (`torch.nn.RNN(bias=False)`, as
    /// Sorscher et al.'s network has none).
    pub bias: bool,
    /// Seed of the place cells' centres; None draws them from `train.seed`. Apart, one layout
    /// can be crossed with several training seeds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_cell_seed: Option<u64>,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            units: 100,
            alpha: 0.1,
            noise_std: 0.1,
            noise_site: NoiseSite::Eq1,
            activation: Activation::Tanh,
            input: Encoding::SpeedCosSin,
            speed_scale: 10.0,
            init_rec: InitRec::Paper,
            readout: ReadoutName::Cartesian,
            place_cells: 512,
            place_cell_width: 0.12,
            place_cell_targets: PlaceTargetName::Dos,
            place_cell_layout: PlaceLayoutName::Uniform,
            surround_scale: 2.0,
            initial_state: InitialState::Zero,
            bias: true,
            place_cell_seed: None,
        }
    }
}

/// `loss.schedule`: how lambda_L2 and lambda_FR evolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// Constant lambdas as given.
    Fixed,
    /// Our reading of appendix E (docs/design.md section 2).
    Paper,
}

/// The loss section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LossConfig {
    /// Weight of R_L2 (eq. 4).
    pub lambda_l2: f64,
    /// Weight of R_FR (eq. 5).
    pub lambda_fr: f64,
    /// Weight of the contractive penalty R_CAE.
    pub lambda_cae: f64,
    /// Weight decay on W_rec: lambda_rec sum W_rec^2 (Sorscher et al.'s `weight_decay`).
    pub lambda_rec: f64,
    /// Lambda schedule.
    pub schedule: Schedule,
    /// Under `paper`: iterations between the 2/3 decays of lambda_L2.
    pub l2_decay_every: u64,
}

impl Default for LossConfig {
    fn default() -> Self {
        LossConfig {
            lambda_l2: 0.01,
            lambda_fr: 0.01,
            lambda_cae: 0.0,
            lambda_rec: 0.0,
            schedule: Schedule::Fixed,
            l2_decay_every: 100,
        }
    }
}

/// `train.optimizer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerName {
    /// Adam with global-norm clipping.
    Adam,
    /// Hessian-free (Martens & Sutskever 2011), the paper's optimiser.
    HessianFree,
}

/// The train section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// Trials per update (M).
    pub batch_size: usize,
    /// Iteration budget.
    pub iterations: u64,
    /// Wall-clock budget in minutes (0 = none).
    pub minutes: f64,
    /// Optimiser.
    pub optimizer: OptimizerName,
    /// Adam learning rate.
    pub lr: f64,
    /// Adam beta1.
    pub beta1: f64,
    /// Adam beta2.
    pub beta2: f64,
    /// Adam epsilon.
    pub eps: f64,
    /// Global gradient-norm clip (0 = off).
    pub clip: f64,
    /// Seed of every random stream.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Fixed batch shards: results depend on these, never on threads.
    pub shards: usize,
    /// Checkpoint every this many iterations (besides 0, powers of 2 and the last).
    pub checkpoint_every: u64,
    /// Hessian-free: the initial Tikhonov damping lambda (then Levenberg-Marquardt).
    pub hf_damping: f64,
    /// Hessian-free: structural damping mu (Martens & Sutskever 2011), relative to lambda.
    pub hf_structural_damping: f64,
    /// Hessian-free: trials of the curvature minibatch; None is min(100, batch size), filled in
    /// by validation so that a run's `config.toml` records the value used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hf_curvature_batch: Option<usize>,
    /// Hessian-free: most CG iterations per update.
    pub hf_max_cg: usize,
}

impl TrainConfig {
    /// Trials of the Hessian-free curvature minibatch: `hf_curvature_batch`, or min(100,
    /// `batch_size`) where it is unset (Martens & Sutskever 2011 use a fraction of the
    /// gradient's minibatch).
    pub fn curvature_batch(&self) -> usize {
        self.hf_curvature_batch
            .unwrap_or(DEFAULT_CURVATURE_BATCH.min(self.batch_size))
    }
}

/// The curvature minibatch of an unset `train.hf_curvature_batch`, where the batch allows.
pub const DEFAULT_CURVATURE_BATCH: usize = 100;

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            batch_size: 500,
            iterations: 1000,
            minutes: 0.0,
            optimizer: OptimizerName::Adam,
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            clip: 1.0,
            seed: 0,
            threads: 0,
            shards: 4,
            checkpoint_every: 250,
            hf_damping: 1.0,
            hf_structural_damping: 1.0 / 30.0,
            hf_curvature_batch: None,
            hf_max_cg: 50,
        }
    }
}
