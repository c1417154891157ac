//! Softmax cross-entropy, the loss of a place-cell readout (Banino et al. 2018; Sorscher et
//! al. 2019): for M rows of logits z = W_out u (one per trial and step) against target
//! distributions y over Np cells,
//!
//! ```text
//! L = -(1/M) sum_m sum_j y_mj log softmax(z_m)_j
//!   =  (1/M) sum_m ( logsumexp(z_m) - sum_j y_mj z_mj )          (sum_j y_mj = 1)
//! dL/dz_mj = (softmax(z_m)_j - y_mj) / M
//! ```
//!
//! taken in one pass over each row (its maximum, then the exponentials, the log-sum and the
//! gradient), accumulated in f64 whatever the logits' precision.

use super::Real;

/// The mean cross-entropy of `rows` rows of `cells` logits against their targets, with its
/// gradient with respect to the logits written into `grad` (same layout, divided by
/// `rows_in_mean`, the M of the mean: a shard passes the whole minibatch's M).
pub fn softmax_cross_entropy<R: Real>(
    logits: &[R],
    targets: &[R],
    cells: usize,
    rows_in_mean: usize,
    grad: &mut [R],
) -> f64 {
    assert!(cells > 0, "a softmax needs at least one cell");
    assert_eq!(logits.len() % cells, 0, "whole rows of logits");
    assert_eq!(targets.len(), logits.len(), "one target per logit");
    assert_eq!(grad.len(), logits.len(), "one gradient per logit");
    let scale = 1.0 / rows_in_mean as f64;
    let mut total = 0.0;
    for ((z, y), g) in logits
        .chunks_exact(cells)
        .zip(targets.chunks_exact(cells))
        .zip(grad.chunks_exact_mut(cells))
    {
        let max = z.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.f64()));
        let mut sum = 0.0;
        for (gj, zj) in g.iter_mut().zip(z) {
            let e = (zj.f64() - max).exp();
            *gj = R::of(e);
            sum += e;
        }
        let log_sum = max + sum.ln();
        let mut dot = 0.0;
        let mut mass = 0.0;
        for ((gj, zj), yj) in g.iter_mut().zip(z).zip(y) {
            dot += yj.f64() * zj.f64();
            mass += yj.f64();
            *gj = R::of((gj.f64() / sum - yj.f64()) * scale);
        }
        // sum_j y_j log softmax_j = dot - mass * logsumexp (mass is 1 for a distribution).
        total += mass * log_sum - dot;
    }
    total * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> (Vec<f64>, Vec<f64>) {
        let mut u = crate::rng::synthetic_uniform(5);
        let logits: Vec<f64> = (0..4 * 6).map(|_| 8.0 * u() - 4.0).collect();
        let mut targets: Vec<f64> = (0..4 * 6).map(|_| u()).collect();
        for r in targets.chunks_mut(6) {
            let s: f64 = r.iter().sum();
            r.iter_mut().for_each(|v| *v /= s);
        }
        (logits, targets)
    }

    #[test]
    fn the_loss_is_the_cross_entropy_and_its_gradient_matches_finite_differences() {
        let (z, y) = rows();
        let mut g = vec![0.0; z.len()];
        let l = softmax_cross_entropy(&z, &y, 6, 4, &mut g);
        // Directly from the definition.
        let mut want = 0.0;
        for (zr, yr) in z.chunks(6).zip(y.chunks(6)) {
            let s: f64 = zr.iter().map(|v| v.exp()).sum();
            want -= zr
                .iter()
                .zip(yr)
                .map(|(a, b)| b * (a.exp() / s).ln())
                .sum::<f64>();
        }
        assert!((l - want / 4.0).abs() < 1e-12, "{l} vs {}", want / 4.0);
        let h = 1e-6;
        for i in 0..z.len() {
            let (mut up, mut down) = (z.clone(), z.clone());
            up[i] += h;
            down[i] -= h;
            let mut scratch = vec![0.0; z.len()];
            let fd = (softmax_cross_entropy(&up, &y, 6, 4, &mut scratch)
                - softmax_cross_entropy(&down, &y, 6, 4, &mut scratch))
                / (2.0 * h);
            assert!((fd - g[i]).abs() < 1e-8, "logit {i}: {fd} vs {}", g[i]);
        }
    }

    #[test]
    fn large_logits_stay_finite_and_f32_agrees_with_f64() {
        let (z, y) = rows();
        let big: Vec<f64> = z.iter().map(|v| v * 200.0).collect();
        let mut g = vec![0.0; z.len()];
        assert!(softmax_cross_entropy(&big, &y, 6, 4, &mut g).is_finite());
        assert!(g.iter().all(|v| v.is_finite()));
        let l64 = softmax_cross_entropy(&z, &y, 6, 4, &mut g);
        let (z32, y32): (Vec<f32>, Vec<f32>) = z
            .iter()
            .zip(&y)
            .map(|(a, b)| (*a as f32, *b as f32))
            .unzip();
        let mut g32 = vec![0f32; z.len()];
        let l32 = softmax_cross_entropy(&z32, &y32, 6, 4, &mut g32);
        assert!((l64 - l32).abs() < 1e-5, "{l64} vs {l32}");
        for (a, b) in g.iter().zip(&g32) {
            assert!((a - *b as f64).abs() < 1e-6);
        }
    }
}
