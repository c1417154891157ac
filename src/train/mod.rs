//! Training (paper section 2.3): the per-step algorithm ([`Trainer`]) apart from the loop that
//! logs and checkpoints ([`train_run`]).

mod adam;
mod conjugate_gradient;
mod hessian_free;
mod manifest;
mod run;
mod run_logs;
mod schedule;
mod trainer;

pub use adam::{Adam, clip_global_norm};
pub use conjugate_gradient::{CgIterate, CgOptions, CgResult, conjugate_gradient};
pub use hessian_free::{GradientPoint, HessianFree, HfReport, HfSettings, flatten, unflatten};
pub use manifest::{Manifest, utc_now};
pub use run::{
    HF_LOG_HEADER, LR_CUT, MAX_ROLLBACKS, Resumed, RunOptions, RunSummary, complete_checkpoints,
    is_checkpoint_iteration, resume_run, train_run,
};
pub use schedule::LambdaSchedule;
pub use trainer::{Snapshot, StepRecord, Trainer};
