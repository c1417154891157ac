//! Appendix D: selectivity scatters (speed vs direction, direction vs spatial, speed vs
//! spatial), one dot per unit, coloured by cell type.

use plotters::prelude::*;

use super::canvas::{legend, render, text};
use super::{FigureData, TYPE_ORDER, type_color};

/// Three scatters side by side, with a legend of the types present.
pub fn appendix_d_selectivity(d: &FigureData) -> anyhow::Result<Vec<u8>> {
    // (speed, direction, spatial) per unit; spatial = lifetime sparseness.
    let sel: Vec<[f64; 3]> = d
        .analysis
        .units
        .iter()
        .map(|r| {
            let m = r.map;
            [
                m.map_or(f64::NAN, |m| m.speed_selectivity),
                m.map_or(f64::NAN, |m| m.direction_selectivity),
                r.spatial.sparseness,
            ]
        })
        .collect();
    let names = [
        "speed selectivity",
        "direction selectivity",
        "spatial selectivity",
    ];
    let pairs = [(0, 1), (1, 2), (0, 2)];
    render(1050, 360, |root| {
        for (area, &(a, b)) in root.split_evenly((1, 3)).iter().zip(&pairs) {
            let range = |k: usize| {
                let v = sel.iter().map(|s| s[k]).filter(|v| v.is_finite());
                let hi = v.fold(0.0f64, f64::max);
                0.0..(hi * 1.08).max(1e-6)
            };
            let mut chart = ChartBuilder::on(area)
                .margin(8)
                .x_label_area_size(34)
                .y_label_area_size(46)
                .build_cartesian_2d(range(a), range(b))?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(names[a])
                .y_desc(names[b])
                .label_style(text(10))
                .axis_desc_style(text(12))
                .draw()?;
            for t in TYPE_ORDER {
                let pts: Vec<(f64, f64)> = sel
                    .iter()
                    .zip(&d.analysis.units)
                    .filter(|(s, r)| r.cell_type == t && s[a].is_finite() && s[b].is_finite())
                    .map(|(s, _)| (s[a], s[b]))
                    .collect();
                if pts.is_empty() {
                    continue;
                }
                let c = type_color(t);
                chart
                    .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, c.filled())))?
                    .label(t.name())
                    .legend(move |(x, y)| Circle::new((x + 6, y), 3, c.filled()));
            }
            legend(&mut chart)?;
        }
        Ok(())
    })
}
