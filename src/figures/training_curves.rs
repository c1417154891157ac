//! Training curves: E, R_L2, R_FR and their weights over iterations, with the
//! always-the-centre baseline.

use plotters::prelude::*;

use super::canvas::{finite_range, legend, render, text};
use super::{FigureData, LogRow};

type Get = fn(&LogRow) -> f64;

/// One panel: its title, whether its values are shown as log10, its series.
struct Panel {
    title: &'static str,
    log10: bool,
    series: Vec<(&'static str, Get, RGBColor)>,
    baseline: Option<f64>,
}

/// Three panels: log10 E against the baseline; log10 R_L2 and R_FR; lambda_L2 and lambda_FR.
pub fn training_curves(d: &FigureData) -> anyhow::Result<Vec<u8>> {
    let it_max = d.log.last().map_or(1.0, |r| r.iteration.max(1.0));
    let panels = [
        Panel {
            title: "log10 E (eq. 3)",
            log10: true,
            series: vec![("E", |r| r.e, RGBColor(31, 119, 180))],
            baseline: d.centre_baseline.is_finite().then_some(d.centre_baseline),
        },
        Panel {
            title: "log10 regularisers",
            log10: true,
            series: vec![
                ("R_L2", |r| r.r_l2, RGBColor(44, 160, 44)),
                ("R_FR", |r| r.r_fr, RGBColor(214, 39, 40)),
            ],
            baseline: None,
        },
        Panel {
            title: "weights",
            log10: false,
            series: vec![
                ("lambda_L2", |r| r.lambda_l2, RGBColor(44, 160, 44)),
                ("lambda_FR", |r| r.lambda_fr, RGBColor(214, 39, 40)),
            ],
            baseline: None,
        },
    ];
    render(1050, 330, |root| {
        for (area, p) in root.split_evenly((1, 3)).iter().zip(&panels) {
            let shown = |v: f64| {
                if p.log10 {
                    (v > 0.0).then(|| v.log10())
                } else {
                    v.is_finite().then_some(v)
                }
            };
            let values: Vec<f64> = d
                .log
                .iter()
                .flat_map(|r| p.series.iter().map(move |s| (s.1)(r)))
                .chain(p.baseline)
                .filter_map(shown)
                .collect();
            let (lo, hi) = finite_range(&values).unwrap_or((0.0, 1.0));
            let pad = ((hi - lo) * 0.08).max(1e-3);
            let mut chart = ChartBuilder::on(area)
                .caption(p.title, text(13))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..it_max, lo - pad..hi + pad)?;
            chart
                .configure_mesh()
                .x_desc("iteration")
                .label_style(text(10))
                .axis_desc_style(text(11))
                .draw()?;
            for &(name, get, c) in &p.series {
                chart
                    .draw_series(LineSeries::new(
                        d.log
                            .iter()
                            .filter_map(|r| shown(get(r)).map(|v| (r.iteration, v))),
                        c.stroke_width(2),
                    ))?
                    .label(name)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], c));
            }
            if let Some(b) = p.baseline.and_then(shown) {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(0.0, b), (it_max, b)],
                        6,
                        4,
                        BLACK.stroke_width(1),
                    ))?
                    .label("always the centre")
                    .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], BLACK));
            }
            legend(&mut chart)?;
        }
        Ok(())
    })
}
