//! Spatial autocorrelograms by FFT (`rustfft`): the masked one of DeepMind (Banino et al. 2018)
//! and opexebo's (BNT's), which treats unvisited bins as zeros (docs/design.md section 7).

use super::fft2::{HalfSpectrum, correlate, fast_len, forward};

/// Axis geometry of a centred autocorrelogram of a map `n` bins long, transformed at length
/// `p`: output index `o` (0 ..= 2n-2) is the shift o - (n-1); returns where that shift sits in
/// the transform (negative shifts wrap to the end) and the span [start, end) of the first
/// copy's bins that have a partner at that shift.
fn shift_axis(o: usize, n: usize, p: usize) -> (usize, usize, usize) {
    if o + 1 < n {
        (p + o + 1 - n, n - 1 - o, n)
    } else {
        (o + 1 - n, 0, 2 * n - 1 - o)
    }
}

/// The second copy's sums from the first's: at the opposite shift, i.e. the centred array
/// reversed.
fn mirrored(a: &[f64]) -> Vec<f64> {
    a.iter().rev().copied().collect()
}

/// A circular correlation at padded shape ph x pw rearranged to the centred
/// (2h-1) x (2w-1) layout of every shift.
fn centred(corr: &[f64], h: usize, w: usize, ph: usize, pw: usize) -> Vec<f64> {
    let (oh, ow) = (2 * h - 1, 2 * w - 1);
    let mut out = Vec::with_capacity(oh * ow);
    for oy in 0..oh {
        let src_row = shift_axis(oy, h, ph).0 * pw;
        out.extend((0..ow).map(|ox| corr[src_row + shift_axis(ox, w, pw).0]));
    }
    out
}

/// For every shift (dy, dx) of an h x w map against itself, sums over the bins valid in both
/// (bin p and bin p + s): count, sum of the first and second copy, their squares, and their
/// product; (2h-1) x (2w-1), centre (zero shift) at (h-1, w-1). Cross-correlations by real
/// FFTs give every shift at once.
struct OverlapSums {
    n: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
    s11: Vec<f64>,
    s22: Vec<f64>,
    s12: Vec<f64>,
}

impl OverlapSums {
    fn new(values: &[f64], valid: &[bool], h: usize, w: usize) -> OverlapSums {
        // Any padding of at least 2n - 1 keeps the circular correlation from wrapping.
        let (ph, pw) = (fast_len(2 * h - 1), fast_len(2 * w - 1));
        let x: Vec<f64> = (0..h * w)
            .map(|i| if valid[i] { values[i] } else { 0.0 })
            .collect();
        let x2: Vec<f64> = x.iter().map(|v| v * v).collect();
        let v: Vec<f64> = valid.iter().map(|&b| f64::from(u8::from(b))).collect();
        let spectrum = |img: &[f64]| forward(img, h, w, ph, pw);
        let (xs, x2s, vs) = (spectrum(&x), spectrum(&x2), spectrum(&v));
        // corr(a, b)[s] = sum_p a[p] b[p + s]: the second copy is b.
        let centre = |s: &HalfSpectrum, t: &HalfSpectrum| centred(&correlate(s, t), h, w, ph, pw);
        let s1 = centre(&xs, &vs);
        let s11 = centre(&x2s, &vs);
        OverlapSums {
            // Counts are whole numbers; rounding removes the transform's error.
            n: centre(&vs, &vs)
                .iter()
                .map(|c| (c + 0.5).max(0.0) as u64 as f64)
                .collect(),
            s2: mirrored(&s1),
            s22: mirrored(&s11),
            s1,
            s11,
            s12: centre(&xs, &xs),
        }
    }

    /// Numerator and the two variance terms (times the count) of the Pearson r at shift `i`.
    fn terms(&self, i: usize) -> (f64, f64, f64) {
        let n = self.n[i];
        (
            n * self.s12[i] - self.s1[i] * self.s2[i],
            n * self.s11[i] - self.s1[i] * self.s1[i],
            n * self.s22[i] - self.s2[i] * self.s2[i],
        )
    }
}

/// Autocorrelogram of an h x w map (NaN = invalid), (2h-1) x (2w-1), centre at (h-1, w-1):
/// entry (dy, dx) correlates m(y, x) with m(y + dy, x + dx) over bins valid in both (DeepMind's
/// SAC, `grid_score_masked`). Shifts with fewer than `min_overlap` common bins, or no
/// variance, are NaN.
pub fn masked_autocorrelogram(map: &[f64], h: usize, w: usize, min_overlap: usize) -> Vec<f64> {
    let valid: Vec<bool> = map.iter().map(|v| !v.is_nan()).collect();
    let sums = OverlapSums::new(map, &valid, h, w);
    (0..sums.n.len())
        .map(|i| {
            let cnt = sums.n[i];
            if cnt < min_overlap as f64 {
                return f64::NAN;
            }
            let (num, va, vb) = sums.terms(i);
            let den = (va * vb).sqrt();
            if den > 1e-12 * cnt * cnt {
                (num / den).clamp(-1.0, 1.0)
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// An autocorrelogram and its shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Autocorrelogram {
    /// Values, row-major.
    pub values: Vec<f64>,
    /// Rows.
    pub h: usize,
    /// Columns.
    pub w: usize,
}

/// Integral images of x and x^2 of an h x w map, (h+1) x (w+1): any rectangle's sum of
/// either from four entries.
struct Integral {
    w: usize,
    sum: Vec<f64>,
    squares: Vec<f64>,
}

impl Integral {
    fn new(values: &[f64], h: usize, w: usize) -> Integral {
        let iw = w + 1;
        let mut sum = vec![0.0; (h + 1) * iw];
        let mut squares = vec![0.0; (h + 1) * iw];
        for y in 0..h {
            for x in 0..w {
                let v = values[y * w + x];
                let k = (y + 1) * iw + x + 1;
                sum[k] = v + sum[k - 1] + sum[k - iw] - sum[k - iw - 1];
                squares[k] = v * v + squares[k - 1] + squares[k - iw] - squares[k - iw - 1];
            }
        }
        Integral { w, sum, squares }
    }

    /// Sums of x and x^2 over rows [r0, r1) and the first c columns, for every c in
    /// 0 ..= w: a rectangle's sums over those rows are then differences of two entries.
    fn rows_into(&self, r0: usize, r1: usize, sum: &mut [f64], squares: &mut [f64]) {
        let iw = self.w + 1;
        let (top, bottom) = (r0 * iw..r0 * iw + iw, r1 * iw..r1 * iw + iw);
        for ((s, a), b) in sum
            .iter_mut()
            .zip(&self.sum[bottom.clone()])
            .zip(&self.sum[top.clone()])
        {
            *s = a - b;
        }
        for ((s, a), b) in squares
            .iter_mut()
            .zip(&self.squares[bottom])
            .zip(&self.squares[top])
        {
            *s = a - b;
        }
    }
}

/// opexebo 0.7.2's `autocorrelation` (BNT's): unvisited bins set to 0, then
/// `normxcorr2_general` (Pearson r over each shift's overlap, 0 where the variance term is
/// within 1000 ulps of zero), cropped to the central 80 % overlap (odd sizes, e.g. 35 x 35 for
/// a 20 x 20 map).
///
/// Every bin counts, so each shift's count is known and the sums of each copy are rectangle
/// sums of integral images; only the product needs a transform (of the power spectrum). The
/// tolerance depends on the largest variance term over every shift, so those are computed
/// everywhere, the correlations only inside the crop.
pub fn opexebo_autocorrelogram(map: &[f64], h: usize, w: usize) -> Autocorrelogram {
    let zeroed: Vec<f64> = map
        .iter()
        .map(|v| if v.is_nan() { 0.0 } else { *v })
        .collect();
    let (ph, pw) = (fast_len(2 * h - 1), fast_len(2 * w - 1));
    let spec = forward(&zeroed, h, w, ph, pw);
    let circular = correlate(&spec, &spec);
    let sums = Integral::new(&zeroed, h, w);
    let (oh, ow) = (2 * h - 1, 2 * w - 1);
    let ((r0, r1), (c0, c1)) = (crop_span(h), crop_span(w));
    let cw = c1 - c0;
    // normxcorr2 divides the local sums by the count before subtracting; the counts cancel
    // in r, so r = (n s12 - s1 s2) / sqrt(a b) with a = n s11 - s1^2, b = n s22 - s2^2, and
    // only the tolerance, which is on the variance term sqrt(a b) / n, needs the count.
    // Divisions are what this loop would otherwise spend its time on, so 1 / n comes from
    // per-axis reciprocals (the count is rows x columns).
    let reciprocals = |len: usize, d: usize, p: usize| -> Vec<f64> {
        (0..len)
            .map(|o| {
                let (_, a0, a1) = shift_axis(o, d, p);
                1.0 / (a1 - a0) as f64
            })
            .collect()
    };
    let (inv_rows, inv_cols) = (reciprocals(oh, h, ph), reciprocals(ow, w, pw));
    // The crop's numerators and variance products; the square roots and divisions come in
    // one pass after the loop, once the tolerance is known.
    let mut r = vec![0.0; (r1 - r0) * cw];
    let mut products = vec![0.0; (r1 - r0) * cw];
    let mut max_product = 0.0f64;
    // Shift -s swaps the two copies' rectangles, so its variance terms are the same: each
    // pair's sums are taken once, from the first half of the shifts in raster order; only the
    // product term differs.
    let cols: Vec<(usize, usize, usize)> = (0..ow).map(|ox| shift_axis(ox, w, pw)).collect();
    let iw = w + 1;
    let (mut a_sum, mut a_squares) = (vec![0.0; iw], vec![0.0; iw]);
    let (mut b_sum, mut b_squares) = (vec![0.0; iw], vec![0.0; iw]);
    for (oy, &inv_row) in inv_rows.iter().enumerate().take(h) {
        let (row, a0, a1) = shift_axis(oy, h, ph);
        // The second copy's bins: the first's moved by the shift.
        let (b0, b1) = (a0 + oy + 1 - h, a1 + oy + 1 - h);
        sums.rows_into(a0, a1, &mut a_sum, &mut a_squares);
        sums.rows_into(b0, b1, &mut b_sum, &mut b_squares);
        let my = oh - 1 - oy;
        let mirror_row = shift_axis(my, h, ph).0;
        let last = if oy + 1 == h { w } else { ow };
        for (ox, &(col, d0, d1)) in cols.iter().enumerate().take(last) {
            let (e0, e1) = (d0 + ox + 1 - w, d1 + ox + 1 - w);
            let n = ((a1 - a0) * (d1 - d0)) as f64;
            let inv_n = inv_row * inv_cols[ox];
            let (s1, s11) = (a_sum[d1] - a_sum[d0], a_squares[d1] - a_squares[d0]);
            let (s2, s22) = (b_sum[e1] - b_sum[e0], b_squares[e1] - b_squares[e0]);
            let ab = (n * s11 - s1 * s1).max(0.0) * (n * s22 - s2 * s2).max(0.0);
            // sqrt is monotone, so the largest variance product gives the largest term.
            max_product = max_product.max(ab * (inv_n * inv_n));
            if (r0..r1).contains(&oy) && (c0..c1).contains(&ox) {
                let mx = ow - 1 - ox;
                let mirror_col = cols[mx].0;
                let (k, m) = ((oy - r0) * cw + ox - c0, (my - r0) * cw + mx - c0);
                r[k] = n * circular[row * pw + col] - s1 * s2;
                r[m] = n * circular[mirror_row * pw + mirror_col] - s2 * s1;
                products[k] = ab;
                products[m] = ab;
            }
        }
    }
    let max_den = max_product.sqrt();
    let tol = 1000.0 * (f64::from_bits(max_den.to_bits() + 1) - max_den);
    for (y, (row, ab)) in r
        .chunks_exact_mut(cw)
        .zip(products.chunks_exact(cw))
        .enumerate()
    {
        let inv_row = inv_rows[r0 + y];
        for ((v, &ab), &inv_col) in row.iter_mut().zip(ab).zip(&inv_cols[c0..c1]) {
            let root = ab.sqrt();
            let value = *v / root;
            *v = if root * (inv_row * inv_col) > tol {
                value
            } else {
                0.0
            };
        }
    }
    Autocorrelogram {
        values: r,
        h: r1 - r0,
        w: cw,
    }
}

/// The rows (or columns) [start, end) of a (2d-1)-long autocorrelogram axis that opexebo's
/// crop keeps: shifts with at least about 80 % overlap, an odd count.
fn crop_span(d: usize) -> (usize, usize) {
    let full = 2 * d - 1;
    let mut new = (d as f64 * 1.8).round_ties_even() as usize;
    if new % 2 == 0 {
        new -= 1;
    }
    let offset = ((full - new) as f64 / 2.0 + 1.0).round_ties_even() as usize;
    (offset - 1, full - offset + 1)
}

/// The central part of a (2h-1) x (2w-1) autocorrelogram that opexebo keeps: shifts with at
/// least about 80 % overlap, odd sizes (35 x 35 for a 20 x 20 map).
pub fn crop_central(full: &[f64], h: usize, w: usize) -> Autocorrelogram {
    let ((r0, r1), (c0, c1)) = (crop_span(h), crop_span(w));
    let pw = 2 * w - 1;
    let mut values = Vec::with_capacity((r1 - r0) * (c1 - c0));
    for r in r0..r1 {
        values.extend_from_slice(&full[r * pw + c0..r * pw + c1]);
    }
    Autocorrelogram {
        values,
        h: r1 - r0,
        w: c1 - c0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same quantity by direct summation.
    fn direct(map: &[f64], h: usize, w: usize, dy: isize, dx: isize) -> f64 {
        let mut pairs = Vec::new();
        for y in 0..h as isize {
            for x in 0..w as isize {
                let (y2, x2) = (y + dy, x + dx);
                if y2 < 0 || x2 < 0 || y2 >= h as isize || x2 >= w as isize {
                    continue;
                }
                let (a, b) = (
                    map[(y * w as isize + x) as usize],
                    map[(y2 * w as isize + x2) as usize],
                );
                if !a.is_nan() && !b.is_nan() {
                    pairs.push((a, b));
                }
            }
        }
        let (a, b): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        crate::pearson_valid(&a, &b)
    }

    #[test]
    fn fft_autocorrelogram_equals_direct_sums() {
        let (h, w) = (9, 12);
        let mut map: Vec<f64> = (0..h * w).map(|i| ((i * 37 % 17) as f64).sin()).collect();
        map[5] = f64::NAN;
        map[40] = f64::NAN;
        let sac = masked_autocorrelogram(&map, h, w, 5);
        let pw = 2 * w - 1;
        assert!((sac[(h - 1) * pw + w - 1] - 1.0).abs() < 1e-12);
        for (dy, dx) in [(0, 1), (1, 0), (-2, 3), (4, -5), (-6, -7)] {
            let got = sac[((dy + h as isize - 1) as usize) * pw + (dx + w as isize - 1) as usize];
            let want = direct(&map, h, w, dy, dx);
            assert!(
                (got - want).abs() < 1e-9,
                "shift ({dy},{dx}): {got} vs {want}"
            );
        }
    }

    #[test]
    fn opexebo_autocorrelogram_is_the_pearson_r_of_the_zero_filled_map() {
        // Rectangle sums and the power spectrum's transform against the masked
        // autocorrelogram's six transforms, on the zero-filled map where every bin counts.
        let (h, w) = (7, 9);
        let mut map: Vec<f64> = (0..h * w).map(|i| ((i * 31 % 11) as f64).cos()).collect();
        map[10] = f64::NAN;
        let zeroed: Vec<f64> = map
            .iter()
            .map(|v| if v.is_nan() { 0.0 } else { *v })
            .collect();
        let got = opexebo_autocorrelogram(&map, h, w);
        let want = crop_central(&masked_autocorrelogram(&zeroed, h, w, 1), h, w);
        assert_eq!((got.h, got.w), (want.h, want.w));
        for (p, q) in got.values.iter().zip(&want.values) {
            let q = if q.is_nan() { 0.0 } else { *q };
            assert!((p - q).abs() < 1e-9, "{p} vs {q}");
        }
    }
}
