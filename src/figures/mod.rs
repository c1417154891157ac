//! The paper's figures as PNG, one function per figure, named after the paper's
//! figure, drawn with `plotters` from a [`FigureData`] that the report stage gathers from a
//! run. Heat maps use a perceptual colour map by default, the paper's jet as an option.

mod canvas;
mod colormap;
mod fig1c_paths;
mod fig2_best_units;
mod fig3_example_units;
mod fig4_development;
mod fig5_rate_maps;
mod fig6_error_correction;
mod occupancy;
mod selectivity;
mod training_curves;
mod tuning_sheets;

pub(crate) use canvas::{render, text};
pub use colormap::Colormap;
pub use fig1c_paths::fig1c_paths;
pub use fig2_best_units::fig2_best_units;
pub use fig3_example_units::fig3_example_units;
pub use fig4_development::fig4_development;
pub use fig5_rate_maps::{fig5_rate_maps, sheet_order};
pub use fig6_error_correction::fig6_error_correction;
pub use occupancy::occupancy_and_trajectories;
pub use selectivity::appendix_d_selectivity;
pub use training_curves::training_curves;
pub use tuning_sheets::{appendix_direction_tuning, appendix_speed_tuning};

use crate::analysis::{AnalysisSummary, CellType, Development, LongRun, ScoreRow};
use crate::task::Trajectories;

/// One `train_log.csv` row's terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogRow {
    /// Iteration.
    pub iteration: f64,
    /// E on eq. 3's scale (eq. 3; the decoded position's for a place-cell readout).
    pub e: f64,
    /// R_L2 (eq. 4).
    pub r_l2: f64,
    /// R_FR (eq. 5).
    pub r_fr: f64,
    /// lambda_L2.
    pub lambda_l2: f64,
    /// lambda_FR.
    pub lambda_fr: f64,
}

/// One trial's true path and the network's output (Fig. 1c).
#[derive(Clone, Debug, PartialEq)]
pub struct PathSample {
    /// Positions after each step.
    pub truth: Vec<[f64; 2]>,
    /// y_t of eq. 2.
    pub output: Vec<[f64; 2]>,
}

/// Everything the figures draw: the analysis of the run and what it does not hold.
#[derive(Clone, Debug)]
pub struct FigureData<'a> {
    /// The run's analysis: maps, tuning, occupancy, scores and types.
    pub analysis: &'a AnalysisSummary,
    /// The arena's outline (closed polygon; a circle as many vertices).
    pub outline: Vec<[f64; 2]>,
    /// The training log.
    pub log: Vec<LogRow>,
    /// E of always answering the centre on held-out trials.
    pub centre_baseline: f64,
    /// Held-out trials: true paths and outputs.
    pub paths: Vec<PathSample>,
    /// A few trajectories with their boundary interactions.
    pub trajectories: Trajectories,
    /// The long trials of Fig. 6, where they were run.
    pub long_run: Option<&'a LongRun>,
    /// The development over training of Fig. 4, where the run has the checkpoints.
    pub development: Option<&'a Development>,
}

impl FigureData<'_> {
    /// Units.
    pub fn units(&self) -> usize {
        self.analysis.units.len()
    }

    /// Unit `j`'s rate map.
    pub fn map(&self, j: usize) -> &[f64] {
        let k = self.analysis.bins.nx * self.analysis.bins.ny;
        &self.analysis.maps[j * k..(j + 1) * k]
    }

    /// Unit `j`'s direction tuning.
    pub fn direction(&self, j: usize) -> &[f64] {
        let d = self.analysis.direction_centres.len();
        &self.analysis.direction_tuning[j * d..(j + 1) * d]
    }

    /// Unit `j`'s speed tuning (moving bins).
    pub fn speed(&self, j: usize) -> &[f64] {
        let s = self.analysis.speed_centres.len();
        &self.analysis.speed_tuning[j * s..(j + 1) * s]
    }
}

/// The types in the order the figures show them.
pub const TYPE_ORDER: [CellType; 7] = [
    CellType::Grid,
    CellType::Band,
    CellType::Border,
    CellType::Ramp,
    CellType::Irregular,
    CellType::NonSpatial,
    CellType::Unclassified,
];

/// The score a type's units are ranked by (higher first).
pub fn type_score(row: &ScoreRow, t: CellType) -> f64 {
    let s = &row.spatial;
    let v = match t {
        CellType::Grid => row.hexagonal,
        CellType::Band => s.band_score,
        CellType::Border => s.border_score,
        CellType::Ramp => s.ramp_score,
        CellType::Irregular | CellType::NonSpatial | CellType::Unclassified => {
            row.map.map_or(s.sparseness, |m| m.stability)
        }
    };
    if v.is_nan() { f64::NEG_INFINITY } else { v }
}

/// The colour of each type in scatters and labels.
pub fn type_color(t: CellType) -> plotters::style::RGBColor {
    use plotters::style::RGBColor;
    match t {
        CellType::Grid => RGBColor(214, 39, 40),
        CellType::Band => RGBColor(255, 127, 14),
        CellType::Border => RGBColor(31, 119, 180),
        CellType::Ramp => RGBColor(140, 86, 75),
        CellType::Irregular => RGBColor(44, 160, 44),
        CellType::NonSpatial => RGBColor(127, 127, 127),
        CellType::Unclassified => RGBColor(148, 103, 189),
    }
}

/// One rendered figure.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem, e.g. `fig2_best_units`.
    pub name: &'static str,
    /// Title in the report.
    pub title: &'static str,
    /// What it shows.
    pub caption: String,
    /// PNG bytes.
    pub png: Vec<u8>,
}

/// Every figure of a run.
pub fn all_figures(d: &FigureData, cmap: Colormap) -> anyhow::Result<Vec<Figure>> {
    let fig = |name, title, caption: &str, png| Figure {
        name,
        title,
        caption: caption.to_string(),
        png,
    };
    let mut figures = vec![
        fig(
            "training_curves",
            "Training",
            "E (eq. 3), R_L2 (eq. 4), R_FR (eq. 5) and their weights over iterations; the dashed line is E of always answering the arena's centre on held-out trials.",
            training_curves(d)?,
        ),
        fig(
            "fig1c_paths",
            "Fig. 1c: path integration",
            "True paths (black) and the network's output y_t (red) on held-out trials, noise off; the dot marks the start.",
            fig1c_paths(d)?,
        ),
        fig(
            "fig2_best_units",
            "Fig. 2: the best unit of each type",
            "Rate map (top) and autocorrelogram (bottom) of the best grid, band, border, ramp and irregular unit (a ramp: activity rising across the arena, which Solstad's border score also rates high; a border cell: a band along a wall). Where no unit has a type, the unit with the best score for it is shown and marked \"not typed\".",
            fig2_best_units(d, cmap)?,
        ),
        fig(
            "fig3_example_units",
            "Fig. 3: spatial, direction and speed tuning",
            "For the best units of each type present: rate map, direction tuning (mean activity per heading bin) and speed tuning (mean activity per speed bin, moving steps).",
            fig3_example_units(d, cmap)?,
        ),
        fig(
            "fig5_rate_maps",
            "Fig. 5 / appendix A: every unit's rate map",
            "All units sorted by type (grid, band, border, ramp, irregular, non-spatial) and, within a type, by its score; each map scaled from its own minimum to maximum. Above 256 units, the best units of each type: its share of 256 by its count, at least 16 (or all) of it.",
            fig5_rate_maps(d, cmap)?,
        ),
        fig(
            "appendix_b_direction_tuning",
            "Appendix B: every unit's direction tuning",
            "Mean activity against heading (0-360 degrees), units in the order of Fig. 5.",
            appendix_direction_tuning(d)?,
        ),
        fig(
            "appendix_c_speed_tuning",
            "Appendix C: every unit's speed tuning",
            "Mean activity against s x speed over moving steps, units in the order of Fig. 5.",
            appendix_speed_tuning(d)?,
        ),
        fig(
            "appendix_d_selectivity",
            "Appendix D: selectivity",
            "Speed selectivity (|slope| of the speed tuning), direction selectivity (max - min of the direction tuning) and spatial selectivity (lifetime sparseness), one dot per unit, coloured by type.",
            appendix_d_selectivity(d)?,
        ),
        fig(
            "occupancy",
            "Occupancy and trajectories",
            "Steps per bin over the evaluation trajectories (left) and example training trajectories with their boundary interactions (red dots: the heading was resampled at a wall).",
            occupancy_and_trajectories(d, cmap)?,
        ),
    ];
    if let Some(dev) = d.development {
        let its = dev.stage_iterations();
        figures.push(fig(
            "fig4_development",
            "Fig. 4: development over training",
            &format!(
                "Every unit at iterations {its:?} embedded together by t-SNE (exact, perplexity 30 or less, on the firing-rate correlation distance 1 - r over a fixed evaluation set), coloured by stage (light: early, dark: late). Red lines follow the best units that end as border cells (a) and as grid cells (b; where none does, the best hexagonal scorers); beside, their rate maps at each stage."
            ),
            fig4_development(d, dev, cmap)?,
        ));
    }
    if let Some(r) = d.long_run {
        figures.push(fig(
            "fig6_error_correction",
            "Fig. 6: error correction at the boundary, and stability",
            &format!(
                "{} trials of {} steps with noise as in training. a) Mean squared error from 50 steps before to 50 after a boundary interaction preceded by none for 50 steps, grouped by the further interactions in the next 50 steps (groups with fewer than 20 events left out); blue: windows of 101 steps without any interaction, aligned at their centre. b) The error averaged over windows of {} steps, mean and sd over trials, against the best constant output (the mean position).",
                r.window_error.len(),
                r.options.steps,
                r.options.window
            ),
            fig6_error_correction(r)?,
        ));
    }
    Ok(figures)
}
