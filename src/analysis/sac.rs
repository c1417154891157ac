//! Spatial autocorrelograms by FFT (`rustfft`): the masked one of DeepMind (Banino et al. 2018)
//! and opexebo's (BNT's), which treats unvisited bins as zeros (design section 7).

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

    /// The same for a map whose every bin counts (opexebo's, unvisited bins as zeros): the
    /// counts are known, the sums of each copy are rectangle sums of an integral image, and
    /// only the product needs a transform.
    fn full(values: &[f64], h: usize, w: usize) -> OverlapSums {
        let (ph, pw) = (fast_len(2 * h - 1), fast_len(2 * w - 1));
        let xs = forward(values, h, w, ph, pw);
        // Integral images of x and x^2, (h+1) x (w+1).
        let iw = w + 1;
        let mut i1 = vec![0.0; (h + 1) * iw];
        let mut i2 = vec![0.0; (h + 1) * iw];
        for y in 0..h {
            for x in 0..w {
                let v = values[y * w + x];
                let k = (y + 1) * iw + x + 1;
                i1[k] = v + i1[k - 1] + i1[k - iw] - i1[k - iw - 1];
                i2[k] = v * v + i2[k - 1] + i2[k - iw] - i2[k - iw - 1];
            }
        }
        let rect = |img: &[f64], r0: usize, r1: usize, c0: usize, c1: usize| {
            img[r1 * iw + c1] - img[r0 * iw + c1] - img[r1 * iw + c0] + img[r0 * iw + c0]
        };
        let (oh, ow) = (2 * h - 1, 2 * w - 1);
        let mut out = OverlapSums {
            n: vec![0.0; oh * ow],
            s1: vec![0.0; oh * ow],
            s2: vec![0.0; oh * ow],
            s11: vec![0.0; oh * ow],
            s22: vec![0.0; oh * ow],
            s12: centred(&correlate(&xs, &xs), h, w, ph, pw),
        };
        for oy in 0..oh {
            let (_, r0, r1) = shift_axis(oy, h, ph);
            for ox in 0..ow {
                let (_, c0, c1) = shift_axis(ox, w, pw);
                let k = oy * ow + ox;
                out.n[k] = ((r1 - r0) * (c1 - c0)) as f64;
                out.s1[k] = rect(&i1, r0, r1, c0, c1);
                out.s11[k] = rect(&i2, r0, r1, c0, c1);
            }
        }
        out.s2 = mirrored(&out.s1);
        out.s22 = mirrored(&out.s11);
        out
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

/// opexebo 0.7.2's `autocorrelation` (BNT's): unvisited bins set to 0, then
/// `normxcorr2_general` (Pearson r over each shift's overlap, 0 where the variance term is
/// within 1000 ulps of zero), cropped to the central 80 % overlap (odd sizes, e.g. 35 x 35 for
/// a 20 x 20 map).
pub fn opexebo_autocorrelogram(map: &[f64], h: usize, w: usize) -> Autocorrelogram {
    let zeroed: Vec<f64> = map
        .iter()
        .map(|v| if v.is_nan() { 0.0 } else { *v })
        .collect();
    let sums = OverlapSums::full(&zeroed, h, w);
    // normxcorr2 divides the local sums by the count before subtracting; the same terms.
    let parts: Vec<(f64, f64)> = (0..sums.n.len())
        .map(|i| {
            let (num, va, vb) = sums.terms(i);
            let n = sums.n[i];
            (num / n, (va.max(0.0) / n * (vb.max(0.0) / n)).sqrt())
        })
        .collect();
    let max_den = parts.iter().map(|p| p.1).fold(0.0, f64::max);
    let tol = 1000.0 * (f64::from_bits(max_den.to_bits() + 1) - max_den);
    let full: Vec<f64> = parts
        .iter()
        .map(|&(num, den)| if den > tol { num / den } else { 0.0 })
        .collect();
    crop_central(&full, h, w)
}

/// The central part of a (2h-1) x (2w-1) autocorrelogram that opexebo keeps: shifts with at
/// least about 80 % overlap, odd sizes (35 x 35 for a 20 x 20 map).
pub fn crop_central(full: &[f64], h: usize, w: usize) -> Autocorrelogram {
    let crop = |d: usize| {
        let full = 2 * d - 1;
        let mut new = (d as f64 * 1.8).round_ties_even() as usize;
        if new % 2 == 0 {
            new -= 1;
        }
        let offset = ((full - new) as f64 / 2.0 + 1.0).round_ties_even() as usize;
        (offset - 1, full - offset + 1)
    };
    let ((r0, r1), (c0, c1)) = (crop(h), crop(w));
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
        crate::analysis::pearson_valid(&a, &b)
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
    fn integral_image_sums_equal_the_transformed_ones() {
        let (h, w) = (7, 9);
        let map: Vec<f64> = (0..h * w).map(|i| ((i * 31 % 11) as f64).cos()).collect();
        let a = OverlapSums::full(&map, h, w);
        let b = OverlapSums::new(&map, &vec![true; h * w], h, w);
        for (x, y) in [
            (&a.n, &b.n),
            (&a.s1, &b.s1),
            (&a.s2, &b.s2),
            (&a.s11, &b.s11),
            (&a.s22, &b.s22),
            (&a.s12, &b.s12),
        ] {
            for (p, q) in x.iter().zip(y) {
                assert!((p - q).abs() < 1e-9, "{p} vs {q}");
            }
        }
    }
}
