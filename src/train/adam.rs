//! Adam (Kingma & Ba 2015) with global-norm clipping (docs/design.md section 2).

use crate::model::{Ctrnn, Gradients, Real, without_subnormals};

/// Scale `g` so that its global norm is at most `clip` (0 = off). Returns the norm before.
pub fn clip_global_norm<R: Real>(g: &mut Gradients<R>, clip: f64) -> f64 {
    let norm = g.norm();
    if clip > 0.0 && norm > clip {
        let s = R::of(clip / norm);
        for t in g.tensors_mut() {
            t.iter_mut().for_each(|v| *v *= s);
        }
    }
    norm
}

/// Adam's moments, one per parameter tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<R> {
    /// First moments.
    pub m: Vec<Vec<R>>,
    /// Second moments.
    pub v: Vec<Vec<R>>,
    /// Steps taken (for bias correction).
    pub t: u64,
}

impl<R: Real> Adam<R> {
    /// Zero moments shaped like `net`.
    pub fn new(net: &Ctrnn<R>) -> Self {
        let z: Vec<Vec<R>> = net
            .tensors()
            .iter()
            .map(|t| vec![R::zero(); t.len()])
            .collect();
        Adam {
            m: z.clone(),
            v: z,
            t: 0,
        }
    }

    /// One update of `net` with gradient `g`, each large tensor split over `threads` by
    /// element range (the update is elementwise, so the result does not depend on the split).
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &mut self,
        net: &mut Ctrnn<R>,
        g: &Gradients<R>,
        lr: f64,
        b1: f64,
        b2: f64,
        eps: f64,
        threads: usize,
    ) {
        self.t += 1;
        let c1 = 1.0 - b1.powi(self.t as i32);
        let c2 = 1.0 - b2.powi(self.t as i32);
        let (rb1, rb2) = (R::of(b1), R::of(b2));
        let (ob1, ob2) = (R::of(1.0 - b1), R::of(1.0 - b2));
        let step = R::of(lr / c1);
        let inv_c2 = R::of(1.0 / c2);
        let e = R::of(eps);
        let update = |p: &mut [R], m: &mut [R], v: &mut [R], gr: &[R]| {
            // Squared small gradients fall into the subnormal range (model/subnormal.rs).
            without_subnormals(|| {
                for i in 0..p.len() {
                    m[i] = rb1 * m[i] + ob1 * gr[i];
                    v[i] = rb2 * v[i] + ob2 * gr[i] * gr[i];
                    p[i] = p[i] - step * m[i] / ((v[i] * inv_c2).sqrt() + e);
                }
            })
        };
        for (k, (p, gr)) in net.tensors_mut().into_iter().zip(g.tensors()).enumerate() {
            let (m, v) = (&mut self.m[k], &mut self.v[k]);
            if threads <= 1 || p.len() < 1 << 16 {
                update(p, m, v, gr);
                continue;
            }
            let chunk = p.len().div_ceil(threads);
            std::thread::scope(|s| {
                let parts = p
                    .chunks_mut(chunk)
                    .zip(m.chunks_mut(chunk))
                    .zip(v.chunks_mut(chunk))
                    .zip(gr.chunks(chunk));
                for (((p, m), v), gr) in parts {
                    let update = &update;
                    s.spawn(move || update(p, m, v, gr));
                }
            });
        }
    }
}
