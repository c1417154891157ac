//! Fig. 6 (paper section 3.3): a trained network run, noise on as in training, over trials
//! orders of magnitude longer than training's, piece by piece in constant memory. It records
//! the squared error around boundary interactions (Fig. 6a, [`super::boundary_events`]), the
//! error averaged over long windows against the best constant output (Fig. 6b), and the rate
//! maps of each trial's first and last stretch (the paper: maps stay stable).

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::SpatialBins;
use super::least_squares_slope;
use super::pearson_valid;
use super::{EventCurves, EventStream};
use crate::config::ValidConfig;
use crate::evaluate::{EVAL_SHARDS, cue_steps};
use crate::io::{NpzOut, write_atomic};
use crate::model::{Ctrnn, Engine};
use crate::task::{LongTrials, TrajectorySpec};

/// Iteration index of the long trials' trajectory streams: no training iteration, the
/// analysis recording (u64::MAX - 1) or the held-out trials (u64::MAX) use it.
pub const LONG_RUN_ITERATION: u64 = u64::MAX - 2;

/// Seed of the long trials' noise streams (one per piece and shard).
pub const LONG_RUN_NOISE_SEED: u64 = 0x10f6_e77a;

/// How to run (the defaults are the paper's Fig. 6b: 10 trials of 10^6 steps).
#[derive(Clone, Debug, PartialEq)]
pub struct LongRunOptions {
    /// Trials.
    pub trials: usize,
    /// Steps per trial (rounded up to whole pieces).
    pub steps: usize,
    /// Steps run at a time (bounds memory).
    pub piece: usize,
    /// Unit noise as in training.
    pub noise: bool,
    /// Steps per averaging window of Fig. 6b.
    pub window: usize,
    /// Steps at the start and at the end of each trial whose rate maps are compared.
    pub map_steps: usize,
    /// Spatial bins along the longer side.
    pub bins: usize,
    /// Worker threads.
    pub threads: usize,
}

impl LongRunOptions {
    /// 10 trials of 10^6 steps with noise, windows of 10^4 steps, maps of the first and last
    /// 10^5 steps on 20 bins.
    pub fn defaults(threads: usize) -> LongRunOptions {
        LongRunOptions {
            trials: 10,
            steps: 1_000_000,
            piece: 1000,
            noise: true,
            window: 10_000,
            map_steps: 100_000,
            bins: 20,
            threads,
        }
    }

    /// `trials` trials of `steps` steps with the defaults' proportions where the trials are
    /// shorter: maps over at most the first and last tenth, at least 100 windows.
    pub fn with_steps(trials: usize, steps: usize, bins: usize, threads: usize) -> LongRunOptions {
        let d = LongRunOptions::defaults(threads);
        LongRunOptions {
            trials,
            steps,
            window: d.window.min(steps / 100).max(1),
            map_steps: d.map_steps.min(steps / 10).max(1),
            bins,
            ..d
        }
    }

    /// Checks that the options describe a run; the error names the option and the fix.
    pub fn check(&self) -> Result<(), String> {
        if self.trials == 0 || self.steps == 0 || self.piece == 0 {
            return Err("long run: trials, steps and piece must be >= 1".into());
        }
        if self.window == 0 || self.window > self.steps {
            return Err(format!(
                "long run: window ({}) must be in 1..=steps ({})",
                self.window, self.steps
            ));
        }
        if self.map_steps == 0 || 2 * self.map_steps > self.steps {
            return Err(format!(
                "long run: map steps ({}) must be in 1..=steps / 2 ({})",
                self.map_steps,
                self.steps / 2
            ));
        }
        if self.steps < 2 * super::WINDOW {
            return Err("long run: steps must be at least 202 (two event windows)".into());
        }
        Ok(())
    }
}

/// Everything the long run measured.
#[derive(Clone, Debug)]
pub struct LongRun {
    /// The options it ran with (steps rounded up to whole pieces).
    pub options: LongRunOptions,
    /// Fig. 6a's sums.
    pub curves: EventCurves,
    /// Mean squared error per window, `[trial][window]`.
    pub window_error: Vec<Vec<f64>>,
    /// The best constant output's error (the mean target over the whole run) per window,
    /// `[trial][window]`.
    pub window_constant: Vec<Vec<f64>>,
    /// Each unit's correlation between its rate maps over the first and the last
    /// `map_steps` of every trial (bins visited in both).
    pub map_correlation: Vec<f64>,
    /// Boundary interactions per step.
    pub interaction_rate: f64,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// The numbers the report gives.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LongRunSummary {
    /// Trials and steps per trial.
    pub trials: usize,
    /// Steps per trial.
    pub steps: usize,
    /// Whether noise was on.
    pub noise: bool,
    /// Mean squared error over everything.
    pub mean_error: f64,
    /// The best constant output's error over everything.
    pub constant_error: f64,
    /// Boundary interactions per step.
    pub interaction_rate: f64,
    /// Slope of the mean error over interaction-free windows, per step.
    pub growth_per_step: f64,
    /// Interaction-free windows of 101 steps.
    pub free_windows: usize,
    /// Events per group (further interactions 0, 1, 2-5, 6-50).
    pub events: [usize; 4],
    /// Mean error change per group, from [t0-5, t0-1] to [t0+46, t0+50].
    pub change_by_group: [f64; 4],
    /// Least-squares slope of that change against the number of interactions.
    pub change_per_interaction: f64,
    /// Slope of the windowed error (mean over trials) over the run, per 10^5 steps.
    pub drift_per_1e5_steps: f64,
    /// That slope times the run's length over the mean error: the fractional change of the
    /// error from start to end.
    pub relative_drift: f64,
    /// Steps at each trial's start and end whose rate maps are compared.
    pub map_steps: usize,
    /// Median over units of the first-vs-last rate-map correlation.
    pub median_map_correlation: f64,
    /// Wall time, seconds.
    pub seconds: f64,
}

impl LongRun {
    /// Mean over trials of each window's error, and its sd over trials.
    pub fn window_mean_sd(&self) -> (Vec<f64>, Vec<f64>) {
        let windows = self.window_error[0].len();
        let n = self.window_error.len() as f64;
        let mean: Vec<f64> = (0..windows)
            .map(|w| self.window_error.iter().map(|t| t[w]).sum::<f64>() / n)
            .collect();
        let sd = (0..windows)
            .map(|w| {
                let v = self
                    .window_error
                    .iter()
                    .map(|t| (t[w] - mean[w]).powi(2))
                    .sum::<f64>();
                if n > 1.0 { (v / (n - 1.0)).sqrt() } else { 0.0 }
            })
            .collect();
        (mean, sd)
    }

    /// The best constant output's error per window, averaged over trials.
    pub fn window_constant_mean(&self) -> Vec<f64> {
        let n = self.window_constant.len() as f64;
        (0..self.window_constant[0].len())
            .map(|w| self.window_constant.iter().map(|t| t[w]).sum::<f64>() / n)
            .collect()
    }

    /// The report's numbers.
    pub fn summary(&self) -> LongRunSummary {
        let o = &self.options;
        let (mean, _) = self.window_mean_sd();
        let centres: Vec<f64> = (0..mean.len())
            .map(|w| (w as f64 + 0.5) * o.window as f64)
            .collect();
        let mean_error = mean.iter().sum::<f64>() / mean.len() as f64;
        let constant = self.window_constant_mean();
        let drift = if mean.len() >= 2 {
            least_squares_slope(&centres, &mean)
        } else {
            f64::NAN
        };
        let offsets: Vec<f64> = (0..super::WINDOW).map(|k| k as f64).collect();
        let growth = if self.curves.free_windows > 0 {
            least_squares_slope(&offsets, &self.curves.free_mean())
        } else {
            f64::NAN
        };
        let mut corr: Vec<f64> = self
            .map_correlation
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        corr.sort_by(f64::total_cmp);
        LongRunSummary {
            trials: o.trials,
            steps: o.steps,
            noise: o.noise,
            mean_error,
            constant_error: constant.iter().sum::<f64>() / constant.len() as f64,
            interaction_rate: self.interaction_rate,
            growth_per_step: growth,
            free_windows: self.curves.free_windows,
            events: self.curves.events,
            change_by_group: std::array::from_fn(|g| self.curves.mean_change(g)),
            change_per_interaction: self.curves.change_per_interaction(),
            drift_per_1e5_steps: drift * 1e5,
            relative_drift: drift * o.steps as f64 / mean_error,
            map_steps: o.map_steps,
            median_map_correlation: if corr.is_empty() {
                f64::NAN
            } else {
                corr[corr.len() / 2]
            },
            seconds: self.seconds,
        }
    }
}

/// Per (trial, window): steps and the sums of the target and its square, for the best
/// constant output's error once the run's mean target is known.
#[derive(Clone, Copy, Default)]
struct TargetSums {
    n: f64,
    s: [f64; 2],
    ss: f64,
}

/// Run `net` (trained under `cfg`) over long trials.
pub fn long_run(cfg: &ValidConfig, net: &Ctrnn<f32>, o: &LongRunOptions) -> LongRun {
    let t_start = Instant::now();
    let piece = o.piece.min(o.steps);
    let pieces = o.steps.div_ceil(piece);
    let steps = pieces * piece;
    let options = LongRunOptions {
        steps,
        piece,
        ..o.clone()
    };
    let spec = TrajectorySpec::from_config(cfg);
    let bins = SpatialBins::new(&spec.arena, o.bins);
    let n = net.n;
    let mut trials = LongTrials::new(&spec, cfg.train.seed, LONG_RUN_ITERATION, o.trials);
    let mut engine = Engine::<f32>::new(
        n,
        net.n_in,
        piece,
        o.trials,
        EVAL_SHARDS,
        o.threads.max(1),
        false,
    );
    engine.continue_trials();
    let cue = cue_steps(net);
    let windows = steps.div_ceil(o.window);
    let mut streams = vec![EventStream::default(); o.trials];
    let mut window_sum = vec![vec![0.0; windows]; o.trials];
    let mut target_sums = vec![vec![TargetSums::default(); windows]; o.trials];
    // Rate maps of the first and the last `map_steps` of each trial: sums per (bin, unit).
    let mut map_sum = [vec![0.0; bins.len() * n], vec![0.0; bins.len() * n]];
    let mut map_occ = [vec![0.0; bins.len()], vec![0.0; bins.len()]];
    let mut hits = 0usize;
    for p in 0..pieces {
        let traj = trials.next_piece(piece);
        let noise = o
            .noise
            .then_some((LONG_RUN_NOISE_SEED, p as u64, net.noise_std));
        // The start cue is on during the first steps of the whole trial only.
        let piece_cue = cue.map(|c| if p == 0 { c } else { 0 });
        engine.forward_on(net, noise, &traj, 0, piece_cue);
        let errors = engine.step_errors();
        for b in 0..o.trials {
            for t in 0..piece {
                let i = b * piece + t;
                let global = p * piece + t;
                let hit = traj.boundary[i];
                hits += usize::from(hit);
                streams[b].push(errors[i], hit);
                let w = global / o.window;
                window_sum[b][w] += errors[i];
                let pos = traj.pos(b, t);
                let ts = &mut target_sums[b][w];
                ts.n += 1.0;
                ts.s[0] += pos[0];
                ts.s[1] += pos[1];
                ts.ss += pos[0] * pos[0] + pos[1] * pos[1];
                let half = if global < o.map_steps {
                    0
                } else if global >= steps - o.map_steps {
                    1
                } else {
                    continue;
                };
                if let Some(k) = bins.index(pos) {
                    map_occ[half][k] += 1.0;
                    let u = engine.activity(b, t);
                    for (s, a) in map_sum[half][k * n..(k + 1) * n].iter_mut().zip(u) {
                        *s += f64::from(*a);
                    }
                }
            }
        }
    }
    let mut curves = EventCurves::default();
    for s in &streams {
        curves.merge(&s.curves);
    }
    let window_constant = window_constants(&target_sums);
    let window_error = window_sum
        .iter()
        .zip(&target_sums)
        .map(|(sums, ts)| sums.iter().zip(ts).map(|(s, t)| s / t.n).collect())
        .collect();
    let map_correlation = first_last_correlations(&map_sum, &map_occ, n);
    LongRun {
        options,
        curves,
        window_error,
        window_constant,
        map_correlation,
        interaction_rate: hits as f64 / (o.trials * steps) as f64,
        seconds: t_start.elapsed().as_secs_f64(),
    }
}

/// Per trial and window, the error of the best constant output (the mean position over the
/// whole run), from the windows' sums of positions.
fn window_constants(target_sums: &[Vec<TargetSums>]) -> Vec<Vec<f64>> {
    let total: TargetSums = target_sums
        .iter()
        .flatten()
        .fold(TargetSums::default(), |a, b| TargetSums {
            n: a.n + b.n,
            s: [a.s[0] + b.s[0], a.s[1] + b.s[1]],
            ss: a.ss + b.ss,
        });
    let m = [total.s[0] / total.n, total.s[1] / total.n];
    target_sums
        .iter()
        .map(|tw| {
            tw.iter()
                .map(|ts| {
                    // sum |p - m|^2 = sum |p|^2 - 2 m . sum p + n |m|^2, over 2 coordinates.
                    let sq = ts.ss - 2.0 * (m[0] * ts.s[0] + m[1] * ts.s[1])
                        + ts.n * (m[0] * m[0] + m[1] * m[1]);
                    sq / (2.0 * ts.n)
                })
                .collect()
        })
        .collect()
}

/// Each unit's Pearson r between its rate maps of the first and the last steps of the
/// trials (sums per (bin, unit) and occupancy), over the bins both visit.
fn first_last_correlations(map_sum: &[Vec<f64>; 2], map_occ: &[Vec<f64>; 2], n: usize) -> Vec<f64> {
    let bins = map_occ[0].len();
    let map = |half: usize, unit: usize| -> Vec<f64> {
        (0..bins)
            .map(|k| {
                if map_occ[0][k] > 0.0 && map_occ[1][k] > 0.0 {
                    map_sum[half][k * n + unit] / map_occ[half][k]
                } else {
                    f64::NAN
                }
            })
            .collect()
    };
    (0..n)
        .map(|u| pearson_valid(&map(0, u), &map(1, u)))
        .collect()
}

/// Write `analysis/long_run.json` (the summary) and `analysis/long_run.npz` (the curves) into
/// the run directory `dir`.
pub fn write_long_run(dir: &Path, r: &LongRun) -> anyhow::Result<()> {
    let out = dir.join("analysis");
    std::fs::create_dir_all(&out)?;
    let json = serde_json::to_string_pretty(&r.summary())?;
    write_atomic(&out.join("long_run.json"), json.as_bytes())?;
    let w = super::WINDOW;
    let half = super::HALF_WINDOW as i64;
    let mut z = NpzOut::new();
    z.add("offset", &[w], (-half..=half).collect::<Vec<i64>>())?;
    z.add(
        "event_error",
        &[4, w],
        (0..4).flat_map(|g| r.curves.mean(g)).collect::<Vec<f64>>(),
    )?;
    z.add(
        "events",
        &[4],
        r.curves.events.iter().map(|&e| e as i64).collect(),
    )?;
    z.add("free_error", &[w], r.curves.free_mean())?;
    let (trials, windows) = (r.window_error.len(), r.window_error[0].len());
    z.add("window_steps", &[], vec![r.options.window as i64])?;
    z.add("window_error", &[trials, windows], r.window_error.concat())?;
    z.add(
        "window_constant",
        &[trials, windows],
        r.window_constant.concat(),
    )?;
    z.add(
        "map_correlation",
        &[r.map_correlation.len()],
        r.map_correlation.clone(),
    )?;
    z.write(&out.join("long_run.npz"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load;
    use crate::task::Trajectories;

    #[test]
    fn a_trial_run_in_pieces_is_the_trial_run_at_once() {
        let cfg = load(
            None,
            None,
            &["model.units=12".into(), "task.steps=60".into()],
        )
        .unwrap();
        let net = Ctrnn::<f32>::init(&cfg);
        let spec = TrajectorySpec::from_config(&cfg);
        let whole = Trajectories::generate(&spec, 3, 9, 0, 5);
        let mut long = LongTrials::new(&spec, 3, 9, 5);
        let mut at_once = Engine::<f32>::new(12, net.n_in, 60, 5, 2, 1, false);
        at_once.forward_on(&net, None, &whole, 0, None);
        let mut pieces = Engine::<f32>::new(12, net.n_in, 20, 5, 2, 2, false);
        pieces.continue_trials();
        let want = at_once.step_errors();
        for p in 0..3 {
            let traj = long.next_piece(20);
            pieces.forward_on(&net, None, &traj, 0, None);
            let got = pieces.step_errors();
            for b in 0..5 {
                for t in 0..20 {
                    let (g, w) = (got[b * 20 + t], want[b * 60 + p * 20 + t]);
                    assert!((g - w).abs() <= 1e-6 * w.max(1e-3), "{b} {p} {t}: {g} {w}");
                    assert_eq!(pieces.activity(b, t), at_once.activity(b, p * 20 + t));
                }
            }
        }
    }

    #[test]
    fn the_long_run_measures_what_it_says() {
        let cfg = load(None, None, &["model.units=8".into()]).unwrap();
        let net = Ctrnn::<f32>::init(&cfg);
        let o = LongRunOptions {
            trials: 3,
            steps: 3000,
            piece: 700,
            window: 500,
            map_steps: 1000,
            bins: 6,
            ..LongRunOptions::defaults(2)
        };
        o.check().unwrap();
        let r = long_run(&cfg, &net, &o);
        assert_eq!(r.options.steps, 3500);
        assert_eq!(r.window_error.len(), 3);
        assert_eq!(r.window_error[0].len(), 7);
        assert_eq!(r.map_correlation.len(), 8);
        let s = r.summary();
        // An untrained network's output barely moves: its error is about the targets' spread
        // around the origin, which the best constant (their mean) only slightly beats.
        assert!(s.mean_error > 0.5 * s.constant_error, "{s:?}");
        assert!(s.constant_error > 0.05 && s.constant_error < 1.0, "{s:?}");
        assert!(
            s.interaction_rate > 0.0 && s.interaction_rate < 0.1,
            "{s:?}"
        );
        assert!(s.events.iter().sum::<usize>() > 0, "{s:?}");
        // Same options, same numbers, whatever the threads.
        let again = long_run(&cfg, &net, &LongRunOptions { threads: 1, ..o });
        assert_eq!(again.summary().mean_error, s.mean_error);
        assert_eq!(again.curves, r.curves);
    }

    #[test]
    fn bad_options_name_what_to_fix() {
        let o = LongRunOptions::defaults(1);
        assert!(o.check().is_ok());
        let e = LongRunOptions {
            map_steps: 600_000,
            ..o.clone()
        }
        .check()
        .unwrap_err();
        assert!(e.contains("map steps"), "{e}");
        let e = LongRunOptions { window: 0, ..o }.check().unwrap_err();
        assert!(e.contains("window"), "{e}");
    }
}
