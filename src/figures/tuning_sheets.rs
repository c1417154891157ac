//! Appendices B and C: every unit's direction tuning and every unit's speed tuning, in the
//! order of Fig. 5.

use super::canvas::{render, small_line};
use super::fig5_rate_maps::sheet_columns;
use super::{FigureData, sheet_order, type_color};

fn sheet(d: &FigureData, x: &[f64], curve: impl Fn(usize) -> Vec<f64>) -> anyhow::Result<Vec<u8>> {
    let order = sheet_order(d);
    let cols = sheet_columns(order.len());
    let rows = order.len().div_ceil(cols).max(1);
    render((cols * 96) as u32, (rows * 80) as u32, |root| {
        for (area, &j) in root.split_evenly((rows, cols)).iter().zip(&order) {
            let t = d.analysis.units[j].cell_type;
            small_line(
                area,
                x,
                &curve(j),
                &format!("{j} {}", t.name()),
                type_color(t),
            )?;
        }
        Ok(())
    })
}

/// Appendix B: mean activity against heading, one panel per unit.
pub fn appendix_direction_tuning(d: &FigureData) -> anyhow::Result<Vec<u8>> {
    sheet(d, &d.analysis.direction_centres, |j| {
        d.direction(j).to_vec()
    })
}

/// Appendix C: mean activity against speed (moving steps), one panel per unit.
pub fn appendix_speed_tuning(d: &FigureData) -> anyhow::Result<Vec<u8>> {
    sheet(d, &d.analysis.speed_centres, |j| d.speed(j).to_vec())
}
