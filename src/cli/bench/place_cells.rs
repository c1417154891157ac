//! `gridrnn bench --place-cells`: ms per training step at the place-cell scale (`--preset
//! sorscher`: B = 200, T = 20, Np = 512) for N = 256, 512, 1024 and 4096, with Sorscher et
//! al.'s PyTorch code timed in the same run (`../shared/peers/sorscher`, run from its own
//! directory, when torch is importable), and the GEMM roofline of those shapes measured in
//! the same run.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

use super::timing::{BenchOptions, BenchRow, bench_gridrnn, find_python, gemm_gflops};

/// The recurrent sizes timed.
pub const UNITS: [usize; 4] = [256, 512, 1024, 4096];

/// One size: gridrnn's step, the peer's, and the products against the roofline.
#[derive(Clone, Debug, Serialize)]
pub struct PlaceCellRow {
    /// Recurrent units N.
    pub units: usize,
    /// gridrnn's median step and phases.
    pub gridrnn: BenchRow,
    /// The peer's median ms per step (data generation and training step), NaN when skipped.
    pub peer_ms: f64,
    /// The peer's data generation share of it.
    pub peer_data_ms: f64,
    /// Single-thread GFLOP/s of the recurrent product (B x N . N x N) measured now.
    pub step_gemm_gflops: f64,
    /// gridrnn's rate in the products alone: 6 T B (N^2 + N Np) FLOP over the time forward
    /// and backward spent in them, GFLOP/s.
    pub products_gflops: f64,
    /// The same FLOP over the whole forward + backward (elementwise work, targets and
    /// decoding included), GFLOP/s.
    pub gridrnn_gflops: f64,
}

/// The peer's timing of one size, in `-c` form: the peer's own modules from `dir`, run from a
/// scratch directory (its trainer makes a checkpoint directory where it runs).
const PEER_SCRIPT: &str = r#"
import sys, json, time, statistics
sys.path.insert(0, sys.argv[1])
from peer_common import build, Trainer
Ng, iters = int(sys.argv[2]), int(sys.argv[3])
o, pc, m, tg = build(Ng)
tr = Trainer(o, m, tg, restore=False)
gen = tg.get_generator()
for _ in range(2):
    tr.train_step(*next(gen))
data, total = [], []
for _ in range(iters):
    t0 = time.perf_counter(); b = next(gen); t1 = time.perf_counter()
    tr.train_step(*b); t2 = time.perf_counter()
    data.append(1e3 * (t1 - t0)); total.append(1e3 * (t2 - t0))
print(json.dumps({"data_ms": statistics.median(data), "iter_ms": statistics.median(total)}))
"#;

fn peer_ms(o: &BenchOptions, py: &Path, dir: &Path, units: usize, iters: usize) -> (f64, f64) {
    let scratch = std::env::temp_dir().join(format!("gridrnn-peer-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&scratch);
    let out = Command::new(py)
        .current_dir(&scratch)
        .env("PEER_THREADS", o.threads.to_string())
        .arg("-c")
        .arg(PEER_SCRIPT)
        .arg(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
        .args([units.to_string(), iters.to_string()])
        .output();
    let _ = std::fs::remove_dir_all(&scratch);
    let parsed = out.ok().filter(|o| o.status.success()).and_then(|o| {
        // The peer's trainer prints to stdout too: the timing is the last line.
        let text = String::from_utf8_lossy(&o.stdout);
        let v: serde_json::Value = serde_json::from_str(text.lines().last()?).ok()?;
        Some((v["iter_ms"].as_f64()?, v["data_ms"].as_f64()?))
    });
    parsed.unwrap_or_else(|| {
        eprintln!("# Sorscher peer failed at N = {units}");
        (f64::NAN, f64::NAN)
    })
}

/// Time every size of [`UNITS`] (4096 with at most 3 iterations).
pub fn bench_place_cells(o: &BenchOptions) -> anyhow::Result<Vec<PlaceCellRow>> {
    let peer = o.peer_dir.as_ref().and_then(|dir| match find_python(o) {
        Some(py) => Some((py, dir.clone())),
        None => {
            eprintln!(
                "# Sorscher peer skipped: no python with torch (see README: installing the peer)"
            );
            None
        }
    });
    let mut rows = Vec::new();
    for units in UNITS {
        let iters = if units >= 4096 {
            o.iters.min(3)
        } else {
            o.iters
        };
        let mut so = o.clone();
        so.iters = iters;
        so.sets.push(format!("model.units={units}"));
        let g = bench_gridrnn(&so)?;
        let (peer_ms, peer_data_ms) = match &peer {
            Some((py, dir)) => peer_ms(o, py, dir, units, iters),
            None => (f64::NAN, f64::NAN),
        };
        let (t, b, np) = (20.0, 200.0, 512.0);
        let n = units as f64;
        let flop = 6.0 * t * b * (n * n + n * np);
        rows.push(PlaceCellRow {
            units,
            step_gemm_gflops: gemm_gflops(200, units, units, if units >= 4096 { 3 } else { 10 }),
            products_gflops: flop / (g.products_ms / 1e3) / 1e9,
            gridrnn_gflops: flop / ((g.phases_ms[2] + g.phases_ms[3]) / 1e3) / 1e9,
            gridrnn: g,
            peer_ms,
            peer_data_ms,
        });
    }
    Ok(rows)
}

/// The table as text.
pub fn render_place_cells(rows: &[PlaceCellRow], threads: usize) -> String {
    let mut s = format!(
        "place-cell scale (B=200, T=20, Np=512), {threads} threads: median ms per training step\n{:>6} {:>9} {:>7} {:>8} {:>9} {:>9} {:>6} {:>9} {:>9} {:>8} {:>9} {:>9}\n",
        "N",
        "gridrnn",
        "traj",
        "forward",
        "backward",
        "products",
        "optim",
        "peer",
        "peer data",
        "ratio",
        "products%",
        "fwd+bwd%"
    );
    for r in rows {
        let p = &r.gridrnn.phases_ms;
        let roof = threads as f64 * r.step_gemm_gflops;
        s.push_str(&format!(
            "{:>6} {:>9.1} {:>7.1} {:>8.1} {:>9.1} {:>9.1} {:>6.1} {:>9.1} {:>9.1} {:>7.2}x {:>8.0}% {:>8.0}%\n",
            r.units,
            r.gridrnn.iter_ms,
            p[0],
            p[2],
            p[3],
            r.gridrnn.products_ms,
            p[4],
            r.peer_ms,
            r.peer_data_ms,
            r.gridrnn.iter_ms / r.peer_ms,
            100.0 * r.products_gflops / roof,
            100.0 * r.gridrnn_gflops / roof
        ));
    }
    s.push_str("ratio: gridrnn / peer (lower is faster). products%: 6 T B (N^2 + N Np) FLOP over the time in the recurrent and readout products, against threads x the single-thread GFLOP/s of the B x N . N x N product measured in this run; fwd+bwd%: the same FLOP over the whole forward + backward.\n");
    s
}
