//! The report stage: a run's analysis, the paper's figures as PNG files under
//! `analysis/figures/`, and one self-contained `report.html` in the run directory.

mod html;
mod run_log;
mod settings;

use std::path::{Path, PathBuf};

use anyhow::Context;

pub use html::{ReportPage, report_html};
pub(crate) use html::{STYLE, png_data_uri};
pub use run_log::{TrainingSummary, read_log, summarise};
pub use settings::AnalysisSettings;

use crate::analysis::{
    AnalysisSummary, AnalyzeOptions, DevelopmentOptions, DevelopmentSummary, LongRunOptions,
    LongRunSummary, analyze_run, development, long_run, write_development, write_long_run,
};
use crate::config::load;
use crate::evaluate::{Evaluation, evaluate, held_out_trajectories, outputs};
use crate::figures::{Colormap, FigureData, PathSample, all_figures};
use crate::io::{load_checkpoint, write_atomic};
use crate::task::{Trajectories, TrajectorySpec};

/// How to analyze and draw.
#[derive(Clone, Debug)]
pub struct ReportOptions {
    /// The analysis.
    pub analysis: AnalyzeOptions,
    /// The heat maps' colour map.
    pub colormap: Colormap,
    /// The long trials of Fig. 6 (None: skipped).
    pub long_run: Option<LongRunOptions>,
    /// The development over training of Fig. 4 (None: skipped; also skipped for runs with
    /// fewer than 3 checkpoints).
    pub development: Option<DevelopmentOptions>,
}

/// What the report stage wrote.
#[derive(Clone, Debug)]
pub struct Report {
    /// The analysis.
    pub analysis: AnalysisSummary,
    /// Held-out evaluation, noise off.
    pub held_out: Evaluation,
    /// Fig. 6's numbers, where the long trials ran.
    pub long_run: Option<LongRunSummary>,
    /// Fig. 4's numbers, where the run had the checkpoints.
    pub development: Option<DevelopmentSummary>,
    /// report.html.
    pub html: PathBuf,
    /// The figures' PNG files.
    pub figures: Vec<PathBuf>,
}

/// Analyze the run in `dir` (its latest checkpoint), draw every figure and write
/// report.html. Works on a finished or an interrupted run.
pub fn analyze_and_report(dir: &Path, o: &ReportOptions) -> anyhow::Result<Report> {
    let config_path = dir.join("config.toml");
    let cfg = load(Some(&config_path), None, &[])?;
    let (net, _) = load_checkpoint(&dir.join("checkpoints/latest.npz"))?;
    let analysis = analyze_run(dir, &cfg, &net, &o.analysis)?;
    let spec = TrajectorySpec::from_config(&cfg);
    let test = held_out_trajectories(&spec, cfg.train.seed);
    let held_out = evaluate(&net, &test, false, o.analysis.threads, test.trials);
    write_atomic(
        &dir.join("analysis").join("held_out.json"),
        serde_json::to_string_pretty(&held_out)?.as_bytes(),
    )?;
    let paths = outputs(&net, &test, 4)
        .into_iter()
        .enumerate()
        .map(|(b, output)| PathSample {
            truth: std::iter::once(test.start[b])
                .chain((0..test.steps).map(|t| test.pos(b, t)))
                .collect(),
            output,
        })
        .collect();
    let dev = match &o.development {
        Some(d) => development(dir, &cfg, &analysis, d)?,
        None => None,
    };
    if let Some(d) = &dev {
        write_development(dir, d)?;
    }
    let long = o.long_run.as_ref().map(|lo| long_run(&cfg, &net, lo));
    if let Some(r) = &long {
        write_long_run(dir, r)?;
    }
    let log = read_log(&dir.join("train_log.csv"))?;
    let data = FigureData {
        analysis: &analysis,
        outline: spec.arena.outline(),
        log: log.iter().map(|r| r.1).collect(),
        centre_baseline: held_out.centre_mse,
        paths,
        trajectories: Trajectories::generate(&spec, cfg.train.seed, 0, 0, 3),
        long_run: long.as_ref(),
        development: dev.as_ref(),
    };
    let figures = all_figures(&data, o.colormap)?;
    let fig_dir = dir.join("analysis").join("figures");
    std::fs::create_dir_all(&fig_dir)
        .with_context(|| format!("cannot create {}", fig_dir.display()))?;
    let mut files = Vec::new();
    for f in &figures {
        let path = fig_dir.join(format!("{}.png", f.name));
        write_atomic(&path, &f.png)?;
        files.push(path);
    }
    let long_summary = long.as_ref().map(|r| r.summary());
    let dev_summary = dev.as_ref().map(|d| d.summary());
    let config_toml = std::fs::read_to_string(&config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let run = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| dir.display().to_string());
    let page = report_html(&ReportPage {
        run: &run,
        config_toml: &config_toml,
        training: &summarise(&log),
        held_out: &held_out,
        analysis: &analysis,
        figures: &figures,
        long_run: long_summary.as_ref(),
        development: dev_summary.as_ref(),
    });
    let html = dir.join("report.html");
    write_atomic(&html, page.as_bytes())?;
    Ok(Report {
        analysis,
        held_out,
        long_run: long_summary,
        development: dev_summary,
        html,
        figures: files,
    })
}
