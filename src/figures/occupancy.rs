//! Occupancy of the evaluation trajectories and example trajectories with their boundary
//! interactions marked.

use plotters::prelude::*;

use super::FigureData;
use super::canvas::{arena_chart, heatmap, render};
use super::colormap::Colormap;

/// Occupancy heat map, then up to three trajectories.
pub fn occupancy_and_trajectories(d: &FigureData, cmap: Colormap) -> anyhow::Result<Vec<u8>> {
    let tr = &d.trajectories;
    let shown = tr.trials.min(3);
    render(1000, 260, |root| {
        let cells = root.split_evenly((1, 1 + shown));
        heatmap(
            &cells[0],
            &d.analysis.occupancy,
            d.analysis.bins.ny,
            d.analysis.bins.nx,
            cmap,
            "occupancy (steps per bin)",
        )?;
        for (b, area) in cells[1..].iter().enumerate() {
            let mut chart = arena_chart(area, &d.outline, &format!("trajectory {}", b + 1))?;
            let pts: Vec<(f64, f64)> = (0..tr.steps)
                .map(|t| {
                    let p = tr.pos(b, t);
                    (p[0], p[1])
                })
                .collect();
            chart.draw_series(LineSeries::new(
                pts.clone(),
                RGBColor(60, 60, 60).stroke_width(1),
            ))?;
            chart.draw_series(
                (0..tr.steps)
                    .filter(|&t| tr.boundary[b * tr.steps + t])
                    .map(|t| Circle::new(pts[t], 3, RGBColor(214, 39, 40).filled())),
            )?;
        }
        Ok(())
    })
}
