//! The sweep stage: studies such as Fig. 5's regularisation conditions as one
//! command. A sweep file expands into points ([`spec`]), which run on a local pool or as a
//! SLURM job array ([`pool`], [`slurm`]); [`summary`] gathers their results.

mod pool;
mod slurm;
mod spec;
mod summary;

pub use pool::{
    PointOutcome, SweepRecord, config_path, prepare, run_dir, run_point, run_prepared_point,
    run_sweep,
};
pub use slurm::emit_slurm;
pub use spec::{Point, Sweep, SweepSpec};
pub(crate) use summary::read_json;
pub use summary::{
    RunRow, Summary, WrittenSummary, collect, pooled_emergence, summary_csv, summary_figure,
    write_summary,
};
