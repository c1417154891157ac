//! A trained network run over long trajectories (docs/design.md section 7: trials of the training
//! length from the training start rule, noise off unless asked, at least 10^6 steps), its
//! activity binned as it goes: rate maps, occupancy, two half-maps (odd and even trials),
//! direction tuning (36 bins) and speed tuning (20 equal bins of s * speed over [0, the 99th
//! percentile of moving steps] plus a zero-speed bin). Memory is fixed by the chunk size, not
//! by the number of steps. Each trial's first steps, while the network settles from its start
//! state x_0 = 0, are left out of everything binned and of the series (docs/analysis.md,
//! "The start transient").

use std::f64::consts::TAU;

use super::{ANALYSIS_ITERATION, NO_BIN, SERIES_SCALE, Series, SpatialBins};
use crate::model::{Ctrnn, Engine};
use crate::task::{Trajectories, TrajectorySpec};

/// Direction bins.
pub const DIRECTION_BINS: usize = 36;
/// Moving-speed bins (plus one for zero speed).
pub const SPEED_BINS: usize = 20;

/// How to record.
#[derive(Clone, Debug)]
pub struct RecordingOptions {
    /// Steps to bin, each trial's transient not counted (rounded up to whole trials).
    pub steps: usize,
    /// Spatial bins along the longer side.
    pub bins: usize,
    /// Unit noise as in training.
    pub noise: bool,
    /// Trials per chunk (bounds memory).
    pub chunk_trials: usize,
    /// Worker threads.
    pub threads: usize,
    /// Seed of the trajectory streams.
    pub seed: u64,
    /// Keep the activity and position-bin series for the time-shift null (2 bytes per unit
    /// and step plus 4 per step).
    pub keep_series: bool,
    /// Steps at the start of each trial left out (the start transient; fewer than the
    /// trial's steps).
    pub transient: usize,
}

/// Steps at the start of each recorded trial that the analysis leaves out by default: every
/// trial starts at the arena's centre from x_0 = 0, and until the network has settled the
/// start bin stands out in every unit's map (docs/analysis.md, "The start transient").
pub const START_TRANSIENT: usize = 40;

/// Binned activity of every unit.
#[derive(Clone, Debug)]
pub struct Recording {
    /// The spatial bins.
    pub bins: SpatialBins,
    /// Units.
    pub units: usize,
    /// Trials recorded.
    pub trials: usize,
    /// Steps per trial.
    pub steps: usize,
    /// Steps at the start of each trial left out of the maps, tuning curves and series.
    pub transient: usize,
    /// Sum of activity per (bin, unit) over even (0) and odd (1) trials; the whole map's
    /// sums are theirs added.
    pub half_sum: [Vec<f64>; 2],
    /// Steps per bin for even and odd trials.
    pub half_occupancy: [Vec<f64>; 2],
    /// Sum of activity per (direction bin, unit).
    pub direction_sum: Vec<f64>,
    /// Steps per direction bin.
    pub direction_occupancy: Vec<f64>,
    /// Sum of activity per (speed bin, unit); bin 20 is zero speed.
    pub speed_sum: Vec<f64>,
    /// Steps per speed bin.
    pub speed_occupancy: Vec<f64>,
    /// Upper edge of the moving-speed bins (s * speed units).
    pub speed_max: f64,
    /// The series, when asked for.
    pub series: Option<Series>,
}

/// Run `net` over `spec`'s trajectories and bin its activity.
pub fn record(net: &Ctrnn<f32>, spec: &TrajectorySpec, o: &RecordingOptions) -> Recording {
    let t_len = spec.task.steps;
    assert!(
        o.transient < t_len,
        "the transient ({}) must be shorter than a trial ({t_len} steps)",
        o.transient
    );
    // Enough trials that the binned steps (each trial less its transient) reach `steps`.
    let trials = o.steps.div_ceil(t_len - o.transient).max(1);
    let chunk = o.chunk_trials.clamp(1, trials);
    let bins = SpatialBins::new(&spec.arena, o.bins);
    let n = net.n;
    let cue = spec.task.start_cue.then_some(spec.task.cue_steps);
    let mut r = Recording::empty(bins, n, trials, t_len, o);
    let mut engine: Option<Engine<f32>> = None;
    let mut first = 0;
    while first < trials {
        let count = chunk.min(trials - first);
        let traj = Trajectories::generate(spec, o.seed, ANALYSIS_ITERATION, first, count);
        if r.speed_max.is_nan() {
            r.speed_max = percentile_99_moving(&traj, net.input_scale[0]);
        }
        if engine.as_ref().is_none_or(|e| e.batch() != count) {
            engine = Some(Engine::new(
                net.n,
                net.n_in,
                t_len,
                count,
                crate::evaluate::EVAL_SHARDS,
                o.threads,
                false,
            ));
        }
        let eng = engine.as_mut().expect("built above");
        let noise =
            o.noise
                .then_some((o.seed, ANALYSIS_ITERATION - 1 - first as u64, net.noise_std));
        eng.forward_on(net, noise, &traj, 0, cue);
        if let Some(series) = r.series.as_mut().filter(|_| first == 0)
            && net.activation == crate::config::Activation::Relu
        {
            series.bound = relu_bound(eng, count, t_len);
        }
        for b in 0..count {
            let half = (first + b) % 2;
            for t in o.transient..t_len {
                let u = eng.activity(b, t);
                let i = b * t_len + t;
                let binned = r.bins.index(traj.pos(b, t));
                if let Some(series) = r.series.as_mut() {
                    series.bin.push(binned.map_or(NO_BIN, |b| b as u32));
                    let q = SERIES_SCALE / series.bound;
                    series.activity.extend(
                        u.iter()
                            .map(|a| (a.clamp(-series.bound, series.bound) * q).round() as i16),
                    );
                }
                if let Some(bin) = binned {
                    add(&mut r.half_sum[half][bin * n..(bin + 1) * n], u);
                    r.half_occupancy[half][bin] += 1.0;
                }
                let d = ((traj.heading[i].rem_euclid(TAU) / TAU * DIRECTION_BINS as f64) as usize)
                    .min(DIRECTION_BINS - 1);
                add(&mut r.direction_sum[d * n..(d + 1) * n], u);
                r.direction_occupancy[d] += 1.0;
                let v = net.input_scale[0] * traj.speed[i];
                let s = if v == 0.0 {
                    Some(SPEED_BINS)
                } else if v <= r.speed_max {
                    Some(((v / r.speed_max * SPEED_BINS as f64) as usize).min(SPEED_BINS - 1))
                } else {
                    None
                };
                if let Some(s) = s {
                    add(&mut r.speed_sum[s * n..(s + 1) * n], u);
                    r.speed_occupancy[s] += 1.0;
                }
            }
        }
        first += count;
    }
    r
}

impl Recording {
    /// A recording of `n` units over `trials` trials of `t_len` steps with nothing summed yet.
    fn empty(
        bins: SpatialBins,
        n: usize,
        trials: usize,
        t_len: usize,
        o: &RecordingOptions,
    ) -> Recording {
        let nb = bins.len();
        Recording {
            bins,
            units: n,
            trials,
            steps: t_len,
            transient: o.transient,
            half_sum: [vec![0.0; nb * n], vec![0.0; nb * n]],
            half_occupancy: [vec![0.0; nb], vec![0.0; nb]],
            direction_sum: vec![0.0; DIRECTION_BINS * n],
            direction_occupancy: vec![0.0; DIRECTION_BINS],
            speed_sum: vec![0.0; (SPEED_BINS + 1) * n],
            speed_occupancy: vec![0.0; SPEED_BINS + 1],
            speed_max: f64::NAN,
            series: o.keep_series.then(|| Series {
                bin: Vec::with_capacity(trials * (t_len - o.transient)),
                activity: Vec::with_capacity(trials * (t_len - o.transient) * n),
                bound: 1.0,
            }),
        }
    }
}

/// The bound a ReLU network's series is stored within: twice the largest rate of the first
/// chunk (1 for a silent one), so that the i16 quantisation keeps its resolution.
fn relu_bound(eng: &Engine<f32>, count: usize, t_len: usize) -> f32 {
    let max = (0..count)
        .flat_map(|b| (0..t_len).map(move |t| (b, t)))
        .flat_map(|(b, t)| eng.activity(b, t).iter().copied())
        .fold(0f32, f32::max);
    if max > 0.0 { 2.0 * max } else { 1.0 }
}

fn add(dst: &mut [f64], u: &[f32]) {
    for (d, v) in dst.iter_mut().zip(u) {
        *d += *v as f64;
    }
}

fn percentile_99_moving(traj: &Trajectories, scale: f64) -> f64 {
    let mut v: Vec<f64> = traj
        .speed
        .iter()
        .filter(|&&s| s > 0.0)
        .map(|s| s * scale)
        .collect();
    if v.is_empty() {
        return 1.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * 0.99).round() as usize]
}

impl Recording {
    /// Steps per trial that were binned (and are in the series): the trial less its
    /// transient.
    pub fn binned_steps(&self) -> usize {
        self.steps - self.transient
    }

    /// Mean activity per bin from sums and occupancy, unit-major (n, bins); NaN where unvisited.
    fn maps_from(&self, sum: &[f64], occ: &[f64]) -> Vec<f64> {
        let (n, nb) = (self.units, occ.len());
        let mut out = vec![f64::NAN; n * nb];
        for bin in 0..nb {
            if occ[bin] > 0.0 {
                for j in 0..n {
                    out[j * nb + bin] = sum[bin * n + j] / occ[bin];
                }
            }
        }
        out
    }

    /// Rate maps (n, H, W), NaN where unvisited (outside the arena included).
    pub fn rate_maps(&self) -> Vec<f64> {
        let [a, b] = &self.half_sum;
        let sum: Vec<f64> = a.iter().zip(b).map(|(x, y)| x + y).collect();
        self.maps_from(&sum, &self.occupancy())
    }

    /// Steps per bin.
    pub fn occupancy(&self) -> Vec<f64> {
        let [a, b] = &self.half_occupancy;
        a.iter().zip(b).map(|(x, y)| x + y).collect()
    }

    /// The half-maps of even (0) and odd (1) trials.
    pub fn half_maps(&self, half: usize) -> Vec<f64> {
        self.maps_from(&self.half_sum[half], &self.half_occupancy[half])
    }

    /// Direction tuning (n, 36): mean activity per heading bin.
    pub fn direction_tuning(&self) -> Vec<f64> {
        self.maps_from(&self.direction_sum, &self.direction_occupancy)
    }

    /// Speed tuning (n, 21): 20 moving bins then the zero-speed bin.
    pub fn speed_tuning(&self) -> Vec<f64> {
        self.maps_from(&self.speed_sum, &self.speed_occupancy)
    }

    /// Centres of the 20 moving-speed bins (s * speed units).
    pub fn speed_bin_centres(&self) -> Vec<f64> {
        (0..SPEED_BINS)
            .map(|k| (k as f64 + 0.5) * self.speed_max / SPEED_BINS as f64)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load;

    #[test]
    fn a_relu_network_s_series_keeps_its_unbounded_rates() {
        let cfg = load(
            None,
            None,
            &[
                "model.units=5".into(),
                "task.steps=30".into(),
                "model.activation=relu".into(),
            ],
        )
        .unwrap();
        let mut net = Ctrnn::<f32>::init(&cfg);
        // Rates well above 1, where a tanh network's series would clamp.
        net.b.iter_mut().for_each(|b| *b = 30.0);
        let spec = TrajectorySpec::from_config(&cfg);
        let o = RecordingOptions {
            steps: 600,
            bins: 6,
            noise: false,
            chunk_trials: 8,
            threads: 1,
            seed: 2,
            keep_series: true,
            transient: 5,
        };
        let r = record(&net, &spec, &o);
        let series = r.series.as_ref().unwrap();
        assert!(series.bound > 2.0, "bound {}", series.bound);
        let nb = r.bins.len();
        let (maps, _) = crate::analysis::shifted_maps(series, r.units, nb, r.binned_steps(), 0);
        let direct = r.rate_maps();
        assert!(direct.iter().any(|v| *v > 1.5), "rates above 1");
        for (a, b) in maps.iter().zip(&direct) {
            assert!(
                a.is_nan() == b.is_nan()
                    && (a.is_nan() || (a - b).abs() < 1e-3 * series.bound as f64)
            );
        }
    }

    #[test]
    fn maps_average_the_activity_seen_in_each_bin_and_count_every_step() {
        let cfg = load(
            None,
            None,
            &["model.units=6".into(), "task.steps=50".into()],
        )
        .unwrap();
        let net = Ctrnn::<f32>::init(&cfg);
        let spec = TrajectorySpec::from_config(&cfg);
        let o = RecordingOptions {
            steps: 1000,
            bins: 10,
            noise: false,
            chunk_trials: 7,
            threads: 2,
            seed: 3,
            keep_series: true,
            transient: 4,
        };
        let r = record(&net, &spec, &o);
        // Each trial's first 4 steps are left out of everything, and enough trials are run
        // that 1000 steps are binned.
        assert_eq!(r.trials, 22);
        let binned = 22 * 46;
        let series = r.series.as_ref().unwrap();
        assert_eq!(
            (series.bin.len(), series.activity.len()),
            (binned, binned * 6)
        );
        assert_eq!(r.occupancy().iter().sum::<f64>(), binned as f64);
        assert_eq!(r.direction_occupancy.iter().sum::<f64>(), binned as f64);
        let halves: f64 = r.half_occupancy.iter().flatten().sum();
        assert_eq!(halves, binned as f64);
        // Rebuild unit 2's map directly from one engine pass over all 20 trials.
        let traj = Trajectories::generate(&spec, 3, ANALYSIS_ITERATION, 0, 22);
        let mut e = Engine::<f32>::new(6, 3, 50, 22, 4, 1, false);
        e.forward_on(&net, None, &traj, 0, None);
        let mut sum = vec![0.0; r.bins.len()];
        let mut occ = vec![0.0; r.bins.len()];
        for b in 0..22 {
            for t in 4..50 {
                let bin = r.bins.index(traj.pos(b, t)).unwrap();
                sum[bin] += e.activity(b, t)[2] as f64;
                occ[bin] += 1.0;
            }
        }
        let maps = r.rate_maps();
        for bin in 0..r.bins.len() {
            let got = maps[2 * r.bins.len() + bin];
            if occ[bin] == 0.0 {
                assert!(got.is_nan());
            } else {
                assert!((got - sum[bin] / occ[bin]).abs() < 1e-6);
            }
        }
    }
}
