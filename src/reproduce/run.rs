//! Running a [`Plan`]: every study through the sweep machinery (resumable: a run
//! whose report exists is skipped, an interrupted one resumes), then every claim judged on
//! what the runs wrote, into `claims.csv`, `claims.json` and `paper.html`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use super::claims::{Claim, Judgement, Verdict, judge};
use super::measure::{RunData, read_study};
use super::page::paper_html;
use super::plan::{CARTESIAN, Plan};
use crate::io::{csv_text, write_atomic};
use crate::sweep::{PointOutcome, emit_slurm, prepare, run_sweep};
use crate::train::utc_now;

/// How to run a plan.
#[derive(Clone, Debug)]
pub struct ReproduceOptions {
    /// Output directory: one sweep directory per study, and the page.
    pub out: PathBuf,
    /// Runs at once (each on one thread when more than one).
    pub jobs: usize,
    /// Cores to use.
    pub cores: usize,
    /// Set when the user interrupts: running points keep their checkpoints.
    pub interrupt: Option<Arc<AtomicBool>>,
}

/// A finished point, for the progress line.
pub struct Progress<'a> {
    /// Points finished (or skipped) so far.
    pub done: usize,
    /// Points in all.
    pub total: usize,
    /// Study and point.
    pub study: &'a str,
    /// The point's name.
    pub point: &'a str,
    /// How it ended (Err: the message).
    pub outcome: Result<&'a PointOutcome, String>,
    /// Seconds since the start.
    pub elapsed_s: f64,
}

/// What a reproduction wrote.
#[derive(Clone, Debug)]
pub struct Reproduction {
    /// Every claim judged, in claims.toml's order.
    pub judgements: Vec<Judgement>,
    /// Analyzed runs judged.
    pub runs: usize,
    /// Points that failed: (study/point, message).
    pub failures: Vec<(String, String)>,
    /// Whether the user interrupted it (the verdicts are then over the runs finished so far).
    pub interrupted: bool,
    /// paper.html.
    pub page: PathBuf,
}

/// The sweep directory of study `name` of `readout`: `out/name` for the paper's readout (as
/// before there were others), `out/readout/name` for another.
pub fn study_dir(out: &Path, readout: &str, name: &str) -> PathBuf {
    if readout == CARTESIAN {
        out.join(name)
    } else {
        out.join(readout).join(name)
    }
}

/// Every analyzed run of the plan's studies in `out`.
pub fn read_runs(plan: &Plan, out: &Path) -> anyhow::Result<Vec<RunData>> {
    let mut runs = Vec::new();
    for s in &plan.studies {
        let dir = study_dir(out, &s.readout, &s.name);
        if dir.join("sweep.json").exists() {
            runs.extend(read_study(&s.readout, &s.name, &dir)?);
        }
    }
    Ok(runs)
}

/// Every claim judged under every readout of `plan`, readout by readout in the plan's order:
/// a readout that runs no study the claim reads gets [`Verdict::NotStudied`], and a claim
/// that is no model output is judged under the paper's readout alone.
pub fn judge_all(plan: &Plan, claims: &[Claim], runs: &[RunData]) -> Vec<Judgement> {
    let mut out = Vec::new();
    for (readout, _) in &plan.readouts {
        let has = plan.names_of(readout);
        for c in claims {
            let missing: Vec<&str> = c
                .studies()
                .into_iter()
                .filter(|s| !has.iter().any(|h| h == s))
                .collect();
            let mut j = judge(c, readout, runs);
            if matches!(j.verdict, Verdict::NotReproducible(_)) && readout != CARTESIAN {
                continue;
            }
            if !missing.is_empty() {
                j.verdict = Verdict::NotStudied(format!(
                    "the {readout} readout runs no `{}` study",
                    missing.join("` or `")
                ));
                j.measurement.clear();
                j.result.clear();
            }
            out.push(j);
        }
    }
    out
}

/// Judge `claims` on the runs in `out` and write claims.csv, claims.json and paper.html.
pub fn write_verdicts(
    plan: &Plan,
    claims: &[Claim],
    out: &Path,
) -> anyhow::Result<(Vec<Judgement>, usize, PathBuf)> {
    let runs = read_runs(plan, out)?;
    let judgements = judge_all(plan, claims, &runs);
    let header = [
        "id",
        "readout",
        "claim",
        "section",
        "measurement",
        "result",
        "verdict",
        "reason",
    ];
    let rows = judgements.iter().map(|j| {
        [
            j.id.as_str(),
            &j.readout,
            &j.claim,
            &j.section,
            &j.measurement,
            &j.result,
            j.verdict.label(),
            j.verdict.reason(),
        ]
    });
    let csv = csv_text(std::iter::once(header).chain(rows))?;
    write_atomic(&out.join("claims.csv"), csv.as_bytes())?;
    write_atomic(
        &out.join("claims.json"),
        serde_json::to_string_pretty(&judgements)?.as_bytes(),
    )?;
    let page = out.join("paper.html");
    write_atomic(&page, paper_html(plan, &judgements, &runs, out).as_bytes())?;
    Ok((judgements, runs.len(), page))
}

/// The rules and plan a reproduction used, beside its results.
fn copy_rules(out: &Path, claims_text: &str, studies_text: &str) -> anyhow::Result<()> {
    write_atomic(&out.join("claims.toml"), claims_text.as_bytes())?;
    write_atomic(&out.join("studies.toml"), studies_text.as_bytes())
}

/// Run every study of `plan` into `o.out` (skipping finished runs), then judge `claims`.
/// The rules used are copied beside the results (`claims.toml`, `studies.toml`), and
/// `reproduce.json` records how this invocation was made (version, commit, budget, command
/// line, times, runs, failures).
pub fn reproduce(
    plan: &Plan,
    claims: &[Claim],
    claims_text: &str,
    studies_text: &str,
    o: &ReproduceOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> anyhow::Result<Reproduction> {
    std::fs::create_dir_all(&o.out)?;
    copy_rules(&o.out, claims_text, studies_text)?;
    let total = plan.runs();
    let done = AtomicUsize::new(0);
    let start = Instant::now();
    let start_utc = utc_now();
    let mut failures = Vec::new();
    for s in &plan.studies {
        if o.interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst))
        {
            break;
        }
        let report = |point: &str, r: &anyhow::Result<PointOutcome>| {
            progress(&Progress {
                done: done.fetch_add(1, Ordering::SeqCst) + 1,
                total,
                study: &s.label(),
                point,
                outcome: r.as_ref().map_err(|e| format!("{e:#}")),
                elapsed_s: start.elapsed().as_secs_f64(),
            });
        };
        let f = run_sweep(
            &s.sweep,
            &study_dir(&o.out, &s.readout, &s.name),
            o.jobs,
            o.cores,
            o.interrupt.clone(),
            &report,
        )?;
        failures.extend(f.into_iter().map(|(p, e)| (format!("{}/{p}", s.name), e)));
    }
    let (judgements, runs, page) = write_verdicts(plan, claims, &o.out)?;
    let record = serde_json::json!({
        "gridrnn_version": env!("CARGO_PKG_VERSION"),
        "git_commit": env!("GRIDRNN_GIT_COMMIT"),
        "git_dirty": env!("GRIDRNN_GIT_DIRTY") == "true",
        "budget": plan.budget.name(),
        "command_line": std::env::args().collect::<Vec<_>>(),
        "start_utc": start_utc,
        "end_utc": utc_now(),
        "seconds": start.elapsed().as_secs_f64(),
        "runs_planned": total,
        "runs_analyzed": runs,
        "failures": failures,
    });
    write_atomic(
        &o.out.join("reproduce.json"),
        serde_json::to_string_pretty(&record)?.as_bytes(),
    )?;
    Ok(Reproduction {
        judgements,
        runs,
        failures,
        page,
        interrupted: o
            .interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::SeqCst)),
    })
}

/// Prepare every study of `plan` in `out` as a SLURM job array (`STUDY/sweep.sbatch`, one task
/// per run, as `gridrnn sweep --emit slurm` writes it) and `out/submit.sh`, which submits them
/// all and then a job that judges the claims once every array has ended
/// (`gridrnn reproduce ... --judge-only`, with the same readouts and `--set` overrides). Returns submit.sh.
pub fn emit_reproduce_slurm(
    plan: &Plan,
    out: &Path,
    binary: &Path,
    cpus_per_task: usize,
    sets: &[String],
    claims_text: &str,
    studies_text: &str,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(out)?;
    let out = std::path::absolute(out)?;
    let binary = std::path::absolute(binary)?;
    copy_rules(&out, claims_text, studies_text)?;
    let q = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let mut script = String::from(
        "#!/bin/bash\n# gridrnn reproduce: one SLURM array per study, then the verdicts (written by\n# `gridrnn reproduce --emit slurm`). Run: bash submit.sh\nset -euo pipefail\nids=()\n",
    );
    for s in &plan.studies {
        let dir = study_dir(&out, &s.readout, &s.name);
        let record = prepare(&s.sweep, &dir)?;
        let sbatch = emit_slurm(&record, &dir, &binary, cpus_per_task)?;
        script += &format!(
            "ids+=($(sbatch --parsable {}))\n",
            q(&sbatch.display().to_string())
        );
    }
    let readouts: Vec<&str> = plan.readouts.iter().map(|(r, _)| r.as_str()).collect();
    let mut judge = format!(
        "{} reproduce --budget {} --out {} --readouts {} --judge-only",
        q(&binary.display().to_string()),
        plan.budget.name(),
        q(&out.display().to_string()),
        q(&readouts.join(","))
    );
    for set in sets {
        judge += &format!(" --set {}", q(set));
    }
    script += &format!(
        "sbatch --dependency=afterany:$(IFS=:; echo \"${{ids[*]}}\") --job-name=gridrnn-verdicts --output={}/verdicts-%j.out --wrap {}\n",
        q(&out.display().to_string()),
        q(&judge)
    );
    let path = out.join("submit.sh");
    write_atomic(&path, script.as_bytes())?;
    Ok(path)
}
