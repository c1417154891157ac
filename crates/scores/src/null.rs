//! The shuffle null of docs/design.md section 7, from which every cell-type threshold comes. For a
//! network: each shuffle shifts the activity series against the position series by a random
//! circular lag of at least one trial (T steps) over the concatenated evaluation trials, and
//! re-bins with the same occupancy and mask; a unit's activity is a time series and shifts
//! exactly like spikes. The k-th shuffle uses one lag for every unit, so that each shuffle is
//! one pass over the series. For maps alone (`gridrnn score`), a mask-preserving shuffle
//! permutes each map's visited bins.

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::rng::{ANALYSIS_ITERATION, Purpose, stream};

use super::pearson_valid;
use super::spatial_scores::{MapLayout, null_scores};
use crate::series::{NO_BIN, SERIES_SCALE, Series};

/// The null's scores, pooled over units and shuffles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NullSamples {
    /// The classification hexagonal score.
    pub hexagonal: Vec<f64>,
    /// The classification square score.
    pub square: Vec<f64>,
    /// Band score.
    pub band: Vec<f64>,
    /// Border score.
    pub border: Vec<f64>,
    /// Ramp score.
    pub ramp: Vec<f64>,
    /// Split-half stability (empty for map shuffles: maps alone have no halves).
    pub stability: Vec<f64>,
}

impl NullSamples {
    fn push_map(&mut self, map: &[f64], layout: &MapLayout) {
        let s = null_scores(map, layout);
        self.hexagonal.push(s.hexagonal);
        self.square.push(s.square);
        self.band.push(s.band);
        self.border.push(s.border);
        self.ramp.push(s.ramp);
    }

    fn append(&mut self, o: NullSamples) {
        self.hexagonal.extend(o.hexagonal);
        self.square.extend(o.square);
        self.band.extend(o.band);
        self.border.extend(o.border);
        self.ramp.extend(o.ramp);
        self.stability.extend(o.stability);
    }
}

/// `f` over `0..count` on `threads` workers, results in order (so the null does not depend
/// on the thread count). Workers take the next index as they finish one, so a worker slowed
/// by the machine's other load does not hold the rest up.
fn parallel<T: Send>(count: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, count.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Option<T>> = (0..count).map(|_| None).collect();
    std::thread::scope(|s| {
        let (f, next) = (&f, &next);
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= count {
                            break done;
                        }
                        done.push((i, f(i)));
                    }
                })
            })
            .collect();
        for h in handles {
            for (i, v) in h.join().expect("null worker panicked") {
                out[i] = Some(v);
            }
        }
    });
    out.into_iter()
        .map(|v| v.expect("every index ran"))
        .collect()
}

/// Maps (unit-major, NaN unvisited) and split-half maps of activity shifted by `lag` steps
/// against position: step t's activity is binned where the animal was at step t + lag.
pub fn shifted_maps(
    series: &Series,
    units: usize,
    bins: usize,
    trial_len: usize,
    lag: usize,
) -> (Vec<f64>, [Vec<f64>; 2]) {
    let steps = series.bin.len();
    // Only the halves are accumulated; the whole map is their sum. The position index and
    // its trial's parity advance with t rather than by division.
    let mut sum = vec![vec![0f32; bins * units]; 3];
    let mut occ = vec![vec![0u32; bins]; 3];
    let mut p = lag % steps.max(1);
    let (mut in_trial, mut half) = (p % trial_len, (p / trial_len) % 2);
    for t in 0..steps {
        let bin = series.bin[p];
        if bin != NO_BIN {
            let bin = bin as usize;
            let a = &series.activity[t * units..(t + 1) * units];
            for (d, v) in sum[1 + half][bin * units..(bin + 1) * units]
                .iter_mut()
                .zip(a)
            {
                *d += f32::from(*v);
            }
            occ[1 + half][bin] += 1;
        }
        p += 1;
        in_trial += 1;
        if in_trial == trial_len {
            in_trial = 0;
            half ^= 1;
        }
        if p == steps {
            p = 0;
            (in_trial, half) = (0, 0);
        }
    }
    let (whole, halves) = sum.split_at_mut(1);
    for ((s, a), b) in whole[0].iter_mut().zip(&halves[0]).zip(&halves[1]) {
        *s = a + b;
    }
    let (whole, halves) = occ.split_at_mut(1);
    for ((s, a), b) in whole[0].iter_mut().zip(&halves[0]).zip(&halves[1]) {
        *s = a + b;
    }
    let maps = |k: usize| {
        let mut out = vec![f64::NAN; units * bins];
        for b in 0..bins {
            if occ[k][b] > 0 {
                let scale = series.bound as f64 / (occ[k][b] as f64 * SERIES_SCALE as f64);
                for j in 0..units {
                    out[j * bins + b] = sum[k][b * units + j] as f64 * scale;
                }
            }
        }
        out
    };
    (maps(0), [maps(1), maps(2)])
}

/// The time-shift null of a recording's series: `shuffles` lags drawn from `seed`, each
/// scored for every unit.
pub fn time_shift_null(
    series: &Series,
    units: usize,
    trial_len: usize,
    layout: &MapLayout,
    shuffles: usize,
    seed: u64,
    threads: usize,
) -> NullSamples {
    let steps = series.bin.len();
    let mut rng = stream(seed, ANALYSIS_ITERATION, 0, Purpose::Shuffle);
    let lags: Vec<usize> = (0..shuffles)
        .map(|_| {
            if steps > 2 * trial_len {
                rng.random_range(trial_len..=steps - trial_len)
            } else {
                steps / 2
            }
        })
        .collect();
    let nb = layout.h * layout.w;
    let per_shuffle = parallel(shuffles, threads, |k| {
        let (maps, halves) = shifted_maps(series, units, nb, trial_len, lags[k]);
        let mut s = NullSamples::default();
        for j in 0..units {
            let r = j * nb..(j + 1) * nb;
            s.push_map(&maps[r.clone()], layout);
            s.stability
                .push(pearson_valid(&halves[0][r.clone()], &halves[1][r]));
        }
        s
    });
    let mut all = NullSamples::default();
    for s in per_shuffle {
        all.append(s);
    }
    all
}

/// The mask-preserving map shuffle (`gridrnn score`): each map's visited values permuted
/// among its visited bins, `shuffles` times.
pub fn map_shuffle_null(
    maps: &[Vec<f64>],
    layout: &MapLayout,
    shuffles: usize,
    seed: u64,
    threads: usize,
) -> NullSamples {
    let per_map = parallel(maps.len(), threads, |i| {
        let mut rng = stream(seed, ANALYSIS_ITERATION, i as u64, Purpose::Shuffle);
        let visited: Vec<usize> = (0..maps[i].len())
            .filter(|&b| !maps[i][b].is_nan())
            .collect();
        let mut values: Vec<f64> = visited.iter().map(|&b| maps[i][b]).collect();
        let mut s = NullSamples::default();
        let mut m = maps[i].clone();
        for _ in 0..shuffles {
            values.shuffle(&mut rng);
            for (&b, &v) in visited.iter().zip(&values) {
                m[b] = v;
            }
            s.push_map(&m, layout);
        }
        s
    });
    let mut all = NullSamples::default();
    for s in per_map {
        all.append(s);
    }
    all
}

/// numpy's default (linear) percentile of the non-NaN values; NaN if there are none.
pub fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let pos = q / 100.0 * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates_like_numpy() {
        let v = [3.0, 1.0, f64::NAN, 2.0, 4.0];
        assert_eq!(percentile(&v, 50.0), 2.5);
        assert_eq!(percentile(&v, 100.0), 4.0);
        assert!((percentile(&v, 99.0) - 3.97).abs() < 1e-12);
    }

    #[test]
    fn a_zero_lag_shift_rebuilds_the_maps() {
        // 2 units, 3 bins, 4 steps in trials of 2.
        let series = Series {
            bin: vec![0, 1, NO_BIN, 1],
            // Quantised over a range of 2 (as a relu network's may be).
            activity: [0.5f32, -1.0, 0.25, 0.0, 1.0, 1.0, -0.5, 0.5]
                .iter()
                .map(|a| (a / 2.0 * SERIES_SCALE) as i16)
                .collect(),
            bound: 2.0,
        };
        let (maps, halves) = shifted_maps(&series, 2, 3, 2, 0);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-4;
        assert!(close(maps[0], 0.5) && close(maps[1], -0.125) && maps[2].is_nan());
        assert!(close(maps[3], -1.0) && close(maps[4], 0.25));
        // Trial 0 holds steps 0 and 1, trial 1 steps 2 and 3.
        assert!(close(halves[0][1], 0.25) && close(halves[1][1], -0.5));
        // A lag of one step pairs step t's activity with step t + 1's place.
        let (maps, _) = shifted_maps(&series, 2, 3, 2, 1);
        assert!(close(maps[0], -0.5) && close(maps[1], (0.5 + 1.0) / 2.0));
    }
}
