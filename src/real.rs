//! The float types the kernel, the inputs and the decoding are generic over: f32 in
//! production, f64 for gradient checks. Below the task and the model, which both use it.

use num_traits::Float;

/// A float the kernel runs in. `act_tanh` is where the two differ: f32 uses a rational
/// approximation that vectorises (max error ~1e-7), f64 the exact `tanh`.
pub trait Real:
    Float
    + Send
    + Sync
    + 'static
    + Default
    + std::fmt::Debug
    + std::ops::AddAssign
    + std::ops::MulAssign
{
    /// tanh as the kernel computes it.
    fn act_tanh(self) -> Self;
    /// Conversion from f64.
    fn of(x: f64) -> Self;
    /// Conversion to f64.
    fn f64(self) -> f64;
}

impl Real for f64 {
    #[inline(always)]
    fn act_tanh(self) -> f64 {
        self.tanh()
    }
    #[inline(always)]
    fn of(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self
    }
}

impl Real for f32 {
    /// Eigen's rational approximation of tanh for f32 (a 13/6 odd/even polynomial ratio on
    /// [-7.905, 7.905]); branch-free so that loops over it vectorise.
    #[inline(always)]
    fn act_tanh(self) -> f32 {
        const CLAMP: f32 = 7.905_311;
        let x = self.clamp(-CLAMP, CLAMP);
        let x2 = x * x;
        let mut p = -2.760_768_5e-16_f32;
        p = p * x2 + 2.000_188e-13;
        p = p * x2 + -8.604_672e-11;
        p = p * x2 + 5.122_297e-8;
        p = p * x2 + 1.485_722_4e-5;
        p = p * x2 + 6.372_619_3e-4;
        p = p * x2 + 4.893_524_6e-3;
        p *= x;
        let mut q = 1.198_258_4e-6_f32;
        q = q * x2 + 1.185_347_1e-4;
        q = q * x2 + 2.268_434_6e-3;
        q = q * x2 + 4.893_525e-3;
        let r = p / q;
        // Below ~4e-4 the ratio loses relative accuracy; tanh x = x there to f32 precision.
        if x.abs() < 4e-4 { x } else { r }
    }
    #[inline(always)]
    fn of(x: f64) -> f32 {
        x as f32
    }
    #[inline(always)]
    fn f64(self) -> f64 {
        self as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_tanh_is_accurate_everywhere() {
        let mut worst_abs = 0f64;
        let mut worst_rel = 0f64;
        let mut x = -20.0f64;
        while x < 20.0 {
            let got = (x as f32).act_tanh() as f64;
            let want = (x as f32 as f64).tanh();
            worst_abs = worst_abs.max((got - want).abs());
            if want.abs() > 1e-30 {
                worst_rel = worst_rel.max(((got - want) / want).abs());
            }
            x += 1.37e-4;
        }
        assert!(worst_abs < 1e-6, "max abs error {worst_abs}");
        assert!(worst_rel < 2e-6, "max rel error {worst_rel}");
        assert_eq!(0f32.act_tanh(), 0.0);
        assert_eq!(100f32.act_tanh(), 1.0);
    }
}
