//! The command line (docs/design.md section 6): its grammar, one function per subcommand,
//! and what it prints. Every function parses, calls the library and reports.

pub mod args;
mod bench;
mod print;
mod reproduce;
mod score;
mod sweep;
mod tools;
mod train;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use args::Cmd;

/// Run one subcommand.
pub fn dispatch(cmd: Cmd) -> anyhow::Result<()> {
    match cmd {
        Cmd::Run(a) => train::run(a),
        Cmd::Train(a) => train::train(a),
        Cmd::Resume(a) => train::resume(a),
        Cmd::Analyze(a) => train::analyze(a),
        Cmd::Sweep(a) => sweep::sweep(a),
        Cmd::SweepPoint(a) => sweep::sweep_point(a),
        Cmd::Summary(a) => sweep::summary(a),
        Cmd::Reproduce(a) => reproduce::reproduce(a),
        Cmd::Score(a) => score::score(a),
        Cmd::Config(a) => tools::config(a),
        Cmd::Evaluate(a) => tools::evaluate(a),
        Cmd::Trajectories(a) => tools::trajectories(a),
        Cmd::Bench(a) => bench::bench(a),
    }
}

/// A flag set by the first Ctrl-C (the run then checkpoints and exits 130); a second Ctrl-C
/// exits at once.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    let _ = ctrlc::set_handler(move || {
        if f.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: writing a checkpoint (Ctrl-C again to quit at once)");
    });
    flag
}

/// A sweep point's ending, as the progress lines say it.
fn outcome_label(r: Result<&gridrnn::sweep::PointOutcome, String>) -> String {
    match r {
        Ok(gridrnn::sweep::PointOutcome::Skipped) => "already done".to_string(),
        Ok(gridrnn::sweep::PointOutcome::Done) => "done".to_string(),
        Err(e) => format!("FAILED: {e}"),
    }
}

/// An error listing `failures` (name, message), if there are any.
fn failed(failures: &[(String, String)], what: &str) -> anyhow::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "{} {what}: {}",
        failures.len(),
        failures
            .iter()
            .map(|f| format!("{} ({})", f.0, f.1))
            .collect::<Vec<_>>()
            .join("; ")
    ))
}
