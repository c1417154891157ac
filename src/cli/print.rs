//! What the command line prints after training and analysis: the training summary, the
//! cell types with their thresholds, and the analysis's one-line summaries (the library
//! computes them; this only reports).

use gridrnn::report::{ReportOptions, analyze_and_report};
use gridrnn::train::RunSummary;

/// Thresholds, counts per type and at the fixed levels, and the most grid-like units.
pub(crate) fn report_cell_types(
    rows: &[gridrnn::analysis::ScoreRow],
    t: &gridrnn::analysis::Thresholds,
    hexagonal: &str,
    percentile: f64,
) {
    let f = |v: f64| {
        if v.is_nan() {
            "-".to_string()
        } else {
            format!("{v:.3}")
        }
    };
    println!(
        "thresholds ({percentile}th percentile of the null; floors 0.3 hexagonal, 0.5 square, 0.5 band, {} ramp): hexagonal ({hexagonal}) {}, square {}, band {}, Fourier component {}, ramp {}, border {} (upper half within {} of the inradius from the walls), stability {}",
        gridrnn::analysis::RAMP_FLOOR,
        f(t.hexagonal),
        f(t.square),
        f(t.band),
        f(t.component),
        f(t.ramp),
        f(t.border),
        gridrnn::analysis::BORDER_DEPTH,
        f(t.stability)
    );
    let counts: Vec<String> = gridrnn::analysis::CellType::ALL
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c.name(),
                rows.iter().filter(|r| r.cell_type == *c).count()
            )
        })
        .collect();
    println!("cell types of {} units: {}", rows.len(), counts.join(", "));
    let fixed: Vec<String> = gridrnn::analysis::FIXED_LEVELS
        .iter()
        .map(|&l| rows.iter().filter(|r| r.hexagonal > l).count().to_string())
        .collect();
    println!(
        "{hexagonal} above the fixed levels 0.3 / 0.8 / 1.2: {}",
        fixed.join(" / ")
    );
    let mut best: Vec<_> = rows.iter().collect();
    best.sort_by(|a, b| {
        let key = |r: &gridrnn::analysis::ScoreRow| {
            if r.hexagonal.is_nan() {
                f64::NEG_INFINITY
            } else {
                r.hexagonal
            }
        };
        key(b).total_cmp(&key(a))
    });
    for r in best.iter().take(5) {
        let s = &r.spatial;
        println!(
            "  unit {:3}: {hexagonal} {}  square {}  lattice {}  spacing {} bins  border {}  ramp {}  band {}  type {}",
            r.unit,
            f(r.hexagonal),
            f(s.grid_score_square),
            s.lattice.lattice.name(),
            f(s.lattice.spacing),
            f(s.border_score),
            f(s.ramp_score),
            f(s.band_score),
            r.cell_type.name()
        );
    }
}

pub(crate) fn report_training(s: &RunSummary) {
    println!(
        "trained to iteration {} ({} iterations in {:.1} s, {:.2} it/s{})",
        s.iterations,
        s.iterations - s.started_at,
        s.wall_s,
        (s.iterations - s.started_at) as f64 / s.wall_s.max(1e-9),
        if s.rollbacks > 0 {
            format!(", {} divergence roll-backs", s.rollbacks)
        } else {
            String::new()
        }
    );
    println!(
        "training E over the last 10% of iterations: {:.5} (always-the-centre baseline {:.5}, ratio {:.3})",
        s.tail_e,
        s.tail_centre,
        s.tail_e / s.tail_centre
    );
}

/// The report stage with what `run` and `analyze` print about it.
pub(crate) fn analyze_and_print(run: &std::path::Path, o: &ReportOptions) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let (shuffles, percentile) = (o.analysis.shuffles, o.analysis.percentile);
    let development_asked = o.development.is_some();
    let r = analyze_and_report(run, o)?;
    let s = &r.analysis;
    println!(
        "recorded {} steps, scored every unit and {} time-shift shuffles each, drew {} figures in {:.1} s",
        s.steps,
        shuffles,
        r.figures.len(),
        t0.elapsed().as_secs_f64()
    );
    report_cell_types(&s.units, &s.thresholds, s.hexagonal_score, percentile);
    let show = |d: Option<gridrnn::analysis::MapDiversity>| d.map_or("-".into(), |d| d.to_string());
    let (grid, all) = s.map_diversity(gridrnn::analysis::CellType::Grid);
    println!(
        "maps differ? grid units: {}; all units: {}; held-out error {:.4} of the centre baseline",
        show(grid),
        show(all),
        r.held_out.mse_over_centre
    );
    if let Some(d) = &r.development {
        let part = |t: &gridrnn::analysis::TypeDevelopment| {
            format!(
                "{} {} (travel {}, emergence {})",
                t.cell_type,
                t.units,
                t.median_travel
                    .iter()
                    .map(|v| format!("{v:.3}"))
                    .collect::<Vec<_>>()
                    .join("/"),
                if t.median_emergence.is_finite() {
                    format!("{:.0}", t.median_emergence)
                } else {
                    "-".into()
                }
            )
        };
        println!(
            "development (Fig. 4, stages at iterations {:?}, {:.1} s): {}",
            d.stage_iterations,
            d.seconds,
            d.types
                .iter()
                .filter(|t| t.units > 0)
                .map(part)
                .collect::<Vec<_>>()
                .join("; ")
        );
        match (&d.test, &d.no_test) {
            (Some(t), _) => println!(
                "  border vs grid emergence: medians {:.0} vs {:.0}, one-sided Mann-Whitney p = {:.4}",
                t.border_median, t.grid_median, t.p_border_first
            ),
            (None, Some(why)) => println!("  no emergence test: {why}"),
            _ => {}
        }
    }
    if development_asked && r.development.is_none() {
        println!("development (Fig. 4): skipped, the run kept fewer than 3 checkpoints");
    }
    if let Some(l) = &r.long_run {
        println!(
            "long trials (Fig. 6, {} x {} steps, noise {}, {:.1} s): E {:.5} (best constant {:.5}), drift {:+.3} of E over the run; error growth {:.2e}/step without interactions, change {:+.2e} per interaction; rate maps first vs last {} steps: median r {:.3}",
            l.trials,
            l.steps,
            if l.noise { "on" } else { "off" },
            l.seconds,
            l.mean_error,
            l.constant_error,
            l.relative_drift,
            l.growth_per_step,
            l.change_per_interaction,
            l.map_steps,
            l.median_map_correlation
        );
    }
    println!(
        "files: {}/analysis/{{ratemaps.npy, ratemaps.json, tuning.npz, scores.csv, cell_types.json, development.json/.npz, long_run.json/.npz, figures/*.png}}",
        run.display()
    );
    println!("report: {}", r.html.display());
    Ok(())
}
