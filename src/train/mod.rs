//! Training (paper section 2.3, docs/design.md section 8), split as argmin splits it: the per-step algorithm
//! ([`Trainer`], its optimiser a [`Solver`]: Adam or Hessian-free), the loop that keeps
//! checkpointed states and rolls back failed updates ([`drive`]), and [`Observer`]s for
//! everything around it; [`train_run`] drives a run directory with its logs, checkpoint
//! files and progress bar as observers.

mod adam;
mod conjugate_gradient;
mod drive;
mod hessian_free;
mod manifest;
mod observer;
mod run;
mod run_logs;
mod schedule;
mod solver;
mod trainer;

pub use adam::{Adam, clip_global_norm};
pub use conjugate_gradient::{CgIterate, CgOptions, CgResult, conjugate_gradient};
pub use drive::{Budget, Driven, LR_CUT, MAX_ROLLBACKS, Outcome, drive, is_checkpoint_iteration};
pub use hessian_free::{GradientPoint, HessianFree, HfReport, HfSettings, flatten, unflatten};
pub use manifest::{Manifest, utc_now};
pub use observer::{FailAt, Interrupt, Observer};
pub use run::{
    HF_LOG_HEADER, Resumed, RunOptions, RunSummary, complete_checkpoints, resume_run, train_run,
};
pub use schedule::LambdaSchedule;
pub use solver::{NonFiniteUpdate, Problem, Solver};
pub use trainer::{Snapshot, StepRecord, Trainer};
