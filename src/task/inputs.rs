//! Network inputs from trajectories (docs/design.md section 1): I_t = input_scale * raw inputs.

use std::f64::consts::TAU;

use crate::config::Encoding;

/// Raw inputs of one step, before `input_scale`: [speed, cos h, sin h], [speed, h mod 2 pi]
/// or [speed cos h, speed sin h], then the start cue [x0, y0] (or zeros after the cue) when `cue` is `Some(on)`.
pub fn raw_inputs(
    encoding: Encoding,
    speed: f64,
    heading: f64,
    cue: Option<(bool, [f64; 2])>,
    out: &mut [f64],
) {
    out[0] = speed;
    let k = match encoding {
        Encoding::Velocity => {
            let (sin, cos) = heading.sin_cos();
            out[0] = speed * cos;
            out[1] = speed * sin;
            2
        }
        Encoding::SpeedCosSin => {
            let (sin, cos) = heading.sin_cos();
            out[1] = cos;
            out[2] = sin;
            3
        }
        Encoding::SpeedAngle => {
            out[1] = heading.rem_euclid(TAU);
            2
        }
    };
    if let Some((on, p)) = cue {
        out[k] = if on { p[0] } else { 0.0 };
        out[k + 1] = if on { p[1] } else { 0.0 };
    }
}

/// `input_scale` of a checkpoint: [s, 1, 1], [s, 1] or [s, s] (velocity), plus [1, 1] with a
/// start cue.
pub fn input_scale(encoding: Encoding, speed_scale: f64, start_cue: bool) -> Vec<f64> {
    let second = if encoding == Encoding::Velocity {
        speed_scale
    } else {
        1.0
    };
    let mut v = vec![speed_scale, second];
    if encoding == Encoding::SpeedCosSin {
        v.push(1.0);
    }
    if start_cue {
        v.extend([1.0, 1.0]);
    }
    v
}

/// Write trials `first..first + trials` of `traj` into a shard's time-major buffers:
/// `iaug[(t*bs + b)*(n_in+1) + k]` = input_scale_k * raw_k (then a 1), `target[(t*bs + b)*2 + j]`,
/// `start[b*2 + j]`.
/// `cue_steps` is `Some(steps)` when the start cue is on.
#[allow(clippy::too_many_arguments)]
pub fn write_shard<R: crate::real::Real>(
    traj: &super::Trajectories,
    first: usize,
    trials: usize,
    encoding: Encoding,
    input_scale: &[f64],
    cue_steps: Option<usize>,
    iaug: &mut [R],
    target: &mut [R],
    start: &mut [R],
) {
    let nin = input_scale.len();
    let steps = traj.steps;
    let mut raw = vec![0.0; nin];
    for b in 0..trials {
        let tb = first + b;
        start[2 * b] = R::of(traj.start[tb][0]);
        start[2 * b + 1] = R::of(traj.start[tb][1]);
        for t in 0..steps {
            let i = tb * steps + t;
            let cue = cue_steps.map(|c| (t < c, traj.start[tb]));
            raw_inputs(encoding, traj.speed[i], traj.heading[i], cue, &mut raw);
            let row = t * trials + b;
            let dst = &mut iaug[row * (nin + 1)..(row + 1) * (nin + 1)];
            for k in 0..nin {
                dst[k] = R::of(input_scale[k] * raw[k]);
            }
            dst[nin] = R::one();
            target[row * 2] = R::of(traj.position[i * 2]);
            target[row * 2 + 1] = R::of(traj.position[i * 2 + 1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn velocity_inputs_are_the_scaled_velocity_and_keep_the_cue() {
        let mut out = [0.0; 4];
        raw_inputs(
            Encoding::Velocity,
            0.5,
            1.0,
            Some((true, [0.3, -0.2])),
            &mut out,
        );
        let scale = input_scale(Encoding::Velocity, 2.0, true);
        assert_eq!(scale, vec![2.0, 2.0, 1.0, 1.0]);
        assert!((out[0] - 0.5 * 1f64.cos()).abs() < 1e-15);
        assert!((out[1] - 0.5 * 1f64.sin()).abs() < 1e-15);
        assert_eq!(&out[2..], &[0.3, -0.2]);
    }
}
