//! gridrnn: train continuous-time RNNs to path-integrate in 2D arenas (Cueva & Wei, ICLR 2018)
//! and measure the spatial codes that emerge.
//!
//! Data flows one way, a module per stage: [`arena`] -> [`task`] (trajectories) -> [`model`]
//! (CTRNN of eq. 1-2, fused forward + BPTT) -> [`train`] (loss eq. 3-5, Adam) -> [`evaluate`].
//! [`config`] checks every setting once; [`io`] reads and writes the formats of the design.

pub mod analysis;
pub use gridrnn_scores::arena;
pub mod config;
pub mod error;
pub mod evaluate;
pub mod figures;
pub mod io;
pub mod model;
pub mod real;
pub mod report;
pub mod reproduce;
pub use gridrnn_scores::rng;
pub mod sweep;
pub mod task;
pub mod train;
