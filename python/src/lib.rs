//! The `gridrnn._gridrnn` extension: the library's entry points for the `gridrnn` Python
//! package (python/gridrnn/), which converts arguments, parses what these return and carries
//! the documentation. Errors of the library become `ValueError` (a bad config key or value,
//! a bad option) or `OSError` (a file), with the command line's message.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray3, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use gridrnn::analysis::{
    MapLayout, SCORES_HEADER, ScoreCell, ScoreOptions, arena_layout, score_cells, score_maps,
};
use gridrnn::arena::Arena;
use gridrnn::config::{ArenaName, load, resolve_threads};
use gridrnn::error::Failure;
use gridrnn::io::load_checkpoint;
use gridrnn::report::{AnalysisSettings, analyze_and_report};
use gridrnn::task::{Trajectories, TrajectorySpec, read_trajectories};
use gridrnn::train::{RunOptions, train_run};

/// A library error as the Python exception its kind calls for.
fn py_err(e: anyhow::Error) -> PyErr {
    let msg = format!("{e:#}");
    match e.downcast_ref::<Failure>() {
        Some(Failure::BadInput(_)) => PyOSError::new_err(msg),
        _ if e.downcast_ref::<std::io::Error>().is_some() => PyOSError::new_err(msg),
        _ => PyValueError::new_err(msg),
    }
}

/// The gridrnn library's version.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A C-contiguous float64 stack of maps (n, rows, cols), NaN for unvisited bins, scored as
/// `gridrnn score` scores them: one entry per `scores.csv` column, in its order, at full
/// precision (the file rounds to 6 decimals); `lattice` and `cell_type` as lists of names.
#[pyfunction]
#[pyo3(signature = (maps, arena, arena_area, shuffles, percentile, seed, threads))]
#[allow(clippy::too_many_arguments)]
fn score<'py>(
    py: Python<'py>,
    maps: PyReadonlyArray3<'_, f64>,
    arena: Option<&str>,
    arena_area: f64,
    shuffles: usize,
    percentile: f64,
    seed: u64,
    threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let o = ScoreOptions {
        shuffles,
        percentile,
        threads: resolve_threads(threads),
        seed,
    };
    o.check().map_err(PyValueError::new_err)?;
    let shape = maps.shape().to_vec();
    let (n, h, w) = (shape[0], shape[1], shape[2]);
    let flat = maps
        .as_slice()
        .map_err(|_| PyValueError::new_err("maps must be C-contiguous"))?;
    let stack: Vec<Vec<f64>> = flat.chunks(h * w).take(n).map(<[f64]>::to_vec).collect();
    let layout = match arena {
        None => MapLayout::rectangle(h, w),
        Some(name) => {
            let regular = [
                ArenaName::Square,
                ArenaName::Triangle,
                ArenaName::Hexagon,
                ArenaName::Circle,
            ];
            let Some(shape) = regular
                .into_iter()
                .find(|a| a.name() == name)
                .and_then(ArenaName::regular_shape)
            else {
                return Err(PyValueError::new_err(format!(
                    "arena = {name:?}: give one of \"square\", \"triangle\", \"hexagon\", \"circle\" or None (a rectangle, no mask)"
                )));
            };
            let a = Arena::new(shape, arena_area)
                .map_err(|e| PyValueError::new_err(format!("arena_area: {e}")))?;
            arena_layout(&a, h, w).map_err(PyValueError::new_err)?
        }
    };
    let rows = py.detach(|| score_maps(&stack, &layout, &o).0);
    let cells: Vec<Vec<ScoreCell>> = rows
        .iter()
        .map(|r| score_cells(r, layout.bin_width))
        .collect();
    let d = PyDict::new(py);
    for (j, name) in SCORES_HEADER.split(',').enumerate() {
        let column = || cells.iter().map(move |c| c[j]);
        // A column's cells are all of one kind (score_cells' layout); the first row says which.
        match cells.first().map(|c| c[j]) {
            Some(ScoreCell::Unit(_)) => {
                let units = column().filter_map(|c| match c {
                    ScoreCell::Unit(u) => Some(u as i64),
                    _ => None,
                });
                d.set_item(name, PyArray1::from_iter(py, units))?;
            }
            Some(ScoreCell::Name(_)) => {
                let names: Vec<&str> = column()
                    .filter_map(|c| match c {
                        ScoreCell::Name(n) => Some(n),
                        _ => None,
                    })
                    .collect();
                d.set_item(name, names)?;
            }
            _ => {
                let values = column().filter_map(|c| match c {
                    ScoreCell::Number(v) => Some(v),
                    _ => None,
                });
                d.set_item(name, PyArray1::from_iter(py, values))?;
            }
        }
    }
    Ok(d)
}

/// Trajectories of the config (a TOML file, a preset and `section.key=value` settings, as
/// `--config`, `--preset` and `--set` take them): `trials` trials of `steps` steps (None = `task.steps`) from seed
/// `train.seed`, as `gridrnn trajectories` writes them.
#[pyfunction]
#[pyo3(signature = (config_file, preset, sets, trials, steps))]
fn trajectories<'py>(
    py: Python<'py>,
    config_file: Option<PathBuf>,
    preset: Option<&str>,
    sets: Vec<String>,
    trials: usize,
    steps: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    if trials == 0 {
        return Err(PyValueError::new_err("trials must be at least 1"));
    }
    let cfg = load(config_file.as_deref(), preset, &sets).map_err(py_err)?;
    let mut spec = TrajectorySpec::from_config(&cfg);
    if let Some(t) = steps {
        if t == 0 {
            return Err(PyValueError::new_err("steps must be at least 1"));
        }
        spec.task.steps = t;
    }
    let seed = cfg.train.seed;
    let tr: Trajectories = py.detach(|| Trajectories::generate(&spec, seed, 0, 0, trials));
    let (b, t) = (tr.trials, tr.steps);
    let d = PyDict::new(py);
    let arr = |v: Vec<f64>, shape: &[usize]| PyArray1::from_vec(py, v).reshape(shape.to_vec());
    d.set_item("speed", arr(tr.speed, &[b, t])?)?;
    d.set_item("heading", arr(tr.heading, &[b, t])?)?;
    d.set_item("position", arr(tr.position, &[b, t, 2])?)?;
    let start: Vec<f64> = tr.start.iter().flatten().copied().collect();
    d.set_item("start", arr(start, &[b, 2])?)?;
    let boundary = PyArray1::from_vec(py, tr.boundary).reshape(vec![b, t])?;
    d.set_item("boundary", boundary)?;
    let v = tr.arena_vertices.len();
    let vertices: Vec<f64> = tr.arena_vertices.iter().flatten().copied().collect();
    d.set_item("arena_vertices", arr(vertices, &[v, 2])?)?;
    Ok(d)
}

/// A config file, validated, as JSON of its full resolved table (what `config.toml` holds).
#[pyfunction]
fn config_json(path: PathBuf) -> PyResult<String> {
    let cfg = load(Some(&path), None, &[]).map_err(py_err)?;
    serde_json::to_string(&cfg.to_table()).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// A checkpoint run on a trajectory file: `output` (B, T, 2; the decoded position for a
/// place-cell readout) and `activity` (B, T, N, float32).
#[pyfunction]
#[pyo3(signature = (checkpoint, trajectories, noise, threads))]
fn simulate<'py>(
    py: Python<'py>,
    checkpoint: PathBuf,
    trajectories: PathBuf,
    noise: bool,
    threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let (net, _) = load_checkpoint(&checkpoint).map_err(py_err)?;
    let traj = read_trajectories(&trajectories).map_err(py_err)?;
    let threads = resolve_threads(threads);
    let sim = py.detach(|| gridrnn::evaluate::simulate(&net, &traj, noise, threads));
    let (b, t, n) = (sim.trials, sim.steps, sim.units);
    let d = PyDict::new(py);
    d.set_item(
        "output",
        PyArray1::from_vec(py, sim.output).reshape(vec![b, t, 2])?,
    )?;
    d.set_item(
        "activity",
        PyArray1::from_vec(py, sim.activity).reshape(vec![b, t, n])?,
    )?;
    Ok(d)
}

/// Train a new run into `out` (`gridrnn train`), with the interpreter's signals checked while
/// it trains: Ctrl-C writes a checkpoint and raises KeyboardInterrupt, as the command line
/// stops with one. The training runs on its own thread without the GIL.
#[pyfunction]
#[pyo3(signature = (config_file, preset, sets, out, progress))]
fn train(
    py: Python<'_>,
    config_file: Option<PathBuf>,
    preset: Option<&str>,
    sets: Vec<String>,
    out: PathBuf,
    progress: bool,
) -> PyResult<String> {
    let cfg = load(config_file.as_deref(), preset, &sets).map_err(py_err)?;
    let flag = Arc::new(AtomicBool::new(false));
    let opts = RunOptions {
        force: false,
        progress,
        interrupt: Some(flag.clone()),
        fail_at: Vec::new(),
    };
    let result = std::thread::scope(|s| {
        let worker = s.spawn(|| train_run(&cfg, &out, &opts));
        while !worker.is_finished() {
            if py.check_signals().is_err() {
                flag.store(true, Ordering::SeqCst);
            }
            py.detach(|| std::thread::sleep(std::time::Duration::from_millis(50)));
        }
        worker.join().expect("the training thread does not panic")
    });
    match result {
        Ok(summary) => Ok(summary.dir.display().to_string()),
        Err(e) if matches!(e.downcast_ref::<Failure>(), Some(Failure::Interrupted(_))) => {
            Err(PyKeyboardInterrupt::new_err(format!("{e:#}")))
        }
        Err(e) => Err(py_err(e)),
    }
}

/// Analyze the run in `run` and write its report (`gridrnn analyze`), with `options` (a JSON
/// object of analysis settings) over what `gridrnn run` does after training; returns the
/// report's path.
#[pyfunction]
#[pyo3(signature = (run, options, threads))]
fn analyze(py: Python<'_>, run: PathBuf, options: &str, threads: usize) -> PyResult<String> {
    let cfg = load(Some(&run.join("config.toml")), None, &[]).map_err(py_err)?;
    let bad = |e: serde_json::Error| PyValueError::new_err(format!("analysis option: {e}"));
    let mut settings = serde_json::to_value(AnalysisSettings::for_run(&cfg)).map_err(bad)?;
    let given: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(options).map_err(bad)?;
    if let Some(base) = settings.as_object_mut() {
        base.extend(given);
    }
    let settings: AnalysisSettings = serde_json::from_value(settings).map_err(bad)?;
    let o = settings.options(resolve_threads(threads)).map_err(py_err)?;
    let report = py.detach(|| analyze_and_report(&run, &o)).map_err(py_err)?;
    Ok(report.html.display().to_string())
}

#[pymodule]
fn _gridrnn(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(trajectories, m)?)?;
    m.add_function(wrap_pyfunction!(config_json, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(train, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    Ok(())
}
