//! `report.html`: one self-contained page per run (images embedded as data URIs, no
//! scripts, no server): config, training summary, cell-type counts, the figures and the top
//! units' scores, rendered with `maud`.

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::run_log::TrainingSummary;
use crate::analysis::{
    AnalysisSummary, BORDER_DEPTH, CellType, DevelopmentSummary, FIXED_LEVELS, GROUP_LABELS,
    LongRunSummary,
};
use crate::evaluate::Evaluation;
use crate::figures::Figure;

/// What the page shows.
pub struct ReportPage<'a> {
    /// The run's directory name.
    pub run: &'a str,
    /// config.toml as written by the run.
    pub config_toml: &'a str,
    /// From train_log.csv.
    pub training: &'a TrainingSummary,
    /// Held-out evaluation, noise off.
    pub held_out: &'a Evaluation,
    /// The analysis.
    pub analysis: &'a AnalysisSummary,
    /// The figures, in order.
    pub figures: &'a [Figure],
    /// Fig. 6's numbers, where the long trials ran.
    pub long_run: Option<&'a LongRunSummary>,
    /// Fig. 4's numbers, where the run had the checkpoints.
    pub development: Option<&'a DevelopmentSummary>,
}

/// The pages' shared style sheet.
pub(crate) const STYLE: &str = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th{background:#f3f3f3}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}\
pre{background:#f7f7f7;padding:0.8em;overflow-x:auto;font-size:12px}figcaption{color:#555;font-size:14px}";

/// A PNG embedded in the page (the pages are self-contained).
pub(crate) fn png_data_uri(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

fn num(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "NaN".into()
    }
}

/// The page.
pub fn report_html(p: &ReportPage) -> String {
    let a = p.analysis;
    let t = &a.thresholds;
    let mut top: Vec<usize> = (0..a.units.len()).collect();
    top.sort_by(|&x, &y| {
        let key = |j: usize| {
            let v = a.units[j].hexagonal;
            if v.is_nan() { f64::NEG_INFINITY } else { v }
        };
        key(y).total_cmp(&key(x))
    });
    let (grid_div, all_div) = a.map_diversity(CellType::Grid);
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "gridrnn report: " (p.run) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "gridrnn report: " (p.run) }
                h2 { "Training" }
                table {
                    tr { th { "last iteration" } td { (num(p.training.iterations, 0)) } }
                    tr { th { "wall time" } td { (num(p.training.wall_s, 1)) " s" } }
                    tr { th { "training E, last 10% of iterations" } td { (num(p.training.tail_e, 5)) } }
                    tr { th { "held-out E of the decoded position (" (p.held_out.trials) " trials, noise off)" } td { (num(p.held_out.mse, 5)) } }
                    tr { th { "always-the-centre baseline" } td { (num(p.held_out.centre_mse, 5)) } }
                    tr { th { "E / baseline" } td { (num(p.held_out.mse_over_centre, 4)) } }
                    tr { th { "always-the-start-point baseline (integrating no velocity)" } td { (num(p.held_out.start_mse, 5)) } }
                }
                h2 { "Cell types" }
                p { (a.units.len()) " units, " (a.steps) " evaluation steps; thresholds from the 99th percentile of the time-shift null ("
                    "hexagonal " (a.hexagonal_score) " " (num(t.hexagonal, 3))
                    ", square " (num(t.square, 3)) ", band " (num(t.band, 3))
                    ", ramp " (num(t.ramp, 3)) ", border " (num(t.border, 3)) " with the map's upper half within "
                    (BORDER_DEPTH) " of the inradius from the walls, stability " (num(t.stability, 3)) ")."
                    " A ramp rises across the arena (a monotone function of a plane explains its map); a border cell fires in a band along a wall." }
                table {
                    tr { @for c in CellType::ALL { th { (c.name()) } } }
                    tr { @for c in CellType::ALL { td { (a.units.iter().filter(|r| r.cell_type == c).count()) } } }
                }
                p { "Do the maps differ? A count of grid units is no evidence when their maps are one shared map. "
                    "Over the bins all maps visit: median |r| between maps, the participation ratio of their correlation matrix "
                    "(1 = one shared map, the number of maps = uncorrelated maps) and the first principal component's share." }
                table {
                    tr { th { "units" } th { "maps" } th { "median |r|" } th { "participation ratio" } th { "first PC" } }
                    @for (name, d) in [("grid", grid_div), ("all", all_div)] {
                        tr { td { (name) }
                            @if let Some(d) = d {
                                td { (d.units) } td { (num(d.median_abs_r, 3)) } td { (num(d.participation_ratio, 1)) }
                                td { (num(100.0 * d.first_pc_fraction, 0)) " %" }
                            } @else { td { "-" } td { "-" } td { "-" } td { "-" } }
                        }
                    }
                }
                p { (a.hexagonal_score) " above the fixed levels "
                    @for (k, l) in FIXED_LEVELS.iter().enumerate() {
                        @if k > 0 { " / " } (l)
                    }
                    ": "
                    @for (k, l) in FIXED_LEVELS.iter().enumerate() {
                        @if k > 0 { " / " } (a.units.iter().filter(|r| r.hexagonal > *l).count())
                    }
                }
                @if let Some(d) = p.development {
                    h2 { "Development over training (Fig. 4)" }
                    p { "Stages at iterations " (format!("{:?}", d.stage_iterations)) " of the checkpoints "
                        (format!("{:?}", d.checkpoints)) "; every unit scored at every checkpoint, "
                        (num(d.seconds, 1)) " s. Travel: 1 - r between a unit's firing-rate time courses at consecutive stages. "
                        "Emergence: the first checkpoint at which the unit's final type's score is above the threshold." }
                    table {
                        tr { th { "final type" } th { "units" } th { "median travel between stages" } th { "median emergence iteration" } }
                        @for t in &d.types {
                            tr {
                                td { (t.cell_type) } td { (t.units) }
                                td { @for (k, v) in t.median_travel.iter().enumerate() { @if k > 0 { ", " } (num(*v, 3)) } }
                                td { (num(t.median_emergence, 0)) }
                            }
                        }
                    }
                    @if let Some(t) = &d.test {
                        p { "Border against grid emergence (one-sided Mann-Whitney U over units): "
                            (t.border_units) " border units, median " (num(t.border_median, 0)) "; "
                            (t.grid_units) " grid units, median " (num(t.grid_median, 0))
                            "; U = " (num(t.u, 1)) ", p(border first) = " (num(t.p_border_first, 4)) "." }
                    }
                    @if let Some(why) = &d.no_test {
                        p { "No emergence test: " (why) "." }
                    }
                }
                @if let Some(l) = p.long_run {
                    h2 { "Error correction and stability (Fig. 6)" }
                    p { (l.trials) " trials of " (l.steps) " steps, noise " (if l.noise { "on" } else { "off" })
                        ", " (num(l.seconds, 1)) " s; " (num(100.0 * l.interaction_rate, 2)) " % of steps are boundary interactions." }
                    table {
                        tr { th { "mean squared error" } td { (num(l.mean_error, 5)) } }
                        tr { th { "best constant output (the mean position)" } td { (num(l.constant_error, 5)) } }
                        tr { th { "error growth per step without interactions (" (l.free_windows) " windows of 101 steps)" } td { (num(l.growth_per_step, 7)) } }
                        tr { th { "error change per interaction (least squares over events, 50 steps after)" } td { (num(l.change_per_interaction, 6)) } }
                        tr { th { "drift of the windowed error, per 10^5 steps" } td { (num(l.drift_per_1e5_steps, 6)) } }
                        tr { th { "drift over the whole run / mean error" } td { (num(l.relative_drift, 3)) } }
                        tr { th { "median correlation of the rate maps, first vs last " (l.map_steps) " steps" } td { (num(l.median_map_correlation, 3)) } }
                    }
                    table {
                        tr { th { "further interactions in the 50 steps after" } @for g in GROUP_LABELS { th { (g) } } }
                        tr { th { "events" } @for e in l.events { td { (e) } } }
                        tr { th { "mean error change, [t0-5, t0-1] to [t0+46, t0+50]" } @for c in l.change_by_group { td { (num(c, 6)) } } }
                    }
                }
                h2 { "Figures" }
                @for f in p.figures {
                    figure id=(f.name) {
                        h3 { (f.title) }
                        img alt=(f.title) src=(png_data_uri(&f.png));
                        figcaption { (f.caption) }
                    }
                }
                h2 { "Top units by " (a.hexagonal_score) }
                table {
                    tr { th { "unit" } th { "type" } th { "grid_score" } th { "square" } th { "masked" } th { "lattice" } th { "spacing (bins)" } th { "border" } th { "ramp" } th { "band" } th { "stability" } }
                    @for &j in top.iter().take(10) {
                        @let r = &a.units[j];
                        @let s = &r.spatial;
                        tr {
                            td { (r.unit) } td { (r.cell_type.name()) }
                            td { (num(s.grid_score, 3)) } td { (num(s.grid_score_square, 3)) }
                            td { (num(s.grid_score_masked, 3)) } td { (s.lattice.lattice.name()) }
                            td { (num(s.lattice.spacing, 2)) } td { (num(s.border_score, 3)) } td { (num(s.ramp_score, 3)) }
                            td { (num(s.band_score, 3)) } td { (num(r.map.map_or(f64::NAN, |m| m.stability), 3)) }
                        }
                    }
                }
                h2 { "Config" }
                pre { (p.config_toml) }
            }
        }
    };
    page.into_string()
}
