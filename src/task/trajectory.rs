//! `Trajectory` generation: a heading random walk, speed 0 with probability p_stop, the paper's
//! wall rule, boundary interactions recorded (docs/design.md section 3).

use std::f64::consts::{PI, TAU};

use rand::RngExt;
use rand_distr::StandardNormal;

use super::sorscher_motion::sorscher_step;
use crate::arena::Arena;
use crate::config::{
    Motion, SpeedDist, StartName, StartSpec, StopMode, TaskConfig, ValidConfig, WallRule,
};
use crate::rng::{Purpose, StreamRng, stream};

/// Draws after which a wall step gives up and stays put (docs/design.md section 3).
pub const MAX_WALL_DRAWS: usize = 100;

/// Everything that defines the trajectory distribution: the task section and its arena.
#[derive(Clone, Debug)]
pub struct TrajectorySpec {
    /// The arena.
    pub arena: Arena,
    /// Steps, speeds, stops, wall rule and start rule (the `[task]` section).
    pub task: TaskConfig,
}

impl TrajectorySpec {
    /// The spec a validated config describes.
    pub fn from_config(c: &ValidConfig) -> TrajectorySpec {
        TrajectorySpec {
            arena: c.arena().clone(),
            task: c.task.clone(),
        }
    }
}

/// A batch of trials, trial-major as in the trajectory file format (docs/design.md section 5):
/// `speed[b*T + t]`, `heading[b*T + t]`, `position[(b*T + t)*2 + k]` (after step t).
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectories {
    /// Trials B.
    pub trials: usize,
    /// Steps T.
    pub steps: usize,
    /// Distance moved at each step, arena units.
    pub speed: Vec<f64>,
    /// Heading at each step, radians (unwrapped).
    pub heading: Vec<f64>,
    /// Position after each step.
    pub position: Vec<f64>,
    /// Start point of each trial.
    pub start: Vec<[f64; 2]>,
    /// Whether the step's heading was resampled at a wall (a boundary interaction).
    pub boundary: Vec<bool>,
    /// The arena's outline.
    pub arena_vertices: Vec<[f64; 2]>,
}

impl Trajectories {
    /// Trials `first..first + count` of iteration `iteration`: trial b uses its own stream
    /// (seed, iteration, b), so a batch does not depend on how it is sharded.
    pub fn generate(
        spec: &TrajectorySpec,
        seed: u64,
        iteration: u64,
        first: usize,
        count: usize,
    ) -> Trajectories {
        let t_len = spec.task.steps;
        let mut out = Trajectories::zeroed(count, t_len, spec.arena.outline());
        for b in 0..count {
            let mut rng = stream(seed, iteration, (first + b) as u64, Purpose::Trajectory);
            let mut walker = Walker::start(spec, &mut rng);
            out.start[b] = walker.position;
            out.walk_trial(b, &mut walker, spec, &mut rng);
        }
        out
    }

    /// `trials` trials of `steps` steps, all zeros, to be walked.
    fn zeroed(trials: usize, steps: usize, arena_vertices: Vec<[f64; 2]>) -> Trajectories {
        Trajectories {
            trials,
            steps,
            speed: vec![0.0; trials * steps],
            heading: vec![0.0; trials * steps],
            position: vec![0.0; trials * steps * 2],
            start: vec![[0.0; 2]; trials],
            boundary: vec![false; trials * steps],
            arena_vertices,
        }
    }

    /// Fill trial `b`'s steps by walking `walker` on.
    fn walk_trial(
        &mut self,
        b: usize,
        walker: &mut Walker,
        spec: &TrajectorySpec,
        rng: &mut StreamRng,
    ) {
        let r = b * self.steps..(b + 1) * self.steps;
        walker.walk(
            spec,
            rng,
            &mut self.speed[r.clone()],
            &mut self.heading[r.clone()],
            &mut self.position[r.start * 2..r.end * 2],
            &mut self.boundary[r],
        );
    }

    /// Random `steps`-step windows of this (longer) recording, one per trial
    /// `first..first + count`, each picking its trial and offset from the stream
    /// (seed, iteration, trial): `task.trajectories` training.
    pub fn windows(
        &self,
        steps: usize,
        seed: u64,
        iteration: u64,
        first: usize,
        count: usize,
    ) -> Trajectories {
        let mut out = Trajectories {
            trials: count,
            steps,
            speed: Vec::with_capacity(count * steps),
            heading: Vec::with_capacity(count * steps),
            position: Vec::with_capacity(count * steps * 2),
            start: Vec::with_capacity(count),
            boundary: Vec::with_capacity(count * steps),
            arena_vertices: self.arena_vertices.clone(),
        };
        for b in 0..count {
            let mut rng = stream(seed, iteration, (first + b) as u64, Purpose::Start);
            let trial = rng.random_range(0..self.trials);
            let s = rng.random_range(0..=self.steps - steps);
            let r = trial * self.steps + s..trial * self.steps + s + steps;
            out.start.push(if s == 0 {
                self.start[trial]
            } else {
                self.pos(trial, s - 1)
            });
            out.speed.extend_from_slice(&self.speed[r.clone()]);
            out.heading.extend_from_slice(&self.heading[r.clone()]);
            out.position
                .extend_from_slice(&self.position[r.start * 2..r.end * 2]);
            out.boundary.extend_from_slice(&self.boundary[r]);
        }
        out
    }

    /// Position after step t of trial b.
    pub fn pos(&self, b: usize, t: usize) -> [f64; 2] {
        let i = (b * self.steps + t) * 2;
        [self.position[i], self.position[i + 1]]
    }
}

pub(super) fn normal(rng: &mut StreamRng) -> f64 {
    rng.sample::<f64, _>(StandardNormal)
}

fn start_point(spec: &TrajectorySpec, rng: &mut StreamRng) -> [f64; 2] {
    match spec.task.start {
        StartSpec::Point(p) => p,
        StartSpec::Named(StartName::Centre) => [0.0, 0.0],
        StartSpec::Named(StartName::Random) => {
            let (lo, hi) = spec.arena.bounding_box();
            loop {
                let p = [
                    lo[0] + (hi[0] - lo[0]) * rng.random::<f64>(),
                    lo[1] + (hi[1] - lo[1]) * rng.random::<f64>(),
                ];
                if spec.arena.contains(p) {
                    return p;
                }
            }
        }
    }
}

/// Trials generated piece by piece, in constant memory (Fig. 6 runs 10^6-step trials): trial b
/// walks on its own stream (seed, iteration, b), so its pieces joined are the trial
/// [`Trajectories::generate`] would give at that length.
pub struct LongTrials {
    spec: TrajectorySpec,
    walkers: Vec<(Walker, StreamRng)>,
}

impl LongTrials {
    /// `trials` trials at their start.
    pub fn new(spec: &TrajectorySpec, seed: u64, iteration: u64, trials: usize) -> LongTrials {
        let walkers = (0..trials)
            .map(|b| {
                let mut rng = stream(seed, iteration, b as u64, Purpose::Trajectory);
                (Walker::start(spec, &mut rng), rng)
            })
            .collect();
        LongTrials {
            spec: spec.clone(),
            walkers,
        }
    }

    /// The next `steps` steps of every trial (`start` = where each piece begins).
    pub fn next_piece(&mut self, steps: usize) -> Trajectories {
        let mut out = Trajectories::zeroed(self.walkers.len(), steps, self.spec.arena.outline());
        for (b, (walker, rng)) in self.walkers.iter_mut().enumerate() {
            out.start[b] = walker.position;
            out.walk_trial(b, walker, &self.spec, rng);
        }
        out
    }
}

/// A trajectory's state between steps, so that a trial can be generated in pieces (the
/// long evaluations of Fig. 6 run 10^6-step trials in constant memory). Walking `a` steps and
/// then `b` gives the same trial as walking `a + b` at once.
#[derive(Clone, Debug, PartialEq)]
pub struct Walker {
    /// Where the animal is.
    pub position: [f64; 2],
    heading: f64,
    moving: bool,
}

impl Walker {
    /// A trial's start: its start point, initial heading and moving state, drawn from `rng`
    /// as [`Trajectories::generate`] draws them.
    pub fn start(spec: &TrajectorySpec, rng: &mut StreamRng) -> Walker {
        let position = start_point(spec, rng);
        let heading = TAU * rng.random::<f64>();
        let moving = rng.random::<f64>() < 1.0 - spec.task.p_stop;
        Walker {
            position,
            heading,
            moving,
        }
    }

    /// The next `speed.len()` steps: heading random walk, stops, the wall rule (design
    /// section 3); `position` gets the point after each step, `boundary` whether its heading
    /// was resampled at a wall.
    pub fn walk(
        &mut self,
        spec: &TrajectorySpec,
        rng: &mut StreamRng,
        speed: &mut [f64],
        heading: &mut [f64],
        position: &mut [f64],
        boundary: &mut [bool],
    ) {
        let (mut p, mut h, mut moving) = (self.position, self.heading, self.moving);
        let p_move = 1.0 - spec.task.p_stop;
        // Markov runs: leave a moving run with 1/run_length, enter one so that the stationary
        // moving fraction is 1 - p_stop.
        let leave = 1.0 / spec.task.run_length;
        let enter = if spec.task.p_stop > 0.0 {
            leave * p_move / spec.task.p_stop
        } else {
            1.0
        };
        for t in 0..speed.len() {
            // The paper's heading walks before the step is drawn (Sorscher's turns after it).
            if spec.task.motion == Motion::Paper {
                h += spec.task.heading_std * normal(rng);
            }
            let u: f64 = rng.random();
            moving = match spec.task.stop_mode {
                StopMode::Iid => u < p_move,
                StopMode::Runs => {
                    if moving {
                        u >= leave
                    } else {
                        u < enter
                    }
                }
            };
            let s = if moving { step_length(spec, rng) } else { 0.0 };
            let (s, step_h, hit) = match spec.task.motion {
                Motion::Paper => paper_step(spec, rng, &mut p, &mut h, s),
                Motion::Sorscher => sorscher_step(spec, rng, &mut p, &mut h, s),
            };
            speed[t] = s;
            heading[t] = step_h;
            position[2 * t] = p[0];
            position[2 * t + 1] = p[1];
            boundary[t] = hit;
        }
        *self = Walker {
            position: p,
            heading: h,
            moving,
        };
    }
}

/// Draw a moving step's length.
fn step_length(spec: &TrajectorySpec, rng: &mut StreamRng) -> f64 {
    match spec.task.speed {
        // Inverse CDF of the Rayleigh distribution; 1 - U lies in (0, 1].
        SpeedDist::Rayleigh => {
            spec.task.speed_sigma * (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt()
        }
        SpeedDist::Uniform => spec.task.speed_max * (1.0 - rng.random::<f64>()),
    }
}

/// One step of length `s` of the paper's walk from `p` along `h` (already turned): a step
/// that would leave the arena resamples its heading by the wall rule. Returns (length, heading, interaction).
fn paper_step(
    spec: &TrajectorySpec,
    rng: &mut StreamRng,
    p: &mut [f64; 2],
    h: &mut f64,
    mut s: f64,
) -> (f64, f64, bool) {
    let mut hit = false;
    if s > 0.0 {
        let step = |h: f64| [p[0] + s * h.cos(), p[1] + s * h.sin()];
        let mut q = step(*h);
        if !spec.arena.contains(q) {
            hit = true;
            let mut found = false;
            for k in 0..MAX_WALL_DRAWS {
                let cand = match spec.task.wall_rule {
                    WallRule::Uniform => TAU * rng.random::<f64>(),
                    WallRule::GaussianWiden => {
                        // Our reading of the authors' code: heading steps around the current
                        // heading, their sd doubling every 10 failures (at least 0.1 rad).
                        let sd = spec.task.heading_std.max(0.1) * 2f64.powi((k / 10) as i32);
                        *h + sd.min(2.0 * PI) * normal(rng)
                    }
                };
                let c = step(cand);
                if spec.arena.contains(c) {
                    *h = cand;
                    q = c;
                    found = true;
                    break;
                }
            }
            if !found {
                s = 0.0;
                q = *p;
            }
        }
        *p = q;
    }
    (s, *h, hit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::ArenaShape;
    use crate::config::load;
    use proptest::prelude::*;

    #[test]
    fn a_trial_walked_in_pieces_is_the_trial_walked_at_once() {
        for rule in ["uniform", "gaussian-widen"] {
            let mut sp = spec(ArenaShape::Triangle, &[&format!("task.wall_rule={rule}")]);
            sp.task.steps = 300;
            let whole = Trajectories::generate(&sp, 7, 3, 0, 2);
            let mut long = LongTrials::new(&sp, 7, 3, 2);
            let (a, b) = (long.next_piece(120), long.next_piece(180));
            for trial in 0..2 {
                assert_eq!(a.start[trial], whole.start[trial]);
                assert_eq!(b.start[trial], whole.pos(trial, 119));
                for t in 0..300 {
                    let (piece, tt) = if t < 120 { (&a, t) } else { (&b, t - 120) };
                    assert_eq!(
                        piece.pos(trial, tt),
                        whole.pos(trial, t),
                        "{rule} {trial} {t}"
                    );
                    let (i, j) = (trial * piece.steps + tt, trial * 300 + t);
                    assert_eq!(piece.boundary[i], whole.boundary[j]);
                    assert_eq!(piece.speed[i], whole.speed[j]);
                }
            }
            assert!(whole.boundary.iter().any(|&h| h), "{rule}: no wall was hit");
        }
    }

    fn spec(arena: ArenaShape, sets: &[&str]) -> TrajectorySpec {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let mut s = TrajectorySpec::from_config(&load(None, None, &sets).unwrap());
        s.arena = Arena::new(arena, 4.0).unwrap();
        s
    }

    fn shapes() -> impl Strategy<Value = ArenaShape> {
        prop_oneof![
            Just(ArenaShape::Square),
            Just(ArenaShape::Triangle),
            Just(ArenaShape::Hexagon),
            Just(ArenaShape::Circle),
            Just(ArenaShape::Polygon(vec![
                [-1.2, -0.5],
                [0.9, -1.0],
                [1.3, 0.4],
                [0.1, 1.1],
                [-1.0, 0.7]
            ])),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Trajectories never leave any arena, and every boundary step starts within its step
        /// length of a wall.
        #[test]
        fn never_leaves_the_arena(shape in shapes(), seed in 0u64..1_000_000, widen in any::<bool>(),
                                  random_start in any::<bool>(), fast in any::<bool>(),
                                  sorscher in any::<bool>()) {
            let mut s = spec(shape, &[]);
            if sorscher { s.task.motion = Motion::Sorscher; }
            if widen { s.task.wall_rule = WallRule::GaussianWiden; }
            if random_start { s.task.start = StartSpec::Named(StartName::Random); }
            if fast { s.task.speed_sigma = 0.4; s.task.p_stop = 0.2; }
            s.task.steps = 300;
            let tr = Trajectories::generate(&s, seed, 0, 0, 8);
            for b in 0..tr.trials {
                prop_assert!(s.arena.contains(tr.start[b]));
                let mut prev = tr.start[b];
                for t in 0..tr.steps {
                    let p = tr.pos(b, t);
                    prop_assert!(s.arena.contains(p), "trial {b} step {t}: {p:?} outside");
                    let i = b * tr.steps + t;
                    let moved = ((p[0] - prev[0]).powi(2) + (p[1] - prev[1]).powi(2)).sqrt();
                    prop_assert!((moved - tr.speed[i]).abs() < 1e-9);
                    if tr.boundary[i] && sorscher {
                        prop_assert!(s.arena.clearance(prev) < super::super::SORSCHER_BORDER);
                    } else if tr.boundary[i] && tr.speed[i] > 0.0 {
                        prop_assert!(s.arena.clearance(prev) <= tr.speed[i] + 1e-12);
                    }
                    prev = p;
                }
            }
        }
    }

    #[test]
    fn zero_speed_fraction_and_heading_steps_match_the_config() {
        let s = spec(ArenaShape::Square, &[]);
        let tr = Trajectories::generate(&s, 7, 3, 0, 200);
        let n = tr.speed.len() as f64;
        let zero = tr.speed.iter().filter(|&&v| v == 0.0).count() as f64 / n;
        // Binomial sd of the fraction is sqrt(0.09/n) ~ 6e-4; zero-speed also includes the rare
        // abandoned wall steps.
        assert!(
            (zero - 0.9).abs() < 4.0 * (0.09 / n).sqrt() + 1e-3,
            "zero fraction {zero}"
        );
        let mut d = Vec::new();
        for b in 0..tr.trials {
            for t in 1..tr.steps {
                let i = b * tr.steps + t;
                if !tr.boundary[i] {
                    d.push(tr.heading[i] - tr.heading[i - 1]);
                }
            }
        }
        let m = d.iter().sum::<f64>() / d.len() as f64;
        let sd = (d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / d.len() as f64).sqrt();
        let se = 0.2 / (d.len() as f64).sqrt();
        assert!(m.abs() < 4.0 * se, "mean heading step {m}");
        assert!(
            (sd - 0.2).abs() < 4.0 * 0.2 / (2.0 * d.len() as f64).sqrt(),
            "heading step sd {sd}"
        );
        let moving: Vec<f64> = tr.speed.iter().copied().filter(|&v| v > 0.0).collect();
        let mean_speed = moving.iter().sum::<f64>() / moving.len() as f64;
        let expect = 0.1 * (PI / 2.0).sqrt();
        assert!(
            (mean_speed - expect).abs() < 0.03 * expect,
            "Rayleigh mean {mean_speed} vs {expect}"
        );
    }

    #[test]
    fn runs_mode_keeps_the_stationary_fraction() {
        let s = spec(
            ArenaShape::Square,
            &["task.stop_mode=runs", "task.run_length=10"],
        );
        let tr = Trajectories::generate(&s, 1, 0, 0, 200);
        let zero = tr.speed.iter().filter(|&&v| v == 0.0).count() as f64 / tr.speed.len() as f64;
        assert!((zero - 0.9).abs() < 0.01, "zero fraction {zero}");
    }

    #[test]
    fn same_seed_same_trials_whatever_the_split() {
        let s = spec(ArenaShape::Hexagon, &[]);
        let all = Trajectories::generate(&s, 5, 2, 0, 6);
        let tail = Trajectories::generate(&s, 5, 2, 3, 3);
        assert_eq!(all.position[3 * s.task.steps * 2..], tail.position[..]);
        assert_ne!(all, Trajectories::generate(&s, 5, 3, 0, 6));
    }

    #[test]
    fn windows_are_contiguous_pieces_of_the_recording() {
        let mut s = spec(ArenaShape::Square, &[]);
        s.task.steps = 100;
        let rec = Trajectories::generate(&s, 1, 0, 0, 3);
        let w = rec.windows(20, 4, 7, 0, 5);
        assert_eq!((w.trials, w.steps), (5, 20));
        for b in 0..5 {
            let found = (0..3)
                .any(|tr| (0..=80).any(|off| (0..20).all(|t| rec.pos(tr, off + t) == w.pos(b, t))));
            assert!(found, "window {b} is not a piece of the recording");
            let p0 = w.pos(b, 0);
            let moved = ((p0[0] - w.start[b][0]).powi(2) + (p0[1] - w.start[b][1]).powi(2)).sqrt();
            assert!(
                (moved - w.speed[b * 20]).abs() < 1e-12,
                "start is the position before the window"
            );
        }
    }
}
