//! The lambda schedules of docs/design.md section 2: `fixed`, and `paper` (our reading of appendix E).

use crate::config::{Schedule, ValidConfig};
use crate::model::{Lambdas, LossTerms};

/// Half-life of the moving average of E, iterations.
const E_BAR_HALF_LIFE: f64 = 10.0;
/// Factor of each decay.
const DECAY: f64 = 2.0 / 3.0;
/// Floor of lambda_L2 under `paper`.
const L2_FLOOR: f64 = 1e-5;

/// Lambda state; under `paper` the lambdas are set from the first minibatch and then decay.
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaSchedule {
    kind: Schedule,
    l2_on: bool,
    fr_on: bool,
    decay_every: u64,
    /// lambda_L2, lambda_FR, lambda_CAE now.
    pub lambdas: Lambdas,
    /// Moving average of E.
    pub e_bar: f64,
    /// Whether `paper` has taken its initial values.
    pub started: bool,
}

impl LambdaSchedule {
    /// The schedule a config asks for.
    pub fn new(c: &ValidConfig) -> Self {
        let l = &c.loss;
        LambdaSchedule {
            kind: l.schedule,
            l2_on: l.lambda_l2 > 0.0,
            fr_on: l.lambda_fr > 0.0,
            decay_every: l.l2_decay_every,
            lambdas: Lambdas {
                l2: l.lambda_l2,
                fr: l.lambda_fr,
                cae: l.lambda_cae,
                rec: l.lambda_rec,
            },
            e_bar: f64::NAN,
            started: false,
        }
    }

    /// The lambdas for the gradient of this iteration, given its forward pass. Under `paper`
    /// the first call sets lambda_L2 = E_0 / R_L2,0 and lambda_FR = E_0 / (10 R_FR,0).
    pub fn current(&mut self, terms: &LossTerms) -> Lambdas {
        if self.kind == Schedule::Paper && !self.started {
            self.started = true;
            let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
            self.lambdas.l2 = if self.l2_on {
                ratio(terms.e, terms.r_l2)
            } else {
                0.0
            };
            self.lambdas.fr = if self.fr_on {
                ratio(terms.e, 10.0 * terms.r_fr)
            } else {
                0.0
            };
            self.e_bar = terms.e;
        }
        self.lambdas
    }

    /// After iteration `iteration` (0-based) with these terms: update E-bar, decay lambda_L2
    /// every `l2_decay_every` iterations (floor 1e-5) and lambda_FR whenever
    /// lambda_FR R_FR > E-bar / 3 (it never grows).
    pub fn after(&mut self, iteration: u64, terms: &LossTerms) {
        if self.kind != Schedule::Paper {
            return;
        }
        let k = 0.5f64.powf(1.0 / E_BAR_HALF_LIFE);
        self.e_bar = if self.e_bar.is_nan() {
            terms.e
        } else {
            k * self.e_bar + (1.0 - k) * terms.e
        };
        if self.l2_on && (iteration + 1).is_multiple_of(self.decay_every) {
            self.lambdas.l2 = (self.lambdas.l2 * DECAY).max(L2_FLOOR);
        }
        if self.fr_on && self.lambdas.fr * terms.r_fr > self.e_bar / 3.0 {
            self.lambdas.fr *= DECAY;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load;

    #[test]
    fn paper_schedule_starts_from_the_first_batch_and_only_decays() {
        let c = load(None, None, &["loss.schedule=paper".into()]).unwrap();
        let mut s = LambdaSchedule::new(&c);
        let t0 = LossTerms {
            e: 0.3,
            position: 0.3,
            r_l2: 0.5,
            r_fr: 0.2,
            r_cae: 0.0,
            r_rec: 0.0,
            centre: 0.3,
        };
        let l = s.current(&t0);
        assert!((l.l2 - 0.6).abs() < 1e-12 && (l.fr - 0.15).abs() < 1e-12);
        let mut last = l;
        for it in 0..300 {
            let t = LossTerms {
                e: 0.3 / (1.0 + it as f64),
                ..t0
            };
            s.current(&t);
            s.after(it, &t);
            assert!(s.lambdas.l2 <= last.l2 && s.lambdas.fr <= last.fr);
            last = s.lambdas;
        }
        assert!((s.lambdas.l2 - (0.6 * DECAY.powi(3))).abs() < 1e-12);
        assert!(s.lambdas.fr * t0.r_fr <= s.e_bar / 3.0 / DECAY + 1e-12);
        let off = load(
            None,
            None,
            &["loss.schedule=paper".into(), "loss.lambda_fr=0".into()],
        )
        .unwrap();
        assert_eq!(LambdaSchedule::new(&off).current(&t0).fr, 0.0);
    }
}
