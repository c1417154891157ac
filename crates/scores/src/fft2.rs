//! Two-dimensional transforms of real images zero-padded to a fast size (`realfft` on
//! `rustfft`), for the autocorrelograms and the band spectrum (docs/design.md section 7). A real
//! image's spectrum is Hermitian, so only its first `pw / 2 + 1` columns are kept; the rows
//! beyond the image are zero, so their transforms are skipped. Plans and scratch are kept per
//! thread: every map of a run has the same shape, so a null of 10^4 maps plans once.

use std::cell::RefCell;

use realfft::RealFftPlanner;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// The smallest even length >= n whose only prime factors are 2, 3 and 5 (fast for
/// `rustfft`; even so that the real transforms take their fast path).
pub(crate) fn fast_len(n: usize) -> usize {
    (n.max(2)..)
        .find(|&m| {
            let mut m = m;
            if m % 2 != 0 {
                return false;
            }
            for p in [2, 3, 5] {
                while m % p == 0 {
                    m /= p;
                }
            }
            m == 1
        })
        .expect("5-smooth numbers are unbounded")
}

/// The non-redundant half of the spectrum of a real ph x pw image, stored by column:
/// `data[c * ph + r]` is entry (r, c) for c in 0 ..= pw / 2 (the others are the conjugates
/// of entry (-r, -c)).
#[derive(Clone, Debug)]
pub(crate) struct HalfSpectrum {
    /// Padded rows.
    pub ph: usize,
    /// Padded columns.
    pub pw: usize,
    /// Entries, column by column.
    pub data: Vec<Complex<f64>>,
}

impl HalfSpectrum {
    /// Stored columns.
    pub fn columns(&self) -> usize {
        self.pw / 2 + 1
    }
}

/// A thread's plans and scratch.
struct Workspace {
    real: RealFftPlanner<f64>,
    complex: FftPlanner<f64>,
    row: Vec<f64>,
    half_row: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

fn with_workspace<T>(f: impl FnOnce(&mut Workspace) -> T) -> T {
    thread_local! {
        static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace {
            real: RealFftPlanner::new(),
            complex: FftPlanner::new(),
            row: Vec::new(),
            half_row: Vec::new(),
            scratch: Vec::new(),
        });
    }
    WORKSPACE.with(|w| f(&mut w.borrow_mut()))
}

/// The spectrum of an h x w real image (row-major) zero-padded to ph x pw.
pub(crate) fn forward(img: &[f64], h: usize, w: usize, ph: usize, pw: usize) -> HalfSpectrum {
    debug_assert!(ph >= h && pw >= w && img.len() == h * w);
    let nc = pw / 2 + 1;
    let mut data = vec![Complex::new(0.0, 0.0); nc * ph];
    with_workspace(|ws| {
        let row_fft = ws.real.plan_fft_forward(pw);
        let col_fft = ws.complex.plan_fft_forward(ph);
        let need = row_fft
            .get_scratch_len()
            .max(col_fft.get_inplace_scratch_len());
        ws.scratch.resize(need, Complex::new(0.0, 0.0));
        ws.row.resize(pw, 0.0);
        ws.half_row.resize(nc, Complex::new(0.0, 0.0));
        for r in 0..h {
            ws.row[..w].copy_from_slice(&img[r * w..(r + 1) * w]);
            ws.row[w..].fill(0.0);
            row_fft
                .process_with_scratch(&mut ws.row, &mut ws.half_row, &mut ws.scratch)
                .expect("buffer lengths come from the plan");
            for (c, z) in ws.half_row.iter().enumerate() {
                data[c * ph + r] = *z;
            }
        }
        col_fft.process_with_scratch(
            &mut data,
            &mut ws.scratch[..col_fft.get_inplace_scratch_len()],
        );
    });
    HalfSpectrum { ph, pw, data }
}

/// The real ph x pw image (row-major) of a half spectrum, normalised (the inverse of
/// [`forward`]). The spectrum is used as scratch.
pub(crate) fn inverse(mut spec: HalfSpectrum) -> Vec<f64> {
    let (ph, pw) = (spec.ph, spec.pw);
    let nc = spec.columns();
    let mut out = vec![0.0; ph * pw];
    let scale = 1.0 / (ph * pw) as f64;
    with_workspace(|ws| {
        let col_fft = ws.complex.plan_fft_inverse(ph);
        let row_fft = ws.real.plan_fft_inverse(pw);
        let need = row_fft
            .get_scratch_len()
            .max(col_fft.get_inplace_scratch_len());
        ws.scratch.resize(need, Complex::new(0.0, 0.0));
        ws.half_row.resize(nc, Complex::new(0.0, 0.0));
        col_fft.process_with_scratch(
            &mut spec.data,
            &mut ws.scratch[..col_fft.get_inplace_scratch_len()],
        );
        for r in 0..ph {
            for (c, z) in ws.half_row.iter_mut().enumerate() {
                *z = spec.data[c * ph + r];
            }
            // The first and (even length) last columns of a real image's row spectrum are
            // real; what the transform's rounding leaves in them is dropped.
            ws.half_row[0].im = 0.0;
            ws.half_row[nc - 1].im = 0.0;
            let row = &mut out[r * pw..(r + 1) * pw];
            row_fft
                .process_with_scratch(&mut ws.half_row, row, &mut ws.scratch)
                .expect("buffer lengths come from the plan");
            for v in row.iter_mut() {
                *v *= scale;
            }
        }
    });
    out
}

/// Circular cross-correlations of real images from their spectra:
/// `out[s] = sum_p a[p] b[p + s]` (indices modulo the padded shape), one per pair.
pub(crate) fn correlate(a: &HalfSpectrum, b: &HalfSpectrum) -> Vec<f64> {
    let data = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(x, y)| x.conj() * y)
        .collect();
    inverse(HalfSpectrum { data, ..*a })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_lengths_are_even_and_5_smooth() {
        assert_eq!(fast_len(39), 40);
        assert_eq!(fast_len(43), 48);
        assert_eq!(fast_len(44), 48);
        assert_eq!(fast_len(1), 2);
    }

    #[test]
    fn correlation_by_transform_equals_direct_sums() {
        let (h, w, ph, pw) = (5, 7, 12, 16);
        let a: Vec<f64> = (0..h * w).map(|i| ((i * 7 % 11) as f64).sin()).collect();
        let b: Vec<f64> = (0..h * w).map(|i| ((i * 5 % 13) as f64).cos()).collect();
        let got = correlate(&forward(&a, h, w, ph, pw), &forward(&b, h, w, ph, pw));
        for sy in 0..ph {
            for sx in 0..pw {
                let mut want = 0.0;
                for y in 0..h {
                    for x in 0..w {
                        let (y2, x2) = ((y + sy) % ph, (x + sx) % pw);
                        if y2 < h && x2 < w {
                            want += a[y * w + x] * b[y2 * w + x2];
                        }
                    }
                }
                let g = got[sy * pw + sx];
                assert!((g - want).abs() < 1e-12, "({sy},{sx}): {g} vs {want}");
            }
        }
    }
}
