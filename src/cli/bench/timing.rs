//! `gridrnn bench`: ms per training iteration split into phases, at the paper's size with
//! `--preset pytorch-peer`, and in the same run the PyTorch peer when torch is importable.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use gridrnn::config::load;
use gridrnn::model::PhaseTimes;
use gridrnn::train::Trainer;

/// One row of the table.
#[derive(Clone, Debug, Serialize)]
pub struct BenchRow {
    /// What was timed.
    pub name: String,
    /// Median ms per iteration.
    pub iter_ms: f64,
    /// Median ms per phase (trajectories, noise, forward, backward, optimiser); NaN if unknown.
    pub phases_ms: [f64; 5],
    /// Median ms of forward and backward spent in the recurrent and readout products; NaN
    /// if unknown.
    pub products_ms: f64,
}

/// Options of a benchmark run.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// Timed iterations (after one warm-up).
    pub iters: usize,
    /// Worker threads.
    pub threads: usize,
    /// The preset benchmarked: `pytorch-peer` (the paper's size) or `sorscher` (the
    /// place-cell scale).
    pub preset: &'static str,
    /// Extra `--set` overrides (e.g. model.units=256).
    pub sets: Vec<String>,
    /// Python with torch; None = look for `python3` and `~/.venv-peer/bin/python`.
    pub peer_python: Option<PathBuf>,
    /// Directory of the PyTorch peer; None = skip the peer.
    pub peer_dir: Option<PathBuf>,
}

pub(super) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

/// Time gridrnn's training iteration.
pub fn bench_gridrnn(o: &BenchOptions) -> anyhow::Result<BenchRow> {
    let mut sets = vec![format!("train.threads={}", o.threads)];
    sets.extend(o.sets.iter().cloned());
    let cfg = load(None, Some(o.preset), &sets)?;
    let mut tr = Trainer::<f32>::new(&cfg);
    let _ = tr.step();
    let mut total = Vec::new();
    let mut phases: Vec<PhaseTimes> = Vec::new();
    for _ in 0..o.iters {
        let t0 = std::time::Instant::now();
        let rec = tr
            .step()
            .map_err(|r| anyhow::anyhow!("benchmark diverged at {}", r.iteration))?;
        total.push(t0.elapsed().as_secs_f64() * 1e3);
        phases.push(rec.times);
    }
    let p = |f: fn(&PhaseTimes) -> f64| median(phases.iter().map(|t| f(t) * 1e3).collect());
    Ok(BenchRow {
        name: format!(
            "gridrnn (B={}, T={}, N={}{}, {} threads, {} shards{})",
            cfg.train.batch_size,
            cfg.task.steps,
            cfg.model.units,
            match cfg.model.readout {
                gridrnn::config::ReadoutName::PlaceCells =>
                    format!(", Np={}", cfg.model.place_cells),
                _ => String::new(),
            },
            o.threads,
            cfg.train.shards,
            // A Hessian-free update's cost grows with its CG steps as the damping falls.
            if cfg.train.optimizer == gridrnn::config::OptimizerName::HessianFree {
                format!(", hessian-free, <= {} CG steps", cfg.train.hf_max_cg)
            } else {
                String::new()
            }
        ),
        iter_ms: median(total),
        phases_ms: [
            p(|t| t.trajectories),
            p(|t| t.noise),
            p(|t| t.forward),
            p(|t| t.backward),
            p(|t| t.optimiser),
        ],
        products_ms: p(|t| t.products),
    })
}

pub(super) fn find_python(o: &BenchOptions) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = o.peer_python.iter().cloned().collect();
    if let Ok(home) = std::env::var("HOME") {
        candidates.push(Path::new(&home).join(".venv-peer/bin/python"));
    }
    candidates.push("python3".into());
    candidates.into_iter().find(|py| {
        Command::new(py)
            .args(["-c", "import torch"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })
}

/// Time the PyTorch peer's eager and fused variants, if torch is importable.
pub fn bench_peer(o: &BenchOptions) -> anyhow::Result<Vec<BenchRow>> {
    let Some(dir) = &o.peer_dir else {
        return Ok(Vec::new());
    };
    let Some(py) = find_python(o) else {
        eprintln!("# PyTorch peer skipped: no python with torch (see README: installing the peer)");
        return Ok(Vec::new());
    };
    let json = std::env::temp_dir().join(format!("gridrnn-peer-{}.json", std::process::id()));
    let status = Command::new(&py)
        .current_dir(dir)
        .args([
            "torch_ref.py",
            "--threads",
            &o.threads.to_string(),
            "--iters",
            &o.iters.to_string(),
        ])
        .args(["--variants", "eager,fused", "--wait-quiet", "0", "--json"])
        .arg(&json)
        .status()?;
    anyhow::ensure!(status.success(), "the PyTorch peer failed");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    let _ = std::fs::remove_file(&json);
    let mut rows = Vec::new();
    for r in v["results"].as_array().into_iter().flatten() {
        let g = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        rows.push(BenchRow {
            name: format!(
                "pytorch {} ({} threads)",
                r["variant"].as_str().unwrap_or("?"),
                o.threads
            ),
            iter_ms: g("iter_ms"),
            phases_ms: [g("traj_ms"), g("noise_ms"), f64::NAN, f64::NAN, f64::NAN],
            products_ms: f64::NAN,
        });
    }
    Ok(rows)
}

/// The table as text.
pub fn render(rows: &[BenchRow]) -> String {
    let mut s = format!(
        "{:<58} {:>9} {:>7} {:>7} {:>8} {:>9} {:>6} {:>8}\n",
        "median ms per training iteration",
        "iter",
        "traj",
        "noise",
        "forward",
        "backward",
        "optim",
        "vs first"
    );
    let base = rows.first().map_or(f64::NAN, |r| r.iter_ms);
    for r in rows {
        let f = |v: f64| {
            if v.is_nan() {
                "-".to_string()
            } else {
                format!("{v:.1}")
            }
        };
        s.push_str(&format!(
            "{:<58} {:>9.1} {:>7} {:>7} {:>8} {:>9} {:>6} {:>7.2}x\n",
            r.name,
            r.iter_ms,
            f(r.phases_ms[0]),
            f(r.phases_ms[1]),
            f(r.phases_ms[2]),
            f(r.phases_ms[3]),
            f(r.phases_ms[4]),
            r.iter_ms / base
        ));
    }
    s
}

/// Training at paper size against this machine's GEMM roofline.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Roofline {
    /// Single-thread GFLOP/s of the step GEMM (500x100 . 100x100).
    pub step_gflops: f64,
    /// Single-thread GFLOP/s of the weight-gradient GEMM (100x250000 . 250000x100).
    pub dw_gflops: f64,
    /// 2 x the better of the two: what two cores could at best sustain.
    pub roof_gflops: f64,
    /// gridrnn's forward + BPTT + dW rate, 6 T B N^2 FLOP over the forward and backward
    /// phases of `row` (the paper size: T = B = 500, N = 100).
    pub gridrnn_gflops: f64,
}

impl Roofline {
    /// Measure the GEMMs and set `row`'s forward and backward phases against them.
    pub fn measure(row: &BenchRow) -> Roofline {
        let step_gflops = gemm_gflops(500, 100, 100, 50);
        let dw_gflops = gemm_gflops(100, 100, 250_000, 5);
        let flop = 6.0 * 500.0 * 500.0 * 100.0 * 100.0;
        Roofline {
            step_gflops,
            dw_gflops,
            roof_gflops: 2.0 * step_gflops.max(dw_gflops),
            gridrnn_gflops: flop / ((row.phases_ms[2] + row.phases_ms[3]) / 1e3) / 1e9,
        }
    }
}

impl std::fmt::Display for Roofline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "single-thread GEMM: {:.1} GFLOP/s (500x100.100x100), {:.1} GFLOP/s (100x250000.250000x100); roofline 2 x {:.1} = {:.1} GFLOP/s",
            self.step_gflops,
            self.dw_gflops,
            self.roof_gflops / 2.0,
            self.roof_gflops
        )?;
        writeln!(
            f,
            "gridrnn forward + BPTT + dW at paper size: {:.1} GFLOP/s = {:.0}% of the roofline (6 T B N^2 FLOP)",
            self.gridrnn_gflops,
            100.0 * self.gridrnn_gflops / self.roof_gflops
        )
    }
}

/// Single-thread GFLOP/s of `matmul` on (m x k) . (k x n), median of `reps` calls: the roofline
/// (the README's Speed section) is 2 x the best of the step GEMM (500x100 . 100x100) and the weight-gradient GEMM
/// (100x250000 . 250000x100).
pub fn gemm_gflops(m: usize, n: usize, k: usize, reps: usize) -> f64 {
    use gridrnn::model::gemm::{Mat, matmul};
    let a: Vec<f32> = (0..m * k).map(|i| ((i % 17) as f32 - 8.0) * 0.01).collect();
    let b: Vec<f32> = (0..k * n).map(|i| ((i % 13) as f32 - 6.0) * 0.01).collect();
    let mut c = vec![0.0f32; m * n];
    let mut times = Vec::new();
    for _ in 0..reps.max(1) + 1 {
        let t0 = std::time::Instant::now();
        matmul(
            m,
            n,
            k,
            &mut c,
            n,
            None,
            Mat::rows(&a, k),
            Mat::rows(&b, n),
            1.0,
        );
        times.push(t0.elapsed().as_secs_f64());
    }
    times.remove(0);
    2.0 * (m * n * k) as f64 / median(times) / 1e9
}
