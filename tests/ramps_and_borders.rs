//! Ramps are not border cells (docs/analysis.md, "Ramps and border cells"): a mixed set of
//! synthetic maps with known answers in the square, triangle and hexagon (ramps in any
//! direction, linear or tanh-saturated, noisy, with unvisited bins; border bands of several
//! widths and extents; corner and two-wall fields; grids; place fields), typed as `gridrnn
//! score` types anyone's maps: against their own mask-preserving shuffle null.

use gridrnn::analysis::{
    CellEvidence, CellType, MapLayout, ScoreOptions, ScoreRow, SpatialBins, classify, score_maps,
};
use gridrnn::arena::{Arena, ArenaShape};

/// Uniform numbers from a fixed xorshift stream.
struct Uniform(Box<dyn FnMut() -> f64>);
impl Uniform {
    fn next(&mut self) -> f64 {
        (self.0)()
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
    fn index(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n - 1)
    }
}

/// What a synthetic map is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Ramp,
    SaturatedRamp,
    BorderBand,
    PartialBand,
    Corner,
    TwoWalls,
    Grid,
    PlaceField,
    WallPlaceField,
}

struct Arenas {
    arena: Arena,
    bins: SpatialBins,
    layout: MapLayout,
}

fn arena(shape: ArenaShape) -> Arenas {
    let arena = Arena::new(shape, 4.0).unwrap();
    let bins = SpatialBins::new(&arena, 20);
    let layout = MapLayout::new(&arena, &bins);
    Arenas {
        arena,
        bins,
        layout,
    }
}

/// `f` over the arena's bins with noise of `noise` times the map's range and a share
/// `unvisited` of the arena's bins left NaN (outside the arena is NaN too).
fn draw(
    a: &Arenas,
    f: &dyn Fn([f64; 2]) -> f64,
    noise: f64,
    unvisited: f64,
    u: &mut Uniform,
) -> Vec<f64> {
    let inside: Vec<Option<f64>> = (0..a.bins.len())
        .map(|i| {
            let c = a.bins.centre(i / a.bins.nx, i % a.bins.nx);
            a.arena.contains(c).then(|| f(c))
        })
        .collect();
    let vals: Vec<f64> = inside.iter().flatten().copied().collect();
    let range = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - vals.iter().copied().fold(f64::INFINITY, f64::min);
    inside
        .into_iter()
        .map(|v| match v {
            Some(v) if u.next() >= unvisited => v + noise * range * (u.next() - 0.5) * 2.0,
            _ => f64::NAN,
        })
        .collect()
}

fn dot(p: [f64; 2], q: [f64; 2]) -> f64 {
    p[0] * q[0] + p[1] * q[1]
}

/// One map of `kind` with random parameters.
fn synthetic(a: &Arenas, kind: Kind, u: &mut Uniform) -> Vec<f64> {
    let r = a.arena.inradius();
    let walls = a.arena.walls();
    let noise = u.range(0.0, 0.15);
    let unvisited = u.range(0.0, 0.15);
    let theta = u.range(0.0, std::f64::consts::TAU);
    let dir = [theta.cos(), theta.sin()];
    let k = u.index(walls.len());
    let wall = walls[k];
    let along = {
        let d = [wall.b[0] - wall.a[0], wall.b[1] - wall.a[1]];
        let l = d[0].hypot(d[1]);
        [d[0] / l, d[1] / l]
    };
    let mid = [(wall.a[0] + wall.b[0]) / 2.0, (wall.a[1] + wall.b[1]) / 2.0];
    let wall_len = (wall.b[0] - wall.a[0]).hypot(wall.b[1] - wall.a[1]);
    let dist = |c: [f64; 2], k: usize| a.arena.wall_distances(c)[k];
    // Widths in units of the inradius (one bin is about 0.1 of it).
    let width = u.range(0.1, 0.25) * r;
    let f: Box<dyn Fn([f64; 2]) -> f64> = match kind {
        Kind::Ramp => Box::new(move |c| dot(c, dir)),
        Kind::SaturatedRamp => {
            let (gain, offset) = (u.range(1.5, 4.0) / r, u.range(-0.4, 0.4) * r);
            Box::new(move |c| (gain * (dot(c, dir) - offset)).tanh())
        }
        Kind::BorderBand => {
            let gaussian = u.next() < 0.5;
            Box::new(move |c| {
                let d = dist(c, k);
                if gaussian {
                    (-(d * d) / (2.0 * width * width)).exp()
                } else {
                    (-d / width).exp()
                }
            })
        }
        Kind::PartialBand => {
            let (extent, shift) = (u.range(0.3, 0.6) * wall_len, u.range(-0.2, 0.2) * wall_len);
            Box::new(move |c| {
                let d = dist(c, k);
                let t = dot([c[0] - mid[0], c[1] - mid[1]], along) - shift;
                (-(d * d) / (2.0 * width * width)).exp()
                    * (-(t * t) / (2.0 * extent * extent)).exp()
            })
        }
        Kind::Corner => {
            let v = a.arena.vertices()[k];
            let s = u.range(0.3, 0.5) * r;
            Box::new(move |c| {
                let d2 = (c[0] - v[0]).powi(2) + (c[1] - v[1]).powi(2);
                (-d2 / (2.0 * s * s)).exp()
            })
        }
        Kind::TwoWalls => {
            let k2 = (k + 1) % walls.len();
            Box::new(move |c| (-dist(c, k).min(dist(c, k2)) / width).exp())
        }
        Kind::Grid => {
            let period = u.range(0.5, 0.8) * r;
            let (phase_x, phase_y) = (u.range(0.0, 10.0), u.range(0.0, 10.0));
            Box::new(move |c| {
                (0..3)
                    .map(|j| {
                        let a = theta + j as f64 * std::f64::consts::FRAC_PI_3;
                        let p = [c[0] + phase_x, c[1] + phase_y];
                        (std::f64::consts::TAU / period * dot(p, [a.cos(), a.sin()])).cos()
                    })
                    .sum()
            })
        }
        Kind::PlaceField | Kind::WallPlaceField => {
            let s = u.range(0.2, 0.35) * r;
            // A centre away from the walls, or anywhere at least a third of a width from them.
            let clearance = if kind == Kind::PlaceField { 1.5 } else { 0.3 };
            let centre = loop {
                let (lo, hi) = a.arena.bounding_box();
                let c = [u.range(lo[0], hi[0]), u.range(lo[1], hi[1])];
                if a.arena.clearance(c) >= clearance * s {
                    break c;
                }
            };
            Box::new(move |c| {
                let d2 = (c[0] - centre[0]).powi(2) + (c[1] - centre[1]).powi(2);
                (-d2 / (2.0 * s * s)).exp()
            })
        }
    };
    draw(a, &*f, noise, unvisited, u)
}

const KINDS: [Kind; 9] = [
    Kind::Ramp,
    Kind::SaturatedRamp,
    Kind::BorderBand,
    Kind::PartialBand,
    Kind::Corner,
    Kind::TwoWalls,
    Kind::Grid,
    Kind::PlaceField,
    Kind::WallPlaceField,
];

/// Types of `per_kind` maps of every kind in `shape`, scored together.
/// Each map's kind, its type, and the type the classifier gave before ramps.
fn typed(shape: ArenaShape, per_kind: usize, seed: u64) -> Vec<(Kind, (CellType, CellType))> {
    let a = arena(shape);
    let mut u = Uniform(Box::new(gridrnn::rng::synthetic_uniform(seed)));
    let mut kinds = Vec::new();
    let mut maps = Vec::new();
    for kind in KINDS {
        for _ in 0..per_kind {
            kinds.push(kind);
            maps.push(synthetic(&a, kind, &mut u));
        }
    }
    let o = ScoreOptions {
        shuffles: 20,
        percentile: 99.0,
        threads: 2,
        seed,
    };
    let (rows, t) = score_maps(&maps, &a.layout, &o);
    // The type before ramps: no ramp, and every map's upper half counted as by the walls.
    let before = |r: &ScoreRow| {
        let e = CellEvidence {
            ramp: f64::NAN,
            field_depth: 0.0,
            ..CellEvidence::new(&r.spatial, &a.layout, f64::NAN)
        };
        classify(&e, &t)
    };
    let rows: Vec<(CellType, CellType)> = rows.iter().map(|r| (r.cell_type, before(r))).collect();
    kinds.into_iter().zip(rows).collect()
}

#[test]
fn ramps_are_typed_ramp_and_border_bands_border_in_every_arena() {
    let mut all = Vec::new();
    for (shape, seed) in [
        (ArenaShape::Square, 11),
        (ArenaShape::Triangle, 12),
        (ArenaShape::Hexagon, 13),
    ] {
        all.extend(typed(shape, 20, seed));
    }
    let share = |kinds: &[Kind], t: CellType| {
        let of: Vec<_> = all.iter().filter(|(k, _)| kinds.contains(k)).collect();
        of.iter().filter(|(_, (c, _))| *c == t).count() as f64 / of.len() as f64
    };
    let share_before = |kind: Kind, t: CellType| {
        let of: Vec<_> = all.iter().filter(|(k, _)| *k == kind).collect();
        of.iter().filter(|(_, (_, b))| *b == t).count() as f64 / of.len() as f64
    };
    let mut table = String::new();
    for kind in KINDS {
        let row = |share: &dyn Fn(CellType) -> f64| {
            CellType::ALL
                .iter()
                .filter(|&&t| share(t) > 0.0)
                .map(|&t| format!("{} {:.2}", t.name(), share(t)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        table += &format!(
            "{kind:?}: {} (before ramps: {})\n",
            row(&|t| share(&[kind], t)),
            row(&|t| share_before(kind, t))
        );
    }
    println!("{table}");
    let ramps = [Kind::Ramp, Kind::SaturatedRamp];
    let bands = [Kind::BorderBand, Kind::PartialBand];
    assert!(share(&ramps, CellType::Ramp) >= 0.9, "{table}");
    assert!(share(&bands, CellType::Border) >= 0.85, "{table}");
    assert!(share(&ramps, CellType::Border) <= 0.1, "{table}");
    assert!(share(&bands, CellType::Ramp) <= 0.1, "{table}");
    // Fields in corners and along two walls lie by the walls: never ramps.
    assert_eq!(
        share(&[Kind::Corner, Kind::TwoWalls], CellType::Ramp),
        0.0,
        "{table}"
    );
    // Grids and place fields away from the walls keep the type they had before ramps; of
    // those hugging a wall (a half-disc against it), at most the 10 % may change.
    let changed = |kind: Kind| {
        let of: Vec<_> = all.iter().filter(|(k, _)| *k == kind).collect();
        of.iter().filter(|(_, (now, before))| now != before).count() as f64 / of.len() as f64
    };
    assert_eq!(changed(Kind::Grid), 0.0, "{table}");
    assert_eq!(changed(Kind::PlaceField), 0.0, "{table}");
    assert!(changed(Kind::WallPlaceField) <= 0.1, "{table}");
    assert!(share(&[Kind::Grid], CellType::Grid) >= 0.9, "{table}");
}
