//! Fig. 4: the units of three training stages embedded together by t-SNE (firing-rate
//! correlation), coloured by stage; lines follow the units that end as border cells (a) and as
//! grid cells (b), with their rate maps at each stage beside.

use plotters::prelude::*;

use super::FigureData;
use super::canvas::{bare_axes, finite_range, heatmap, legend_at, render, text};
use super::colormap::Colormap;
use super::type_score;
use crate::analysis::{CellType, Development};

/// Units followed per panel.
const FOLLOWED: usize = 4;

/// Stage colours, light to dark (early to late).
const STAGE: [RGBColor; 3] = [
    RGBColor(158, 202, 225),
    RGBColor(66, 146, 198),
    RGBColor(8, 48, 107),
];

/// The followed units of type `t`: the best-scoring units typed `t` at the end, or (flagged
/// false) the best scorers of all where none is.
fn followed(d: &FigureData, t: CellType) -> (Vec<usize>, bool) {
    let rank = |mut v: Vec<usize>| {
        v.sort_by(|&a, &b| {
            type_score(&d.analysis.units[b], t).total_cmp(&type_score(&d.analysis.units[a], t))
        });
        v.truncate(FOLLOWED);
        v
    };
    let typed: Vec<usize> = (0..d.units())
        .filter(|&j| d.analysis.units[j].cell_type == t)
        .collect();
    if typed.is_empty() {
        (rank((0..d.units()).collect()), false)
    } else {
        (rank(typed), true)
    }
}

fn stage_colour(s: usize, stages: usize) -> RGBColor {
    STAGE[(s * (STAGE.len() - 1)) / (stages - 1).max(1)]
}

/// Panels a (border) and b (grid), each a t-SNE scatter with the followed units' paths, and
/// their rate maps at each stage.
pub fn fig4_development(
    d: &FigureData,
    dev: &Development,
    cmap: Colormap,
) -> anyhow::Result<Vec<u8>> {
    let n = dev.units();
    let stages = dev.stages.len();
    let its = dev.stage_iterations();
    let (h, w) = (d.analysis.bins.ny, d.analysis.bins.nx);
    let xs: Vec<f64> = dev.embedding.iter().map(|p| p[0]).collect();
    let ys: Vec<f64> = dev.embedding.iter().map(|p| p[1]).collect();
    let (x0, x1) = finite_range(&xs).unwrap_or((-1.0, 1.0));
    let (y0, y1) = finite_range(&ys).unwrap_or((-1.0, 1.0));
    let (px, py) = ((x1 - x0) * 0.05 + 1e-9, (y1 - y0) * 0.05 + 1e-9);
    render(1100, 900, |root| {
        let rows = root.split_evenly((2, 1));
        for (row, (label, t)) in rows
            .iter()
            .zip([("a) border", CellType::Border), ("b) grid", CellType::Grid)])
        {
            let (units, typed) = followed(d, t);
            let (left, right) = row.split_horizontally(520);
            let title = format!(
                "{label}: {} units followed{}",
                units.len(),
                if typed {
                    "".to_string()
                } else {
                    format!(" (none typed {}: best scorers)", t.name())
                }
            );
            let mut chart = ChartBuilder::on(&left)
                .caption(title, text(13))
                .margin(8)
                // A band above the points, empty, holds the legend.
                .build_cartesian_2d(x0 - px..x1 + px, y0 - py..y1 + 6.0 * py)?;
            bare_axes(&mut chart)?;
            for (s, (points, it)) in dev.embedding.chunks(n).zip(&its).enumerate() {
                let c = stage_colour(s, stages);
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p.into(), 2, c.filled())))?
                    .label(format!("iteration {it}"))
                    .legend(move |(x, y)| Circle::new((x + 6, y), 4, c.filled()));
            }
            for &u in &units {
                let path: Vec<(f64, f64)> = (0..stages)
                    .map(|s| dev.embedding[s * n + u].into())
                    .collect();
                chart.draw_series(LineSeries::new(path.clone(), RED.stroke_width(2)))?;
                chart.draw_series(
                    path.iter()
                        .enumerate()
                        .map(|(s, &p)| Circle::new(p, 4, stage_colour(s, stages).filled())),
                )?;
            }
            legend_at(&mut chart, SeriesLabelPosition::UpperRight)?;
            // Rate maps: a row per followed unit, a column per stage.
            let cells = right.margin(24, 4, 8, 8).split_evenly((FOLLOWED, stages));
            for (i, &u) in units.iter().enumerate() {
                for s in 0..stages {
                    let maps = &dev.stage_maps[s];
                    let nb = maps.len() / n;
                    let title = format!("unit {u}, it {}", its[s]);
                    heatmap(
                        &cells[i * stages + s],
                        &maps[u * nb..(u + 1) * nb],
                        h,
                        w,
                        cmap,
                        &title,
                    )?;
                }
            }
        }
        Ok(())
    })
}
