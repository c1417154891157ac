//! `PlaceCells`: the readout targets of a place-cell path integrator (Banino et al. 2018;
//! Sorscher, Mel, Ganguli & Ocko 2019, 2023). Np centres c_j are drawn uniformly inside the
//! arena; the target at position p is a distribution over the cells,
//!
//! ```text
//! gaussian:  y_j(p) = softmax_j( -|p - c_j|^2 / (2 sigma^2) )
//! dos:       z_j(p) = softmax_j( -|p - c_j|^2 / (2 sigma^2) )
//!                   - softmax_j( -|p - c_j|^2 / (2 s sigma^2) ),   s = surround scale
//!            y_j(p) = (z_j - min_k z_k) / sum_k (z_k - min_k z_k)
//! ```
//!
//! the difference of softmaxes (centre-surround, nonnegative and normalised) being Sorscher's
//! `place_cells.py` with `DoG = True`. A network's output over the cells is decoded into a
//! position as the mean centre of its k most active cells, as Sorscher's
//! `get_nearest_cell_pos` does, so that every readout reports a position on one scale.

use rand::RngExt;

use crate::arena::Arena;
use crate::rng::{Purpose, stream};

/// Iteration index of the centres' stream: no training iteration or analysis uses it.
pub const CENTRES_ITERATION: u64 = u64::MAX - 3;

/// Candidates per centre of [`PlaceCells::even`]; Mitchell's sampling nears a Poisson-disc
/// layout as it grows, and 16 already spaces 512 cells evenly at a cost of milliseconds.
pub const BEST_CANDIDATES: usize = 16;

/// k of the top-k decoding (Sorscher et al.'s `get_nearest_cell_pos` default).
pub const DECODE_TOP_K: usize = 3;

/// The shape of the place cells' tuning.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlaceTargets {
    /// A softmax of -d^2 / (2 sigma^2).
    Gaussian,
    /// Sorscher's difference of softmaxes, the surround's variance `surround_scale` times the
    /// centre's, shifted to be nonnegative and normalised.
    DifferenceOfSoftmaxes {
        /// s in the surround's -d^2 / (2 s sigma^2) (Sorscher's default 2).
        surround_scale: f64,
    },
}

/// Np place cells over an arena.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceCells {
    /// Centres, (Np, 2) row-major, arena units.
    pub centres: Vec<[f64; 2]>,
    /// Tuning width sigma, arena units.
    pub sigma: f64,
    /// Gaussian or centre-surround.
    pub targets: PlaceTargets,
}

impl PlaceCells {
    /// `count` centres uniform in `arena` (rejection from its bounding box), drawn from the
    /// seed's own stream: the same seed gives the same cells.
    pub fn uniform(
        arena: &Arena,
        count: usize,
        sigma: f64,
        targets: PlaceTargets,
        seed: u64,
    ) -> PlaceCells {
        PlaceCells {
            centres: best_candidates(arena, count, 1, seed),
            sigma,
            targets,
        }
    }

    /// `count` centres by Mitchell's best-candidate sampling (SIGGRAPH 1991): each new centre
    /// is, of [`BEST_CANDIDATES`] uniform candidates, the one farthest from the centres drawn
    /// before it. The layout is random but its spacing is even (blue noise), so no region of
    /// the arena is left to one cell or crowded by several; the same seed gives the same cells.
    ///
    /// It was tried because uniform draws leave chance clusters and gaps, and one uniform
    /// layout grew no grids; measured, an even layout grows bands rather than grids
    /// (docs/place_cells.md, "The place-cell layout"), so it stays an option.
    pub fn even(
        arena: &Arena,
        count: usize,
        sigma: f64,
        targets: PlaceTargets,
        seed: u64,
    ) -> PlaceCells {
        PlaceCells {
            centres: best_candidates(arena, count, BEST_CANDIDATES, seed),
            sigma,
            targets,
        }
    }

    /// The place cells a validated config describes (`model.place_cells`, `place_cell_width`,
    /// `place_cell_targets`, `surround_scale`), centres from `model.place_cell_seed`, or
    /// `train.seed` where it is unset.
    pub fn from_config(c: &crate::config::ValidConfig) -> PlaceCells {
        let m = &c.model;
        let targets = match m.place_cell_targets {
            crate::config::PlaceTargetName::Gaussian => PlaceTargets::Gaussian,
            crate::config::PlaceTargetName::Dos => PlaceTargets::DifferenceOfSoftmaxes {
                surround_scale: m.surround_scale,
            },
        };
        let layout = match m.place_cell_layout {
            crate::config::PlaceLayoutName::Uniform => PlaceCells::uniform,
            crate::config::PlaceLayoutName::Even => PlaceCells::even,
        };
        layout(
            c.arena(),
            m.place_cells,
            m.place_cell_width,
            targets,
            m.place_cell_seed.unwrap_or(c.train.seed),
        )
    }

    /// Np.
    pub fn len(&self) -> usize {
        self.centres.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.centres.is_empty()
    }

    /// The target distribution over the cells at `p`, written into `out` (length Np).
    pub fn target(&self, p: [f64; 2], out: &mut [f64]) {
        let mut scratch = vec![0.0; self.len()];
        self.target_with(p, out, &mut scratch);
    }

    /// [`PlaceCells::target`] with the caller's scratch (length Np), allocation-free for the
    /// training loop.
    pub fn target_with(&self, p: [f64; 2], out: &mut [f64], scratch: &mut [f64]) {
        assert_eq!(out.len(), self.len(), "one target per place cell");
        assert_eq!(scratch.len(), self.len(), "scratch of one per place cell");
        for (d, c) in scratch.iter_mut().zip(&self.centres) {
            *d = (p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2);
        }
        let s2 = 2.0 * self.sigma * self.sigma;
        softmax_of_scaled(scratch, -1.0 / s2, out);
        if let PlaceTargets::DifferenceOfSoftmaxes { surround_scale } = self.targets {
            // The surround overwrites the squared distances it is computed from.
            softmax_in_place(scratch, -1.0 / (surround_scale * s2));
            for (o, s) in out.iter_mut().zip(scratch.iter()) {
                *o -= s;
            }
            let min = out.iter().copied().fold(f64::INFINITY, f64::min);
            // Sorscher adds |min|, which is -min since the difference sums to 0.
            let sum: f64 = out.iter().map(|o| o - min).sum();
            for o in out.iter_mut() {
                *o = (*o - min) / sum;
            }
        }
    }

    /// The position decoded from `activity` over the cells (length Np; logits or rates, any
    /// order-preserving code): the mean centre of the `k` most active cells (ties to the
    /// lower index).
    pub fn decode<R: crate::real::Real>(&self, activity: &[R], k: usize) -> [f64; 2] {
        assert_eq!(activity.len(), self.len(), "one activity per place cell");
        let k = k.clamp(1, self.len());
        // The k best so far, best first: one pass with insertion, O(Np k) for the small k used.
        let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
        for (j, a) in activity.iter().enumerate() {
            let v = a.f64();
            if best.len() == k && v <= best[k - 1].0 {
                continue;
            }
            let at = best.iter().position(|&(b, _)| v > b).unwrap_or(best.len());
            best.insert(at, (v, j));
            best.truncate(k);
        }
        let mut p = [0.0; 2];
        for &(_, j) in &best {
            p[0] += self.centres[j][0] / k as f64;
            p[1] += self.centres[j][1] / k as f64;
        }
        p
    }
}

/// `count` centres from the seed's stream, each the farthest from those before it of
/// `candidates` points uniform in `arena`; one candidate is the plain uniform draw.
fn best_candidates(arena: &Arena, count: usize, candidates: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = stream(seed, CENTRES_ITERATION, 0, Purpose::Init);
    let mut centres: Vec<[f64; 2]> = Vec::with_capacity(count);
    while centres.len() < count {
        let mut best = ([0.0; 2], f64::NEG_INFINITY);
        for _ in 0..candidates {
            let c = point_in(arena, &mut rng);
            if candidates == 1 {
                best.0 = c;
                break;
            }
            let nearest = centres
                .iter()
                .map(|o| (o[0] - c[0]).powi(2) + (o[1] - c[1]).powi(2))
                .fold(f64::INFINITY, f64::min);
            if nearest > best.1 {
                best = (c, nearest);
            }
        }
        centres.push(best.0);
    }
    centres
}

/// A point uniform in `arena`, by rejection from its bounding box.
fn point_in(arena: &Arena, rng: &mut impl rand::Rng) -> [f64; 2] {
    let (lo, hi) = arena.bounding_box();
    loop {
        let c = [
            rng.random_range(lo[0]..hi[0]),
            rng.random_range(lo[1]..hi[1]),
        ];
        if arena.contains(c) {
            return c;
        }
    }
}

/// softmax(scale * x) over `x` itself, stable (the largest term is 1 before normalising).
fn softmax_in_place(x: &mut [f64], scale: f64) {
    let max = x
        .iter()
        .map(|v| v * scale)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v * scale - max).exp();
        sum += *v;
    }
    for v in x.iter_mut() {
        *v /= sum;
    }
}

/// softmax(scale * x) into `out`.
fn softmax_of_scaled(x: &[f64], scale: f64, out: &mut [f64]) {
    out.copy_from_slice(x);
    softmax_in_place(out, scale);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::ArenaShape;

    #[test]
    fn the_centres_seed_apart_from_the_training_seed() {
        let pc = |text: &str| {
            let base = "[model]\nreadout = \"place-cells\"\nplace_cells = 20\n";
            let c = crate::config::load_str(&format!("{base}{text}"), "test").unwrap();
            PlaceCells::from_config(&c)
        };
        let own = pc("place_cell_seed = 0\n[train]\nseed = 1\n");
        assert_eq!(own, pc("[train]\nseed = 0\n"));
        assert_ne!(own, pc("[train]\nseed = 1\n"));
    }

    #[test]
    fn centres_lie_in_the_arena_and_follow_the_seed() {
        for shape in [ArenaShape::Square, ArenaShape::Triangle, ArenaShape::Circle] {
            let a = Arena::new(shape, 4.0).unwrap();
            let pc = PlaceCells::uniform(&a, 300, 0.2, PlaceTargets::Gaussian, 7);
            assert_eq!(pc.len(), 300);
            assert!(pc.centres.iter().all(|&c| a.contains(c)));
            assert_eq!(
                pc,
                PlaceCells::uniform(&a, 300, 0.2, PlaceTargets::Gaussian, 7)
            );
            assert_ne!(
                pc,
                PlaceCells::uniform(&a, 300, 0.2, PlaceTargets::Gaussian, 8)
            );
        }
    }

    #[test]
    fn the_even_layout_has_no_clusters_and_no_gaps() {
        // Nearest-neighbour spacing and the largest empty gap, against the even spacing
        // sqrt(area / Np): Mitchell's sampling keeps both near it, uniform draws do not.
        let spread = |pc: &PlaceCells, a: &Arena| {
            let d = |p: [f64; 2], q: [f64; 2]| (p[0] - q[0]).hypot(p[1] - q[1]);
            let closest = (0..pc.len())
                .flat_map(|i| (0..i).map(move |j| (i, j)))
                .map(|(i, j)| d(pc.centres[i], pc.centres[j]))
                .fold(f64::INFINITY, f64::min);
            let (lo, hi) = a.bounding_box();
            let mut gap: f64 = 0.0;
            for i in 0..60 {
                for j in 0..60 {
                    let p = [
                        lo[0] + (hi[0] - lo[0]) * (i as f64 + 0.5) / 60.0,
                        lo[1] + (hi[1] - lo[1]) * (j as f64 + 0.5) / 60.0,
                    ];
                    if a.contains(p) {
                        let near = pc.centres.iter().map(|&c| d(p, c));
                        gap = gap.max(near.fold(f64::INFINITY, f64::min));
                    }
                }
            }
            (closest, gap)
        };
        for shape in [
            ArenaShape::Square,
            ArenaShape::Triangle,
            ArenaShape::Hexagon,
        ] {
            let a = Arena::new(shape.clone(), 4.0).unwrap();
            let spacing = (4.0f64 / 300.0).sqrt();
            let even = PlaceCells::even(&a, 300, 0.2, PlaceTargets::Gaussian, 7);
            assert_eq!(even.len(), 300);
            assert!(even.centres.iter().all(|&c| a.contains(c)));
            assert_eq!(
                even,
                PlaceCells::even(&a, 300, 0.2, PlaceTargets::Gaussian, 7)
            );
            let (closest, gap) = spread(&even, &a);
            assert!(closest > 0.4 * spacing, "{shape:?}: {closest} of {spacing}");
            assert!(gap < 1.2 * spacing, "{shape:?}: gap {gap} of {spacing}");
            let uniform = PlaceCells::uniform(&a, 300, 0.2, PlaceTargets::Gaussian, 7);
            let (closest, gap) = spread(&uniform, &a);
            assert!(
                closest < 0.2 * spacing && gap > 1.3 * spacing,
                "{closest} {gap}"
            );
        }
    }

    #[test]
    fn targets_are_distributions_peaked_at_the_nearest_centre() {
        let a = Arena::new(ArenaShape::Square, 4.0).unwrap();
        let dos = PlaceTargets::DifferenceOfSoftmaxes {
            surround_scale: 2.0,
        };
        for targets in [PlaceTargets::Gaussian, dos] {
            let pc = PlaceCells::uniform(&a, 200, 0.15, targets, 1);
            let mut y = vec![0.0; 200];
            for p in [[0.0, 0.0], [0.9, -0.7], [-0.3, 0.5]] {
                pc.target(p, &mut y);
                assert!((y.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{targets:?}");
                assert!(y.iter().all(|&v| v >= 0.0));
                let best = (0..200).max_by(|&i, &j| y[i].total_cmp(&y[j])).unwrap();
                let d = |j: usize| (p[0] - pc.centres[j][0]).hypot(p[1] - pc.centres[j][1]);
                let nearest = (0..200).min_by(|&i, &j| d(i).total_cmp(&d(j))).unwrap();
                assert_eq!(best, nearest, "{targets:?} at {p:?}");
                // The Gaussian target decodes back to a point near p.
                if targets == PlaceTargets::Gaussian {
                    let q = pc.decode(&y, 3);
                    assert!((q[0] - p[0]).hypot(q[1] - p[1]) < 0.25, "{q:?} vs {p:?}");
                }
            }
        }
    }

    #[test]
    fn the_difference_of_softmaxes_matches_its_definition() {
        // Three cells on a line, computed by hand.
        let pc = PlaceCells {
            centres: vec![[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]],
            sigma: 0.5,
            targets: PlaceTargets::DifferenceOfSoftmaxes {
                surround_scale: 2.0,
            },
        };
        let mut y = vec![0.0; 3];
        pc.target([0.2, 0.0], &mut y);
        let d2 = [0.04f64, 0.09, 0.64];
        let sm = |s: f64| {
            let e: Vec<f64> = d2.iter().map(|d| (-d / s).exp()).collect();
            let z: f64 = e.iter().sum();
            e.into_iter().map(|v| v / z).collect::<Vec<_>>()
        };
        let (c, s) = (sm(0.5), sm(1.0));
        let z: Vec<f64> = c.iter().zip(&s).map(|(a, b)| a - b).collect();
        let min = z.iter().copied().fold(f64::INFINITY, f64::min);
        let sum: f64 = z.iter().map(|v| v - min).sum();
        for j in 0..3 {
            assert!((y[j] - (z[j] - min) / sum).abs() < 1e-12, "{y:?}");
        }
    }

    #[test]
    fn decoding_averages_the_k_most_active_centres() {
        let pc = PlaceCells {
            centres: vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            sigma: 0.1,
            targets: PlaceTargets::Gaussian,
        };
        assert_eq!(pc.decode(&[0.1, 0.9, 0.8, 0.2], 2), [0.5, 0.5]);
        assert_eq!(pc.decode(&[0.1, 0.9, 0.8, 0.2], 1), [1.0, 0.0]);
        assert_eq!(pc.decode(&[0.5; 4], 9), [0.5, 0.5]);
    }
}
