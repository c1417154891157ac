//! `gridrnn evaluate` (design section 5-6): E of eq. 3 for any checkpoint on any trajectory
//! file, with the noise off (default) or on as in training.

use serde::Serialize;

use crate::model::{Ctrnn, Engine};
use crate::task::Trajectories;

/// Shards of an evaluation batch.
pub const EVAL_SHARDS: usize = 4;

/// Seed of the evaluation noise stream (distinct from any training stream by its purpose).
pub const EVAL_NOISE_SEED: u64 = 0x5eed_e7a1;

/// What `evaluate` prints and writes.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Evaluation {
    /// E of eq. 3.
    pub mse: f64,
    /// E of always answering the centre (0, 0).
    pub centre_mse: f64,
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

/// Evaluate `net` on `traj` in chunks of at most `chunk` trials (memory stays bounded).
pub fn evaluate(
    net: &Ctrnn<f32>,
    traj: &Trajectories,
    noise: bool,
    threads: usize,
    chunk: usize,
) -> Evaluation {
    let cue = (net.n_in == 4 || net.n_in == 5).then_some(10);
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
        se += terms.e * count as f64;
        sc += terms.centre * count as f64;
        first += count;
        chunk_id += 1;
    }
    let mse = se / traj.trials as f64;
    let centre_mse = sc / traj.trials as f64;
    Evaluation {
        mse,
        centre_mse,
        mse_over_centre: mse / centre_mse,
        trials: traj.trials,
        steps: traj.steps,
        noise,
        noise_std: if noise { net.noise_std } else { 0.0 },
    }
}
