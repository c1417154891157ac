//! Conjugate gradient on the damped quadratic model of Hessian-free optimisation (Martens 2010,
//! section 4): minimises phi(x) = 1/2 x^T A x - b^T x from a warm start, keeps iterates at
//! geometrically spaced steps for backtracking (section 4.6), and stops on Martens' relative
//! progress rule (section 4.4).

/// Where CG stops.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CgOptions {
    /// Most iterations (products with A).
    pub max_iterations: usize,
    /// Fewest iterations before the progress rule may stop it.
    pub min_iterations: usize,
    /// epsilon of the progress rule: stop at i when phi(x_i) < 0 and
    /// (phi(x_i) - phi(x_{i-k})) / phi(x_i) < k epsilon, with k = max(10, i / 10).
    pub progress_tolerance: f64,
}

impl Default for CgOptions {
    fn default() -> Self {
        CgOptions {
            max_iterations: 250,
            min_iterations: 1,
            progress_tolerance: 5e-4,
        }
    }
}

/// One kept iterate.
#[derive(Clone, Debug, PartialEq)]
pub struct CgIterate {
    /// The CG iteration that produced it (0 = the warm start).
    pub iteration: usize,
    /// x_i.
    pub x: Vec<f64>,
    /// phi(x_i).
    pub phi: f64,
}

/// What a CG run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct CgResult {
    /// Iterates kept at iterations ceil(1.3^j) and the last one, in order; the last is the
    /// final iterate.
    pub kept: Vec<CgIterate>,
    /// phi at every iteration, starting with the warm start's.
    pub phi: Vec<f64>,
    /// Products with A, the warm start's included.
    pub products: usize,
}

/// a . b in f64.
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimise 1/2 x^T A x - b^T x by CG from `x0`, with `apply(v) = A v` for a symmetric A. Stops
/// early on non-positive curvature along a search direction (A is then not positive definite
/// there) or when the residual vanishes.
pub fn conjugate_gradient(
    mut apply: impl FnMut(&[f64]) -> Vec<f64>,
    b: &[f64],
    x0: Vec<f64>,
    opts: &CgOptions,
) -> CgResult {
    let mut x = x0;
    let ax = apply(&x);
    let mut products = 1;
    // r = b - A x; phi = 1/2 x^T A x - b^T x = -1/2 x^T (b + r).
    let mut r: Vec<f64> = b.iter().zip(&ax).map(|(b, a)| b - a).collect();
    let phi_of = |x: &[f64], r: &[f64]| {
        -0.5 * x
            .iter()
            .zip(b)
            .zip(r)
            .map(|((x, b), r)| x * (b + r))
            .sum::<f64>()
    };
    let mut phi = vec![phi_of(&x, &r)];
    let mut kept = Vec::new();
    let mut p = r.clone();
    let mut rr = dot(&r, &r);
    let mut next_keep = 1usize;
    let mut j = 1i32;
    let mut i = 0;
    while i < opts.max_iterations && rr > 0.0 {
        let ap = apply(&p);
        products += 1;
        let pap = dot(&p, &ap);
        if pap <= 0.0 || !pap.is_finite() {
            break;
        }
        let step = rr / pap;
        x.iter_mut().zip(&p).for_each(|(x, p)| *x += step * p);
        r.iter_mut().zip(&ap).for_each(|(r, a)| *r -= step * a);
        let rr_new = dot(&r, &r);
        let beta = rr_new / rr;
        rr = rr_new;
        p.iter_mut().zip(&r).for_each(|(p, r)| *p = r + beta * *p);
        i += 1;
        let phi_i = phi_of(&x, &r);
        phi.push(phi_i);
        if i == next_keep {
            kept.push(CgIterate {
                iteration: i,
                x: x.clone(),
                phi: phi_i,
            });
            while next_keep <= i {
                j += 1;
                next_keep = 1.3f64.powi(j).ceil() as usize;
            }
        }
        let k = 10.max(i / 10);
        if i >= opts.min_iterations.max(k + 1)
            && phi_i < 0.0
            && (phi_i - phi[i - k]) / phi_i < k as f64 * opts.progress_tolerance
        {
            break;
        }
    }
    if kept.last().is_none_or(|c| c.iteration != i) {
        kept.push(CgIterate {
            iteration: i,
            x,
            phi: *phi.last().expect("phi has the warm start"),
        });
    }
    CgResult {
        kept,
        phi,
        products,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A random symmetric positive definite matrix with eigenvalues spread over [0.01, 10].
    fn spd(n: usize, seed: u64) -> Vec<f64> {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
        let m: Vec<f64> = (0..n * n).map(|_| rng.random::<f64>() - 0.5).collect();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| m[i * n + k] * m[j * n + k]).sum::<f64>() / n as f64;
            }
            a[i * n + i] += 0.01;
        }
        a
    }

    #[test]
    fn solves_a_system_and_decreases_phi_at_every_step() {
        let n = 40;
        let a = spd(n, 1);
        let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let apply =
            |v: &[f64]| -> Vec<f64> { (0..n).map(|i| dot(&a[i * n..(i + 1) * n], v)).collect() };
        let opts = CgOptions {
            max_iterations: 400,
            min_iterations: 400,
            progress_tolerance: 0.0,
        };
        let res = conjugate_gradient(apply, &b, vec![0.0; n], &opts);
        // Strictly down while CG makes progress; once converged, flat to rounding.
        for (i, w) in res.phi.windows(2).enumerate() {
            let tol = if i < 30 { 0.0 } else { 1e-12 * w[0].abs() };
            assert!(
                w[1] < w[0] + tol,
                "phi rose at {}: {} -> {}",
                i + 1,
                w[0],
                w[1]
            );
        }
        let x = &res.kept.last().unwrap().x;
        let ax = apply(x);
        let err = ax
            .iter()
            .zip(&b)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f64::max);
        assert!(err < 1e-8, "residual {err}");
        // Kept at 1, 2, 3, 4, 5, 7, 9, 11, 14, ...: geometric spacing, last = final.
        let its: Vec<usize> = res.kept.iter().map(|c| c.iteration).collect();
        assert_eq!(&its[..6], &[1, 2, 3, 4, 5, 7]);
        assert_eq!(*its.last().unwrap(), res.phi.len() - 1);
    }

    #[test]
    fn the_progress_rule_stops_early_and_a_warm_start_is_used() {
        let n = 200;
        let a = spd(n, 2);
        let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
        let apply =
            |v: &[f64]| -> Vec<f64> { (0..n).map(|i| dot(&a[i * n..(i + 1) * n], v)).collect() };
        let opts = CgOptions {
            max_iterations: 1000,
            min_iterations: 1,
            progress_tolerance: 5e-4,
        };
        let cold = conjugate_gradient(apply, &b, vec![0.0; n], &opts);
        assert!(cold.phi.len() - 1 < 1000, "never stopped");
        let x = cold.kept.last().unwrap().x.clone();
        let warm = conjugate_gradient(apply, &b, x, &opts);
        // Starting where the last run ended, phi starts at its end value.
        assert!((warm.phi[0] - cold.phi.last().unwrap()).abs() < 1e-9 * cold.phi[1].abs());
    }
}
