//! A fixed xorshift stream for the synthetic maps of the analysis tests (no dependency, the
//! same numbers on every platform).

/// Uniform numbers from Marsaglia's xorshift64 (the seed must not be 0).
pub struct Xorshift(pub u64);

impl Xorshift {
    /// The next number, uniform in [0, 1).
    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
