//! `paper.html`: one self-contained page laid out like the paper: the claims table
//! first, then Fig. 1 to 6 and appendices A to D, each figure drawn from the runs of the study
//! that illustrates it and placed next to the paper's words and the verdicts of its claims.

use std::path::Path;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::claims::{Judgement, Verdict, mean};
use super::measure::RunData;
use super::plan::{CARTESIAN, Plan};
use crate::analysis::CellType;
use crate::report::{STYLE, png_data_uri};

/// One panel: a figure file of the first-seed run of a study (in an arena).
struct Panel {
    study: &'static str,
    arena: Option<&'static str>,
    figure: &'static str,
    label: &'static str,
}

/// One section of the page.
struct Section {
    /// Its anchor in the page.
    anchor: &'static str,
    title: &'static str,
    /// The paper's words.
    paper: &'static str,
    panels: &'static [Panel],
    /// The claims it illustrates.
    claims: &'static [&'static str],
}

const fn panel(
    study: &'static str,
    arena: Option<&'static str>,
    figure: &'static str,
    label: &'static str,
) -> Panel {
    Panel {
        study,
        arena,
        figure,
        label,
    }
}

const SECTIONS: &[Section] = &[
    Section {
        anchor: "fig1a",
        title: "Fig. 1a: grid cells in rats",
        paper: "Recordings replotted from Hafting et al. (2005) and others.",
        panels: &[],
        claims: &["fig1a"],
    },
    Section {
        anchor: "fig1c",
        title: "Fig. 1c: the network's estimate of position",
        paper: "The RNN receives speed and direction and reports the animal's position.",
        panels: &[panel("arenas", Some("square"), "fig1c_paths", "square")],
        claims: &[],
    },
    Section {
        anchor: "fig2",
        title: "Fig. 2: spatial responses in the three arenas",
        paper: "Grid-like, band-like and border responses; square arenas tend to give \
                rectangular grids, hexagonal and triangular ones grids closer to triangular.",
        panels: &[
            panel("arenas", Some("square"), "fig2_best_units", "square"),
            panel("arenas", Some("triangle"), "fig2_best_units", "triangle"),
            panel("arenas", Some("hexagon"), "fig2_best_units", "hexagon"),
        ],
        claims: &[
            "grid_units_emerge",
            "square_lattices",
            "triangular_lattices",
            "border_units_emerge",
            "border_one_wall",
            "band_units_emerge",
            "bands_parallel",
        ],
    },
    Section {
        anchor: "fig3",
        title: "Fig. 3: direction and speed tuning (triangular arena)",
        paper: "The most direction-tuned units are spatially weak and irregular; border cells \
                show almost no speed tuning.",
        panels: &[panel(
            "arenas",
            Some("triangle"),
            "fig3_example_units",
            "triangle",
        )],
        claims: &["border_no_speed_tuning", "direction_units_irregular"],
    },
    Section {
        anchor: "fig4",
        title: "Fig. 4: development over training",
        paper: "Border cells emerge first; grid-like cells change substantially during training \
                before settling.",
        panels: &[panel(
            "arenas",
            Some("square"),
            "fig4_development",
            "square",
        )],
        claims: &["border_before_grid"],
    },
    Section {
        anchor: "fig5",
        title: "Fig. 5: with and without the metabolic cost",
        paper: "Grid-like representations did not emerge without the metabolic cost.",
        panels: &[
            panel("arenas", Some("square"), "fig5_rate_maps", "with (square)"),
            panel("no_metabolic", None, "fig5_rate_maps", "without (square)"),
        ],
        claims: &["no_grids_without_metabolic"],
    },
    Section {
        anchor: "fig6",
        title: "Fig. 6: error correction at the boundary",
        paper: "The error is corrected at the boundary and stays stable over runs four orders \
                of magnitude longer than training trials; rate maps stay stable.",
        panels: &[panel(
            "arenas",
            Some("square"),
            "fig6_error_correction",
            "square",
        )],
        claims: &[
            "error_stable",
            "boundary_corrects_error",
            "rate_maps_stable",
        ],
    },
    Section {
        anchor: "appendix-a",
        title: "Appendix A: the role of noise",
        paper: "Grid-like units need noise in the units; its level and the way speed is zeroed \
                are not crucial.",
        panels: &[
            panel("no_noise", None, "fig5_rate_maps", "no noise"),
            panel(
                "no_regularisation",
                None,
                "fig5_rate_maps",
                "neither noise nor metabolic cost",
            ),
        ],
        claims: &[
            "no_grids_without_noise",
            "no_grids_without_regularisation",
            "noise_level_not_crucial",
            "speed_zeroing_not_crucial",
        ],
    },
    Section {
        anchor: "appendix-b",
        title: "Appendix B: direction tuning of every unit",
        paper: "A substantial portion of the units are direction tuned.",
        panels: &[panel(
            "arenas",
            Some("square"),
            "appendix_b_direction_tuning",
            "square",
        )],
        claims: &[],
    },
    Section {
        anchor: "appendix-c",
        title: "Appendix C: speed tuning of every unit",
        paper: "Many units respond linearly to speed.",
        panels: &[panel(
            "arenas",
            Some("square"),
            "appendix_c_speed_tuning",
            "square",
        )],
        claims: &[],
    },
    Section {
        anchor: "appendix-d",
        title: "Appendix D: spatial, direction and speed selectivity",
        paper: "The relation between the tuning properties at the population level.",
        panels: &[panel(
            "arenas",
            Some("square"),
            "appendix_d_selectivity",
            "square",
        )],
        claims: &[],
    },
    Section {
        anchor: "insensitivity",
        title: "Sections 2.2, 2.3 and 3.1.1: what should not matter, and larger networks",
        paper: "Results are insensitive to the W_rec initialisation and to the start location; \
                a larger network might reveal finer grids.",
        panels: &[panel(
            "larger_network",
            None,
            "fig2_best_units",
            "the larger network (square)",
        )],
        claims: &[
            "init_insensitive",
            "start_insensitive",
            "larger_networks_finer_grids",
        ],
    },
];

fn verdict_colour(v: &Verdict) -> &'static str {
    match v {
        Verdict::Holds => "#d8f0d8",
        Verdict::DoesNotHold => "#f6d5d5",
        Verdict::Inconclusive(_) => "#f6ecc8",
        Verdict::NotReproducible(_) | Verdict::NotStudied(_) => "#e8e8e8",
    }
}

/// A figure as a data URI, with the directory of the run it comes from.
type Shown = Option<(String, String)>;

/// The first-seed run of `study` of `readout` (in `arena`).
fn first_run<'a>(
    runs: &'a [RunData],
    readout: &str,
    study: &str,
    arena: Option<&str>,
) -> Option<&'a RunData> {
    runs.iter()
        .filter(|r| r.readout == readout && r.study == study && arena.is_none_or(|a| r.arena == a))
        .min_by_key(|r| r.seed)
}

/// A figure of the first-seed run of `study` of `readout` (in `arena`), as a data URI with
/// the run's directory under `out`; None where no such run has it yet.
fn figure(
    runs: &[RunData],
    out: &Path,
    readout: &str,
    study: &str,
    arena: Option<&str>,
    name: &str,
) -> Shown {
    let r = first_run(runs, readout, study, arena)?;
    let file = r
        .dir
        .join("analysis")
        .join("figures")
        .join(format!("{name}.png"));
    let png = std::fs::read(&file).ok()?;
    let shown = r.dir.strip_prefix(out).unwrap_or(&r.dir);
    Some((png_data_uri(&png), shown.display().to_string()))
}

/// One readout's runs of the main study (`arenas`) in the square, summarised: runs, mean
/// held-out E / baseline, and each cell type's mean count per 100 units.
fn readout_summary(runs: &[RunData], readout: &str) -> Option<(usize, f64, Vec<f64>)> {
    let rs: Vec<&RunData> = runs
        .iter()
        .filter(|r| r.readout == readout && r.study == "arenas" && r.arena == "square")
        .collect();
    if rs.is_empty() {
        return None;
    }
    let over = |f: &dyn Fn(&RunData) -> f64| mean(&rs.iter().map(|r| f(r)).collect::<Vec<_>>());
    let types = CellType::ALL[..5]
        .iter()
        .map(|t| over(&|r| r.per_100(*t)))
        .collect();
    Some((rs.len(), over(&|r| r.e_ratio()), types))
}

/// The readouts' verdicts of one claim, in the plan's order (None where the readout does not
/// judge it).
fn verdicts_of<'a>(
    plan: &Plan,
    judgements: &'a [Judgement],
    id: &str,
) -> Vec<Option<&'a Judgement>> {
    plan.readouts
        .iter()
        .map(|(r, _)| judgements.iter().find(|j| j.id == id && &j.readout == r))
        .collect()
}

/// The page, from the judgements and the runs' files under `out` (a figure that cannot be
/// read is shown as missing).
pub fn paper_html(plan: &Plan, judgements: &[Judgement], runs: &[RunData], out: &Path) -> String {
    let readouts: Vec<&str> = plan.readouts.iter().map(|(r, _)| r.as_str()).collect();
    // Per section, per panel, per readout.
    let figures: Vec<Vec<Vec<Shown>>> = SECTIONS
        .iter()
        .map(|s| {
            s.panels
                .iter()
                .map(|p| {
                    readouts
                        .iter()
                        .map(|r| figure(runs, out, r, p.study, p.arena, p.figure))
                        .collect()
                })
                .collect()
        })
        .collect();
    let mut ids: Vec<&str> = Vec::new();
    for j in judgements {
        if !ids.contains(&j.id.as_str()) {
            ids.push(&j.id);
        }
    }
    let counts = |verdict: &str| {
        judgements
            .iter()
            .filter(|j| j.verdict.label() == verdict)
            .count()
    };
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "gridrnn reproduce: Cueva & Wei (ICLR 2018)" }
                style { (PreEscaped(STYLE)) "td.l{text-align:left}.panels{display:flex;gap:8px;flex-wrap:wrap}.panels figure{flex:1;min-width:300px;margin:0.5em 0}" }
            }
            body {
                h1 { "Cueva & Wei (ICLR 2018), claim by claim" }
                p { "Emergence of grid-like representations by training recurrent neural networks to perform spatial localization. "
                    "Reproduced by gridrnn " (env!("CARGO_PKG_VERSION")) " at the `" (plan.budget.name()) "` budget: "
                    (runs.len()) " analyzed runs of " (plan.runs()) " planned in " (plan.studies.len()) " studies, under "
                    (readouts.len()) " readout" @if readouts.len() != 1 { "s" } " (" (readouts.join(", ")) "). "
                    "Verdicts: " (counts("holds")) " hold, " (counts("does not hold")) " do not hold, "
                    (counts("inconclusive")) " inconclusive, " (counts("not reproducible")) " not reproducible, "
                    (counts("not studied")) " not studied. "
                    "The rules are in claims.toml, the runs in studies.toml (both copied beside this page); "
                    "cell types are those of the time-shift null, ramps and border cells told apart (docs/analysis.md). "
                    "Each readout trains its own studies at its own budget; a claim is judged under each readout by the same rule." }
                h2 { "Readouts side by side" }
                table {
                    tr { th { "readout" } th { "square runs of arenas" } th { "held-out E / baseline" }
                         @for t in &CellType::ALL[..5] { th { (t.name()) " per 100" } } }
                    @for (r, about) in &plan.readouts {
                        tr {
                            td.l { b { (r) } br; (about) }
                            @match readout_summary(runs, r) {
                                Some((n, e, types)) => {
                                    td { (n) } td { (format!("{e:.4}")) }
                                    @for v in &types { td { (format!("{v:.1}")) } }
                                }
                                None => { td colspan="7" { "no analyzed run yet" } }
                            }
                        }
                    }
                }
                div.panels {
                    @for r in &readouts {
                        figure {
                            @match figure(runs, out, r, "arenas", Some("square"), "fig2_best_units") {
                                Some((uri, run)) => {
                                    img alt=(r) src=(uri);
                                    figcaption { (r) ": the best unit of each type with its autocorrelogram, " (run) }
                                }
                                None => { figcaption { (r) ": no analyzed square run of `arenas` yet" } }
                            }
                        }
                    }
                }
                h2 { "Claims" }
                table {
                    tr { th { "claim" } th { "paper" } @for r in &readouts { th { (r) } } }
                    @for id in &ids {
                        @let js = verdicts_of(plan, judgements, id);
                        @let first = js.iter().flatten().next();
                        tr {
                            td.l { (first.map_or("", |j| j.claim.as_str())) }
                            td.l { (first.map_or("", |j| j.section.as_str())) }
                            @for j in &js {
                                @match j {
                                    Some(j) => {
                                        td.l style={ "background:" (verdict_colour(&j.verdict)) } title=(j.measurement) {
                                            b { (j.verdict.label()) }
                                            @if !j.result.is_empty() { br; (j.result) }
                                            @if !j.verdict.reason().is_empty() { br; (j.verdict.reason()) }
                                        }
                                    }
                                    None => { td {} }
                                }
                            }
                        }
                    }
                }
                p { "Each verdict cell's rule is shown on hover and in claims.csv (column `measurement`)." }
                @for (s, row) in SECTIONS.iter().zip(&figures) {
                    h2 id=(s.anchor) { (s.title) }
                    p { i { "The paper: " } (s.paper) }
                    @if !s.claims.is_empty() {
                        ul {
                            @for id in s.claims {
                                @for j in verdicts_of(plan, judgements, id).into_iter().flatten() {
                                    li { (j.claim) " (" (j.readout) "): " b { (j.verdict.label()) } @if !j.result.is_empty() { " (" (j.result) ")" } }
                                }
                            }
                        }
                    }
                    @if !s.panels.is_empty() {
                        div.panels {
                            @for (p, per_readout) in s.panels.iter().zip(row) {
                                @for (r, f) in readouts.iter().zip(per_readout) {
                                    @if f.is_some() || *r == CARTESIAN {
                                        figure {
                                            @match f {
                                                Some((uri, run)) => {
                                                    img alt=(p.label) src=(uri);
                                                    figcaption { (p.label) ", " (r) ": " (run) }
                                                }
                                                None => { figcaption { (p.label) ", " (r) ": no analyzed run of `" (p.study) "` has this figure yet" } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { "Every run" }
                table {
                    tr { th { "readout" } th { "study" } th { "run" } th { "arena" } th { "seed" } th { "updates" } th { "held-out E / baseline" }
                         @for t in &CellType::ALL[..5] { th { (t.name()) } } }
                    @for r in runs {
                        tr {
                            td.l { (r.readout) } td.l { (r.study) } td.l { (r.row.run) } td { (r.arena) } td { (r.seed) }
                            td { (format!("{:.0}", r.row.iterations)) } td { (format!("{:.4}", r.e_ratio())) }
                            @for t in &CellType::ALL[..5] { td { (r.count(*t)) } }
                        }
                    }
                }
                h2 { "Studies" }
                ul { @for s in &plan.studies { li { b { (s.label()) } ": " (s.about) " (" (s.sweep.points.len()) " runs)" } } }
            }
        }
    };
    page.into_string()
}
