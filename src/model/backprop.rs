//! BPTT through the engine's last forward pass (docs/design.md section 1): the gradient of the loss
//! with respect to every parameter, and the backward half of the Gauss-Newton product, over
//! the same fixed shards as the forward pass and reduced in shard order in f64.

use std::time::Instant;

use super::engine::{Engine, Shard};
use super::gemm::{Mat, matmul};
use super::kernel::backward_step;
use super::place_readout::{direct_gradient, initial_state_gradient, readout_weight_gradient};
use super::step_gemm::step_matmul;
use super::{Ctrnn, Gradients, Lambdas, Real};
use crate::config::NoiseSite;

/// What R_FR's weight multiplies in the backward pass.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FrSource {
    /// u_t: the gradient of R_FR.
    Activity,
    /// R u_t, the forward-mode tangent: the Gauss-Newton product of R_FR (and of structural
    /// damping).
    Tangent,
}

/// The backward pass's sums over shards, in f64, in the layout of the shards' accumulators.
pub(super) struct BackpropSums {
    /// Sum over (t, b) of the W_rec gradient (N x N).
    pub rec: Vec<f64>,
    /// [W_in | b] gradient, N x (N_in + 1).
    pub inb: Vec<f64>,
    /// W_out gradient, N_out x N.
    pub out: Vec<f64>,
    /// W_enc gradient, N x Np (empty without a place-code initial state).
    pub enc: Vec<f64>,
    /// Sum of f'(x)^2 per unit (only with the contractive penalty).
    pub d2: Vec<f64>,
}

impl BackpropSums {
    /// The shards' gradients summed in shard order, in f64 (W_in and b take their factor a
    /// here, once). The N x N sum is split over `threads` by element ranges: each element is
    /// still summed in shard order, so the result does not depend on the thread count.
    fn reduce<R: Real>(
        shards: &[Shard<R>],
        net: &Ctrnn<R>,
        with_enc: bool,
        threads: usize,
        rec: Vec<f64>,
    ) -> BackpropSums {
        let (n, nin) = (net.n, net.n_in);
        let mut sums = BackpropSums {
            rec: sum_rec(shards, n * n, threads, rec),
            inb: vec![0.0; n * (nin + 1)],
            out: vec![0.0; net.w_out.len()],
            enc: vec![0.0; net.w_enc.len()],
            d2: vec![0.0; n],
        };
        let add = |d: &mut [f64], s: &[R]| d.iter_mut().zip(s).for_each(|(a, b)| *a += b.f64());
        for sh in shards {
            sums.inb
                .iter_mut()
                .zip(&sh.grad_inb)
                .for_each(|(d, v)| *d += net.alpha * v);
            sums.out
                .iter_mut()
                .zip(&sh.grad_out)
                .for_each(|(d, v)| *d += v);
            add(&mut sums.d2, &sh.d2);
            if with_enc {
                add(&mut sums.enc, &sh.grad_enc);
            }
        }
        sums
    }

    /// The sums as [`Gradients`], plus the L2 term's 2 lambda_L2 / len times the W_in and
    /// W_out given, and the weight decay's 2 lambda_rec times the W_rec given (the
    /// parameters for a gradient; the direction for a Gauss-Newton product, where both
    /// quadratic terms' blocks are exact). W_enc carries no regulariser. A network without a
    /// learned bias gets a zero b-gradient, so neither Adam nor the Gauss-Newton solve moves b.
    pub(super) fn assemble<R: Real>(
        &self,
        spare: Option<Gradients<R>>,
        net: &Ctrnn<R>,
        lambda_l2: f64,
        lambda_rec: f64,
        [at_rec, l2_w_in, l2_w_out]: [&[R]; 3],
    ) -> Gradients<R> {
        let (n, nin) = (net.n, net.n_in);
        let l2_in = 2.0 * lambda_l2 / net.w_in.len() as f64;
        let l2_out = 2.0 * lambda_l2 / net.w_out.len() as f64;
        let mut g = match spare {
            Some(mut g) if g.tensors().map(|t| t.len()) == net.tensors().map(|t| t.len()) => {
                g.tensors_mut().into_iter().for_each(|t| t.fill(R::zero()));
                g
            }
            _ => net.zero_gradients(),
        };
        for ((d, s), w) in g.w_rec.iter_mut().zip(&self.rec).zip(at_rec) {
            // Off, the sum is left exactly as it was (no -0 + 0).
            *d = R::of(if lambda_rec > 0.0 {
                *s + 2.0 * lambda_rec * w.f64()
            } else {
                *s
            });
        }
        for i in 0..n {
            for k in 0..nin {
                g.w_in[i * nin + k] =
                    R::of(self.inb[i * (nin + 1) + k] + l2_in * l2_w_in[i * nin + k].f64());
            }
            if net.bias {
                g.b[i] = R::of(self.inb[i * (nin + 1) + nin]);
            }
        }
        for (j, d) in g.w_out.iter_mut().enumerate() {
            *d = R::of(self.out[j] + l2_out * l2_w_out[j].f64());
        }
        for (d, s) in g.w_enc.iter_mut().zip(&self.enc) {
            *d = R::of(*s);
        }
        g
    }
}

impl<R: Real> Engine<R> {
    /// BPTT through the last forward pass: the gradient of
    /// E + lambda_L2 R_L2 + lambda_FR R_FR + lambda_CAE R_CAE (docs/design.md section 2) with respect to
    /// every parameter. Also returns R_CAE (zero when lambda_CAE is zero).
    pub fn backward(&mut self, net: &Ctrnn<R>, lambdas: &Lambdas) -> (Gradients<R>, f64) {
        let n = self.n;
        let m_t = (self.batch * self.steps) as f64;
        let c_fr = lambdas.fr * 2.0 / (n as f64 * m_t);
        // R_CAE = sum_{t,m,i} f'(x)^2 rowsq_i / (T M N^2); its x-gradient is
        // -4 lambda rowsq_i f f'^2 / (T M N^2) (f'' = -2 f f' for tanh and retanh alike; the
        // config refuses the penalty with relu).
        let rowsq: Vec<f64> = (0..n)
            .map(|i| {
                net.w_rec[i * n..(i + 1) * n]
                    .iter()
                    .map(|w| w.f64() * w.f64())
                    .sum()
            })
            .collect();
        let cae_on = lambdas.cae > 0.0;
        let nn = (n * n) as f64;
        let cae: Vec<R> = if cae_on {
            rowsq
                .iter()
                .map(|r| R::of(4.0 * lambdas.cae * r / (m_t * nn)))
                .collect()
        } else {
            Vec::new()
        };
        let mut sums = self.backprop(net, c_fr, FrSource::Activity, &cae);
        let mut r_cae = 0.0;
        if cae_on {
            for (i, (rsq, d2)) in rowsq.iter().zip(&sums.d2).enumerate() {
                r_cae += rsq * d2 / (m_t * nn);
                let c = 2.0 * lambdas.cae * d2 / (m_t * nn);
                let row = &mut sums.rec[i * n..(i + 1) * n];
                for (d, w) in row.iter_mut().zip(&net.w_rec[i * n..(i + 1) * n]) {
                    *d += c * w.f64();
                }
            }
        }
        let g = sums.assemble(
            self.spare.take(),
            net,
            lambdas.l2,
            lambdas.rec,
            [&net.w_rec, &net.w_in, &net.w_out],
        );
        self.rec_sum = sums.rec;
        (g, r_cae)
    }
    /// The backward pass shared by [`Engine::backward`] and the Gauss-Newton product: BPTT from
    /// the readout errors in `err` (dE/dy, or H_y R y) and `c_fr` times `fr` per unit and step,
    /// reduced over shards in shard order, in f64.
    pub(super) fn backprop(
        &mut self,
        net: &Ctrnn<R>,
        c_fr: f64,
        fr: FrSource,
        cae: &[R],
    ) -> BackpropSums {
        assert!(self.with_grad, "engine built without gradient buffers");
        let (n, nin, steps, simd) = (self.n, self.n_in, self.steps, self.simd);
        let a = R::of(net.alpha);
        let one_minus_a = R::of(1.0 - net.alpha);
        let act = net.activation;
        let rate_site = net.noise_site == NoiseSite::Rate;
        let c_fr = R::of(c_fr);
        let mut w_rec_p = std::mem::take(&mut self.packed[1]);
        w_rec_p.pack(Mat::rows(&net.w_rec, n), n, n, self.threads);
        let np = net.place_cells.as_ref().map(|pc| pc.len());
        assert!(
            np.is_none() || fr == FrSource::Activity,
            "the place-cell readout has no Gauss-Newton product"
        );
        let cartesian_w_out = net.cartesian_w_out();
        let from_h0 = net.place_code().is_some();
        self.parallel(|sh| {
            let t0 = Instant::now();
            let bsn = sh.bs * n;
            sh.d2.fill(R::zero());
            sh.grad_inb.fill(0.0);
            sh.grad_out.fill(0.0);
            if let Some(np) = np {
                direct_gradient(sh, &net.w_out, n, np);
            }
            for t in (0..steps).rev() {
                let (head, tail) = sh.gx.split_at_mut((t + 1) * bsn);
                let next: &[R] = if t + 1 < steps { &tail[..bsn] } else { &[] };
                if next.is_empty() {
                    sh.g.fill(R::zero());
                } else {
                    let tp = Instant::now();
                    step_matmul(
                        simd,
                        sh.bs,
                        next,
                        n,
                        Mat::rows(&net.w_rec, n),
                        &w_rec_p,
                        &mut sh.g,
                        n,
                        None,
                        a,
                    );
                    sh.times.products += tp.elapsed().as_secs_f64();
                }
                let f_clean: &[R] = if rate_site {
                    &sh.f[t * bsn..(t + 1) * bsn]
                } else {
                    &[]
                };
                let u = &sh.u[t * bsn..(t + 1) * bsn];
                let fr_src = match fr {
                    FrSource::Activity => u,
                    FrSource::Tangent => &sh.ru[t * bsn..(t + 1) * bsn],
                };
                backward_step(
                    simd,
                    &sh.g,
                    &mut head[t * bsn..],
                    next,
                    u,
                    fr_src,
                    f_clean,
                    &sh.err[t * sh.bs * 2..(t + 1) * sh.bs * 2],
                    cartesian_w_out,
                    &sh.iaug[t * sh.bs * (nin + 1)..(t + 1) * sh.bs * (nin + 1)],
                    &mut sh.acc_inb,
                    &mut sh.acc_out,
                    nin,
                    c_fr,
                    one_minus_a,
                    act,
                    cae,
                    &mut sh.d2,
                    n,
                );
                // Per-step sums go to f64 so that long sums over (t, b) keep their precision.
                for k in 0..=nin {
                    for j in 0..n {
                        sh.grad_inb[j * (nin + 1) + k] += sh.acc_inb[k * n + j].f64();
                    }
                }
                if np.is_none() {
                    for (d, v) in sh.grad_out.iter_mut().zip(sh.acc_out.iter_mut()) {
                        *d += v.f64();
                        *v = R::zero();
                    }
                }
                sh.acc_inb.fill(R::zero());
            }
            // dW_rec = a sum_t gx_t u_{t-1}^T over all (t, b) in one GEMM.
            let rows = steps * sh.bs;
            let tp = Instant::now();
            matmul(
                n,
                n,
                rows - sh.bs,
                &mut sh.grad_rec,
                n,
                None,
                Mat::trans(&sh.gx[bsn..], n),
                Mat::rows(&sh.u[..(rows - sh.bs) * n], n),
                a,
            );
            sh.times.products += tp.elapsed().as_secs_f64();
            if let Some(np) = np {
                readout_weight_gradient(sh, n, np);
                if from_h0 {
                    initial_state_gradient(sh, simd, (&net.w_rec, &w_rec_p), a, n, np);
                }
            }
            sh.times.backward = t0.elapsed().as_secs_f64();
        });
        self.packed[1] = w_rec_p;
        let rec = std::mem::take(&mut self.rec_sum);
        BackpropSums::reduce(&self.shards, net, from_h0, self.threads, rec)
    }
}

/// Sum of the shards' W_rec gradients in shard order, element ranges split over `threads`
/// where the matrix is large enough to pay for them (N >= 256).
/// `rec` is a buffer to reuse (its contents are overwritten).
fn sum_rec<R: Real>(
    shards: &[Shard<R>],
    len: usize,
    threads: usize,
    mut rec: Vec<f64>,
) -> Vec<f64> {
    rec.resize(len, 0.0);
    let add = |dst: &mut [f64], lo: usize| {
        dst.fill(0.0);
        for sh in shards {
            let src = &sh.grad_rec[lo..lo + dst.len()];
            dst.iter_mut().zip(src).for_each(|(d, v)| *d += v.f64());
        }
    };
    if threads <= 1 || len < 1 << 16 {
        add(&mut rec, 0);
        return rec;
    }
    let chunk = len.div_ceil(threads);
    std::thread::scope(|s| {
        for (c, dst) in rec.chunks_mut(chunk).enumerate() {
            let add = &add;
            s.spawn(move || add(dst, c * chunk));
        }
    });
    rec
}
