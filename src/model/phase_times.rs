//! Where an iteration's time goes, phase by phase (the engine's shards measure it; `gridrnn
//! bench` and training report it).

/// Seconds spent per phase of an iteration (per worker, averaged over workers).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PhaseTimes {
    /// Trajectory generation and input building.
    pub trajectories: f64,
    /// Drawing the unit noise.
    pub noise: f64,
    /// Forward pass (GEMMs, elementwise, readout, error).
    pub forward: f64,
    /// BPTT and the weight-gradient GEMMs.
    pub backward: f64,
    /// Optimiser step (set by the trainer).
    pub optimiser: f64,
    /// Of forward and backward, the time in the recurrent and readout products (the per-step
    /// products, the readout's GEMMs and dW_rec): what `gridrnn bench` sets against the
    /// GEMM roofline.
    pub products: f64,
}

impl PhaseTimes {
    /// Add another breakdown.
    pub fn add(&mut self, o: &PhaseTimes) {
        self.trajectories += o.trajectories;
        self.noise += o.noise;
        self.forward += o.forward;
        self.backward += o.backward;
        self.optimiser += o.optimiser;
        self.products += o.products;
    }
    /// Scale every phase.
    pub fn scaled(&self, s: f64) -> PhaseTimes {
        PhaseTimes {
            trajectories: self.trajectories * s,
            noise: self.noise * s,
            forward: self.forward * s,
            backward: self.backward * s,
            optimiser: self.optimiser * s,
            products: self.products * s,
        }
    }
}
