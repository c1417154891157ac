//! The training loop itself (docs/design.md section 5): updates until the budget is spent,
//! the state kept at each checkpoint iteration (0, powers of 2, every `checkpoint_every`,
//! the last), and a failed update rolled back to the last kept state with the learning rate
//! cut by [`LR_CUT`] (the damping raised by its inverse), at most [`MAX_ROLLBACKS`] times in a
//! row. Everything else is an [`Observer`].

use std::time::Instant;

use super::observer::Observer;
use super::{Snapshot, StepRecord, Trainer};
use crate::model::PhaseTimes;

/// Factor applied to the learning rate at each divergence roll-back (Hessian-free: the damping
/// is divided by it).
pub const LR_CUT: f64 = 0.5;

/// Roll-backs in a row (without reaching a new checkpoint) after which training stops.
pub const MAX_ROLLBACKS: u32 = 5;

/// How long to train.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Stop once this many updates are done (`train.iterations`).
    pub iterations: u64,
    /// Stop at a checkpoint once the run's wall clock passes this many seconds
    /// (`train.minutes`; None = no limit).
    pub deadline_s: Option<f64>,
    /// Checkpoint every this many updates besides 0 and powers of 2
    /// (`train.checkpoint_every`).
    pub checkpoint_every: u64,
    /// Seconds the run had already trained before (a resume), counted against the deadline.
    pub wall_before: f64,
}

/// Whether a checkpoint is written at `it`: 0, every power of 2, every `every`, and `last`.
pub fn is_checkpoint_iteration(it: u64, every: u64, last: u64) -> bool {
    it == 0 || it.is_power_of_two() || it.is_multiple_of(every) || it == last
}

/// How the loop ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The budget was spent.
    Finished,
    /// An observer stopped it; the state was checkpointed at this iteration.
    Interrupted {
        /// The iteration checkpointed.
        iteration: u64,
    },
    /// More than [`MAX_ROLLBACKS`] failed updates in a row.
    Diverged {
        /// The last update that failed.
        bad: Box<StepRecord>,
        /// The iteration of the last kept (checkpointed) state.
        last_good: u64,
    },
}

/// What the loop did.
#[derive(Clone, Debug)]
pub struct Driven {
    /// How it ended.
    pub outcome: Outcome,
    /// Roll-backs in all.
    pub rollbacks: u32,
    /// Seconds this call ran.
    pub wall_s: f64,
}

/// Train `trainer` within `budget`, calling `observers` in order around every update.
pub fn drive(
    trainer: &mut Trainer<f32>,
    budget: &Budget,
    observers: &mut [&mut dyn Observer],
) -> anyhow::Result<Driven> {
    let start = Instant::now();
    let wall = || budget.wall_before + start.elapsed().as_secs_f64();
    let mut kept: Option<Snapshot<f32>> = None;
    let (mut failures, mut rollbacks) = (0, 0);
    let outcome = loop {
        let w = wall();
        let done =
            trainer.iteration >= budget.iterations || budget.deadline_s.is_some_and(|d| w >= d);
        let stop = observers.iter_mut().any(|o| o.stop(trainer));
        let it = trainer.iteration;
        if is_checkpoint_iteration(it, budget.checkpoint_every, budget.iterations) || done || stop {
            for o in observers.iter_mut() {
                o.checkpoint(trainer, w)?;
            }
            // The count of failures in a row starts again once training got past the last
            // kept state.
            if kept.as_ref().is_none_or(|s| s.iteration < it) {
                failures = 0;
            }
            kept = Some(trainer.snapshot());
        }
        if stop {
            break Outcome::Interrupted { iteration: it };
        }
        if done {
            break Outcome::Finished;
        }
        let fault = observers.iter_mut().any(|o| o.inject_failure(it));
        let step = match fault {
            true => Err(Box::new(injected_failure(it, trainer.lr))),
            false => trainer.step(),
        };
        match step {
            Ok(rec) => {
                let w = wall();
                for o in observers.iter_mut() {
                    o.step(&rec, trainer, w)?;
                }
            }
            Err(bad) => {
                failures += 1;
                rollbacks += 1;
                let snap = kept.as_ref().expect("checkpoint 0 is always kept first");
                if failures > MAX_ROLLBACKS {
                    let last_good = snap.iteration;
                    break Outcome::Diverged { bad, last_good };
                }
                trainer.roll_back(snap, LR_CUT);
                for o in observers.iter_mut() {
                    o.rolled_back(&bad, trainer)?;
                }
            }
        }
    };
    for o in observers.iter_mut() {
        o.end()?;
    }
    Ok(Driven {
        outcome,
        rollbacks,
        wall_s: start.elapsed().as_secs_f64(),
    })
}

/// The record of an update failed on purpose ([`Observer::inject_failure`]).
fn injected_failure(iteration: u64, lr: f64) -> StepRecord {
    StepRecord {
        iteration,
        terms: Default::default(),
        lambdas: Default::default(),
        loss: f64::NAN,
        grad_norm: f64::NAN,
        lr,
        times: PhaseTimes::default(),
        hf: None,
    }
}
