//! The loss of eq. 3-5 as its terms, and the regularisation weights that combine them.

/// Loss terms of eq. 3-5 for one minibatch, with the centre baseline.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LossTerms {
    /// The readout's loss: E of eq. 3 (Cartesian), or the place cells' softmax
    /// cross-entropy.
    pub e: f64,
    /// The decoded position's squared error on eq. 3's scale (mean over steps, trials and the
    /// two coordinates, halved as E is): equal to `e` for the Cartesian readout, the top-k
    /// decoding's for place cells, so that readouts compare on one scale.
    pub position: f64,
    /// R_L2, eq. 4.
    pub r_l2: f64,
    /// R_FR, eq. 5.
    pub r_fr: f64,
    /// R_CAE (docs/design.md section 2; only computed by the backward pass).
    pub r_cae: f64,
    /// sum W_rec^2, what `loss.lambda_rec` weighs.
    pub r_rec: f64,
    /// `position` of always answering the centre: mean target^2 / 2.
    pub centre: f64,
}

impl LossTerms {
    /// The total loss with these weights.
    pub fn loss(&self, l: &Lambdas) -> f64 {
        self.e + l.l2 * self.r_l2 + l.fr * self.r_fr + l.cae * self.r_cae + l.rec * self.r_rec
    }
}

/// The regularisation weights of one iteration (constants for the gradient).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Lambdas {
    /// lambda_L2.
    pub l2: f64,
    /// lambda_FR.
    pub fr: f64,
    /// lambda_CAE.
    pub cae: f64,
    /// lambda_rec, the weight decay on W_rec.
    pub rec: f64,
}
