//! Exact N(0, 1) unit noise for eq. 1, fast: 8 independent xoshiro128++ lanes (vectorised over
//! the lanes) feeding the Box-Muller transform in f32, which is what the samples are. Its only
//! departure from N(0, 1) is the tail cut where u1 is smallest: u1 is built from 62 random bits
//! (down to 2^-63), so the radius reaches sqrt(2 ln 2^63) = 9.3 sd and the mass cut is below
//! 1e-19. log, sin and cos are series summed below f32 rounding. One stream per (seed,
//! iteration, shard), as for every stream.

use rand::Rng;

use super::Real;
use super::simd::{SimdPath, simd_kernel};
use crate::rng::{Purpose, stream};

const LANES: usize = 8;

/// A noise stream: 8 xoshiro128++ states, struct-of-arrays of 32-bit words, so that the lane
/// loop is one 256-bit vector per word.
#[derive(Clone, Debug)]
pub struct NormalStream {
    s: [[u32; LANES]; 4],
}

impl NormalStream {
    /// The stream of (seed, iteration, shard); its lanes are seeded from the shared stream
    /// derivation, so they are as independent as any two streams.
    pub fn new(seed: u64, iteration: u64, shard: u64) -> Self {
        let mut root = stream(seed, iteration, shard, Purpose::Noise);
        let mut s = [[0u32; LANES]; 4];
        for lane in 0..LANES {
            for word in s.iter_mut() {
                word[lane] = root.next_u32();
            }
            if (0..4).all(|w| s[w][lane] == 0) {
                s[0][lane] = 1;
            }
        }
        NormalStream { s }
    }

    /// Fill `out` with sd * N(0, 1) samples, compiled for the detected SIMD path.
    pub fn fill<R: Real>(&mut self, path: SimdPath, out: &mut [R], sd: f64) {
        let whole = out.len() / (2 * LANES) * (2 * LANES);
        let (head, tail) = out.split_at_mut(whole);
        fill_blocks(path, &mut self.s, head, sd);
        if !tail.is_empty() {
            let mut block = [0.0f64; 2 * LANES];
            fill_blocks(path, &mut self.s, &mut block[..], sd);
            for (o, v) in tail.iter_mut().zip(block) {
                *o = R::of(v);
            }
        }
    }
}

/// One xoshiro128++ step on every lane.
#[inline(always)]
fn next(s: &mut [[u32; LANES]; 4], out: &mut [u32; LANES]) {
    let [s0, s1, s2, s3] = s;
    for i in 0..LANES {
        out[i] = s0[i].wrapping_add(s3[i]).rotate_left(7).wrapping_add(s0[i]);
        let t = s1[i] << 9;
        s2[i] ^= s0[i];
        s3[i] ^= s1[i];
        s1[i] ^= s2[i];
        s0[i] ^= s3[i];
        s2[i] ^= t;
        s3[i] = s3[i].rotate_left(11);
    }
}

/// ln x for x in (0, 1] in f32, as 2 atanh(s) with s = (m-1)/(m+1), m in [sqrt(1/2), sqrt(2)):
/// the atanh series to s^15 (|s| <= 0.1716) leaves a relative error below f32 rounding.
#[inline(always)]
fn ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 127) as f32;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    if m > std::f32::consts::SQRT_2 {
        m *= 0.5;
        e += 1.0;
    }
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut p = ATANH[ATANH.len() - 1];
    for c in ATANH.iter().rev().skip(1) {
        p = p * z + c;
    }
    2.0 * s * p + e * std::f32::consts::LN_2
}

/// (cos 2 pi u, sin 2 pi u) for u in [0, 1], in f32 (the angle only needs the output's
/// precision): quadrant n = round(4u), then Taylor series on [-pi/4, pi/4] to the 12th/13th
/// power (error below 1e-9, under f32 rounding).
#[inline(always)]
fn cos_sin_turn(u: f32) -> (f32, f32) {
    let n = (4.0 * u + 0.5).floor();
    let y = u - 0.25 * n;
    let phi = std::f32::consts::TAU * y;
    let z = phi * phi;
    let mut c = COS[COS.len() - 1];
    let mut s = SIN[SIN.len() - 1];
    for k in (0..COS.len() - 1).rev() {
        c = c * z + COS[k];
        s = s * z + SIN[k];
    }
    let s = s * phi;
    let q = n - 4.0 * (0.25 * n).floor();
    let odd = q == 1.0 || q == 3.0;
    let (cc, ss) = if odd { (-s, c) } else { (c, s) };
    if q >= 2.0 { (-cc, -ss) } else { (cc, ss) }
}

/// 1 / (2k + 1), k = 0..=7: the atanh series.
const ATANH: [f32; 8] = {
    let mut a = [0.0; 8];
    let mut k = 0;
    while k < 8 {
        a[k] = 1.0 / (2 * k + 1) as f32;
        k += 1;
    }
    a
};

/// (-1)^k / (2k)! and (-1)^k / (2k+1)!, k = 0..=6: the cos and sin series.
const COS: [f32; 7] = series(0);
const SIN: [f32; 7] = series(1);

const fn series(odd: usize) -> [f32; 7] {
    let mut a = [0.0; 7];
    let mut k = 0;
    while k < 7 {
        let mut f = 1.0;
        let mut i = 2;
        while i <= 2 * k + odd {
            f *= i as f64;
            i += 1;
        }
        a[k] = (if k % 2 == 0 { 1.0 / f } else { -1.0 / f }) as f32;
        k += 1;
    }
    a
}

simd_kernel! {
    /// Fill `out` (a multiple of 16 long) with sd * N(0, 1): per block, 8 radii
    /// sqrt(-2 ln u1) and 8 angles 2 pi u2.
    fn fill_blocks<R: Real>(s: &mut [[u32; LANES]; 4], out: &mut [R], sd: f64) {
        let mut a = [0u32; LANES];
        let mut a2 = [0u32; LANES];
        let mut b = [0u32; LANES];
        let sd = sd as f32;
        const TWO_M31: f32 = 1.0 / 2_147_483_648.0;
        for block in out.chunks_exact_mut(2 * LANES) {
            next(s, &mut a);
            next(s, &mut a2);
            next(s, &mut b);
            let mut c = [0.0f32; LANES];
            let mut d = [0.0f32; LANES];
            for i in 0..LANES {
                // u1 = (h + (l + 1/2) 2^-31) 2^-31 in (0, 1) from two 31-bit words (i32 to f32
                // converts in every SIMD set).
                let h = (a[i] >> 1) as i32 as f32;
                let l = (a2[i] >> 1) as i32 as f32;
                let u1 = (h + (l + 0.5) * TWO_M31) * TWO_M31;
                let u2 = f32::from_bits(0x3f80_0000 | (b[i] >> 9)) - 1.0;
                let r = sd * (-2.0 * ln(u1)).sqrt();
                let (co, si) = cos_sin_turn(u2);
                c[i] = r * co;
                d[i] = r * si;
            }
            for i in 0..LANES {
                block[i] = R::of(c[i] as f64);
                block[LANES + i] = R::of(d[i] as f64);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::simd::path;

    #[test]
    fn ln_and_cos_sin_are_accurate_to_f32_rounding() {
        let mut worst: f64 = 0.0;
        for k in 1..200_000u64 {
            let x = ((k as f64 / 200_000.0).powi(3)) as f32;
            let want = (x as f64).ln();
            worst = worst.max((ln(x) as f64 - want).abs() / want.abs().max(1.0));
        }
        let tiny = 2f32.powi(-63);
        worst = worst.max((ln(tiny) as f64 - (tiny as f64).ln()).abs() / 44.0);
        assert!(worst < 3e-7, "ln relative error {worst:e}");
        let mut worst: f64 = 0.0;
        for k in 0..=100_000u64 {
            let u = k as f64 / 100_000.0;
            let (c, s) = cos_sin_turn(u as f32);
            let t = std::f64::consts::TAU * (u as f32 as f64);
            worst = worst
                .max((c as f64 - t.cos()).abs())
                .max((s as f64 - t.sin()).abs());
        }
        assert!(worst < 5e-7, "cos/sin error {worst:e}");
    }

    fn moments(v: &[f64]) -> (f64, f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
        let k = v.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n / (var * var);
        (m, var, k)
    }

    #[test]
    fn samples_are_standard_normal_and_independent_between_iterations() {
        let n = 2_000_000;
        let mut a = vec![0.0f64; n];
        let mut b = vec![0.0f64; n];
        NormalStream::new(3, 10, 0).fill(path(), &mut a, 1.0);
        NormalStream::new(3, 11, 0).fill(path(), &mut b, 1.0);
        let (m, var, kurt) = moments(&a);
        // Standard errors: mean 1/sqrt(n) = 7e-4, variance sqrt(2/n) = 1e-3, kurtosis sqrt(24/n) = 3.5e-3.
        assert!(m.abs() < 4.0 * 7.1e-4, "mean {m}");
        assert!((var - 1.0).abs() < 4.0 * 1.0e-3, "variance {var}");
        assert!((kurt - 3.0).abs() < 4.0 * 3.5e-3, "kurtosis {kurt}");
        let corr = a.iter().zip(&b).map(|(x, y)| x * y).sum::<f64>() / n as f64;
        assert!(
            corr.abs() < 4.0 * 7.1e-4,
            "correlation between iterations {corr}"
        );
        let lag1 = a.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / (n - 1) as f64;
        assert!(lag1.abs() < 4.0 * 7.1e-4, "lag-1 correlation {lag1}");
        // Tail mass beyond 3 sd: 0.0026998.
        let tail = a.iter().filter(|x| x.abs() > 3.0).count() as f64 / n as f64;
        assert!(
            (tail - 0.0026998).abs() < 4.0 * (0.0027f64 / n as f64).sqrt(),
            "tail {tail}"
        );
    }

    #[test]
    fn every_simd_path_gives_the_same_bits_and_odd_lengths_work() {
        let mut x = vec![0.0f32; 1000];
        let mut y = vec![0.0f32; 1000];
        NormalStream::new(1, 2, 3).fill(path(), &mut x, 0.1);
        NormalStream::new(1, 2, 3).fill(SimdPath::Portable, &mut y, 0.1);
        assert_eq!(x, y);
        assert!(x.iter().all(|v| v.is_finite()) && x[999] != 0.0);
    }
}
