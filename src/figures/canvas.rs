//! What every figure shares: an RGB buffer drawn with `plotters` (bundled DejaVu Sans, so no
//! system font is needed), PNG encoding with `png`, heat-map and small line-plot panels.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::colormap::Colormap;

/// A drawing area over the figure's buffer.
pub type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Colour of bins without a value (unvisited or outside the arena).
pub const EMPTY: RGBColor = RGBColor(235, 235, 235);

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        )
        .unwrap_or_else(|_| panic!("the bundled font parses"));
    });
}

/// Draw a `w` x `h` figure with `draw` on a white background and encode it as PNG.
pub fn render(
    w: u32,
    h: u32,
    draw: impl FnOnce(&Area) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<u8>> {
    register_font();
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(&buf)?;
    }
    Ok(png_bytes)
}

/// A text style of `size` pixels.
pub fn text(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().color(&BLACK)
}

/// Draw an h x w map (row 0 = lowest y, NaN = no value) into `area` under a `title`, scaled
/// from its own minimum to maximum, square bins, centred.
pub fn heatmap(
    area: &Area,
    map: &[f64],
    h: usize,
    w: usize,
    cmap: Colormap,
    title: &str,
) -> anyhow::Result<()> {
    let (aw, ah) = area.dim_in_pixel();
    let title_h = if title.is_empty() { 0 } else { 14 };
    if !title.is_empty() {
        area.draw_text(title, &text(11), (2, 1))?;
    }
    let cell = ((aw.saturating_sub(4)) as f64 / w as f64)
        .min((ah.saturating_sub(title_h + 4)) as f64 / h as f64)
        .max(1.0);
    let (x0, y0) = (
        (aw as f64 - cell * w as f64) / 2.0,
        title_h as f64 + 2.0 + (ah as f64 - title_h as f64 - 4.0 - cell * h as f64).max(0.0) / 2.0,
    );
    let (lo, hi) = finite_range(map).unwrap_or((0.0, 0.0));
    let span = if hi > lo { hi - lo } else { 1.0 };
    for r in 0..h {
        for c in 0..w {
            let v = map[r * w + c];
            let color = if v.is_finite() {
                cmap.color((v - lo) / span)
            } else {
                EMPTY
            };
            // Row 0 is the lowest y: drawn at the bottom.
            let top = y0 + (h - 1 - r) as f64 * cell;
            let left = x0 + c as f64 * cell;
            area.draw(&Rectangle::new(
                [
                    (left as i32, top as i32),
                    ((left + cell).ceil() as i32, (top + cell).ceil() as i32),
                ],
                color.filled(),
            ))?;
        }
    }
    Ok(())
}

/// A small line plot of `y` against `x` with a title and light axes, for sheets of many
/// units.
pub fn small_line(
    area: &Area,
    x: &[f64],
    y: &[f64],
    title: &str,
    color: RGBColor,
) -> anyhow::Result<()> {
    let (lo, hi) = match finite_range(y) {
        Some((lo, hi)) if hi > lo => (lo, hi),
        Some((lo, _)) => (lo - 1.0, lo + 1.0),
        None => (-1.0, 1.0),
    };
    let (xlo, xhi) = (x[0], x[x.len() - 1]);
    let mut chart = ChartBuilder::on(area)
        .caption(title, text(10))
        .margin(2)
        .x_label_area_size(0)
        .y_label_area_size(0)
        .build_cartesian_2d(xlo..xhi, lo..hi)?;
    bare_axes(&mut chart)?;
    chart.draw_series(LineSeries::new(finite_points(x, y), color.stroke_width(1)))?;
    Ok(())
}

/// The smallest and largest finite values, None where there is none.
pub fn finite_range<'v>(values: impl IntoIterator<Item = &'v f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |r, &v| match r {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// The points (x, y) of a curve whose y is finite.
pub fn finite_points<'v>(x: &'v [f64], y: &'v [f64]) -> impl Iterator<Item = (f64, f64)> + 'v {
    x.iter()
        .zip(y)
        .filter(|(_, v)| v.is_finite())
        .map(|(a, b)| (*a, *b))
}

/// Axes without grid lines or tick labels.
pub fn bare_axes<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>) -> anyhow::Result<()> {
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .draw()?;
    Ok(())
}

/// The legend every chart with several series draws, at the middle of its right edge.
pub fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>) -> anyhow::Result<()> {
    legend_at(chart, SeriesLabelPosition::MiddleRight)
}

/// [`legend`] at a chosen corner, for charts that leave that corner free of data.
pub fn legend_at<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    position: SeriesLabelPosition,
) -> anyhow::Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .label_font(text(10))
        .draw()?;
    Ok(())
}

/// A chart with f64 axes over a figure's buffer.
pub type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// A [`Chart`] of the arena (equal axes over its bounding box) on `area`, titled, with the
/// arena's outline drawn.
pub fn arena_chart<'a, 'b>(
    area: &'a Area<'b>,
    outline: &[[f64; 2]],
    title: &str,
) -> anyhow::Result<Chart<'a, 'b>> {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in outline {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let half = (hi[0] - lo[0]).max(hi[1] - lo[1]) * 0.55;
    let c = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
    let mut chart = ChartBuilder::on(area)
        .caption(title, text(12))
        .margin(4)
        .build_cartesian_2d(c[0] - half..c[0] + half, c[1] - half..c[1] + half)?;
    bare_axes(&mut chart)?;
    let mut closed: Vec<(f64, f64)> = outline.iter().map(|p| (p[0], p[1])).collect();
    if let Some(&first) = closed.first() {
        closed.push(first);
    }
    chart.draw_series(LineSeries::new(closed, BLACK.stroke_width(1)))?;
    Ok(chart)
}
