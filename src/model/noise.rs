//! Exact N(0, 1) unit noise for eq. 1, fast: 8 independent xoshiro256++ lanes (vectorised over
//! the lanes) feeding the Box-Muller transform. The radius sqrt(-2 ln u1), where a sampler's
//! exactness lies (its tail), is computed in f64 from a 52-bit uniform with a series log summed
//! to below 1e-16 (radius up to sqrt(2 ln 2^52) = 8.5 sd); the angle in f32, which is all the
//! f32 output can hold. One stream per (seed, iteration, shard), as for every stream.

use rand::Rng;

use super::Real;
use super::simd::{SimdPath, simd_kernel};
use crate::rng::{Purpose, stream};

const LANES: usize = 8;

/// A noise stream: 8 xoshiro256++ states, struct-of-arrays so the lane loop vectorises.
#[derive(Clone, Debug)]
pub struct NormalStream {
    s: [[u64; LANES]; 4],
}

impl NormalStream {
    /// The stream of (seed, iteration, shard); its lanes are seeded from the shared stream
    /// derivation, so they are as independent as any two streams.
    pub fn new(seed: u64, iteration: u64, shard: u64) -> Self {
        let mut root = stream(seed, iteration, shard, Purpose::Noise);
        let mut s = [[0u64; LANES]; 4];
        for lane in 0..LANES {
            for word in s.iter_mut() {
                word[lane] = root.next_u64();
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

#[inline(always)]
fn next(s: &mut [[u64; LANES]; 4], out: &mut [u64; LANES]) {
    for i in 0..LANES {
        let (s0, s1, s2, s3) = (s[0][i], s[1][i], s[2][i], s[3][i]);
        out[i] = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        s[1][i] = s1 ^ s2;
        s[0][i] = s0 ^ s3;
        s[2][i] = s2 ^ t;
        s[3][i] = s3.rotate_left(45);
    }
}

/// ln x for x in (0, 1], as 2 atanh(s) with s = (m-1)/(m+1), m in [sqrt(1/2), sqrt(2)): the
/// atanh series to s^25 (|s| <= 0.1716) leaves an error below 1e-19.
#[inline(always)]
fn ln(x: f64) -> f64 {
    // Only bit operations and f64 arithmetic, so that AVX2 (which has no 64-bit int <-> float
    // conversion) vectorises it: the biased exponent becomes a float through 2^52's mantissa.
    let bits = x.to_bits();
    let mut e =
        f64::from_bits(0x4330_0000_0000_0000 | (bits >> 52)) - (4_503_599_627_370_496.0 + 1023.0);
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1.0;
    }
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut p = ATANH[ATANH.len() - 1];
    for c in ATANH.iter().rev().skip(1) {
        p = p * z + c;
    }
    2.0 * s * p + e * std::f64::consts::LN_2
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

/// 1 / (2k + 1), k = 0..=12: the atanh series.
const ATANH: [f64; 13] = {
    let mut a = [0.0; 13];
    let mut k = 0;
    while k < 13 {
        a[k] = 1.0 / (2 * k + 1) as f64;
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
    /// sqrt(-2 ln u1) with u1 in (0, 1] and 8 angles 2 pi u2, 52-bit uniforms.
    fn fill_blocks<R: Real>(s: &mut [[u64; LANES]; 4], out: &mut [R], sd: f64) {
        let mut a = [0u64; LANES];
        let mut b = [0u64; LANES];

        for block in out.chunks_exact_mut(2 * LANES) {
            next(s, &mut a);
            next(s, &mut b);
            let mut c = [0.0f64; LANES];
            let mut d = [0.0f64; LANES];
            for i in 0..LANES {
                // 52-bit uniforms from the mantissa: u1 = 2 - [1, 2) in (0, 1] for the radius,
                // whose tail is where a sampler's exactness lies; 23 bits for the angle.
                let u1 = 2.0 - f64::from_bits(0x3ff0_0000_0000_0000 | (a[i] >> 12));
                let u2 = f32::from_bits(0x3f80_0000 | (b[i] >> 41) as u32) - 1.0;
                let r = sd * (-2.0 * ln(u1)).sqrt();
                let (co, si) = cos_sin_turn(u2);
                c[i] = r * co as f64;
                d[i] = r * si as f64;
            }
            for i in 0..LANES {
                block[i] = R::of(c[i]);
                block[LANES + i] = R::of(d[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::simd::path;

    #[test]
    fn ln_and_cos_sin_are_accurate_to_f64_rounding() {
        let mut worst: f64 = 0.0;
        for k in 1..200_000u64 {
            let x = (k as f64 / 200_000.0).powi(3);
            worst = worst.max((ln(x) - x.ln()).abs() / x.ln().abs().max(1.0));
        }
        worst = worst.max((ln(2f64.powi(-53)) - 2f64.powi(-53).ln()).abs() / 37.0);
        assert!(worst < 4e-16, "ln relative error {worst:e}");
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
