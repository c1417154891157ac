//! `gridrnn evaluate` (docs/design.md section 5-6): E of eq. 3 for any checkpoint on any trajectory
//! file, with the noise off (default) or on as in training.

use serde::Serialize;

use crate::model::{Ctrnn, Engine};
use crate::task::{Trajectories, TrajectorySpec};

/// Shards of an evaluation batch.
pub const EVAL_SHARDS: usize = 4;

/// Seed of the evaluation noise stream (distinct from any training stream by its purpose).
pub const EVAL_NOISE_SEED: u64 = 0x5eed_e7a1;

/// What `evaluate` prints and writes.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Evaluation {
    /// E of eq. 3 (of the decoded position, for a place-cell readout).
    pub mse: f64,
    /// E of always answering the centre (0, 0).
    pub centre_mse: f64,
    /// E of always answering the trial's start point: what a network told its start (a
    /// place-code initial state, a start cue) would get without integrating any velocity.
    pub start_mse: f64,
    /// mse / centre_mse.
    pub mse_over_centre: f64,
    /// Trials.
    pub trials: usize,
    /// Steps per trial.
    pub steps: usize,
    /// Whether noise was on.
    pub noise: bool,
    /// Noise sd used.
    pub noise_std: f64,
}

/// Trials held out from training: 500 from a stream no training iteration uses (iteration
/// u64::MAX), the same for every command that reports a held-out E.
pub fn held_out_trajectories(spec: &TrajectorySpec, seed: u64) -> Trajectories {
    Trajectories::generate(spec, seed, u64::MAX, 0, 500)
}

/// The start cue's steps for `net`'s inputs (`write_shard`'s `cue_steps`): a checkpoint with
/// a start cue has 4 or 5 inputs, and is fed the cue for the first 10 steps of a trial.
pub fn cue_steps(net: &Ctrnn<f32>) -> Option<usize> {
    (net.n_in == 4 || net.n_in == 5).then_some(10)
}

/// Evaluate `net` on `traj` in chunks of at most `chunk` trials (memory stays bounded).
pub fn evaluate(
    net: &Ctrnn<f32>,
    traj: &Trajectories,
    noise: bool,
    threads: usize,
    chunk: usize,
) -> Evaluation {
    let cue = cue_steps(net);
    let (mut se, mut sc) = (0.0, 0.0);
    let mut first = 0;
    let mut chunk_id = 0u64;
    while first < traj.trials {
        let count = chunk.min(traj.trials - first);
        // Fixed shards, so that the noise streams (one per shard) do not depend on the threads.
        let mut engine = Engine::<f32>::new(
            net.n,
            net.n_in,
            traj.steps,
            count,
            EVAL_SHARDS,
            threads.max(1),
            false,
        );
        let nz = noise.then_some((EVAL_NOISE_SEED, chunk_id, net.noise_std));
        let terms = engine.forward_on(net, nz, traj, first, cue);
        se += terms.position * count as f64;
        sc += terms.centre * count as f64;
        first += count;
        chunk_id += 1;
    }
    let mse = se / traj.trials as f64;
    let centre_mse = sc / traj.trials as f64;
    let start_mse = (0..traj.trials)
        .flat_map(|b| (0..traj.steps).map(move |t| (b, t)))
        .map(|(b, t)| {
            let (p, s) = (traj.pos(b, t), traj.start[b]);
            ((p[0] - s[0]).powi(2) + (p[1] - s[1]).powi(2)) / 2.0
        })
        .sum::<f64>()
        / (traj.trials * traj.steps) as f64;
    Evaluation {
        mse,
        centre_mse,
        start_mse,
        mse_over_centre: mse / centre_mse,
        trials: traj.trials,
        steps: traj.steps,
        noise,
        noise_std: if noise { net.noise_std } else { 0.0 },
    }
}

/// The output y_t = W_out u_t of eq. 2 for activity `u`; for a place-cell readout, the
/// position its logits decode to (the top-k centres' mean).
fn output_of(net: &Ctrnn<f32>, u: &[f32]) -> [f64; 2] {
    let n = net.n;
    let y = |k: usize| {
        net.w_out[k * n..(k + 1) * n]
            .iter()
            .zip(u)
            .map(|(w, x)| f64::from(*w) * f64::from(*x))
            .sum::<f64>()
    };
    match &net.place_cells {
        None => [y(0), y(1)],
        Some(pc) => {
            let z: Vec<f64> = (0..pc.len()).map(y).collect();
            pc.decode(&z, crate::task::DECODE_TOP_K)
        }
    }
}

/// The network's outputs y_t = W_out u_t (eq. 2) on the first `count` trials of `traj`,
/// noise off: `out[b][t]` goes with `traj.pos(b, t)`. A place-cell readout's output is the
/// position its logits W_out u_t decode to (the top-k centres' mean).
pub fn outputs(net: &Ctrnn<f32>, traj: &Trajectories, count: usize) -> Vec<Vec<[f64; 2]>> {
    let count = count.min(traj.trials);
    if count == 0 {
        return Vec::new();
    }
    let cue = cue_steps(net);
    let mut engine = Engine::<f32>::new(net.n, net.n_in, traj.steps, count, 1, 1, false);
    engine.forward_on(net, None, traj, 0, cue);
    (0..count)
        .map(|b| {
            (0..traj.steps)
                .map(|t| output_of(net, engine.activity(b, t)))
                .collect()
        })
        .collect()
}

/// A network run on every trial of a trajectory set: outputs and activity, trial-major.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// Trials B.
    pub trials: usize,
    /// Steps T.
    pub steps: usize,
    /// Units N.
    pub units: usize,
    /// y_t (B x T x 2; the decoded position for a place-cell readout).
    pub output: Vec<f64>,
    /// u_t (B x T x N).
    pub activity: Vec<f32>,
}

/// Run `net` on every trial of `traj`, noise off or on as in training (the noise of
/// [`evaluate`]'s first chunk: stream `EVAL_NOISE_SEED`, fixed shards, so the result does not
/// depend on `threads`).
pub fn simulate(net: &Ctrnn<f32>, traj: &Trajectories, noise: bool, threads: usize) -> Simulation {
    let (b, t, n) = (traj.trials, traj.steps, net.n);
    let mut engine = Engine::<f32>::new(n, net.n_in, t, b, EVAL_SHARDS, threads.max(1), false);
    let nz = noise.then_some((EVAL_NOISE_SEED, 0, net.noise_std));
    engine.forward_on(net, nz, traj, 0, cue_steps(net));
    let mut sim = Simulation {
        trials: b,
        steps: t,
        units: n,
        output: Vec::with_capacity(b * t * 2),
        activity: Vec::with_capacity(b * t * n),
    };
    for trial in 0..b {
        for step in 0..t {
            let u = engine.activity(trial, step);
            sim.activity.extend_from_slice(u);
            sim.output.extend(output_of(net, u));
        }
    }
    sim
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load;

    #[test]
    fn the_outputs_give_the_evaluated_error() {
        let cfg = load(
            None,
            None,
            &["model.units=16".into(), "task.steps=30".into()],
        )
        .unwrap();
        let mut net = Ctrnn::<f32>::init(&cfg);
        for (k, w) in net.w_out.iter_mut().enumerate() {
            *w = ((k * 7 % 11) as f32 - 5.0) * 0.05;
        }
        let spec = TrajectorySpec::from_config(&cfg);
        let traj = Trajectories::generate(&spec, 3, 0, 0, 6);
        let ev = evaluate(&net, &traj, false, 1, 6);
        let y = outputs(&net, &traj, 6);
        let mut se = 0.0;
        for (b, trial) in y.iter().enumerate() {
            for (t, o) in trial.iter().enumerate() {
                let p = traj.pos(b, t);
                se += (o[0] - p[0]).powi(2) + (o[1] - p[1]).powi(2);
            }
        }
        // E of eq. 3 averages over the two output coordinates too.
        let e = se / (2 * 6 * traj.steps) as f64;
        assert!((e - ev.mse).abs() < 1e-5 * ev.mse, "{e} vs {}", ev.mse);
    }
}
