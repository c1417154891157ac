//! `gridrnn reproduce`: the paper claim by claim.

use gridrnn::config::resolve_threads;
use gridrnn::reproduce as rp;

use super::args::ReproduceArgs;
use super::{failed, interrupt_flag, outcome_label};

/// Print the plan, write SLURM scripts, or train, analyze and judge.
pub fn reproduce(a: ReproduceArgs) -> anyhow::Result<()> {
    let budget = a.budget;
    let only = (!a.readouts.is_empty()).then_some(a.readouts.as_slice());
    let studies = rp::Plan::parse_readouts(rp::STUDIES_TOML, budget, &a.sets, only)?;
    let claims = rp::parse_claims(rp::CLAIMS_TOML, &studies.names())?;
    println!(
        "reproduce, budget {}: {} runs in {} studies, {} claims, into {}",
        budget.name(),
        studies.runs(),
        studies.studies.len(),
        claims.len(),
        a.out.display()
    );
    if a.plan {
        print_plan(&studies);
        return Ok(());
    }
    if a.emit.is_some() {
        let submit = rp::emit_reproduce_slurm(
            &studies,
            &a.out,
            &std::env::current_exe()?,
            a.cpus_per_task.max(1),
            &a.sets,
            rp::CLAIMS_TOML,
            rp::STUDIES_TOML,
        )?;
        println!(
            "{} runs prepared in {}; submit with: bash {}",
            studies.runs(),
            a.out.display(),
            submit.display()
        );
        return Ok(());
    }
    let (judgements, runs, page, failures) = if a.judge_only {
        let (j, n, page) = rp::write_verdicts(&studies, &claims, &a.out)?;
        (j, n, page, Vec::new())
    } else {
        let o = rp::ReproduceOptions {
            out: a.out.clone(),
            jobs: resolve_threads(a.jobs),
            cores: resolve_threads(0),
            interrupt: Some(interrupt_flag()),
        };
        let progress = |p: &rp::Progress| {
            let what = outcome_label(p.outcome.clone());
            let eta = p.elapsed_s / p.done as f64 * (p.total - p.done) as f64;
            println!(
                "[{}/{}] {}/{}: {what} ({:.0} s elapsed, about {:.0} s to go)",
                p.done, p.total, p.study, p.point, p.elapsed_s, eta
            );
        };
        let r = rp::reproduce(
            &studies,
            &claims,
            rp::CLAIMS_TOML,
            rp::STUDIES_TOML,
            &o,
            &progress,
        )?;
        if r.interrupted {
            println!(
                "{} analyzed runs judged so far; page: {}",
                r.runs,
                r.page.display()
            );
            return Err(gridrnn::error::Failure::Interrupted(format!(
                "interrupted after {} of {} runs: running ones keep their checkpoints; run the same command again to go on",
                r.runs,
                studies.runs()
            ))
            .into());
        }
        (r.judgements, r.runs, r.page, r.failures)
    };
    println!("{runs} analyzed runs judged:");
    for j in &judgements {
        let reason = j.verdict.reason();
        println!(
            "  {:<12} {:<18} {}{}",
            j.readout,
            j.verdict.label(),
            j.claim,
            if reason.is_empty() {
                String::new()
            } else {
                format!(" ({reason})")
            }
        );
    }
    println!("page: {}", page.display());
    failed(
        &failures,
        "runs failed (run the same command again to retry)",
    )
}

/// The studies and their runs.
fn print_plan(studies: &rp::Plan) {
    for s in &studies.studies {
        println!("  {} ({}):", s.label(), s.about);
        for p in &s.sweep.points {
            println!(
                "    {}: {} updates ({:?}), {} units, T {}",
                p.name,
                p.config.train.iterations,
                p.config.train.optimizer,
                p.config.model.units,
                p.config.task.steps
            );
        }
    }
}
