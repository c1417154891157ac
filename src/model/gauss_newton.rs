//! The Gauss-Newton matrix-vector product G v of the loss (eq. 3-5) for Hessian-free
//! optimisation (Martens & Sutskever 2011, section 2.3 of the paper): a forward-mode
//! R-operator pass through the fused kernel, then the same backward pass as the gradient.

use super::backprop::FrSource;
use super::engine::input_weights_k_major;
use super::gemm::{Mat, matmul};
use super::kernel::tangent_step;
use super::step_gemm::{PackedB, step_matmul};
use super::{Ctrnn, Engine, Gradients, Real};
use crate::config::NoiseSite;

/// The curvature terms of one product: the loss's lambdas and the structural damping weight.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CurvatureWeights {
    /// lambda_L2 (its term is quadratic, so its Gauss-Newton block is exact).
    pub l2: f64,
    /// lambda_rec (the weight decay on W_rec, quadratic: its block is exact).
    pub rec: f64,
    /// lambda_FR (R_FR is a convex function of u, so it enters G through J_u).
    pub fr: f64,
    /// mu * lambda: structural damping (Martens & Sutskever 2011, section 3.2), the curvature
    /// of a penalty mu lambda / (2 M T) sum_{t,m} ||u_t(theta + p) - u_t(theta)||^2 on the
    /// change of the hidden rates, linearised.
    pub structural: f64,
}

impl<R: Real> Engine<R> {
    /// G v for the minibatch of the last forward pass, with
    /// G = J_y^T H_E J_y + J_u^T (H_FR + structural) J_u + H_L2: the Gauss-Newton matrix of
    /// E + lambda_L2 R_L2 + lambda_FR R_FR (the contractive penalty has no Gauss-Newton form and
    /// is not supported). H_E = I / (M T) because E averages over the two outputs;
    /// H_FR = 2 lambda_FR / (N M T). The forward pass's noise is held fixed: G is the curvature
    /// of the loss on this noise sample. Overwrites the pass's readout errors, so a
    /// [`Engine::backward`] must follow a fresh forward pass.
    pub fn gauss_newton(
        &mut self,
        net: &Ctrnn<R>,
        v: &Gradients<R>,
        w: &CurvatureWeights,
    ) -> Gradients<R> {
        assert!(
            !self.continuing,
            "Gauss-Newton products need passes that start from x = 0"
        );
        let (n, nin, steps, simd) = (self.n, self.n_in, self.steps, self.simd);
        let m_t = (self.batch * steps) as f64;
        let a = R::of(net.alpha);
        let one_minus_a = R::of(1.0 - net.alpha);
        let act = net.activation;
        let rate_site = net.noise_site == NoiseSite::Rate;
        let c_out = R::of(1.0 / m_t);
        let vin_t = input_weights_k_major(&v.w_in, n, nin);
        let mut w_rec_t = PackedB::new();
        w_rec_t.pack(Mat::trans(&net.w_rec, n), n, n, self.threads);
        self.parallel(|sh| {
            let bsn = sh.bs * n;
            if sh.ru.len() != steps * bsn {
                sh.ru = vec![R::zero(); steps * bsn];
                sh.rx = vec![R::zero(); bsn];
            }
            // V_rec u_{t-1} for every step at once, in one GEMM (u_{-1} = 0).
            sh.ru[..bsn].fill(R::zero());
            matmul(
                (steps - 1) * sh.bs,
                n,
                n,
                &mut sh.ru[bsn..],
                n,
                None,
                Mat::rows(&sh.u[..(steps - 1) * bsn], n),
                Mat::trans(&v.w_rec, n),
                R::one(),
            );
            sh.rx.fill(R::zero());
            for t in 0..steps {
                let (before, now) = sh.ru.split_at_mut(t * bsn);
                if t > 0 {
                    step_matmul(
                        simd,
                        sh.bs,
                        &before[(t - 1) * bsn..],
                        n,
                        Mat::trans(&net.w_rec, n),
                        &w_rec_t,
                        &mut sh.rx,
                        n,
                        Some(one_minus_a),
                        a,
                    );
                }
                let f_clean: &[R] = if rate_site {
                    &sh.f[t * bsn..(t + 1) * bsn]
                } else {
                    &[]
                };
                tangent_step(
                    simd,
                    &mut sh.rx,
                    &mut now[..bsn],
                    &sh.u[t * bsn..(t + 1) * bsn],
                    f_clean,
                    &sh.iaug[t * sh.bs * (nin + 1)..(t + 1) * sh.bs * (nin + 1)],
                    &vin_t,
                    &v.b,
                    &net.w_out,
                    &v.w_out,
                    &mut sh.err[t * sh.bs * 2..(t + 1) * sh.bs * 2],
                    c_out,
                    a,
                    n,
                    nin,
                    act,
                );
            }
        });
        let c_u = 2.0 * w.fr / (n as f64 * m_t) + w.structural / m_t;
        let sums = self.backprop(net, c_u, FrSource::Tangent, &[]);
        sums.assemble(None, net, w.l2, w.rec, [&v.w_rec, &v.w_in, &v.w_out])
    }
}
