//! Fig. 1c: the true path and the network's output for a few held-out trials.

use plotters::prelude::*;

use super::FigureData;
use super::canvas::{arena_chart, render};

/// Up to four trials, one panel each.
pub fn fig1c_paths(d: &FigureData) -> anyhow::Result<Vec<u8>> {
    let shown = d.paths.len().min(4);
    render(900, 260, |root| {
        for (area, (k, p)) in root
            .split_evenly((1, shown.max(1)))
            .iter()
            .zip(d.paths.iter().enumerate().take(shown))
        {
            let mut chart = arena_chart(area, &d.outline, &format!("trial {}", k + 1))?;
            let line = |pts: &[[f64; 2]]| pts.iter().map(|q| (q[0], q[1])).collect::<Vec<_>>();
            chart.draw_series(LineSeries::new(line(&p.truth), BLACK.stroke_width(2)))?;
            chart.draw_series(LineSeries::new(
                line(&p.output),
                RGBColor(214, 39, 40).stroke_width(1),
            ))?;
            if let Some(s) = p.truth.first() {
                chart.draw_series(std::iter::once(Circle::new(
                    (s[0], s[1]),
                    4,
                    BLACK.filled(),
                )))?;
            }
        }
        Ok(())
    })
}
