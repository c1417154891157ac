//! The optimiser as a solver over the training problem (as argmin separates them): Adam and
//! Hessian-free behind one trait, so that [`Trainer::step`](super::Trainer::step) computes
//! the loss and gradient of eq. 3-5 once and hands the update to whichever the config names.

use super::hessian_free::{GradientPoint, HessianFree, HfReport, HfSettings};
use super::{Adam, clip_global_norm};
use crate::config::ValidConfig;
use crate::model::{Ctrnn, Engine, Gradients, Real};

/// The problem at one minibatch: the network, its engines and how trials are drawn, as a
/// solver needs them to update the network and (for a line search or the curvature) to
/// evaluate the loss elsewhere.
pub struct Problem<'a, R: Real> {
    /// The network to update.
    pub net: &'a mut Ctrnn<R>,
    /// Evaluates the loss at a candidate network on this minibatch's trials and noise.
    pub loss_at: &'a mut dyn FnMut(&Ctrnn<R>) -> f64,
    /// The curvature minibatch's engine, already run forward at `net` (Hessian-free only).
    pub curvature: Option<&'a mut Engine<R>>,
    /// The validated config (learning-rate betas, Hessian-free settings).
    pub cfg: &'a ValidConfig,
}

/// An update that left the network's parameters non-finite; the caller rolls back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonFiniteUpdate;

impl std::fmt::Display for NonFiniteUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the update left the network's parameters non-finite")
    }
}

impl std::error::Error for NonFiniteUpdate {}

/// One optimiser: what gradient norm it logs and how it updates the network.
pub trait Solver<R: Real> {
    /// The gradient's global norm before any clipping; a solver that clips (Adam,
    /// `train.clip`) scales `g` in place.
    fn prepare(&self, g: &mut Gradients<R>, clip: f64) -> f64;

    /// Update `problem.net` from the gradient point `at` with learning rate `lr`; a report
    /// for the log where the solver has one (Hessian-free).
    fn update(
        &mut self,
        problem: Problem<'_, R>,
        at: GradientPoint<'_, R>,
        lr: f64,
    ) -> Result<Option<HfReport>, NonFiniteUpdate>;
}

impl<R: Real> Solver<R> for Adam<R> {
    fn prepare(&self, g: &mut Gradients<R>, clip: f64) -> f64 {
        clip_global_norm(g, clip)
    }

    fn update(
        &mut self,
        problem: Problem<'_, R>,
        at: GradientPoint<'_, R>,
        lr: f64,
    ) -> Result<Option<HfReport>, NonFiniteUpdate> {
        let t = &problem.cfg.train;
        let threads = problem.cfg.threads();
        self.step(
            problem.net,
            at.gradient,
            lr,
            t.beta1,
            t.beta2,
            t.eps,
            threads,
        );
        Ok(None)
    }
}

impl<R: Real> Solver<R> for HessianFree {
    /// Hessian-free does not clip: its step length comes from the damped quadratic model.
    fn prepare(&self, g: &mut Gradients<R>, _clip: f64) -> f64 {
        g.norm()
    }

    fn update(
        &mut self,
        problem: Problem<'_, R>,
        at: GradientPoint<'_, R>,
        _lr: f64,
    ) -> Result<Option<HfReport>, NonFiniteUpdate> {
        let curvature = problem
            .curvature
            .expect("a Hessian-free trainer has a curvature engine");
        let report = HessianFree::update(
            self,
            problem.net,
            at,
            curvature,
            &HfSettings::from_config(problem.cfg),
            problem.loss_at,
        );
        if problem.net.is_finite() {
            Ok(Some(report))
        } else {
            Err(NonFiniteUpdate)
        }
    }
}
