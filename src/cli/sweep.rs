//! `gridrnn sweep`, `sweep-point` and `summary`.

use std::path::PathBuf;

use gridrnn::config::resolve_threads;
use gridrnn::sweep::{PointOutcome, Sweep};

use super::args::{SummaryArgs, SweepArgs, SweepPointArgs};
use super::{failed, interrupt_flag, outcome_label};

/// Run a sweep here, or write its SLURM scripts.
pub fn sweep(a: SweepArgs) -> anyhow::Result<()> {
    let sweep = Sweep::load(&a.file)?;
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from("runs").join(format!("sweep-{}", sweep.name)));
    if a.emit.is_some() {
        let record = gridrnn::sweep::prepare(&sweep, &out)?;
        let exe = std::env::current_exe()?;
        let script = gridrnn::sweep::emit_slurm(&record, &out, &exe, a.cpus_per_task.max(1))?;
        println!(
            "{} points prepared in {}; submit with: sbatch {}",
            sweep.points.len(),
            out.display(),
            script.display()
        );
        return Ok(());
    }
    let jobs = resolve_threads(a.jobs);
    println!(
        "sweep {}: {} points into {} ({} at a time)",
        sweep.name,
        sweep.points.len(),
        out.display(),
        jobs.min(sweep.points.len())
    );
    let bar = indicatif::ProgressBar::new(sweep.points.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} points, {elapsed} elapsed, eta {eta} {msg}",
        )
        .expect("a valid template"),
    );
    let t0 = std::time::Instant::now();
    let report = |name: &str, r: &anyhow::Result<PointOutcome>| {
        let what = outcome_label(r.as_ref().map_err(|e| format!("{e:#}")));
        let line = format!("{name}: {what} ({:.0} s)", t0.elapsed().as_secs_f64());
        if bar.is_hidden() {
            println!("{line}");
        } else {
            bar.println(line);
        }
        bar.inc(1);
    };
    let cores = resolve_threads(0);
    let failures =
        gridrnn::sweep::run_sweep(&sweep, &out, jobs, cores, Some(interrupt_flag()), &report)?;
    bar.finish_and_clear();
    println!(
        "sweep {}: {} of {} points done in {:.0} s; summary: gridrnn summary {} --out {}/summary.csv",
        sweep.name,
        sweep.points.len() - failures.len(),
        sweep.points.len(),
        t0.elapsed().as_secs_f64(),
        out.display(),
        out.display()
    );
    failed(&failures, "points failed")
}

/// One point of a prepared sweep directory.
pub fn sweep_point(a: SweepPointArgs) -> anyhow::Result<()> {
    let r = gridrnn::sweep::run_prepared_point(&a.dir, &a.name, resolve_threads(a.threads))?;
    println!("{}: {r:?}", a.name);
    Ok(())
}

/// Gather a sweep's analyzed runs into a CSV, an emergence test and a figure.
pub fn summary(a: SummaryArgs) -> anyhow::Result<()> {
    let written = gridrnn::sweep::write_summary(&a.dir, &a.out)?;
    for (c, t) in &written.emergence {
        match t {
            Some(t) => println!(
                "{c}: border vs grid emergence over seeds: {} vs {} units, medians {:.0} vs {:.0}, one-sided Mann-Whitney p = {:.4}",
                t.border_units, t.grid_units, t.border_median, t.grid_median, t.p_border_first
            ),
            None => println!("{c}: no border-vs-grid emergence test (needs both types)"),
        }
    }
    let s = &written.summary;
    println!(
        "{} runs summarised into {} and {}{}",
        s.rows.len(),
        a.out.display(),
        written.figure.display(),
        if s.pending.is_empty() {
            String::new()
        } else {
            format!(
                "; {} not analyzed yet: {}",
                s.pending.len(),
                s.pending.join(", ")
            )
        }
    );
    Ok(())
}
