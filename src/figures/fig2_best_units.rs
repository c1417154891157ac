//! Fig. 2: the best grid, band, border and irregular units, each with its autocorrelogram.

use super::canvas::{heatmap, render};
use super::colormap::Colormap;
use super::{FigureData, type_score};
use crate::analysis::{CellType, crop_central, masked_autocorrelogram, opexebo_autocorrelogram};

/// The best unit of type `t`: the highest-scoring unit typed `t`, or (flagged false) the
/// highest-scoring unit of all for `t`'s score when none is typed `t`.
pub fn best_unit(d: &FigureData, t: CellType) -> Option<(usize, bool)> {
    let best = |typed: bool| {
        (0..d.units())
            .filter(|&j| !typed || d.units[j].cell_type == t)
            .max_by(|&a, &b| type_score(&d.units[a], t).total_cmp(&type_score(&d.units[b], t)))
    };
    best(true)
        .map(|j| (j, true))
        .or_else(|| best(false).map(|j| (j, false)))
}

/// The autocorrelogram the classification used: opexebo's in rectangular arenas, the masked
/// one elsewhere (design section 7), of the min-shifted map.
pub fn autocorrelogram(d: &FigureData, j: usize) -> (Vec<f64>, usize, usize) {
    let (h, w) = (d.bins.ny, d.bins.nx);
    let m = d.map(j);
    let lo = m
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::INFINITY, f64::min);
    let shifted: Vec<f64> = m.iter().map(|v| v - lo).collect();
    let a = if d.layout.rectangular {
        opexebo_autocorrelogram(&shifted, h, w)
    } else {
        crop_central(
            &masked_autocorrelogram(&shifted, h, w, crate::analysis::MIN_OVERLAP),
            h,
            w,
        )
    };
    (a.values, a.h, a.w)
}

/// Four columns (grid, band, border, irregular), map above autocorrelogram.
pub fn fig2_best_units(d: &FigureData, cmap: Colormap) -> anyhow::Result<Vec<u8>> {
    let types = [
        CellType::Grid,
        CellType::Band,
        CellType::Border,
        CellType::Irregular,
    ];
    let (h, w) = (d.bins.ny, d.bins.nx);
    render(880, 470, |root| {
        let cols = root.split_evenly((2, 4));
        for (c, &t) in types.iter().enumerate() {
            let Some((j, typed)) = best_unit(d, t) else {
                continue;
            };
            let score = type_score(&d.units[j], t);
            let title = format!(
                "{}: unit {j}, {:.2}{}",
                t.name(),
                score,
                if typed { "" } else { " (not typed)" }
            );
            heatmap(&cols[c], d.map(j), h, w, cmap, &title)?;
            let (a, ah, aw) = autocorrelogram(d, j);
            heatmap(&cols[4 + c], &a, ah, aw, cmap, "autocorrelogram")?;
        }
        Ok(())
    })
}
