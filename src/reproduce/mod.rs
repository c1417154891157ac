//! The reproduce stage: the whole paper, claim by claim, in one command. The
//! paper's conditions are studies ([`plan`], `reproduce/studies.toml`), run through the sweep
//! machinery ([`run`]); each claim of the paper has a verdict rule ([`claims`],
//! `reproduce/claims.toml`, committed before the results it judges) over measures read back
//! from the runs' analyses ([`measure`]); [`page`] lays the result out like the paper.

mod claims;
mod claims_toml;
mod measure;
mod page;
mod plan;
mod run;
mod verdict;

pub use claims::{CLAIMS_TOML, Claim, Judgement, Op, Rule, Verdict, judge, parse_claims};
pub use measure::{
    MIN_UNITS, Measured, RunData, UnitData, pooled_measure, read_study, run_measure,
};
pub use page::paper_html;
pub use plan::{Budget, CARTESIAN, Plan, STUDIES_TOML, Study};
pub use run::{
    Progress, ReproduceOptions, Reproduction, emit_reproduce_slurm, judge_all, read_runs,
    reproduce, study_dir, write_verdicts,
};
