//! One line of documentation per config key (meaning, unit, range, paper section): the source
//! of `gridrnn config`'s comments and of the list of known keys.

use toml::Table;

/// (section.key, meaning / unit / range / paper section).
pub const KEY_DOCS: &[(&str, &str)] = &[
    (
        "task.arena",
        "arena shape: square | triangle | hexagon | circle | polygon (section 2.2, docs/design.md section 3)",
    ),
    (
        "task.vertices",
        "polygon arena only: [[x, y], ...] convex, either orientation, arena units",
    ),
    (
        "task.arena_area",
        "area of named arenas, arena units^2, > 0 (default 4: the square is [-1, 1]^2)",
    ),
    (
        "task.steps",
        "T, time steps per trial, >= 1 (section 2.1: 500)",
    ),
    (
        "task.p_stop",
        "probability that a step has speed 0, [0, 1) (section 3.2: 0.9)",
    ),
    (
        "task.stop_mode",
        "iid (each step independent) | runs (Markov runs of motion, mean length run_length)",
    ),
    (
        "task.run_length",
        "stop_mode = runs: mean length of a moving run, steps, >= 1",
    ),
    (
        "task.heading_std",
        "sd of the heading random-walk step, rad per step, >= 0",
    ),
    (
        "task.speed",
        "speed of moving steps: rayleigh (scale speed_sigma) | uniform (0, speed_max)",
    ),
    (
        "task.speed_sigma",
        "Rayleigh scale of moving speeds, arena units per step, > 0",
    ),
    (
        "task.speed_max",
        "upper bound of uniform moving speeds, arena units per step, > 0",
    ),
    (
        "task.motion",
        "paper (section 2.2) | sorscher (Sorscher et al.'s generator: Rayleigh speed every step, slow down and turn along a wall within 0.03; heading_std, speed_sigma and stops as set)",
    ),
    (
        "task.wall_rule",
        "uniform (resample the heading uniformly, section 2.2) | gaussian-widen (authors' code)",
    ),
    (
        "task.start",
        "\"centre\" | \"random\" (uniform in the arena) | [x, y] inside the arena (section 2.2)",
    ),
    (
        "task.start_cue",
        "true: two extra inputs carry the start point during the first cue_steps steps",
    ),
    (
        "task.cue_steps",
        "steps during which the start cue is on, >= 1",
    ),
    (
        "task.trajectories",
        "train on random T-step windows of this trajectory .npz instead of generated paths",
    ),
    ("model.units", "N, recurrent units, >= 1 (section 2.1: 100)"),
    (
        "model.alpha",
        "dt / tau of the Euler step, (0, 1] (section 2.1: 0.1)",
    ),
    (
        "model.noise_std",
        "sd of the unit noise xi during training, >= 0 (eq. 1)",
    ),
    (
        "model.noise_site",
        "eq1 (inside eq. 1, the paper) | rate (u = f(x) + xi, the authors' later code)",
    ),
    (
        "model.activation",
        "tanh (the paper) | retanh (max(0, tanh x)) | relu (max(0, x), Sorscher et al.)",
    ),
    (
        "model.input",
        "speed-cos-sin (N_in 3) | speed-angle (N_in 2, the paper's literal inputs) | velocity (N_in 2, s speed (cos h, sin h), Sorscher et al.)",
    ),
    ("model.speed_scale", "s, gain on the speed input, > 0"),
    (
        "model.init_rec",
        "paper (orthogonal for square/triangle, Gaussian 1.5^2/N otherwise) | orthogonal | gaussian (section 2.3) | pytorch (W_rec and W_in uniform on +-1/sqrt N, torch.nn.RNN's default, Sorscher et al.)",
    ),
    (
        "model.readout",
        "cartesian (y = W_out u, the position, squared error: the paper) | place-cells (softmax cross-entropy over place_cells cells, Sorscher et al.)",
    ),
    (
        "model.place_cells",
        "readout = place-cells: Np, place cells with centres uniform in the arena, >= 3",
    ),
    (
        "model.place_cell_width",
        "readout = place-cells: sigma, the place cells' width, arena units, > 0",
    ),
    (
        "model.place_cell_targets",
        "readout = place-cells: dos (difference of softmaxes, centre-surround, Sorscher et al.) | gaussian (a softmax of -d^2 / 2 sigma^2)",
    ),
    (
        "model.place_cell_layout",
        "readout = place-cells: uniform (independent draws, Sorscher et al.) | even (best-candidate sampling: random, without clusters or gaps)",
    ),
    (
        "model.surround_scale",
        "place_cell_targets = dos: the surround's variance over the centre's, > 1",
    ),
    (
        "model.place_cell_seed",
        "readout = place-cells: seed of the centres' layout, >= 0 (unset: train.seed)",
    ),
    (
        "model.initial_state",
        "zero (x = 0, the paper) | place-code (x = W_enc p(start), learned; needs readout = place-cells)",
    ),
    (
        "model.bias",
        "true (b of eq. 1 learned, the paper) | false (b held at 0: torch.nn.RNN(bias=False), Sorscher et al.)",
    ),
    (
        "loss.lambda_l2",
        "weight of R_L2 (eq. 4), >= 0; schedule = paper: 0 (off) or any positive value (on)",
    ),
    (
        "loss.lambda_fr",
        "weight of R_FR, the metabolic cost (eq. 5), >= 0; schedule = paper: 0 (off) or positive (on)",
    ),
    (
        "loss.lambda_rec",
        "weight decay on W_rec, lambda_rec sum W_rec^2 (Sorscher et al.'s weight_decay), >= 0 (0 = off)",
    ),
    (
        "loss.lambda_cae",
        "weight of the contractive penalty on W_rec, >= 0 (docs/design.md section 2; 0 = off)",
    ),
    (
        "loss.schedule",
        "fixed (lambdas as given) | paper (appendix E, our reading: docs/design.md section 2)",
    ),
    (
        "loss.l2_decay_every",
        "schedule = paper: iterations between 2/3 decays of lambda_L2, >= 1",
    ),
    (
        "train.batch_size",
        "M, trials per update, >= shards (section 2.3: 500)",
    ),
    ("train.iterations", "iteration budget, >= 0"),
    (
        "train.minutes",
        "wall-clock budget in minutes, >= 0 (0 = none; training stops at whichever comes first)",
    ),
    (
        "train.optimizer",
        "adam | hessian-free (section 2.3: the paper's optimiser, Martens & Sutskever 2011)",
    ),
    ("train.lr", "Adam learning rate, > 0"),
    ("train.beta1", "Adam first-moment decay, [0, 1)"),
    ("train.beta2", "Adam second-moment decay, [0, 1)"),
    ("train.eps", "Adam epsilon, > 0"),
    ("train.clip", "global gradient-norm clip, >= 0 (0 = off)"),
    (
        "train.seed",
        "seed of every random stream (init, trajectories, noise), integer >= 0",
    ),
    (
        "train.threads",
        "worker threads, >= 0 (0 = all cores); results never depend on it",
    ),
    (
        "train.shards",
        "fixed batch shards, >= 1; results depend on shards, never on threads",
    ),
    (
        "train.checkpoint_every",
        "checkpoint every this many iterations, >= 1 (plus 0, powers of 2 and the last)",
    ),
    (
        "train.hf_damping",
        "hessian-free: initial damping lambda, > 0 (then adapted by Levenberg-Marquardt)",
    ),
    (
        "train.hf_structural_damping",
        "hessian-free: structural damping mu, >= 0, in units of lambda (Martens & Sutskever 2011: 1/30)",
    ),
    (
        "train.hf_curvature_batch",
        "hessian-free: trials of the curvature minibatch, 1..=batch_size (the first of each minibatch; unset: min(100, batch_size))",
    ),
    (
        "train.hf_max_cg",
        "hessian-free: most conjugate-gradient iterations per update, >= 1",
    ),
];

/// The documentation line of a key, if it is known.
pub fn doc(key: &str) -> Option<&'static str> {
    KEY_DOCS.iter().find(|(k, _)| *k == key).map(|(_, d)| *d)
}

/// The resolved config as TOML with a comment above each key (`gridrnn config`), in the order
/// of [`KEY_DOCS`]; optional keys that are unset appear commented out.
pub fn render_commented(table: &Table) -> String {
    let mut out = String::from("# gridrnn resolved configuration (docs/design.md section 5)\n");
    let mut section = "";
    for (full, d) in KEY_DOCS {
        let (sec, key) = full.split_once('.').expect("keys are section.key");
        if sec != section {
            out.push_str(&format!("\n[{sec}]\n"));
            section = sec;
        }
        out.push_str(&format!("# {d}\n"));
        match table.get(sec).and_then(|t| t.get(key)) {
            Some(v) => out.push_str(&format!("{key} = {v}\n")),
            None => out.push_str(&format!("# {key} = (unset)\n")),
        }
    }
    out
}
