//! The per-time-step product of the fused kernel, hand-written: C = keep C + scale A B with
//! A = a shard's Bs x N activity (or BPTT gradient) block and B = W_rec^T (forward) or W_rec
//! (backward). B is the same for all T steps of an iteration, so it is packed once into
//! 16-column panels and the 6 x 16 AVX2/FMA microkernel streams A straight from its rows: no
//! per-call packing or dispatch, which is what a general GEMM spends most of its time on at
//! this small size. Without AVX2+FMA (or for f64) the `gemm` crate does the product.

use std::any::TypeId;

use super::Real;
use super::gemm::{Mat, matmul};
use super::simd::SimdPath;

const PANEL: usize = 16;
const ROWS: usize = 6;

/// B (k x n) packed for the microkernel: panel p holds columns 16p..16p+16 as `data[(p*k + kk)*16 + j]`,
/// zero-padded past n.
pub struct PackedB<R> {
    k: usize,
    n: usize,
    data: Vec<R>,
}

impl<R: Real> PackedB<R> {
    /// An empty packing (fill it with [`PackedB::pack`]).
    pub fn new() -> Self {
        PackedB {
            k: 0,
            n: 0,
            data: Vec::new(),
        }
    }

    /// Pack B (k x n) given as a strided view, panels split over `threads` (each panel is
    /// written whole by one worker, so the packing does not depend on the thread count). The
    /// buffer is reused: packing every iteration into the same [`PackedB`] costs no page
    /// faults, which for N = 4096 (64 MB) cost more than the copy.
    pub fn pack(&mut self, b: Mat<'_, R>, k: usize, n: usize, threads: usize) {
        let panels = n.div_ceil(PANEL);
        self.k = k;
        self.n = n;
        self.data.resize(panels * k * PANEL, R::zero());
        // Rows of B in blocks of 64, every panel of the block in turn: both B's rows and the
        // panels are then read and written in cache-sized runs, whichever way B is strided.
        let fill = |first: usize, out: &mut [R]| {
            let count = out.len() / (k * PANEL);
            for k0 in (0..k).step_by(64) {
                for q in 0..count {
                    let p = first + q;
                    let cols = PANEL.min(n - p * PANEL);
                    for kk in k0..(k0 + 64).min(k) {
                        let row = &mut out[(q * k + kk) * PANEL..(q * k + kk + 1) * PANEL];
                        for (j, v) in row.iter_mut().enumerate() {
                            *v = if j < cols {
                                b.data[kk * b.rs + (p * PANEL + j) * b.cs]
                            } else {
                                R::zero()
                            };
                        }
                    }
                }
            }
        };
        let per = panels.div_ceil(threads.max(1)).max(1);
        if threads <= 1 || k * n < 1 << 16 {
            fill(0, &mut self.data);
            return;
        }
        std::thread::scope(|s| {
            for (c, out) in self.data.chunks_mut(per * k * PANEL).enumerate() {
                let fill = &fill;
                s.spawn(move || fill(c * per, out));
            }
        });
    }
}

impl<R: Real> Default for PackedB<R> {
    fn default() -> Self {
        Self::new()
    }
}

/// C (m x n, row stride `ldc`) := keep * C + scale * A (m x k, row stride `lda`) . B, where
/// `b` is B's strided view and `packed` the same B packed; `keep = None` overwrites C.
#[allow(clippy::too_many_arguments)]
pub fn step_matmul<R: Real>(
    path: SimdPath,
    m: usize,
    a: &[R],
    lda: usize,
    b: Mat<'_, R>,
    packed: &PackedB<R>,
    c: &mut [R],
    ldc: usize,
    keep: Option<R>,
    scale: R,
) {
    let (k, n) = (packed.k, packed.n);
    #[cfg(target_arch = "x86_64")]
    if path != SimdPath::Portable && TypeId::of::<R>() == TypeId::of::<f32>() && m > 0 && k > 0 {
        assert!(
            a.len() >= (m - 1) * lda + k && c.len() >= (m - 1) * ldc + n,
            "step_matmul: operands too small"
        );
        // SAFETY: R is f32 (checked above), so the casts reinterpret f32 slices as f32; the
        // asserts keep every access inside the slices; AVX2 and FMA are present on every
        // non-portable path.
        unsafe {
            let a32 = std::slice::from_raw_parts(a.as_ptr() as *const f32, a.len());
            let b32 =
                std::slice::from_raw_parts(packed.data.as_ptr() as *const f32, packed.data.len());
            let c32 = std::slice::from_raw_parts_mut(c.as_mut_ptr() as *mut f32, c.len());
            let keep32 = keep.map(|v| v.f64() as f32);
            let scale32 = scale.f64() as f32;
            if path == SimdPath::Avx512 {
                avx512::matmul(m, k, n, a32, lda, b32, c32, ldc, keep32, scale32);
            } else {
                avx2::matmul(m, k, n, a32, lda, b32, c32, ldc, keep32, scale32);
            }
        }
        return;
    }
    let _ = path;
    matmul(m, n, k, c, ldc, keep, Mat::rows(a, lda), b, scale);
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{PANEL, ROWS};
    use std::arch::x86_64::*;

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn matmul(
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        lda: usize,
        bp: &[f32],
        c: &mut [f32],
        ldc: usize,
        keep: Option<f32>,
        scale: f32,
    ) {
        // Panels outer, rows inner: a panel (k x 16) stays in cache while every row block
        // uses it, so B is read from memory once per call however large N is.
        let panels = n.div_ceil(PANEL);
        for p in 0..panels {
            let cols = PANEL.min(n - p * PANEL);
            let panel = &bp[p * k * PANEL..(p + 1) * k * PANEL];
            let mut i = 0;
            while i < m {
                let rows = ROWS.min(m - i);
                let a_blk = &a[i * lda..];
                let c_blk = &mut c[i * ldc + p * PANEL..];
                match rows {
                    6 => block::<6>(k, a_blk, lda, panel, c_blk, ldc, cols, keep, scale),
                    5 => block::<5>(k, a_blk, lda, panel, c_blk, ldc, cols, keep, scale),
                    4 => block::<4>(k, a_blk, lda, panel, c_blk, ldc, cols, keep, scale),
                    3 => block::<3>(k, a_blk, lda, panel, c_blk, ldc, cols, keep, scale),
                    2 => block::<2>(k, a_blk, lda, panel, c_blk, ldc, cols, keep, scale),
                    _ => block::<1>(k, a_blk, lda, panel, c_blk, ldc, cols, keep, scale),
                }
                i += rows;
            }
        }
    }

    /// One R x 16 block of C over the whole k, in 2R ymm accumulators.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn block<const R: usize>(
        k: usize,
        a: &[f32],
        lda: usize,
        panel: &[f32],
        c: &mut [f32],
        ldc: usize,
        cols: usize,
        keep: Option<f32>,
        scale: f32,
    ) {
        assert!(
            a.len() >= (R - 1) * lda + k
                && panel.len() >= k * PANEL
                && c.len() >= (R - 1) * ldc + cols
        );
        let mut acc = [[_mm256_setzero_ps(); 2]; R];
        let ap = a.as_ptr();
        let bp = panel.as_ptr();
        for kk in 0..k {
            // SAFETY: kk < k and the assert above bound every read.
            unsafe {
                let b0 = _mm256_loadu_ps(bp.add(kk * PANEL));
                let b1 = _mm256_loadu_ps(bp.add(kk * PANEL + 8));
                for (r, acc_r) in acc.iter_mut().enumerate() {
                    let av = _mm256_broadcast_ss(&*ap.add(r * lda + kk));
                    acc_r[0] = _mm256_fmadd_ps(av, b0, acc_r[0]);
                    acc_r[1] = _mm256_fmadd_ps(av, b1, acc_r[1]);
                }
            }
        }
        let s = _mm256_set1_ps(scale);
        for (r, acc_r) in acc.iter().enumerate() {
            let row = &mut c[r * ldc..r * ldc + cols];
            if cols == PANEL {
                // SAFETY: the row holds 16 elements.
                unsafe {
                    let cp = row.as_mut_ptr();
                    for (h, acc_h) in acc_r.iter().enumerate() {
                        let v = match keep {
                            Some(kp) => _mm256_fmadd_ps(
                                s,
                                acc_r[h],
                                _mm256_mul_ps(_mm256_set1_ps(kp), _mm256_loadu_ps(cp.add(8 * h))),
                            ),
                            None => _mm256_mul_ps(s, *acc_h),
                        };
                        _mm256_storeu_ps(cp.add(8 * h), v);
                    }
                }
            } else {
                let mut tmp = [0.0f32; PANEL];
                // SAFETY: tmp holds 16 floats.
                unsafe {
                    _mm256_storeu_ps(tmp.as_mut_ptr(), acc_r[0]);
                    _mm256_storeu_ps(tmp.as_mut_ptr().add(8), acc_r[1]);
                }
                for (cv, t) in row.iter_mut().zip(tmp) {
                    *cv = match keep {
                        Some(kp) => scale.mul_add(t, kp * *cv),
                        None => scale * t,
                    };
                }
            }
        }
    }
}

/// The same product with AVX-512: a block is R rows by two 16-column panels (one zmm each),
/// so each k step does 2R FMAs for 2 loads of B and R broadcasts of A. k is cut into blocks
/// of [`avx512::KC`] so that the two panels' block (32 KB) stays in L1 while every row block
/// uses it; the raw accumulators wait in a small buffer between k blocks (an f32 stored and
/// loaded is unchanged). Every element of C is still one accumulator summed over k in order,
/// with the same epilogue, so the result is bit-identical to the AVX2 kernel's.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{PANEL, ROWS};
    use std::arch::x86_64::*;

    /// Rows of B per k block.
    pub(super) const KC: usize = 256;

    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub(super) fn matmul(
        m: usize,
        k: usize,
        n: usize,
        a: &[f32],
        lda: usize,
        bp: &[f32],
        c: &mut [f32],
        ldc: usize,
        keep: Option<f32>,
        scale: f32,
    ) {
        let panels = n.div_ceil(PANEL);
        // The raw accumulators of one panel pair for every row, between k blocks.
        let mut held = if k > KC {
            vec![0.0f32; m.div_ceil(ROWS) * ROWS * 2 * PANEL]
        } else {
            Vec::new()
        };
        let mut p = 0;
        while p < panels {
            let width = if p + 1 < panels { 2 } else { 1 };
            let cols = (width * PANEL).min(n - p * PANEL);
            let b = &bp[p * k * PANEL..(p + width) * k * PANEL];
            let mut k0 = 0;
            while k0 < k {
                let kc = KC.min(k - k0);
                let mut i = 0;
                while i < m {
                    let rows = ROWS.min(m - i);
                    let o = Operands {
                        k,
                        k0,
                        kc,
                        a: &a[i * lda..],
                        lda,
                        b,
                        ldc,
                        cols,
                        keep,
                        scale,
                    };
                    let c_blk = &mut c[i * ldc + p * PANEL..];
                    let h = if held.is_empty() {
                        &mut []
                    } else {
                        &mut held[i * 2 * PANEL..]
                    };
                    match (rows, width) {
                        (6, 2) => block::<6, 2>(&o, h, c_blk),
                        (5, 2) => block::<5, 2>(&o, h, c_blk),
                        (4, 2) => block::<4, 2>(&o, h, c_blk),
                        (3, 2) => block::<3, 2>(&o, h, c_blk),
                        (2, 2) => block::<2, 2>(&o, h, c_blk),
                        (_, 2) => block::<1, 2>(&o, h, c_blk),
                        (6, _) => block::<6, 1>(&o, h, c_blk),
                        (5, _) => block::<5, 1>(&o, h, c_blk),
                        (4, _) => block::<4, 1>(&o, h, c_blk),
                        (3, _) => block::<3, 1>(&o, h, c_blk),
                        (2, _) => block::<2, 1>(&o, h, c_blk),
                        _ => block::<1, 1>(&o, h, c_blk),
                    }
                    i += rows;
                }
                k0 += kc;
            }
            p += width;
        }
    }

    /// A block's inputs: A's rows from `a`, W consecutive packed panels (each k x 16) in `b`,
    /// the k block `k0..k0 + kc`, and C's `cols` columns (at most 16 W).
    struct Operands<'a> {
        k: usize,
        k0: usize,
        kc: usize,
        a: &'a [f32],
        lda: usize,
        b: &'a [f32],
        ldc: usize,
        cols: usize,
        keep: Option<f32>,
        scale: f32,
    }

    /// One R x 16W block of C over the k block, in RW zmm accumulators: started from zero at
    /// the first k block or from `held` (R rows of 32), and left in `held` or finished into C
    /// at the last.
    #[inline]
    #[target_feature(enable = "avx512f,avx2,fma")]
    fn block<const R: usize, const W: usize>(o: &Operands, held: &mut [f32], c: &mut [f32]) {
        let (k, lda, ldc) = (o.k, o.lda, o.ldc);
        let (first, last) = (o.k0 == 0, o.k0 + o.kc == k);
        assert!(
            o.a.len() >= (R - 1) * lda + k
                && o.b.len() >= W * k * PANEL
                && c.len() >= (R - 1) * ldc + o.cols
                && o.cols > (W - 1) * PANEL
                && o.k0 + o.kc <= k
                && (first && last || held.len() >= R * 2 * PANEL)
        );
        let mut acc = [[_mm512_setzero_ps(); W]; R];
        if !first {
            for (r, acc_r) in acc.iter_mut().enumerate() {
                for (h, v) in acc_r.iter_mut().enumerate() {
                    // SAFETY: held has R rows of 32 floats (asserted).
                    *v = unsafe { _mm512_loadu_ps(held.as_ptr().add(r * 2 * PANEL + h * PANEL)) };
                }
            }
        }
        let ap = o.a.as_ptr();
        let bp = o.b.as_ptr();
        for kk in o.k0..o.k0 + o.kc {
            // SAFETY: kk < k and the assert above bound every read.
            unsafe {
                let mut bv = [_mm512_setzero_ps(); W];
                for (h, v) in bv.iter_mut().enumerate() {
                    *v = _mm512_loadu_ps(bp.add((h * k + kk) * PANEL));
                }
                for (r, acc_r) in acc.iter_mut().enumerate() {
                    let av = _mm512_set1_ps(*ap.add(r * lda + kk));
                    for h in 0..W {
                        acc_r[h] = _mm512_fmadd_ps(av, bv[h], acc_r[h]);
                    }
                }
            }
        }
        if !last {
            for (r, acc_r) in acc.iter().enumerate() {
                for (h, v) in acc_r.iter().enumerate() {
                    // SAFETY: as for the load above.
                    unsafe {
                        _mm512_storeu_ps(held.as_mut_ptr().add(r * 2 * PANEL + h * PANEL), *v)
                    };
                }
            }
            return;
        }
        let s = _mm512_set1_ps(o.scale);
        for (r, acc_r) in acc.iter().enumerate() {
            for (h, acc_h) in acc_r.iter().enumerate() {
                let count = (o.cols - h * PANEL).min(PANEL);
                let mask: __mmask16 = if count == PANEL {
                    0xffff
                } else {
                    (1u16 << count) - 1
                };
                // SAFETY: the mask keeps the access inside the row's `cols` elements, which
                // the assert above bounds.
                unsafe {
                    let cp = c.as_mut_ptr().add(r * ldc + h * PANEL);
                    let v = match o.keep {
                        Some(kp) => _mm512_fmadd_ps(
                            s,
                            *acc_h,
                            _mm512_mul_ps(_mm512_set1_ps(kp), _mm512_maskz_loadu_ps(mask, cp)),
                        ),
                        None => _mm512_mul_ps(s, *acc_h),
                    };
                    _mm512_mask_storeu_ps(cp, mask, v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::simd::path;

    #[test]
    fn matches_a_naive_product_for_every_edge_case() {
        for (m, k, n) in [
            (1, 1, 1),
            (5, 7, 3),
            (6, 100, 100),
            (125, 100, 100),
            (13, 33, 17),
            (7, 16, 32),
            (250, 64, 64),
        ] {
            for transposed in [false, true] {
                let a: Vec<f32> = (0..m * k)
                    .map(|i| ((i * 7919 % 101) as f32 - 50.0) / 37.0)
                    .collect();
                let bsrc: Vec<f32> = (0..k * n)
                    .map(|i| ((i * 104_729 % 97) as f32 - 48.0) / 41.0)
                    .collect();
                let b = if transposed {
                    Mat {
                        data: &bsrc,
                        rs: 1,
                        cs: k,
                    }
                } else {
                    Mat::rows(&bsrc, n)
                };
                let mut packed = PackedB::new();
                packed.pack(b, k, n, 1);
                let c0: Vec<f32> = (0..m * n).map(|i| (i % 13) as f32 / 7.0).collect();
                for keep in [None, Some(0.9f32)] {
                    let mut c = c0.clone();
                    step_matmul(path(), m, &a, k, b, &packed, &mut c, n, keep, 0.1);
                    for i in 0..m {
                        for j in 0..n {
                            let dot: f64 = (0..k)
                                .map(|kk| {
                                    a[i * k + kk] as f64 * b.data[kk * b.rs + j * b.cs] as f64
                                })
                                .sum();
                            let want =
                                keep.map_or(0.0, |kp| kp as f64 * c0[i * n + j] as f64) + 0.1 * dot;
                            let got = c[i * n + j] as f64;
                            assert!(
                                (got - want).abs() < 1e-4 * (1.0 + want.abs()),
                                "({m},{k},{n}) t={transposed} keep={keep:?} [{i},{j}]: {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The AVX-512 kernel gives the AVX2 kernel's bits (each element is one accumulator over
    /// k in order either way), on shapes with odd panel counts and partial panels.
    #[test]
    fn avx512_and_avx2_agree_bit_for_bit() {
        if path() != SimdPath::Avx512 {
            return;
        }
        for (m, k, n) in [
            (50, 300, 70),
            (7, 33, 16),
            (13, 512, 48),
            (1, 5, 100),
            (6, 64, 33),
        ] {
            let a: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7919 % 101) as f32 - 50.0) / 37.0)
                .collect();
            let bsrc: Vec<f32> = (0..k * n)
                .map(|i| ((i * 104_729 % 97) as f32 - 48.0) / 41.0)
                .collect();
            let b = Mat::rows(&bsrc, n);
            let mut packed = PackedB::new();
            packed.pack(b, k, n, 1);
            for keep in [None, Some(0.9f32)] {
                let c0: Vec<f32> = (0..m * n).map(|i| (i % 13) as f32 / 7.0).collect();
                let (mut c2, mut c5) = (c0.clone(), c0.clone());
                step_matmul(SimdPath::Avx2, m, &a, k, b, &packed, &mut c2, n, keep, 0.1);
                step_matmul(
                    SimdPath::Avx512,
                    m,
                    &a,
                    k,
                    b,
                    &packed,
                    &mut c5,
                    n,
                    keep,
                    0.1,
                );
                let bits = |c: &[f32]| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert!(bits(&c2) == bits(&c5), "({m},{k},{n}) keep={keep:?}");
            }
        }
    }
}
