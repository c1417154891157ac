//! The elementwise halves of one time step of the fused kernel (the GEMM halves live in
//! `engine.rs`). Each runs over one shard's Bs x N block of a step, in L1/L2.

use super::Real;
use super::simd::simd_kernel;
use crate::config::Activation;

/// f(x) of eq. 1's nonlinearity.
#[inline(always)]
fn activate<R: Real>(act: Activation, x: R) -> R {
    match act {
        Activation::Tanh => x.act_tanh(),
        Activation::Retanh => x.act_tanh().max(R::zero()),
        Activation::Relu => x.max(R::zero()),
    }
}

/// f'(x) from f = f(x): 1 - c f^2, and 0 where a rectifier is off; c = 1 for tanh and
/// retanh, 0 for relu. Built once per call, so that the inner loops see a loop-invariant
/// flag and factor (as they vectorise) rather than a match per element.
#[derive(Clone, Copy)]
struct Slope<R> {
    curvature: R,
    rectified: bool,
}

impl<R: Real> Slope<R> {
    #[inline(always)]
    fn of(act: Activation) -> Slope<R> {
        Slope {
            curvature: if act == Activation::Relu {
                R::zero()
            } else {
                R::one()
            },
            rectified: act != Activation::Tanh,
        }
    }

    #[inline(always)]
    fn at(self, f: R) -> R {
        if self.rectified && f <= R::zero() {
            R::zero()
        } else {
            R::one() - self.curvature * f * f
        }
    }
}

/// Sum of squares with 16 independent accumulators, so that the loop vectorises.
#[inline(always)]
fn sum_sq<R: Real>(v: &[R]) -> R {
    let mut acc = [R::zero(); 16];
    let chunks = v.chunks_exact(16);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..16 {
            acc[i] += c[i] * c[i];
        }
    }
    let mut s = R::zero();
    for a in acc {
        s += a;
    }
    for r in rest {
        s += *r * *r;
    }
    s
}

/// Dot product with 16 independent accumulators (vectorises).
#[inline(always)]
pub(super) fn dot<R: Real>(a: &[R], b: &[R]) -> R {
    let mut acc = [R::zero(); 16];
    let (ca, cb) = (a.chunks_exact(16), b.chunks_exact(16));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s = R::zero();
    for v in acc {
        s += v;
    }
    for (x, y) in ra.iter().zip(rb) {
        s += *x * *y;
    }
    s
}

simd_kernel! {
    /// Finish x_t (eq. 1) after the GEMM left x = (1-a) x_{t-1} + a W_rec u_{t-1} in `x`:
    /// add a (W_in I_t + b + xi_t), then u_t = f(x_t) (+ xi_t at the `rate` site, where `f_out`
    /// keeps the clean f(x_t) for the backward pass). Then the Cartesian readout y_t = W_out u_t
    /// (eq. 2): writes (y_t - target_t) * `scale` (= dE/dy) to `err` and adds sum u_t^2,
    /// sum (y - target)^2 and sum target^2 (the centre baseline) to `sums`. An empty `w_out`
    /// (the place-cell readout, one GEMM over all steps afterwards) skips the readout.
    pub fn forward_step<R: Real>(
        x: &mut [R], u_out: &mut [R], f_out: &mut [R], xi: &[R], iaug: &[R], win_t: &[R], bias: &[R],
        w_out: &[R], target: &[R], err: &mut [R], scale: f64,
        a: R, n: usize, nin: usize, act: Activation, rate_site: bool, sums: &mut [f64; 3],
    ) {
        let bs = x.len() / n;
        let cartesian = !w_out.is_empty();
        let (w0, w1) = if cartesian { w_out.split_at(n) } else { (&[][..], &[][..]) };
        let mut fr = 0.0f64;
        let mut se = 0.0f64;
        let mut sc = 0.0f64;
        for b in 0..bs {
            let xr = &mut x[b * n..(b + 1) * n];
            let ib = &iaug[b * (nin + 1)..(b + 1) * (nin + 1)];
            for j in 0..n {
                xr[j] += a * bias[j];
            }
            for k in 0..nin {
                let c = a * ib[k];
                let w = &win_t[k * n..(k + 1) * n];
                for j in 0..n {
                    xr[j] += c * w[j];
                }
            }
            let ur = &mut u_out[b * n..(b + 1) * n];
            let has_noise = !xi.is_empty();
            if rate_site {
                let fr_row = &mut f_out[b * n..(b + 1) * n];
                for j in 0..n {
                    let f = activate(act, xr[j]);
                    fr_row[j] = f;
                    ur[j] = if has_noise { f + xi[b * n + j] } else { f };
                }
            } else {
                if has_noise {
                    let xir = &xi[b * n..(b + 1) * n];
                    for j in 0..n {
                        xr[j] += a * xir[j];
                    }
                }
                for j in 0..n {
                    ur[j] = activate(act, xr[j]);
                }
            }
            fr += sum_sq(ur).f64();
            let (t0, t1) = (target[2 * b].f64(), target[2 * b + 1].f64());
            sc += t0 * t0 + t1 * t1;
            if cartesian {
                let d0 = dot(ur, w0).f64() - t0;
                let d1 = dot(ur, w1).f64() - t1;
                se += d0 * d0 + d1 * d1;
                err[2 * b] = R::of(d0 * scale);
                err[2 * b + 1] = R::of(d1 * scale);
            }
        }
        sums[0] += fr;
        sums[1] += se;
        sums[2] += sc;
    }
}

simd_kernel! {
    /// One BPTT step. On entry `g` holds a W_rec^T gx_{t+1} (zeros at t = T). Adds the direct
    /// gradient dL/du_t = W_out^T err_t + c_fr `fr_src`_t (`fr_src` = u_t for the gradient; R u_t
    /// for a Gauss-Newton product, where c_fr is then the curvature of R_FR plus structural
    /// damping), then gx_t = f'(x_t) dL/du_t + (1-a) gx_{t+1}
    /// (- the contractive term when `cae` is given, accumulating f'(x_t)^2 into `d2`). Also
    /// accumulates this step's sum_b gx_t [I_t, 1]^T into `acc_inb` (k-major, (N_in+1) x N) and
    /// sum_b err_t u_t^T into `acc_out` (2 x N): the input and readout weight gradients.
    /// With an empty `w_out` (the place-cell readout) `gx_out` holds the readout's dL/du_t on
    /// entry (one GEMM over all steps) in place of W_out^T err_t, and `acc_out` is left alone.
    pub fn backward_step<R: Real>(
        g: &[R], gx_out: &mut [R], gx_next: &[R], u: &[R], fr_src: &[R], f_clean: &[R], err: &[R],
        w_out: &[R],
        iaug: &[R], acc_inb: &mut [R], acc_out: &mut [R], nin: usize,
        c_fr: R, one_minus_a: R, act: Activation, cae: &[R], d2: &mut [R], n: usize,
    ) {
        let slope = Slope::<R>::of(act);
        let bs = g.len() / n;
        let cartesian = !w_out.is_empty();
        let (w0, w1) = if cartesian { w_out.split_at(n) } else { (&[][..], &[][..]) };
        for b in 0..bs {
            let r = b * n..(b + 1) * n;
            let gr = &g[r.clone()];
            let ur = &u[r.clone()];
            let sr = &fr_src[r.clone()];
            let fr = if f_clean.is_empty() { ur } else { &f_clean[r.clone()] };
            let out = &mut gx_out[r.clone()];
            if cartesian {
                let (e0, e1) = (err[2 * b], err[2 * b + 1]);
                for j in 0..n {
                    let gj = gr[j] + e0 * w0[j] + e1 * w1[j] + c_fr * sr[j];
                    out[j] = slope.at(fr[j]) * gj;
                }
                let (o0, o1) = acc_out.split_at_mut(n);
                for j in 0..n {
                    o0[j] += e0 * ur[j];
                    o1[j] += e1 * ur[j];
                }
            } else {
                for j in 0..n {
                    let gj = gr[j] + out[j] + c_fr * sr[j];
                    out[j] = slope.at(fr[j]) * gj;
                }
            }
            if !gx_next.is_empty() {
                let nx = &gx_next[r.clone()];
                for j in 0..n {
                    out[j] += one_minus_a * nx[j];
                }
            }
            if !cae.is_empty() {
                for j in 0..n {
                    let f = fr[j];
                    let d = slope.at(f);
                    out[j] = out[j] - cae[j] * f * d * d;
                    d2[j] += d * d;
                }
            }
            let ib = &iaug[b * (nin + 1)..(b + 1) * (nin + 1)];
            for k in 0..=nin {
                let c = ib[k];
                let acc = &mut acc_inb[k * n..(k + 1) * n];
                for j in 0..n {
                    acc[j] += c * out[j];
                }
            }
        }
    }
}

simd_kernel! {
    /// One step of the forward-mode R-operator (Pearlmutter 1994) along a direction V of the
    /// parameters, for the Gauss-Newton product. On entry `rx` holds (1-a) R x_{t-1} +
    /// a W_rec R u_{t-1} and `ru` holds V_rec u_{t-1} (both zero at t = 0); adds
    /// a (V_in I_t + V_b), so that `rx` = R x_t, then writes R u_t = f'(x_t) R x_t over `ru` and
    /// `c_out` R y_t = `c_out` (W_out R u_t + V_out u_t) to `err` (c_out = the curvature of E in y).
    pub fn tangent_step<R: Real>(
        rx: &mut [R], ru: &mut [R], u: &[R], f_clean: &[R], iaug: &[R], vin_t: &[R], vb: &[R],
        w_out: &[R], v_out: &[R], err: &mut [R], c_out: R, a: R, n: usize, nin: usize,
        act: Activation,
    ) {
        let slope = Slope::<R>::of(act);
        let bs = rx.len() / n;
        let (w0, w1) = w_out.split_at(n);
        let (v0, v1) = v_out.split_at(n);
        for b in 0..bs {
            let r = b * n..(b + 1) * n;
            let rxr = &mut rx[r.clone()];
            let rur = &mut ru[r.clone()];
            let ib = &iaug[b * (nin + 1)..(b + 1) * (nin + 1)];
            for j in 0..n {
                rxr[j] += a * (rur[j] + vb[j]);
            }
            for k in 0..nin {
                let c = a * ib[k];
                let w = &vin_t[k * n..(k + 1) * n];
                for j in 0..n {
                    rxr[j] += c * w[j];
                }
            }
            let ur = &u[r.clone()];
            let fr = if f_clean.is_empty() { ur } else { &f_clean[r] };
            for j in 0..n {
                rur[j] = slope.at(fr[j]) * rxr[j];
            }
            err[2 * b] = (dot(rur, w0) + dot(ur, v0)) * c_out;
            err[2 * b + 1] = (dot(rur, w1) + dot(ur, v1)) * c_out;
        }
    }
}
