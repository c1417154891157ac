//! The masked spatial autocorrelogram (DeepMind's SAC, Banino et al. 2018): for each shift,
//! the Pearson correlation between the map and its shifted copy over the bins valid in both.
//! Six cross-correlations, each by FFT (`rustfft`), give every shift at once.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// 2D FFT in place on an h x w row-major buffer: rows, then columns.
fn fft2(
    data: &mut [Complex<f64>],
    h: usize,
    w: usize,
    inverse: bool,
    planner: &mut FftPlanner<f64>,
) {
    let (row_fft, col_fft) = if inverse {
        (planner.plan_fft_inverse(w), planner.plan_fft_inverse(h))
    } else {
        (planner.plan_fft_forward(w), planner.plan_fft_forward(h))
    };
    for row in data.chunks_exact_mut(w) {
        row_fft.process(row);
    }
    let mut col = vec![Complex::new(0.0, 0.0); h];
    for c in 0..w {
        for r in 0..h {
            col[r] = data[r * w + c];
        }
        col_fft.process(&mut col);
        for r in 0..h {
            data[r * w + c] = col[r];
        }
    }
}

/// Autocorrelogram of an h x w map (NaN = invalid), (2h-1) x (2w-1), centre at (h-1, w-1):
/// entry (dy, dx) correlates m(y, x) with m(y + dy, x + dx) over bins valid in both. Shifts
/// with fewer than `min_overlap` common bins, or no variance, are NaN.
pub fn masked_autocorrelogram(map: &[f64], h: usize, w: usize, min_overlap: usize) -> Vec<f64> {
    let (ph, pw) = (2 * h - 1, 2 * w - 1);
    let mut planner = FftPlanner::new();
    let embed = |f: &dyn Fn(f64) -> f64| {
        let mut buf = vec![Complex::new(0.0, 0.0); ph * pw];
        for y in 0..h {
            for x in 0..w {
                let v = map[y * w + x];
                if !v.is_nan() {
                    buf[y * pw + x] = Complex::new(f(v), 0.0);
                }
            }
        }
        buf
    };
    let mut v = embed(&|_| 1.0);
    let mut x = embed(&|m| m);
    let mut x2 = embed(&|m| m * m);
    for b in [&mut v, &mut x, &mut x2] {
        fft2(b, ph, pw, false, &mut planner);
    }
    // corr(a, b)[s] = sum_p a[p] b[p + s] = IFFT(conj(A) B)[s], shifts wrapped into the padding.
    let cross = |a: &[Complex<f64>], b: &[Complex<f64>], planner: &mut FftPlanner<f64>| {
        let mut out: Vec<Complex<f64>> = a.iter().zip(b).map(|(p, q)| p.conj() * q).collect();
        fft2(&mut out, ph, pw, true, planner);
        out.into_iter()
            .map(|c| c.re / (ph * pw) as f64)
            .collect::<Vec<f64>>()
    };
    let n = cross(&v, &v, &mut planner);
    let s1 = cross(&x, &v, &mut planner);
    let s2 = cross(&v, &x, &mut planner);
    let s11 = cross(&x2, &v, &mut planner);
    let s22 = cross(&v, &x2, &mut planner);
    let s12 = cross(&x, &x, &mut planner);
    let mut out = vec![f64::NAN; ph * pw];
    for dy in -(h as isize - 1)..h as isize {
        for dx in -(w as isize - 1)..w as isize {
            let src =
                (dy.rem_euclid(ph as isize) as usize) * pw + dx.rem_euclid(pw as isize) as usize;
            let dst = ((dy + h as isize - 1) as usize) * pw + (dx + w as isize - 1) as usize;
            let cnt = n[src].round();
            if cnt < min_overlap as f64 {
                continue;
            }
            let num = cnt * s12[src] - s1[src] * s2[src];
            let den = ((cnt * s11[src] - s1[src] * s1[src]) * (cnt * s22[src] - s2[src] * s2[src]))
                .sqrt();
            if den > 1e-12 * cnt * cnt {
                out[dst] = (num / den).clamp(-1.0, 1.0);
            }
        }
    }
    out
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
}
