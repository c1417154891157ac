//! Hessian-free optimisation (Martens 2010; Martens & Sutskever 2011), the paper's optimiser
//! (section 2.3): each update minimises the damped Gauss-Newton model of the loss by conjugate
//! gradient on a curvature minibatch, backtracks over CG's iterates, adapts the damping by the
//! Levenberg-Marquardt rule and ends with an Armijo line search.

use super::conjugate_gradient::{CgOptions, conjugate_gradient, dot};
use crate::config::ValidConfig;
use crate::model::{Ctrnn, CurvatureWeights, Engine, Gradients, Lambdas, Real};

/// Factor on the last update's CG solution when it starts the next CG (Martens & Sutskever
/// 2011, section 4).
const WARM_START_DECAY: f64 = 0.95;
/// Levenberg-Marquardt: the damping shrinks by this when the model predicts well (rho > 3/4)
/// and grows by its inverse when it does not (rho < 1/4) (Martens 2010, section 4.1).
const LM_DROP: f64 = 2.0 / 3.0;
/// Armijo constant and step shrink of the final line search (Martens & Sutskever 2011).
const ARMIJO_C: f64 = 1e-2;
const ARMIJO_SHRINK: f64 = 0.8;
const ARMIJO_TRIES: usize = 60;

/// The Hessian-free settings of a config (`train.hf_*`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HfSettings {
    /// mu: structural damping's weight relative to lambda.
    pub structural: f64,
    /// CG's stopping rules.
    pub cg: CgOptions,
}

impl HfSettings {
    /// From a validated config.
    pub fn from_config(c: &ValidConfig) -> Self {
        HfSettings {
            structural: c.train.hf_structural_damping,
            cg: CgOptions {
                max_iterations: c.train.hf_max_cg,
                ..CgOptions::default()
            },
        }
    }
}

/// Hessian-free state carried between updates (and in checkpoints).
#[derive(Clone, Debug, PartialEq)]
pub struct HessianFree {
    /// lambda, the Tikhonov damping now.
    pub damping: f64,
    /// The last update's final CG iterate, flattened (empty before the first update).
    pub previous: Vec<f64>,
}

/// What one Hessian-free update did (an `hf_log.csv` row).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HfReport {
    /// lambda used by this update's CG.
    pub damping: f64,
    /// CG iterations (products with G + lambda I, the warm start's excluded).
    pub cg_iterations: usize,
    /// The CG iteration whose iterate was taken after backtracking.
    pub chosen: usize,
    /// Reduction ratio: actual loss change over the quadratic model's at that iterate.
    pub rho: f64,
    /// The line search's step size (0 = no update).
    pub rate: f64,
    /// The quadratic model's value at the chosen iterate.
    pub model: f64,
    /// Loss on the gradient minibatch after the update.
    pub loss_after: f64,
    /// Loss evaluations (backtracking and line search).
    pub evaluations: usize,
}

/// Where an update starts: the gradient minibatch's gradient, loss and lambdas.
#[derive(Clone, Copy)]
pub struct GradientPoint<'a, R> {
    /// d loss / d parameters.
    pub gradient: &'a Gradients<R>,
    /// The loss.
    pub loss: f64,
    /// The lambdas both were computed with (constants of the model, as for the gradient).
    pub lambdas: &'a Lambdas,
}

/// The parameters as one f64 vector, in the order of [`Gradients::tensors`].
pub fn flatten<R: Real>(t: [&[R]; 5]) -> Vec<f64> {
    t.iter().flat_map(|v| v.iter().map(|x| x.f64())).collect()
}

/// A flat vector back in the shape of `net`'s parameters.
pub fn unflatten<R: Real>(net: &Ctrnn<R>, v: &[f64]) -> Gradients<R> {
    let mut g = net.zero_gradients();
    let mut at = 0;
    for t in g.tensors_mut() {
        for d in t.iter_mut() {
            *d = R::of(v[at]);
            at += 1;
        }
    }
    g
}

/// `net` moved by `rate` times the flat step `p`.
fn moved<R: Real>(net: &Ctrnn<R>, p: &[f64], rate: f64) -> Ctrnn<R> {
    let mut out = net.clone();
    let mut at = 0;
    for t in out.tensors_mut() {
        for d in t.iter_mut() {
            *d = R::of(d.f64() + rate * p[at]);
            at += 1;
        }
    }
    out
}

impl HessianFree {
    /// The state before the first update, with the initial damping.
    pub fn new(damping: f64) -> Self {
        HessianFree {
            damping,
            previous: Vec::new(),
        }
    }

    /// One update of `net` from `at` (on the gradient minibatch). `curvature` has just run
    /// its forward pass on the curvature minibatch, and `loss_at` evaluates the loss of a
    /// candidate network on the gradient minibatch with the same trials, noise and lambdas.
    pub fn update<R: Real>(
        &mut self,
        net: &mut Ctrnn<R>,
        at: GradientPoint<'_, R>,
        curvature: &mut Engine<R>,
        settings: &HfSettings,
        mut loss_at: impl FnMut(&Ctrnn<R>) -> f64,
    ) -> HfReport {
        let (lambdas, loss0) = (at.lambdas, at.loss);
        let grad = flatten(at.gradient.tensors());
        let b: Vec<f64> = grad.iter().map(|v| -v).collect();
        let lambda = self.damping;
        let weights = CurvatureWeights {
            l2: lambdas.l2,
            rec: lambdas.rec,
            fr: lambdas.fr,
            structural: settings.structural * lambda,
        };
        let x0 = if self.previous.len() == grad.len() {
            self.previous.iter().map(|v| WARM_START_DECAY * v).collect()
        } else {
            vec![0.0; grad.len()]
        };
        let base: &Ctrnn<R> = net;
        let apply = |v: &[f64]| -> Vec<f64> {
            let gv = curvature.gauss_newton(base, &unflatten(base, v), &weights);
            let mut out = flatten(gv.tensors());
            out.iter_mut().zip(v).for_each(|(o, v)| *o += lambda * v);
            out
        };
        let cg = conjugate_gradient(apply, &b, x0, &settings.cg);
        // Backtrack from the last iterate while an earlier one does better (Martens 2010, 4.6).
        let mut idx = cg.kept.len() - 1;
        let mut best = loss_at(&moved(net, &cg.kept[idx].x, 1.0));
        let mut evaluations = 1;
        while idx > 0 {
            let f = loss_at(&moved(net, &cg.kept[idx - 1].x, 1.0));
            evaluations += 1;
            if f < best {
                best = f;
                idx -= 1;
            } else {
                break;
            }
        }
        let chosen = &cg.kept[idx];
        let rho = if chosen.phi < 0.0 {
            (best - loss0) / chosen.phi
        } else {
            f64::NEG_INFINITY
        };
        if rho.is_nan() || rho < 0.25 {
            self.damping /= LM_DROP;
        } else if rho > 0.75 {
            self.damping *= LM_DROP;
        }
        let slope = dot(&grad, &chosen.x);
        let mut rate = 1.0;
        let mut after = best;
        let mut tries = 0;
        while after.is_nan() || after > loss0 + ARMIJO_C * rate * slope {
            tries += 1;
            if tries > ARMIJO_TRIES {
                rate = 0.0;
                after = loss0;
                break;
            }
            rate *= ARMIJO_SHRINK;
            after = loss_at(&moved(net, &chosen.x, rate));
            evaluations += 1;
        }
        if rate > 0.0 {
            *net = moved(net, &chosen.x, rate);
        }
        let report = HfReport {
            damping: lambda,
            cg_iterations: cg.phi.len() - 1,
            chosen: chosen.iteration,
            rho,
            rate,
            model: chosen.phi,
            loss_after: after,
            evaluations,
        };
        self.previous = cg.kept.last().expect("CG keeps its last iterate").x.clone();
        report
    }
}
