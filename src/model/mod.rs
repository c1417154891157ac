//! The CTRNN of eq. 1-2 (docs/design.md section 1) and its hand-written forward + BPTT kernel.

mod backprop;
mod ctrnn;
mod engine;
mod gauss_newton;
pub mod gemm;
mod kernel;
mod loss_terms;
mod noise;
mod phase_times;
mod place_readout;
pub mod simd;
mod softmax_xent;
mod step_gemm;
mod subnormal;

pub use crate::real::Real;
pub use ctrnn::{Ctrnn, Gradients, TENSOR_NAMES};
pub use engine::{Engine, ShardInput};
pub use gauss_newton::CurvatureWeights;
pub use loss_terms::{Lambdas, LossTerms};
pub use noise::NormalStream;
pub use phase_times::PhaseTimes;
pub use softmax_xent::softmax_cross_entropy;
pub use subnormal::without_subnormals;
