//! Synthetic maps with known answers: hexagonal grids of known spacing and
//! orientation, square lattices, bands, single-wall fields in every arena shape, noise; and
//! uniform maps in triangles and hexagons, whose outline must not make grids.

use gridrnn::analysis::{
    CellType, LatticeType, MapLayout, ScoreOptions, SpatialBins, border_score, score_maps,
    spatial_scores,
};
use gridrnn::arena::{Arena, ArenaShape};

/// Sum of plane waves of period `period` bins along `dirs` (degrees) on an n x n map.
fn waves(n: usize, period: f64, dirs: &[f64], phase: f64) -> Vec<f64> {
    (0..n * n)
        .map(|i| {
            let (y, x) = ((i / n) as f64, (i % n) as f64);
            dirs.iter()
                .enumerate()
                .map(|(k, d)| {
                    let a = d.to_radians();
                    (std::f64::consts::TAU / period * (x * a.cos() + y * a.sin())
                        + phase * (k as f64 + 1.0))
                        .cos()
                })
                .sum()
        })
        .collect()
}

/// Uniform numbers in [-0.5, 0.5) from a fixed xorshift stream.
struct Noise(Box<dyn FnMut() -> f64>);
impl Noise {
    fn new(seed: u64) -> Noise {
        Noise(Box::new(gridrnn::rng::synthetic_uniform(seed)))
    }
    fn next(&mut self) -> f64 {
        (self.0)() - 0.5
    }
}

/// Difference of two angles with period `p`, folded to [0, p/2].
fn angle_err(a: f64, b: f64, p: f64) -> f64 {
    let d = (a - b).rem_euclid(p);
    d.min(p - d)
}

#[test]
fn hexagonal_grids_score_high_and_give_their_spacing_and_orientation() {
    let n = 20;
    let layout = MapLayout::rectangle(n, n);
    // Three waves of period p at phi + 0, 60, 120 make a lattice of spacing 2p / sqrt(3)
    // whose vectors lie at phi + 30 (mod 60).
    for (p, phi) in [
        (5.0, 0.0),
        (6.0, 12.0),
        (7.0, 41.0),
        (8.0, 25.0),
        (9.0, 50.0),
    ] {
        let s = spatial_scores(&waves(n, p, &[phi, phi + 60.0, phi + 120.0], 0.3), &layout);
        assert!(s.grid_score > 1.0, "p {p} phi {phi}: {s:?}");
        assert!(
            s.grid_score_masked > 1.0 && s.grid_score_deepmind > 0.5,
            "{s:?}"
        );
        assert!(s.grid_score_square < 0.3, "{s:?}");
        assert_eq!(s.lattice.lattice, LatticeType::Hexagonal, "{s:?}");
        let spacing = 2.0 * p / 3f64.sqrt();
        assert!(
            (s.lattice.spacing - spacing).abs() < 0.03 * spacing,
            "{s:?} vs {spacing}"
        );
        let want = (phi + 30.0) % 60.0;
        assert!(
            angle_err(s.lattice.orientation, want, 60.0) < 1.0,
            "{s:?} vs {want}"
        );
        // Three comparable Fourier components: not a band.
        assert!(s.second_component > 0.2, "{s:?}");
    }
}

#[test]
fn square_lattices_score_high_on_the_square_score_and_bands_on_the_band_score() {
    let n = 20;
    let layout = MapLayout::rectangle(n, n);
    for (p, phi) in [(5.0, 0.0), (6.0, 20.0), (8.0, 33.0)] {
        let s = spatial_scores(&waves(n, p, &[phi, phi + 90.0], 0.3), &layout);
        assert!(s.grid_score_square > 1.0 && s.grid_score < 0.3, "{s:?}");
        assert_eq!(s.lattice.lattice, LatticeType::Square, "{s:?}");
        assert!((s.lattice.spacing - p).abs() < 0.03 * p, "{s:?}");
        assert!(angle_err(s.lattice.orientation, phi, 90.0) < 1.0, "{s:?}");
        let b = spatial_scores(&waves(n, p, &[phi], 0.3), &layout);
        assert!(b.band_score > 0.7 && b.second_component < 0.05, "{b:?}");
        // Stripes run perpendicular to the wave vector.
        assert!(
            angle_err(b.band_orientation, phi + 90.0, 180.0) < 3.0,
            "{b:?}"
        );
    }
}

#[test]
fn white_noise_scores_near_zero() {
    let n = 20;
    let layout = MapLayout::rectangle(n, n);
    let mut noise = Noise::new(99);
    let (mut grid, mut band) = (vec![], vec![]);
    for _ in 0..40 {
        let m: Vec<f64> = (0..n * n).map(|_| noise.next()).collect();
        let s = spatial_scores(&m, &layout);
        if !s.grid_score.is_nan() {
            grid.push(s.grid_score);
        }
        band.push(s.band_score);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(mean(&grid).abs() < 0.15, "mean grid score {}", mean(&grid));
    assert!(band.iter().all(|b| *b < 0.1), "{band:?}");
}

fn arena_layout(shape: ArenaShape) -> (Arena, SpatialBins, MapLayout) {
    let a = Arena::new(shape, 4.0).unwrap();
    let bins = SpatialBins::new(&a, 20);
    let layout = MapLayout::new(&a, &bins);
    (a, bins, layout)
}

#[test]
fn a_field_along_one_wall_is_a_border_cell_in_every_arena_shape() {
    let mut noise = Noise::new(7);
    for shape in [
        ArenaShape::Square,
        ArenaShape::Triangle,
        ArenaShape::Hexagon,
        ArenaShape::Circle,
    ] {
        let (a, bins, layout) = arena_layout(shape.clone());
        let map = |f: &dyn Fn([f64; 2]) -> f64, noise: &mut Noise| -> Vec<f64> {
            (0..bins.len())
                .map(|i| {
                    let c = bins.centre(i / bins.nx, i % bins.nx);
                    if a.contains(c) {
                        f(c) + 0.01 * noise.next()
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        };
        // A field hugging the first wall (for the circle: the wall nearest (0, -r)).
        let (mid, along) = match a.walls().first() {
            Some(w) => (
                [(w.a[0] + w.b[0]) / 2.0, (w.a[1] + w.b[1]) / 2.0],
                [w.b[0] - w.a[0], w.b[1] - w.a[1]],
            ),
            None => ([0.0, -a.radius()], [1.0, 0.0]),
        };
        let len = along[0].hypot(along[1]);
        let wall = map(
            &|c| {
                let d = a.wall_distances(c)[0];
                let t = ((c[0] - mid[0]) * along[0] + (c[1] - mid[1]) * along[1]) / len;
                (-(d * d) / 0.02).exp() * (-(t * t) / 0.72).exp()
            },
            &mut noise,
        );
        let centre = map(
            &|c| (-((c[0] - 0.05).powi(2) + (c[1] + 0.03).powi(2)) / 0.18).exp(),
            &mut noise,
        );
        let bw = border_score(&wall, bins.ny, bins.nx, &layout.geometry);
        let bc = border_score(&centre, bins.ny, bins.nx, &layout.geometry);
        assert!(bw > 0.5, "{shape:?}: wall field {bw}");
        assert!(bc < 0.0, "{shape:?}: central field {bc}");
    }
}

#[test]
fn the_outline_of_a_triangle_or_hexagon_does_not_make_grids() {
    // Uniform maps plus 5 % noise in the arena's mask: scored like anyone's maps against their
    // own mask-preserving null, none may come out a grid beyond chance (1 % per map), and the
    // classification score must centre well below the 0.3 floor.
    let mut noise = Noise::new(2024);
    for shape in [ArenaShape::Triangle, ArenaShape::Hexagon] {
        let (a, bins, layout) = arena_layout(shape.clone());
        assert!(!layout.rectangular);
        let maps: Vec<Vec<f64>> = (0..20)
            .map(|_| {
                (0..bins.len())
                    .map(|i| {
                        if a.contains(bins.centre(i / bins.nx, i % bins.nx)) {
                            1.0 + 0.05 * noise.next()
                        } else {
                            f64::NAN
                        }
                    })
                    .collect()
            })
            .collect();
        let o = ScoreOptions {
            shuffles: 10,
            percentile: 99.0,
            threads: 2,
            seed: 1,
        };
        let (rows, t) = score_maps(&maps, &layout, &o);
        let grids = rows
            .iter()
            .filter(|r| r.cell_type == CellType::Grid)
            .count();
        assert!(
            grids <= 1,
            "{shape:?}: {grids} of 20 uniform maps called grids"
        );
        let mut h: Vec<f64> = rows
            .iter()
            .map(|r| r.hexagonal)
            .filter(|v| !v.is_nan())
            .collect();
        h.sort_by(f64::total_cmp);
        let median = if h.is_empty() {
            f64::NAN
        } else {
            h[h.len() / 2]
        };
        assert!(
            h.is_empty() || median < 0.3,
            "{shape:?}: median grid_score_masked {median} (threshold {})",
            t.hexagonal
        );
    }
}
