//! Observers of the training loop (as argmin's observers watch its solver): what is done
//! around each update, apart from the update itself. [`drive`](super::drive) calls them in
//! order; the run directory's logs, checkpoints and progress bar are observers
//! (`train/run.rs`), and so are a Ctrl-C flag ([`Interrupt`]) and deterministic fault
//! injection ([`FailAt`]), so a library caller that drives a [`Trainer`] gets the same
//! roll-back, interruption and faults as `gridrnn train`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{StepRecord, Trainer};

/// Something done around each update. Every method has a default that does nothing.
pub trait Observer {
    /// Whether to stop before the update at `trainer.iteration` (the state is checkpointed
    /// first, and the loop ends [`Interrupted`](super::Outcome::Interrupted)).
    fn stop(&mut self, _trainer: &Trainer<f32>) -> bool {
        false
    }

    /// Whether the update at `iteration` fails as if its loss were not finite (fault
    /// injection: the loop then rolls back as for a real divergence).
    fn inject_failure(&mut self, _iteration: u64) -> bool {
        false
    }

    /// The state at a checkpoint iteration, at a stop or at the end, which a later
    /// divergence rolls back to; `wall_s` is the run's seconds so far.
    fn checkpoint(&mut self, _trainer: &Trainer<f32>, _wall_s: f64) -> anyhow::Result<()> {
        Ok(())
    }

    /// An update the model kept, `wall_s` seconds into the run.
    fn step(
        &mut self,
        _rec: &StepRecord,
        _trainer: &Trainer<f32>,
        _wall_s: f64,
    ) -> anyhow::Result<()> {
        Ok(())
    }

    /// The failed update `bad` was undone: `trainer` is back at the last checkpoint, with
    /// its learning rate cut (or its damping raised).
    fn rolled_back(&mut self, _bad: &StepRecord, _trainer: &Trainer<f32>) -> anyhow::Result<()> {
        Ok(())
    }

    /// The loop ended (finished, stopped or diverged).
    fn end(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Stops the loop once the flag is set (a Ctrl-C handler sets it).
#[derive(Clone, Debug, Default)]
pub struct Interrupt(pub Arc<AtomicBool>);

impl Observer for Interrupt {
    fn stop(&mut self, _trainer: &Trainer<f32>) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Fails the update at each listed iteration once, as if its loss were not finite, so that
/// roll-back can be exercised deterministically (the command line fills it from
/// `GRIDRNN_FAULT_NONFINITE_AT=I[,J...]`).
#[derive(Clone, Debug, Default)]
pub struct FailAt(pub Vec<u64>);

impl Observer for FailAt {
    fn inject_failure(&mut self, iteration: u64) -> bool {
        let at = self.0.iter().position(|&f| f == iteration);
        at.map(|i| self.0.swap_remove(i)).is_some()
    }
}
