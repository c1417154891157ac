//! Fig. 5 and appendix A: every unit's rate map on one sheet, sorted by type and score.

use super::canvas::{heatmap, render};
use super::colormap::Colormap;
use super::{FigureData, TYPE_ORDER, type_score};

/// Units by type (in [`TYPE_ORDER`]) and, within a type, by its score, best first; the
/// order of every sheet.
pub fn sheet_order(d: &FigureData) -> Vec<usize> {
    let rank = |j: usize| {
        TYPE_ORDER
            .iter()
            .position(|&t| t == d.analysis.units[j].cell_type)
            .unwrap_or(TYPE_ORDER.len())
    };
    let mut order: Vec<usize> = (0..d.units()).collect();
    order.sort_by(|&a, &b| {
        rank(a).cmp(&rank(b)).then(
            type_score(&d.analysis.units[b], d.analysis.units[b].cell_type).total_cmp(&type_score(
                &d.analysis.units[a],
                d.analysis.units[a].cell_type,
            )),
        )
    });
    order
}

/// Columns of a sheet of `n` panels.
pub(crate) fn sheet_columns(n: usize) -> usize {
    (n as f64).sqrt().ceil().max(1.0) as usize
}

/// All maps, 10 per row for 100 units.
pub fn fig5_rate_maps(d: &FigureData, cmap: Colormap) -> anyhow::Result<Vec<u8>> {
    let order = sheet_order(d);
    let cols = sheet_columns(order.len());
    let rows = order.len().div_ceil(cols).max(1);
    let (h, w) = (d.analysis.bins.ny, d.analysis.bins.nx);
    render((cols * 96) as u32, (rows * 106) as u32, |root| {
        for (area, &j) in root.split_evenly((rows, cols)).iter().zip(&order) {
            let t = d.analysis.units[j].cell_type.name();
            heatmap(area, d.map(j), h, w, cmap, &format!("{j} {t}"))?;
        }
        Ok(())
    })
}
