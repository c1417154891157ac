//! Firing fields as opexebo 0.7.2's `place_field` finds them (docs/design.md section 7): the map is
//! opened by reconstruction, and each peak's field is grown by lowering a threshold from
//! `init_thresh` of the peak in steps of 0.02 while the field's area grows smoothly, stays
//! free of holes and holds no other peak. `border_score` and `grid_score`'s central field use
//! it, so this is a line-by-line port; only the peak search differs (see [`map_peaks`]).

use std::borrow::Cow;
use std::cell::RefCell;

use super::morphology::{
    Frontier, centroid, component, erode_cross, fill_holes, max, min, neighbours,
    reconstruct_by_dilation, regional_maxima,
};

/// `place_field`'s keyword arguments that the design fixes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldOptions {
    /// Smallest field, bins.
    pub min_bins: usize,
    /// Smallest peak value.
    pub min_peak: f64,
    /// Smallest mean value.
    pub min_mean: f64,
    /// First threshold, as a fraction of the peak.
    pub init_thresh: f64,
}

impl FieldOptions {
    /// `place_field(min_bins=9, min_peak=0, min_mean=0, init_thresh=0.96)`, the border score's.
    pub const BORDER: FieldOptions = FieldOptions {
        min_bins: 9,
        min_peak: 0.0,
        min_mean: 0.0,
        init_thresh: 0.96,
    };
    /// `place_field(min_bins=5, min_peak=0, min_mean=0, init_thresh=0.95)`, the central field
    /// of `grid_score`.
    pub const CENTRE: FieldOptions = FieldOptions {
        min_bins: 5,
        min_peak: 0.0,
        min_mean: 0.0,
        init_thresh: 0.95,
    };
}

/// One field.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its bins (row-major indices, ascending).
    pub bins: Vec<usize>,
    /// The bin of its largest value (first in row-major order).
    pub peak: usize,
}

/// The map's peaks as opexebo's default peak search finds them, without 0.7.2's rejection
/// step: the centroid (truncated to whole bins) of each regional maximum of the map opened by
/// reconstruction. opexebo additionally moves every peak within 4 bins (chessboard) of a
/// zero-valued bin to (0, 0), which after the design's min-shift hits almost every map.
pub fn map_peaks(map: &[f64], h: usize, w: usize) -> Vec<usize> {
    let opened = opened(&prepared(map).0, h, w);
    peaks_of(&opened, h, w)
}

fn peaks_of(opened: &[f64], h: usize, w: usize) -> Vec<usize> {
    regional_maxima(opened, h, w)
        .iter()
        .map(|p| {
            let (r, c) = centroid(p, w);
            (r.max(0.0) as usize).min(h - 1) * w + (c.max(0.0) as usize).min(w - 1)
        })
        .collect()
}

/// NaN -> 0 and opexebo's rescaling of maps whose peak is below 1 (to a peak of 4); the
/// occupancy mask is the NaN bins. None where the peak is NaN or 0 (no fields).
fn prepared(map: &[f64]) -> (Vec<f64>, Vec<bool>, Option<f64>) {
    let peak = map
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NAN, f64::max);
    let scale = if peak.is_nan() || peak == 0.0 {
        None
    } else if peak < 1.0 {
        Some(4.0 / peak)
    } else {
        Some(1.0)
    };
    let s = scale.unwrap_or(1.0);
    let finite = map
        .iter()
        .map(|v| if v.is_nan() { 0.0 } else { v * s })
        .collect();
    (finite, map.iter().map(|v| v.is_nan()).collect(), scale)
}

fn opened(finite: &[f64], h: usize, w: usize) -> Vec<f64> {
    reconstruct_by_dilation(&erode_cross(finite, h, w), finite, h, w)
}

/// The opened image's value at one pixel without opening the whole image: the largest
/// eroded value that reaches `p` along an 8-connected path on which the map never drops
/// below it, by a flood from `p` in decreasing order of the path's lowest value that stops
/// once no path can do better.
///
/// This is what lets a single given peak (`grid_score`'s central field) skip the opening:
/// {opened >= c} is the union of the 8-connected components of {map >= c} that hold an
/// eroded value >= c, so for every cut c <= opened(p) the 4-connected component of p is the
/// same in the map as in the opened image, and the fields only ever use such cuts.
fn opened_at(finite: &[f64], h: usize, w: usize, p: usize) -> f64 {
    let eroded = |q: usize| {
        neighbours(q, h, w, false)
            .map(|n| finite[n])
            .fold(finite[q], min)
    };
    let mut best = f64::NEG_INFINITY;
    let mut done = vec![false; h * w];
    let mut frontier = Frontier::default();
    frontier.push(finite[p], p);
    while let Some((bottleneck, q)) = frontier.pop() {
        if bottleneck <= best {
            break;
        }
        if std::mem::replace(&mut done[q], true) {
            continue;
        }
        best = max(best, min(eroded(q), bottleneck));
        for n in neighbours(q, h, w, true) {
            if !done[n] {
                frontier.push(min(bottleneck, finite[n]), n);
            }
        }
    }
    best
}

mod grower;

use grower::{FloodScratch, Grower};

/// Whether the field encloses a visited bin (a hole `binary_fill_holes` would fill, its
/// background 4-connected): rows r0..=r1 and columns c0..=c1 of an image `w` wide, which hold
/// every hole, are copied into `state` with a ring of outside bins around them (the rest of
/// the image, or beyond its border, both of which reach the border without crossing the
/// field) and flooded from that ring through the background. `state` and `stack` are
/// scratch, kept by the caller between calls.
fn encloses_visited(
    state: &mut Vec<u8>,
    stack: &mut Vec<usize>,
    w: usize,
    unvisited: &[bool],
    (r0, r1, c0, c1): (usize, usize, usize, usize),
    in_field: impl Fn(usize) -> bool,
) -> bool {
    const OPEN: u8 = 0;
    const FIELD: u8 = 1;
    const REACHED: u8 = 2;
    let (bh, bw) = (r1 - r0 + 3, c1 - c0 + 3);
    state.clear();
    state.resize(bh * bw, REACHED);
    for r in r0..=r1 {
        let row = (r - r0 + 1) * bw + 1;
        for c in c0..=c1 {
            state[row + c - c0] = if in_field(r * w + c) { FIELD } else { OPEN };
        }
    }
    stack.clear();
    stack.extend((0..bh * bw).filter(|&i| state[i] == REACHED));
    while let Some(p) = stack.pop() {
        for q in [p.wrapping_sub(1), p + 1, p.wrapping_sub(bw), p + bw] {
            if q < state.len() && state[q] == OPEN {
                state[q] = REACHED;
                stack.push(q);
            }
        }
    }
    (r0..=r1).any(|r| {
        let row = (r - r0 + 1) * bw + 1;
        (c0..=c1).any(|c| state[row + c - c0] == OPEN && !unvisited[r * w + c])
    })
}

fn area(field: &[bool]) -> f64 {
    field.iter().filter(|&&b| b).count() as f64
}

fn bins_of(field: &[bool]) -> Vec<usize> {
    (0..field.len()).filter(|&i| field[i]).collect()
}

/// numpy's `linspace(start, stop, num)`, bit for bit.
pub(crate) fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 1 {
        return vec![start];
    }
    let div = (num - 1) as f64;
    let step = (stop - start) / div;
    let mut v: Vec<f64> = (0..num)
        .map(|i| {
            if step == 0.0 {
                i as f64 / div * (stop - start) + start
            } else {
                i as f64 * step + start
            }
        })
        .collect();
    v[num - 1] = stop;
    v
}

/// `_expand_field`: lower the threshold from `initial_th` to 0.2 while the area grows
/// smoothly; the last good field.
fn expand_field(
    g: &mut Grower,
    (initial_change, initial_area, initial_th): (f64, f64, f64),
) -> Option<Vec<usize>> {
    let mut last_area = initial_area;
    let mut last: Option<f64> = None;
    let (mut not_changing, mut decreasing) = (0, 0);
    let steps = ((initial_th - 0.2) / 0.02) as usize + 1;
    let mut finished = true;
    for th in linspace(initial_th, 0.2, steps) {
        let th = (th * 100.0).round_ties_even() / 100.0;
        let Some(a) = g.area(th) else {
            finished = false;
            break;
        };
        let change = a / last_area;
        if change < 1.0 {
            decreasing += 1;
        } else {
            decreasing = 0;
        }
        if (change / initial_change).floor() <= 2.0 && decreasing < 3 {
            if change == 1.0 {
                not_changing += 1;
            } else {
                not_changing = 0;
            }
            if not_changing < 10 {
                last_area = a;
                last = Some(th);
                continue;
            }
        }
        finished = false;
        break;
    }
    // opexebo returns NaN when the loop runs out, unless the last field holds the peak
    // (which it always does); after a break it returns the last field or nothing.
    match last {
        Some(th) => Some(g.field(th)),
        None if finished => None,
        None => Some(Vec::new()),
    }
}

/// Fields of an h x w map (NaN = unvisited), as `opexebo.analysis.place_field(map, **o,
/// peak_coords=peaks)`; `peaks` None uses [`map_peaks`]. Fields in label order.
pub fn place_field(
    map: &[f64],
    h: usize,
    w: usize,
    o: &FieldOptions,
    peaks: Option<&[usize]>,
) -> Vec<Field> {
    fields(map, h, w, o, peaks, true)
}

/// [`place_field`], with the opening skipped for a single given peak where `lazy` allows
/// (see [`opened_at`]).
fn fields(
    map: &[f64],
    h: usize,
    w: usize,
    o: &FieldOptions,
    peaks: Option<&[usize]>,
    lazy: bool,
) -> Vec<Field> {
    let (finite, unvisited, scale) = prepared(map);
    let Some(scale) = scale else {
        return Vec::new();
    };
    let min_peak = o.min_peak * scale;
    let min_mean = o.min_mean * scale;
    let given: Option<Vec<usize>> = peaks.map(|p| {
        p.iter()
            .copied()
            .filter(|&q| finite[q] >= min_peak)
            .collect()
    });
    // One given peak at a positive opened value: its fields are the map's own components (a
    // peak at or below zero may need the whole opened image, see `Grower::slow`, and a
    // min_peak above 0.01 rewrites the opened image).
    let single = match given.as_deref() {
        Some(&[p]) if lazy && min_peak <= 0.01 => {
            Some((p, opened_at(&finite, h, w, p))).filter(|&(_, v)| v > 0.0)
        }
        _ => None,
    };
    let mut img = match single {
        Some(_) => Cow::Borrowed(finite.as_slice()),
        None => Cow::Owned(opened(&finite, h, w)),
    };
    let peaks: Vec<usize> = match given {
        Some(p) => p,
        None => peaks_of(&img, h, w)
            .into_iter()
            .filter(|&p| finite[p] >= min_peak)
            .collect(),
    };
    // Raising each field's bins above everything keeps later peaks' fields out of it; with a
    // single peak there is no later field, and with min_peak <= 0.01 no bin below min_peak is
    // above 0.01.
    let raised = (peaks.len() > 1 || min_peak > 0.01)
        .then(|| img.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 1.5);
    if let Some(raised) = raised.filter(|_| min_peak > 0.01) {
        for v in img.to_mut().iter_mut() {
            if *v < min_peak && *v > 0.01 {
                *v = raised;
            }
        }
    }
    let hw = (h, w);
    let mut peak_count = vec![0u32; h * w];
    for &p in &peaks {
        peak_count[p] += 1;
    }
    // The floods' buffers are the thread's, kept between calls: a null scores thousands of
    // maps of one shape.
    thread_local! {
        static SCRATCH: RefCell<FloodScratch> = RefCell::new(FloodScratch::default());
    }
    let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let mut taken: Vec<Vec<usize>> = Vec::with_capacity(peaks.len());
    for (i, &peak) in peaks.iter().enumerate() {
        let others: Vec<usize> = peaks
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != i)
            .map(|(_, &p)| p)
            .collect();
        let peak_value = single.map_or(img[peak], |(_, v)| v);
        let mut g = Grower::reusing(
            std::mem::take(&mut scratch),
            &img,
            peak_value,
            &unvisited,
            hw,
            peak,
            &others,
            &peak_count,
        );
        let field = grow_field(&mut g, o.init_thresh);
        scratch = g.into_scratch();
        if let Some(raised) = raised {
            let img = img.to_mut();
            for &b in &field {
                img[b] = raised;
            }
        }
        taken.push(field);
    }
    SCRATCH.with(|s| *s.borrow_mut() = scratch);
    kept_fields(taken, &finite, h * w, o.min_bins, min_mean)
}

/// One peak's field: opexebo's threshold search from `init_thresh` down (and, where the first
/// step is bad, up), then the expansion while the area grows smoothly.
fn grow_field(g: &mut Grower, init_thresh: f64) -> Vec<usize> {
    let mut used_th = init_thresh;
    let mut res = g.change([used_th, used_th - 0.02]);
    if res.is_none() {
        // opexebo's fallback that would keep the first of two thresholds can never fire
        // (`_area_change` reports both areas NaN when either is bad), so it is left out.
        for j in linspace(used_th + 0.01, 1.0, 4) {
            res = g.change([j, j - 0.01]);
            if res.is_some_and(|r| r.0 > 0.0) {
                used_th = j - 0.01;
                break;
            }
        }
    }
    let (change, area2) = res.unwrap_or((f64::NAN, f64::NAN));
    match expand_field(g, (change, area2, used_th)) {
        Some(f) => f,
        None => {
            let th = used_th + 0.01;
            match g.area(th) {
                Some(_) => g.field(th),
                None => Vec::new(),
            }
        }
    }
}

/// The fields that stay once each bin belongs to the last field that took it: at least
/// `min_bins` bins and a mean of `min_mean` (of `finite`, the map over `bins` bins).
fn kept_fields(
    mut taken: Vec<Vec<usize>>,
    finite: &[f64],
    bins: usize,
    min_bins: usize,
    min_mean: f64,
) -> Vec<Field> {
    // A later field may take bins of an earlier one: each bin is labelled by the last field
    // that took it.
    if taken.len() > 1 {
        let mut labels = vec![usize::MAX; bins];
        for (l, field) in taken.iter().enumerate() {
            for &b in field {
                labels[b] = l;
            }
        }
        for (l, field) in taken.iter_mut().enumerate() {
            field.retain(|&b| labels[b] == l);
        }
    }
    taken
        .into_iter()
        .filter_map(|mut bins| {
            bins.sort_unstable();
            if bins.is_empty() {
                return None;
            }
            let mean = bins.iter().map(|&b| finite[b]).sum::<f64>() / bins.len() as f64;
            let peak =
                bins.iter().copied().fold(
                    bins[0],
                    |best, b| {
                        if finite[b] > finite[best] { b } else { best }
                    },
                );
            (bins.len() >= min_bins && mean >= min_mean).then_some(Field { bins, peak })
        })
        .collect()
}

#[cfg(test)]
mod tests;
