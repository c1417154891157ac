//! `Ctrnn`: the parameters of eq. 1-2 and the paper's initialisations (section 2.3).

use rand::RngExt;
use rand_distr::StandardNormal;

use super::Real;
use crate::config::{
    Activation, Encoding, InitRec, InitialState, NoiseSite, ReadoutName, ValidConfig,
};
use crate::rng::{Purpose, StreamRng, stream};
use crate::task::PlaceCells;

/// The network: W_rec (N, N) with row i = receiving unit i, W_in (N, N_in), b (N), W_out
/// (N_out, N), W_enc (N, Np) or empty, all row-major, plus what `evaluate` needs to run it the
/// way it was trained. N_out is 2 for the Cartesian readout (eq. 2) and Np for place cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Ctrnn<R> {
    /// Recurrent units N.
    pub n: usize,
    /// Inputs N_in.
    pub n_in: usize,
    /// W_rec, N x N.
    pub w_rec: Vec<R>,
    /// W_in, N x N_in.
    pub w_in: Vec<R>,
    /// b, N.
    pub b: Vec<R>,
    /// W_out, N_out x N.
    pub w_out: Vec<R>,
    /// W_enc, N x Np: the initial state x_{-1} = u_{-1} = W_enc p(start) of
    /// `model.initial_state = place-code`; empty for x_{-1} = 0.
    pub w_enc: Vec<R>,
    /// The place cells of the place-cell readout; None for the Cartesian readout.
    pub place_cells: Option<PlaceCells>,
    /// dt / tau.
    pub alpha: f64,
    /// f.
    pub activation: Activation,
    /// Where xi enters.
    pub noise_site: NoiseSite,
    /// Input encoding.
    pub encoding: Encoding,
    /// I = input_scale * raw inputs (docs/design.md section 5).
    pub input_scale: Vec<f64>,
    /// sd of xi used in training (what `evaluate --noise on` uses).
    pub noise_std: f64,
    /// Whether training moves b (`model.bias`); false keeps its gradient, and so b, at 0.
    pub bias: bool,
}

/// dLoss/dparameter in the layout of [`Ctrnn`].
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients<R> {
    /// dL/dW_rec.
    pub w_rec: Vec<R>,
    /// dL/dW_in.
    pub w_in: Vec<R>,
    /// dL/db.
    pub b: Vec<R>,
    /// dL/dW_out.
    pub w_out: Vec<R>,
    /// dL/dW_enc (empty without a place-code initial state).
    pub w_enc: Vec<R>,
}

/// Names of the parameter tensors, in the order of [`Gradients::tensors`].
pub const TENSOR_NAMES: [&str; 5] = ["W_rec", "W_in", "b", "W_out", "W_enc"];

impl<R: Real> Gradients<R> {
    /// The five tensors in a fixed order (W_rec, W_in, b, W_out, W_enc).
    pub fn tensors(&self) -> [&[R]; 5] {
        [&self.w_rec, &self.w_in, &self.b, &self.w_out, &self.w_enc]
    }
    /// Mutable tensors in the same order.
    pub fn tensors_mut(&mut self) -> [&mut Vec<R>; 5] {
        [
            &mut self.w_rec,
            &mut self.w_in,
            &mut self.b,
            &mut self.w_out,
            &mut self.w_enc,
        ]
    }
    /// Global L2 norm, accumulated in f64.
    pub fn norm(&self) -> f64 {
        self.tensors()
            .iter()
            .flat_map(|t| t.iter())
            .map(|v| v.f64() * v.f64())
            .sum::<f64>()
            .sqrt()
    }
}

impl<R: Real> Ctrnn<R> {
    /// A freshly initialised network for this config (section 2.3): W_rec orthogonal or
    /// Gaussian(0, 1.5^2/N), W_in Gaussian(0, 1/N_in) (or both uniform on +-1/sqrt N,
    /// PyTorch's), b = 0, W_out = 0. A place-cell readout's W_out and W_enc start as
    /// `torch.nn.Linear` does, uniform on +-1/sqrt(fan in), from their own stream.
    pub fn init(c: &ValidConfig) -> Ctrnn<R> {
        let n = c.model.units;
        let n_in = c.n_in();
        let mut rng = stream(c.train.seed, 0, 0, Purpose::Init);
        let uniform = |rng: &mut StreamRng, len: usize, fan_in: usize| -> Vec<f64> {
            let r = 1.0 / (fan_in as f64).sqrt();
            (0..len).map(|_| rng.random_range(-r..r)).collect()
        };
        let (w_rec, w_in) = if c.model.init_rec == InitRec::Pytorch {
            (uniform(&mut rng, n * n, n), uniform(&mut rng, n * n_in, n))
        } else {
            let w_rec = if c.orthogonal_init() {
                haar_orthogonal(n, &mut rng)
            } else {
                let sd = 1.5 / (n as f64).sqrt();
                (0..n * n).map(|_| sd * normal(&mut rng)).collect()
            };
            let sd_in = 1.0 / (n_in as f64).sqrt();
            let w_in = (0..n * n_in)
                .map(|_| sd_in * normal(&mut rng))
                .collect::<Vec<_>>();
            (w_rec, w_in)
        };
        let place_cells =
            (c.model.readout == ReadoutName::PlaceCells).then(|| PlaceCells::from_config(c));
        let (w_out, w_enc) = match &place_cells {
            None => (vec![0.0; 2 * n], Vec::new()),
            Some(pc) => {
                let mut rng = stream(c.train.seed, 0, 1, Purpose::Init);
                let w_out = uniform(&mut rng, pc.len() * n, n);
                let w_enc = if c.model.initial_state == InitialState::PlaceCode {
                    uniform(&mut rng, n * pc.len(), pc.len())
                } else {
                    Vec::new()
                };
                (w_out, w_enc)
            }
        };
        let cast = |v: Vec<f64>| v.into_iter().map(R::of).collect::<Vec<R>>();
        Ctrnn {
            n,
            n_in,
            w_rec: cast(w_rec),
            w_in: cast(w_in),
            b: vec![R::zero(); n],
            w_out: cast(w_out),
            w_enc: cast(w_enc),
            place_cells,
            alpha: c.model.alpha,
            activation: c.model.activation,
            noise_site: c.model.noise_site,
            encoding: c.model.input,
            input_scale: crate::task::input_scale(
                c.model.input,
                c.model.speed_scale,
                c.task.start_cue,
            ),
            noise_std: c.model.noise_std,
            bias: c.model.bias,
        }
    }

    /// The same network in another float type.
    pub fn cast<S: Real>(&self) -> Ctrnn<S> {
        let cv = |v: &[R]| v.iter().map(|x| S::of(x.f64())).collect::<Vec<S>>();
        Ctrnn {
            n: self.n,
            n_in: self.n_in,
            w_rec: cv(&self.w_rec),
            w_in: cv(&self.w_in),
            b: cv(&self.b),
            w_out: cv(&self.w_out),
            w_enc: cv(&self.w_enc),
            place_cells: self.place_cells.clone(),
            alpha: self.alpha,
            activation: self.activation,
            noise_site: self.noise_site,
            encoding: self.encoding,
            input_scale: self.input_scale.clone(),
            noise_std: self.noise_std,
            bias: self.bias,
        }
    }

    /// Parameter tensors in the order of [`Gradients::tensors`].
    pub fn tensors_mut(&mut self) -> [&mut Vec<R>; 5] {
        [
            &mut self.w_rec,
            &mut self.w_in,
            &mut self.b,
            &mut self.w_out,
            &mut self.w_enc,
        ]
    }

    /// Parameter tensors, read-only.
    pub fn tensors(&self) -> [&[R]; 5] {
        [&self.w_rec, &self.w_in, &self.b, &self.w_out, &self.w_enc]
    }

    /// W_out as the per-step kernels take it: the Cartesian readout's 2 x N, or empty for a
    /// place-cell readout, which runs after the recurrence over all steps at once.
    pub(crate) fn cartesian_w_out(&self) -> &[R] {
        if self.place_cells.is_some() {
            &[]
        } else {
            &self.w_out
        }
    }

    /// The place cells whose code of the start gives the initial state h0 = W_enc p(start);
    /// None when trials start from x = 0.
    pub(crate) fn place_code(&self) -> Option<&PlaceCells> {
        self.place_cells.as_ref().filter(|_| !self.w_enc.is_empty())
    }

    /// N_out, the readout's outputs: 2 (x, y) or Np.
    pub fn n_out(&self) -> usize {
        self.place_cells.as_ref().map_or(2, PlaceCells::len)
    }

    /// Zero gradients shaped like this network.
    pub fn zero_gradients(&self) -> Gradients<R> {
        Gradients {
            w_rec: vec![R::zero(); self.w_rec.len()],
            w_in: vec![R::zero(); self.w_in.len()],
            b: vec![R::zero(); self.b.len()],
            w_out: vec![R::zero(); self.w_out.len()],
            w_enc: vec![R::zero(); self.w_enc.len()],
        }
    }

    /// Whether every parameter is finite (a model with NaN or Inf is never written).
    pub fn is_finite(&self) -> bool {
        self.tensors()
            .iter()
            .all(|t| t.iter().all(|v| v.is_finite()))
    }

    /// sum W_rec^2: the weight decay `loss.lambda_rec` weighs (Sorscher et al.).
    pub fn r_rec(&self) -> f64 {
        self.w_rec.iter().map(|x| x.f64() * x.f64()).sum()
    }

    /// R_L2 of eq. 4: mean(W_in^2) + mean(W_out^2).
    pub fn r_l2(&self) -> f64 {
        let ms = |v: &[R]| v.iter().map(|x| x.f64() * x.f64()).sum::<f64>() / v.len() as f64;
        ms(&self.w_in) + ms(&self.w_out)
    }
}

fn normal(rng: &mut StreamRng) -> f64 {
    rng.sample::<f64, _>(StandardNormal)
}

/// A Haar-random orthogonal matrix: Gram-Schmidt (twice, for orthogonality to rounding) on a
/// Gaussian matrix's columns, which equals QR with a positive diagonal of R.
fn haar_orthogonal(n: usize, rng: &mut StreamRng) -> Vec<f64> {
    let mut cols: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..n).map(|_| normal(rng)).collect())
        .collect();
    for j in 0..n {
        for _ in 0..2 {
            let (done, rest) = cols.split_at_mut(j);
            let cj = &mut rest[0];
            for ci in done.iter() {
                let d: f64 = ci.iter().zip(cj.iter()).map(|(a, b)| a * b).sum();
                cj.iter_mut().zip(ci).for_each(|(v, c)| *v -= d * c);
            }
        }
        let norm = cols[j].iter().map(|v| v * v).sum::<f64>().sqrt();
        cols[j].iter_mut().for_each(|v| *v /= norm);
    }
    let mut w = vec![0.0; n * n];
    for (j, c) in cols.iter().enumerate() {
        for (i, v) in c.iter().enumerate() {
            w[i * n + j] = *v;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load;

    #[test]
    fn paper_init_is_orthogonal_in_the_square_and_gaussian_in_the_hexagon() {
        let sq = Ctrnn::<f64>::init(&load(None, None, &["model.units=40".into()]).unwrap());
        let n = 40;
        for i in 0..n {
            for j in 0..n {
                let d: f64 = (0..n)
                    .map(|k| sq.w_rec[k * n + i] * sq.w_rec[k * n + j])
                    .sum();
                assert!((d - f64::from(u8::from(i == j))).abs() < 1e-12);
            }
        }
        let hex = Ctrnn::<f64>::init(
            &load(
                None,
                None,
                &["model.units=200".into(), "task.arena=hexagon".into()],
            )
            .unwrap(),
        );
        let var = hex.w_rec.iter().map(|v| v * v).sum::<f64>() / hex.w_rec.len() as f64;
        assert!(
            (var - 1.5f64.powi(2) / 200.0).abs() < 0.05 * 1.5f64.powi(2) / 200.0,
            "variance {var}"
        );
        assert!(hex.w_out.iter().all(|&v| v == 0.0) && hex.b.iter().all(|&v| v == 0.0));
        let vin = hex.w_in.iter().map(|v| v * v).sum::<f64>() / hex.w_in.len() as f64;
        assert!((vin - 1.0 / 3.0).abs() < 0.1, "W_in variance {vin}");
    }
}
