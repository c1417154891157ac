//! Fig. 3: spatial map, direction tuning and speed tuning side by side for example units of
//! each type.

use plotters::prelude::*;

use super::canvas::{finite_points, finite_range, heatmap, render, text};
use super::colormap::Colormap;
use super::{FigureData, TYPE_ORDER, type_color, type_score};

/// Up to two units of each type present (the best by the type's score), one row each.
pub fn fig3_example_units(d: &FigureData, cmap: Colormap) -> anyhow::Result<Vec<u8>> {
    let mut rows = Vec::new();
    for t in TYPE_ORDER {
        let mut of: Vec<usize> = (0..d.units())
            .filter(|&j| d.analysis.units[j].cell_type == t)
            .collect();
        of.sort_by(|&a, &b| {
            type_score(&d.analysis.units[b], t).total_cmp(&type_score(&d.analysis.units[a], t))
        });
        rows.extend(of.into_iter().take(2).map(|j| (j, t)));
    }
    let (h, w) = (d.analysis.bins.ny, d.analysis.bins.nx);
    let height = (rows.len().max(1) * 190) as u32;
    render(760, height, |root| {
        for (area, &(j, t)) in root.split_evenly((rows.len().max(1), 1)).iter().zip(&rows) {
            let cells = area.split_evenly((1, 3));
            heatmap(
                &cells[0],
                d.map(j),
                h,
                w,
                cmap,
                &format!("unit {j} ({})", t.name()),
            )?;
            for (cell, (x, y, label)) in cells[1..].iter().zip([
                (
                    &d.analysis.direction_centres[..],
                    d.direction(j),
                    "heading (deg)",
                ),
                (&d.analysis.speed_centres[..], d.speed(j), "s x speed"),
            ]) {
                let (lo, hi) = finite_range(y).map_or((-1.0, 1.0), |(lo, hi)| {
                    let pad = ((hi - lo) * 0.1).max(1e-3);
                    (lo - pad, hi + pad)
                });
                let mut chart = ChartBuilder::on(cell)
                    .margin(6)
                    .x_label_area_size(28)
                    .y_label_area_size(40)
                    .build_cartesian_2d(x[0]..x[x.len() - 1], lo..hi)?;
                chart
                    .configure_mesh()
                    .disable_mesh()
                    .x_desc(label)
                    .y_desc("activity")
                    .x_labels(5)
                    .y_labels(4)
                    .label_style(text(10))
                    .axis_desc_style(text(11))
                    .draw()?;
                chart.draw_series(LineSeries::new(
                    finite_points(x, y),
                    type_color(t).stroke_width(2),
                ))?;
            }
        }
        Ok(())
    })
}
