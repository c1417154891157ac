//! Synthetic maps with known answers for benchmarks and tests: hexagonal and square lattices,
//! bands, fields and noise from a fixed arithmetic sequence.

/// 100 maps of 20 x 20 bins: hexagonal and square lattices, bands, fields, noise (a fixed
/// arithmetic sequence, so every run scores the same maps).
pub fn synthetic_maps(count: usize, n: usize) -> Vec<Vec<f64>> {
    let mut uniform = crate::rng::synthetic_uniform(0x2545_f491_4f6c_dd1d);
    let mut noise = move || uniform() - 0.5;
    (0..count)
        .map(|k| {
            let period = 5.0 + (k % 7) as f64;
            let phi = (k * 13 % 60) as f64;
            let dirs: &[f64] = match k % 5 {
                0 | 1 => &[0.0, 60.0, 120.0],
                2 => &[0.0, 90.0],
                3 => &[0.0],
                _ => &[],
            };
            (0..n * n)
                .map(|i| {
                    let (y, x) = ((i / n) as f64, (i % n) as f64);
                    let lattice: f64 = dirs
                        .iter()
                        .map(|d| {
                            let a = (phi + d).to_radians();
                            (std::f64::consts::TAU / period * (x * a.cos() + y * a.sin())).cos()
                        })
                        .sum();
                    lattice + 0.3 * noise()
                })
                .collect()
        })
        .collect()
}
