//! `gridrnn bench`: training speed against the PyTorch peer, or the analysis stage's.

mod analysis;
mod place_cells;
mod timing;

use gridrnn::io::write_atomic;
use timing::{BenchOptions, Roofline, bench_gridrnn, bench_peer, render};

use super::args::BenchArgs;

/// One axis at a time from the paper size (`--scaling`).
const SCALING: [&str; 6] = [
    "model.units=256",
    "model.units=512",
    "train.batch_size=100",
    "train.batch_size=2000",
    "task.steps=100",
    "task.steps=2000",
];

/// Time, print the table and write it as JSON where asked.
pub fn bench(a: BenchArgs) -> anyhow::Result<()> {
    if a.analysis {
        let rows = analysis::bench_analysis(a.threads.max(1), 1_000_000)?;
        print!("{}", analysis::render_analysis(&rows));
        if let Some(path) = a.json {
            write_atomic(&path, serde_json::to_string_pretty(&rows)?.as_bytes())?;
        }
        return Ok(());
    }
    let o = BenchOptions {
        iters: a.iters.max(1),
        threads: a.threads.max(1),
        preset: "pytorch-peer",
        sets: a.sets,
        peer_python: a.peer_python,
        peer_dir: (!a.no_peer).then_some(a.peer_dir),
    };
    if a.place_cells {
        let o = BenchOptions {
            preset: "sorscher",
            peer_dir: (!a.no_peer).then(|| a.sorscher_dir.clone()),
            ..o
        };
        let rows = place_cells::bench_place_cells(&o)?;
        print!("{}", place_cells::render_place_cells(&rows, o.threads));
        if let Some(p) = a.json {
            write_atomic(&p, serde_json::to_string_pretty(&rows)?.as_bytes())?;
        }
        return Ok(());
    }
    let mut rows = vec![bench_gridrnn(&o)?];
    rows.extend(bench_peer(&o)?);
    if a.scaling {
        for set in SCALING {
            let mut so = o.clone();
            so.iters = o.iters.min(3);
            so.sets.push(set.to_string());
            rows.push(bench_gridrnn(&so)?);
        }
    }
    print!("{}", render(&rows));
    print!("{}", Roofline::measure(&rows[0]));
    if let Some(p) = a.json {
        write_atomic(&p, serde_json::to_string_pretty(&rows)?.as_bytes())?;
    }
    Ok(())
}
