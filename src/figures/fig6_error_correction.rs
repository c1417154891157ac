//! Fig. 6: error correction at the boundary (a) and the error's stability over trials far
//! longer than training's (b), from a [`LongRun`].

use plotters::prelude::*;

use super::canvas::{Area, finite_points, finite_range, legend, render, text};
use crate::analysis::{GROUP_LABELS, HALF_WINDOW, LongRun};

/// Fewer events than this make a curve mostly noise: such a group is left out of panel a.
pub const MIN_EVENTS: usize = 20;

/// The groups' colours, then the free windows' (the paper's blue curve).
const COLOURS: [RGBColor; 5] = [
    RGBColor(214, 39, 40),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(31, 119, 180),
];

/// a) mean squared error from 50 steps before to 50 after a first boundary interaction, per
/// group of further interactions, and over interaction-free windows; b) the error averaged
/// over windows (mean and sd over trials) against the best constant output.
pub fn fig6_error_correction(r: &LongRun) -> anyhow::Result<Vec<u8>> {
    let mut curves: Vec<Curve> = (0..4)
        .filter(|&g| r.curves.events[g] >= MIN_EVENTS)
        .map(|g| {
            (
                format!(
                    "{} further ({} events)",
                    GROUP_LABELS[g], r.curves.events[g]
                ),
                r.curves.mean(g),
                COLOURS[g],
            )
        })
        .collect();
    if r.curves.free_windows > 0 {
        curves.push((
            format!("no interaction ({} windows)", r.curves.free_windows),
            r.curves.free_mean(),
            COLOURS[4],
        ));
    }
    render(1100, 420, |root| {
        let (a, b) = root.split_horizontally(520);
        panel_a(&a, &curves)?;
        panel_b(&b, r)
    })
}

/// A group's curve: its label, its mean error at each offset, its colour.
type Curve = (String, Vec<f64>, RGBColor);

/// Panel a: the mean error around a first boundary interaction, per group of further
/// interactions, and around the centres of windows without any.
fn panel_a(a: &Area, curves: &[Curve]) -> anyhow::Result<()> {
    let offsets: Vec<f64> = (0..2 * HALF_WINDOW + 1)
        .map(|k| k as f64 - HALF_WINDOW as f64)
        .collect();
    let values: Vec<f64> = curves.iter().flat_map(|c| c.1.iter().copied()).collect();
    let (lo, hi) = finite_range(&values).unwrap_or((0.0, 1.0));
    let pad = ((hi - lo) * 0.08).max(1e-6);
    let mut chart = ChartBuilder::on(a)
        .caption("a) error around a first boundary interaction", text(13))
        .margin(8)
        .x_label_area_size(32)
        .y_label_area_size(60)
        .build_cartesian_2d(
            -(HALF_WINDOW as f64)..HALF_WINDOW as f64,
            lo - pad..hi + pad,
        )?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc("steps relative to the interaction (free windows: to their centre)")
        .y_desc("squared error")
        .label_style(text(10))
        .axis_desc_style(text(11))
        .draw()?;
    for (name, y, c) in curves {
        let c = *c;
        chart
            .draw_series(LineSeries::new(
                finite_points(&offsets, y),
                c.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], c));
    }
    legend(&mut chart)?;
    Ok(())
}

/// Panel b: the windowed error over the long trials (mean and sd over trials) against the
/// best constant output.
fn panel_b(b: &Area, r: &LongRun) -> anyhow::Result<()> {
    let (mean, sd) = r.window_mean_sd();
    let constant = r.window_constant_mean();
    let w = r.options.window as f64;
    let t: Vec<f64> = (0..mean.len())
        .map(|k| (k as f64 + 0.5) * w / 1e5)
        .collect();
    let band: Vec<f64> = mean
        .iter()
        .zip(&sd)
        .flat_map(|(m, s)| [m - s, m + s])
        .chain(constant.iter().copied())
        .collect();
    let (lo, hi) = finite_range(&band).unwrap_or((0.0, 1.0));
    let lo = lo.min(0.0);
    let pad = ((hi - lo) * 0.08).max(1e-6);
    // Steps in units of 10^5, as the paper's axis.
    let t_max = (mean.len() as f64 * w).max(1.0) / 1e5;
    let mut chart = ChartBuilder::on(b)
        .caption(
            format!(
                "b) error over {} trials of {} steps",
                r.window_error.len(),
                r.options.steps
            ),
            text(13),
        )
        .margin(8)
        .x_label_area_size(32)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..t_max, lo..hi + pad)?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "step x 10^5 (windows of {} steps)",
            r.options.window
        ))
        .y_desc("squared error")
        .label_style(text(10))
        .axis_desc_style(text(11))
        .draw()?;
    let grey = RGBColor(190, 190, 190);
    chart.draw_series(
        t.iter()
            .zip(mean.iter().zip(&sd))
            .map(|(&x, (&m, &s))| PathElement::new([(x, m - s), (x, m + s)], grey.stroke_width(1))),
    )?;
    chart
        .draw_series(LineSeries::new(
            finite_points(&t, &mean),
            BLACK.stroke_width(2),
        ))?
        .label("network (mean +- sd over trials)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK));
    let red = COLOURS[0];
    chart
        .draw_series(LineSeries::new(
            finite_points(&t, &constant),
            red.stroke_width(2),
        ))?
        .label("best constant output")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], red));
    legend(&mut chart)?;
    Ok(())
}
