//! The elementwise halves of one time step of the fused kernel (the GEMM halves live in
//! `engine.rs`). Each runs over one shard's Bs x N block of a step, in L1/L2.

use super::Real;
use super::simd::simd_kernel;

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

simd_kernel! {
    /// Finish x_t (eq. 1) after the GEMM left x = (1-a) x_{t-1} + a W_rec u_{t-1} in `x`:
    /// add a (W_in I_t + b + xi_t), then u_t = f(x_t) (+ xi_t at the `rate` site, where `f_out`
    /// keeps the clean f(x_t) for the backward pass). Adds sum u_t^2 per row to `fr_sum`.
    pub fn forward_step<R: Real>(
        x: &mut [R], u_out: &mut [R], f_out: &mut [R], xi: &[R], iaug: &[R], win_t: &[R], bias: &[R],
        a: R, n: usize, nin: usize, retanh: bool, rate_site: bool, fr_sum: &mut f64,
    ) {
        let bs = x.len() / n;
        let mut fr = 0.0f64;
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
                    let mut f = xr[j].act_tanh();
                    if retanh {
                        f = f.max(R::zero());
                    }
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
                    let mut f = xr[j].act_tanh();
                    if retanh {
                        f = f.max(R::zero());
                    }
                    ur[j] = f;
                }
            }
            fr += sum_sq(ur).f64();
        }
        *fr_sum += fr;
    }
}

simd_kernel! {
    /// One BPTT step. On entry `g` holds a W_rec^T gx_{t+1} (zeros at t = T). Adds the direct
    /// gradient dL/du_t = W_out^T err_t + c_fr u_t, then gx_t = f'(x_t) dL/du_t + (1-a) gx_{t+1}
    /// (- the contractive term when `cae` is given, accumulating f'(x_t)^2 into `d2`).
    pub fn backward_step<R: Real>(
        g: &[R], gx_out: &mut [R], gx_next: &[R], u: &[R], f_clean: &[R], err: &[R], w_out: &[R],
        c_fr: R, one_minus_a: R, retanh: bool, cae: &[R], d2: &mut [R], n: usize,
    ) {
        let bs = g.len() / n;
        let (w0, w1) = w_out.split_at(n);
        for b in 0..bs {
            let r = b * n..(b + 1) * n;
            let (e0, e1) = (err[2 * b], err[2 * b + 1]);
            let gr = &g[r.clone()];
            let ur = &u[r.clone()];
            let fr = if f_clean.is_empty() { ur } else { &f_clean[r.clone()] };
            let out = &mut gx_out[r.clone()];
            for j in 0..n {
                let gj = gr[j] + e0 * w0[j] + e1 * w1[j] + c_fr * ur[j];
                let f = fr[j];
                let mut d = R::one() - f * f;
                if retanh && f <= R::zero() {
                    d = R::zero();
                }
                out[j] = d * gj;
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
                    let mut d = R::one() - f * f;
                    if retanh && f <= R::zero() {
                        d = R::zero();
                    }
                    out[j] = out[j] - cae[j] * f * d * d;
                    d2[j] += d * d;
                }
            }
        }
    }
}
