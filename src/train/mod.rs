//! Training (paper section 2.3): the per-step algorithm ([`Trainer`]) apart from the loop that
//! logs and checkpoints ([`train_run`]).

mod adam;
mod manifest;
mod run;
mod schedule;
mod trainer;

pub use adam::{Adam, clip_global_norm};
pub use manifest::Manifest;
pub use run::{RunOptions, RunSummary, is_checkpoint_iteration, train_run};
pub use schedule::LambdaSchedule;
pub use trainer::{StepRecord, Trainer};
