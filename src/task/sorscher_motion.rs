//! Sorscher et al.'s motion model (`trajectory_generator.py` of Sorscher, Mel, Ganguli & Ocko
//! 2019), as `task.motion = "sorscher"`: a new speed every step, the heading turning after
//! each step by `heading_std` N(0, 1) (their dt sigma), and near a wall, heading at it, a
//! quarter of the speed and a turn that makes the heading parallel to the wall:
//!
//! ```text
//! a = heading - (direction of the nearest wall's outward normal), wrapped to [-pi, pi)
//! near = distance to that wall < 0.03 and |a| < pi/2
//! near:  speed *= 0.25,  turn = sign(a) (pi/2 - |a|)
//! ```
//!
//! Stops and the speed distribution are the task's (`p_stop`, `speed`), so the peer's model
//! is `p_stop = 0`, Rayleigh speeds of scale 0.13 2 pi 0.02 = 0.0163 per step and
//! `heading_std` 11.52 0.02 = 0.2304 in a 2.2-wide box (area 4.84). The one departure: the
//! peer's walker takes its (slowed) step before turning, so a fast step near a wall can cross
//! it; here that step stays put, and trajectories never leave the arena. With the peer's
//! parameters that is 0.40 % of steps (1609 of 4 x 10^5, `gridrnn trajectories --set
//! task.motion=sorscher ...`).

use std::f64::consts::{PI, TAU};

use super::trajectory::{TrajectorySpec, normal};
use crate::arena::Arena;
use crate::rng::StreamRng;

/// Sorscher et al.'s border region: within it, heading at the wall, the animal slows and turns.
pub const SORSCHER_BORDER: f64 = 0.03;
/// Sorscher et al.'s slow-down factor in the border region.
pub const SORSCHER_SLOWDOWN: f64 = 0.25;

/// Direction (radians) of the outward normal of the wall nearest `p`, and its distance.
fn nearest_wall_outward(arena: &Arena, p: [f64; 2]) -> (f64, f64) {
    let (k, d) = arena.nearest_wall(p);
    match arena.walls().get(k) {
        Some(w) => ((-w.normal[1]).atan2(-w.normal[0]), d),
        // A circle: the nearest wall lies along p from the centre.
        None => (p[1].atan2(p[0]), d),
    }
}

/// One step of Sorscher et al.'s generator, of drawn length `s`: heading at a wall within [`SORSCHER_BORDER`],
/// the step slows by [`SORSCHER_SLOWDOWN`] and the heading turns parallel to the wall; the
/// step is taken along the current heading, which then turns by that and by
/// `heading_std` N(0, 1) (their dt sigma). Their generator lets a fast step cross the wall;
/// here such a step stays put (the trajectories never leave the arena). Returns (length,
/// heading of the step, whether the wall turned it).
pub(super) fn sorscher_step(
    spec: &TrajectorySpec,
    rng: &mut StreamRng,
    p: &mut [f64; 2],
    h: &mut f64,
    mut s: f64,
) -> (f64, f64, bool) {
    let (theta, d) = nearest_wall_outward(&spec.arena, *p);
    let a_wall = (*h - theta + PI).rem_euclid(TAU) - PI;
    let near = d < SORSCHER_BORDER && a_wall.abs() < PI / 2.0;
    let mut turn = 0.0;
    if near {
        s *= SORSCHER_SLOWDOWN;
        turn = a_wall.signum() * (PI / 2.0 - a_wall.abs());
    }
    turn += spec.task.heading_std * normal(rng);
    let step_h = *h;
    let q = [p[0] + s * step_h.cos(), p[1] + s * step_h.sin()];
    if spec.arena.contains(q) {
        *p = q;
    } else {
        s = 0.0;
    }
    *h += turn;
    (s, step_h, near)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::ArenaShape;
    use crate::config::{Motion, load};
    use crate::rng::{Purpose, stream};

    #[test]
    fn heading_at_a_wall_slows_and_turns_parallel_to_it() {
        let mut spec = TrajectorySpec::from_config(&load(None, None, &[]).unwrap());
        spec.arena = Arena::new(ArenaShape::Square, 4.0).unwrap();
        spec.task.motion = Motion::Sorscher;
        spec.task.heading_std = 0.0;
        // 0.01 from the right wall (x = 1), heading 30 degrees off its outward normal.
        let mut rng = stream(0, 0, 0, Purpose::Trajectory);
        let (mut p, mut h) = ([0.99, 0.0], 30f64.to_radians());
        let (s, step_h, near) = sorscher_step(&spec, &mut rng, &mut p, &mut h, 0.01);
        assert!(near && step_h == 30f64.to_radians());
        assert!(
            (h - 90f64.to_radians()).abs() < 1e-12,
            "parallel to the wall: {h}"
        );
        assert!(
            p[0] <= 1.0 && (s - 0.01 * SORSCHER_SLOWDOWN).abs() < 1e-15,
            "slowed: {s}"
        );
        // Heading away from the wall: no turn, full speed.
        let (mut p, mut h) = ([0.99, 0.0], 150f64.to_radians());
        let (_, _, near) = sorscher_step(&spec, &mut rng, &mut p, &mut h, 0.01);
        assert!(!near && h == 150f64.to_radians());
    }
}
