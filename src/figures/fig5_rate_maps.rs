//! Fig. 5 and appendix A: every unit's rate map on one sheet, sorted by type and score; above
//! [`SHEET_PANELS`] units, the best units of each type (thousands of panels show nothing).

use super::canvas::{heatmap, render};
use super::colormap::Colormap;
use super::{FigureData, TYPE_ORDER, type_score};
use crate::analysis::CellType;

/// The most panels a sheet shows.
pub const SHEET_PANELS: usize = 256;
/// Above [`SHEET_PANELS`] units, each type present keeps at least this many of its units.
pub const SHEET_PER_TYPE: usize = 16;

/// Units by type (in [`TYPE_ORDER`]) and, within a type, by its score, best first; the
/// order of every sheet. Networks of more than [`SHEET_PANELS`] units keep each type's best
/// units, about [`SHEET_PANELS`] in all: each type in proportion to its count, and at least
/// [`SHEET_PER_TYPE`] (or all) of it.
pub fn sheet_order(d: &FigureData) -> Vec<usize> {
    let order = ranked(d);
    let n = order.len();
    if n <= SHEET_PANELS {
        return order;
    }
    capped(order, |j| d.analysis.units[j].cell_type.index())
}

/// The first units of `order` of each type (`type_of` gives an index below 7): each type's
/// share of [`SHEET_PANELS`] by its count, and at least [`SHEET_PER_TYPE`] (or all) of it.
fn capped(order: Vec<usize>, type_of: impl Fn(usize) -> usize) -> Vec<usize> {
    let n = order.len();
    let mut count = [0usize; CellType::ALL.len()];
    for &j in &order {
        count[type_of(j)] += 1;
    }
    let quota = count.map(|c| (SHEET_PANELS * c).div_ceil(n).max(SHEET_PER_TYPE.min(c)));
    let mut shown = [0usize; CellType::ALL.len()];
    order
        .into_iter()
        .filter(|&j| {
            shown[type_of(j)] += 1;
            shown[type_of(j)] <= quota[type_of(j)]
        })
        .collect()
}

/// Every unit by type and score.
fn ranked(d: &FigureData) -> Vec<usize> {
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

/// All maps (10 per row for 100 units), or the best of each type for large networks.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_networks_show_each_type_s_best_units_in_proportion() {
        // 4096 units ranked: 4000 of type 1, then 90 of type 2, then 6 of type 4.
        let type_of = |j: usize| match j {
            0..4000 => 1,
            4000..4090 => 2,
            _ => 4,
        };
        let kept = capped((0..4096).collect(), type_of);
        let of = |t: usize| kept.iter().filter(|&&j| type_of(j) == t).count();
        assert_eq!((of(1), of(2), of(4)), (250, 16, 6));
        // Each type keeps its first (best) units, in order.
        assert_eq!(&kept[..3], &[0, 1, 2]);
        assert_eq!(kept[250], 4000);
        assert!(kept.len() <= SHEET_PANELS + 2 * SHEET_PER_TYPE);
    }
}
