//! `gridrnn bench --analysis`: the analysis stage's speed: recording 10^6 steps of a
//! 100-unit network, building the time-shift null's maps, and scoring maps with and without
//! 100 shuffles each; per-score costs alongside.

use std::time::Instant;

use gridrnn::analysis::{
    MIN_OVERLAP, MapLayout, RecordingOptions, SpatialBins, border_score, class_scores, grid_score,
    lattice, map_shuffle_null, masked_autocorrelogram, null_scores, opexebo_autocorrelogram,
    record, shifted_maps, spatial_scores, spectrum, synthetic_maps,
};
use gridrnn::config::load;
use gridrnn::model::Ctrnn;
use gridrnn::task::TrajectorySpec;

/// One timed quantity.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AnalysisTiming {
    /// What was timed.
    pub name: String,
    /// Seconds.
    pub seconds: f64,
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t0 = Instant::now();
    let v = f();
    (v, t0.elapsed().as_secs_f64())
}

/// Time the analysis stage on `threads` workers.
pub fn bench_analysis(threads: usize, steps: usize) -> anyhow::Result<Vec<AnalysisTiming>> {
    let n = 20;
    let maps = synthetic_maps(100, n);
    let mut rows = per_map_costs(&maps, n);
    rows.extend(stage_costs(&maps, n, threads, steps)?);
    Ok(rows)
}

/// Each score's cost per map of `n` x `n` bins.
fn per_map_costs(maps: &[Vec<f64>], n: usize) -> Vec<AnalysisTiming> {
    let mut rows = Vec::new();
    let mut push = |name: String, seconds: f64| rows.push(AnalysisTiming { name, seconds });
    let layout = MapLayout::rectangle(n, n);
    // Per map, the fastest of 5 passes over all maps: these machines are noisy and the
    // per-map numbers are small.
    let fastest = |f: &dyn Fn(usize)| {
        (0..5)
            .map(|_| time(|| (0..maps.len()).for_each(f)).1)
            .fold(f64::INFINITY, f64::min)
            / maps.len() as f64
    };
    let per_map = |f: &dyn Fn(&[f64])| fastest(&|i| f(&maps[i]));
    push(
        "per map: opexebo autocorrelogram".into(),
        per_map(&|m| {
            std::hint::black_box(opexebo_autocorrelogram(m, n, n));
        }),
    );
    push(
        "per map: masked autocorrelogram".into(),
        per_map(&|m| {
            std::hint::black_box(masked_autocorrelogram(m, n, n, MIN_OVERLAP));
        }),
    );
    let acorrs: Vec<_> = maps
        .iter()
        .map(|m| opexebo_autocorrelogram(m, n, n))
        .collect();
    let sacs: Vec<_> = maps
        .iter()
        .map(|m| masked_autocorrelogram(m, n, n, MIN_OVERLAP))
        .collect();
    push(
        "per map: grid_score (given its autocorrelogram)".into(),
        fastest(&|i| {
            std::hint::black_box(grid_score(&acorrs[i]));
        }),
    );
    push(
        "per map: lattice (given its autocorrelogram)".into(),
        fastest(&|i| {
            std::hint::black_box(lattice(&sacs[i], 2 * n - 1, 2 * n - 1));
        }),
    );
    push(
        "per map: border_score".into(),
        per_map(&|m| {
            std::hint::black_box(border_score(m, n, n, &layout.geometry));
        }),
    );
    push(
        "per map: band spectrum".into(),
        per_map(&|m| {
            std::hint::black_box(spectrum(m, n, n));
        }),
    );
    push(
        "per map: ramp score".into(),
        per_map(&|m| {
            std::hint::black_box(gridrnn::analysis::ramp(m, n, n));
        }),
    );
    push(
        "per map: classification scores".into(),
        per_map(&|m| {
            std::hint::black_box(class_scores(m, &layout));
        }),
    );
    push(
        "per map: the null's scores (classification less the second component and depth)".into(),
        per_map(&|m| {
            std::hint::black_box(null_scores(m, &layout));
        }),
    );
    push(
        "per map: every score".into(),
        per_map(&|m| {
            std::hint::black_box(spatial_scores(m, &layout));
        }),
    );
    rows
}

/// The shuffle null over `maps`, recording `steps` steps and one time-shifted set of maps.
fn stage_costs(
    maps: &[Vec<f64>],
    n: usize,
    threads: usize,
    steps: usize,
) -> anyhow::Result<Vec<AnalysisTiming>> {
    let mut rows = Vec::new();
    let mut push = |name: String, seconds: f64| rows.push(AnalysisTiming { name, seconds });
    let layout = MapLayout::rectangle(n, n);
    let (null, s) = time(|| map_shuffle_null(maps, &layout, 100, 1, threads));
    push(
        format!(
            "100 maps x 100 shuffles, the null's scores ({} maps, {threads} threads)",
            null.hexagonal.len()
        ),
        s,
    );
    let cfg = load(None, Some("pytorch-peer"), &["model.units=100".into()])?;
    let net = Ctrnn::<f32>::init(&cfg);
    let spec = TrajectorySpec::from_config(&cfg);
    let opts = RecordingOptions {
        steps,
        bins: n,
        noise: false,
        chunk_trials: 200,
        threads,
        seed: 1,
        keep_series: true,
        transient: gridrnn::analysis::START_TRANSIENT,
    };
    let (r, s) = time(|| record(&net, &spec, &opts));
    push(
        format!(
            "record {} steps of a 100-unit network ({threads} threads)",
            r.trials * r.binned_steps()
        ),
        s,
    );
    let series = r.series.as_ref().expect("kept");
    let bins = SpatialBins::new(&spec.arena, n).len();
    let (_, s) = time(|| shifted_maps(series, r.units, bins, r.binned_steps(), r.steps * 3));
    push(
        format!(
            "one time-shifted set of maps and half-maps ({} steps)",
            series.bin.len()
        ),
        s,
    );
    Ok(rows)
}

/// The table.
pub fn render_analysis(rows: &[AnalysisTiming]) -> String {
    let mut s = format!("{:<78} {:>12}\n", "analysis", "time");
    for r in rows {
        let t = if r.seconds < 1e-3 {
            format!("{:.1} us", r.seconds * 1e6)
        } else if r.seconds < 1.0 {
            format!("{:.1} ms", r.seconds * 1e3)
        } else {
            format!("{:.2} s", r.seconds)
        };
        s.push_str(&format!("{:<78} {:>12}\n", r.name, t));
    }
    s
}
