//! Fig. 2: the best grid, band, border, ramp and irregular units, each with its
//! autocorrelogram (the paper's three types, and the ramps a Cartesian readout grows).

use super::canvas::{heatmap, render};
use super::colormap::Colormap;
use super::{FigureData, type_score};
use crate::analysis::{CellType, classification_autocorrelogram, shifted};

/// The best unit of type `t`: the highest-scoring unit typed `t`, or (flagged false) the
/// highest-scoring unit of all for `t`'s score when none is typed `t`.
pub fn best_unit(d: &FigureData, t: CellType) -> Option<(usize, bool)> {
    let best = |typed: bool| {
        (0..d.units())
            .filter(|&j| !typed || d.analysis.units[j].cell_type == t)
            .max_by(|&a, &b| {
                type_score(&d.analysis.units[a], t).total_cmp(&type_score(&d.analysis.units[b], t))
            })
    };
    best(true)
        .map(|j| (j, true))
        .or_else(|| best(false).map(|j| (j, false)))
}

/// Five columns (grid, band, border, ramp, irregular), map above autocorrelogram.
pub fn fig2_best_units(d: &FigureData, cmap: Colormap) -> anyhow::Result<Vec<u8>> {
    let types = [
        CellType::Grid,
        CellType::Band,
        CellType::Border,
        CellType::Ramp,
        CellType::Irregular,
    ];
    let (h, w) = (d.analysis.bins.ny, d.analysis.bins.nx);
    let n = types.len();
    render(220 * n as u32, 470, |root| {
        let cols = root.split_evenly((2, n));
        for (c, &t) in types.iter().enumerate() {
            let Some((j, typed)) = best_unit(d, t) else {
                continue;
            };
            let score = type_score(&d.analysis.units[j], t);
            let title = format!(
                "{}: unit {j}, {:.2}{}",
                t.name(),
                score,
                if typed { "" } else { " (not typed)" }
            );
            heatmap(&cols[c], d.map(j), h, w, cmap, &title)?;
            // A flat map has no autocorrelogram: its panel stays empty.
            if let Some(m) = shifted(d.map(j)) {
                let a = classification_autocorrelogram(&m, &d.analysis.layout);
                heatmap(&cols[n + c], &a.values, a.h, a.w, cmap, "autocorrelogram")?;
            }
        }
        Ok(())
    })
}
