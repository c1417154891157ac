//! A run survives being killed, interrupted and diverging, and bad input fails cleanly
//!: each test drives the real binary.

mod common;
use common::{bin, ok, tmp};

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use gridrnn::io::{NpzOut, load_checkpoint, read_npy};
use rand::{RngExt, SeedableRng};

const ITERS: u64 = 60;

fn config_args(iters: u64) -> Vec<String> {
    [
        "model.units=64",
        "task.steps=200",
        "train.batch_size=64",
        "train.shards=2",
        "train.threads=1",
        "train.checkpoint_every=5",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("train.iterations={iters}")])
    .flat_map(|s| ["--set".to_string(), s])
    .collect()
}

fn train_cmd(dir: &Path, iters: u64) -> Command {
    let mut c = bin();
    c.arg("train")
        .args(config_args(iters))
        .arg("--out")
        .arg(dir);
    c
}

/// The newest checkpoint whose network and training state both exist.
fn newest_complete(dir: &Path) -> Option<u64> {
    (0..=ITERS).rev().find(|k| {
        dir.join(format!("checkpoints/{k:08}.npz")).exists()
            && dir.join(format!("checkpoints/{k:08}.state.npz")).exists()
    })
}

fn wait_for(child: &mut Child, file: &Path) {
    let t0 = Instant::now();
    while !file.exists() && child.try_wait().unwrap().is_none() {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "timed out waiting for {}",
            file.display()
        );
        std::thread::sleep(Duration::from_micros(300));
    }
}

fn log_values(dir: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join("train_log.csv"))
        .unwrap()
        .lines()
        .map(|l| {
            l.split(',')
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, v)| v.to_string())
                .collect()
        })
        .collect()
}

fn assert_same_run(a: &Path, b: &Path) {
    for f in [
        format!("checkpoints/{ITERS:08}.npz"),
        "checkpoints/latest.npz".to_string(),
    ] {
        assert!(
            std::fs::read(a.join(&f)).unwrap() == std::fs::read(b.join(&f)).unwrap(),
            "{f} differs"
        );
    }
    let (la, lb) = (log_values(a), log_values(b));
    assert_eq!(la.len() as u64, ITERS + 1, "one log row per iteration");
    assert_eq!(la, lb, "log values differ");
}

#[test]
fn killed_and_resumed_runs_end_bit_identical_to_an_uninterrupted_one() {
    let reference = tmp("ref");
    ok(train_cmd(&reference, ITERS).output().unwrap());
    let d = tmp("killed");
    let schedule: Vec<u64> = (1..ITERS)
        .filter(|&k| k.is_power_of_two() || k % 5 == 0)
        .collect();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    let mut kills = 0;
    let mut first = true;
    for _ in 0..3 {
        let done = newest_complete(&d).unwrap_or(0);
        let later: Vec<u64> = schedule.iter().copied().filter(|&k| k > done + 2).collect();
        if later.len() < 2 {
            break;
        }
        let target = later[rng.random_range(0..later.len() - 1)];
        let mut c = if first {
            train_cmd(&d, ITERS)
        } else {
            bin_resume(&d)
        };
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(
            &mut child,
            &d.join(format!("checkpoints/{target:08}.state.npz")),
        );
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if !first {
            let expected = format!("resuming from iteration {done}");
            assert!(
                String::from_utf8_lossy(&out.stdout).contains(&expected),
                "expected `{expected}` in {:?}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        first = false;
        kills += 1;
    }
    assert!(kills >= 2, "the runs were too fast to kill");
    let done = newest_complete(&d).unwrap();
    let out = ok(bin_resume(&d).output().unwrap());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("resuming from iteration {done}"))
    );
    assert_same_run(&reference, &d);
    // A finished run says so and exits 0; a budget can be extended, nothing else can change.
    let out = ok(bin_resume(&d).output().unwrap());
    assert!(String::from_utf8_lossy(&out.stdout).contains("already finished"));
    let out = bin_resume(&d)
        .args(["--set", "model.units=8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("train.iterations"));
}

fn bin_resume(d: &Path) -> Command {
    let mut c = bin();
    c.arg("resume").arg(d);
    c
}

#[test]
fn ctrl_c_checkpoints_exits_130_and_resumes_exactly() {
    let reference = tmp("ref-int");
    ok(train_cmd(&reference, ITERS).output().unwrap());
    let d = tmp("int");
    let mut child = train_cmd(&d, ITERS)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&mut child, &d.join("checkpoints/00000004.state.npz"));
    let st = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("gridrnn resume"), "{err}");
    let at: u64 = err
        .split("interrupted at iteration ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        d.join(format!("checkpoints/{at:08}.state.npz")).exists(),
        "no checkpoint at the interrupted iteration {at}"
    );
    let out = ok(bin_resume(&d).output().unwrap());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("resuming from iteration {at}"))
    );
    assert_same_run(&reference, &d);
}

#[test]
fn corrupt_checkpoints_are_skipped_and_empty_runs_restart() {
    let d = tmp("corrupt");
    ok(train_cmd(&d, 10).output().unwrap());
    // Truncate the newest checkpoint: resume must name it and fall back to iteration 8.
    let bad = d.join("checkpoints/00000010.npz");
    let bytes = std::fs::read(&bad).unwrap();
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).unwrap();
    let out = ok(bin_resume(&d)
        .args(["--set", "train.iterations=12"])
        .output()
        .unwrap());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("00000010.npz") && err.contains("skipping checkpoint 10"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("resuming from iteration 8"));
    let reference = tmp("ref12");
    ok(train_cmd(&reference, 12).output().unwrap());
    for f in ["checkpoints/00000012.npz", "checkpoints/latest.npz"] {
        assert!(
            std::fs::read(d.join(f)).unwrap() == std::fs::read(reference.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // No checkpoint at all: start again at 0.
    std::fs::remove_dir_all(d.join("checkpoints")).unwrap();
    std::fs::create_dir_all(d.join("checkpoints")).unwrap();
    let out = ok(bin_resume(&d).output().unwrap());
    assert!(String::from_utf8_lossy(&out.stderr).contains("restarting at iteration 0"));
    assert_eq!(log_values(&d).len(), 13);
}

#[test]
fn a_diverging_step_is_rolled_back_with_a_lower_learning_rate() {
    let d = tmp("fault");
    let out = ok(train_cmd(&d, 20)
        .env("GRIDRNN_FAULT_NONFINITE_AT", "7")
        .output()
        .unwrap());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rolled back to iteration 5")
            && err.contains("learning rate cut x0.5 to 5e-4"),
        "{err}"
    );
    let log = log_values(&d);
    assert_eq!(log.len(), 21, "one row per iteration after the roll-back");
    for (i, row) in log.iter().skip(1).enumerate() {
        assert_eq!(row[0], i.to_string());
        let lr: f64 = row[8].parse().unwrap();
        assert_eq!(lr, if i < 5 { 1e-3 } else { 5e-4 }, "row {i}");
    }
}

/// The same roll-back for a library caller, with the fault given in `RunOptions` (no
/// environment, no binary): the run ends where an unfaulted run with the cut rate would.
#[test]
fn a_library_caller_gets_the_roll_back_deterministically() {
    use gridrnn::train::{RunOptions, train_run};
    let d = tmp("fault-lib");
    let sets: Vec<String> = config_args(12)
        .into_iter()
        .filter(|s| s != "--set")
        .collect();
    let cfg = gridrnn::config::load(None, None, &sets).unwrap();
    let opts = |fail_at: Vec<u64>| RunOptions {
        force: true,
        progress: false,
        interrupt: None,
        fail_at,
    };
    let faulted = train_run(&cfg, &d.join("a"), &opts(vec![7])).unwrap();
    assert_eq!(faulted.rollbacks, 1);
    let again = train_run(&cfg, &d.join("b"), &opts(vec![7])).unwrap();
    assert_eq!(again.rollbacks, 1);
    let latest = |run: &str| std::fs::read(d.join(run).join("checkpoints/latest.npz")).unwrap();
    assert!(
        latest("a") == latest("b"),
        "the same fault gives the same network"
    );
    assert_eq!(log_values(&d.join("a")), log_values(&d.join("b")));
    let clean = train_run(&cfg, &d.join("c"), &opts(Vec::new())).unwrap();
    assert_eq!(clean.rollbacks, 0);
    assert!(latest("a") != latest("c"), "the roll-back changed the run");
    // One row per iteration; the rate is cut from the checkpoint rolled back to (5) on.
    let lr = |run: &str| -> Vec<f64> {
        let rows = log_values(&d.join(run));
        rows[1..].iter().map(|r| r[8].parse().unwrap()).collect()
    };
    let (faulted_lr, clean_lr) = (lr("a"), lr("c"));
    assert_eq!(faulted_lr.len(), 12);
    for (i, (f, c)) in faulted_lr.iter().zip(&clean_lr).enumerate() {
        assert_eq!(*f, if i < 5 { 1e-3 } else { 5e-4 }, "iteration {i}");
        assert_eq!(*c, 1e-3, "iteration {i}");
    }
}

#[test]
fn real_divergence_stops_with_exit_4_and_never_writes_a_nan_model() {
    let d = tmp("diverge");
    let out = train_cmd(&d, 20)
        .args(["--set", "train.lr=1e37", "--set", "train.clip=0"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("last good checkpoint"));
    for e in std::fs::read_dir(d.join("checkpoints")).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().ends_with(".npz") && !p.to_string_lossy().ends_with(".state.npz") {
            let (net, _) = load_checkpoint(&p).unwrap();
            assert!(net.is_finite(), "{} holds NaN/Inf", p.display());
        }
    }
}

fn evaluate(ck: &Path, traj: &Path) -> Output {
    bin()
        .args(["evaluate", "--checkpoint"])
        .arg(ck)
        .arg("--trajectories")
        .arg(traj)
        .output()
        .unwrap()
}

fn expect_bad_input(out: Output, words: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    for w in words {
        assert!(err.contains(w), "`{w}` not in: {err}");
    }
}

#[test]
fn bad_checkpoints_and_trajectory_files_give_clear_errors() {
    let d = tmp("badfiles");
    let good_traj = d.join("t.npz");
    ok(bin()
        .args(["trajectories", "--trials", "2", "--steps", "30", "--out"])
        .arg(&good_traj)
        .output()
        .unwrap());
    let ck = |name: &str, w_in: Vec<f32>, w_in_shape: [usize; 2], w_rec0: f32| {
        let p = d.join(name);
        let mut z = NpzOut::new();
        let mut w_rec = vec![0.0f32; 16];
        w_rec[0] = w_rec0;
        z.add("W_rec", &[4, 4], w_rec).unwrap();
        z.add("W_in", &w_in_shape, w_in).unwrap();
        z.add("b", &[4], vec![0.0f32; 4]).unwrap();
        z.add("W_out", &[2, 4], vec![0.0f32; 8]).unwrap();
        z.write(&p).unwrap();
        p
    };
    let good = ck("good.npz", vec![0.1; 12], [4, 3], 0.5);
    ok(evaluate(&good, &good_traj));
    expect_bad_input(
        evaluate(&ck("shape.npz", vec![0.1; 12], [3, 4], 0.5), &good_traj),
        &["shape.npz", "W_in", "shape"],
    );
    expect_bad_input(
        evaluate(&ck("nan.npz", vec![0.1; 12], [4, 3], f32::NAN), &good_traj),
        &["nan.npz", "W_rec", "non-finite"],
    );
    let traj = |name: &str, b: usize, t: usize, hb: usize, pos: f64, speed: f64| {
        let p = d.join(name);
        let mut z = NpzOut::new();
        z.add("speed", &[b, t], vec![speed; b * t]).unwrap();
        z.add("heading", &[hb, t], vec![0.0f64; hb * t]).unwrap();
        z.add("position", &[b, t, 2], vec![pos; b * t * 2]).unwrap();
        z.add(
            "arena_vertices",
            &[4, 2],
            vec![-1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0],
        )
        .unwrap();
        z.write(&p).unwrap();
        p
    };
    ok(evaluate(&good, &traj("ok.npz", 2, 10, 2, 0.1, 0.01)));
    expect_bad_input(
        evaluate(&good, &traj("len.npz", 2, 10, 3, 0.1, 0.01)),
        &["len.npz", "heading", "shape"],
    );
    expect_bad_input(
        evaluate(&good, &traj("nanpos.npz", 2, 10, 2, f64::NAN, 0.01)),
        &["nanpos.npz", "position", "non-finite"],
    );
    expect_bad_input(
        evaluate(&good, &traj("out.npz", 2, 10, 2, 3.0, 0.01)),
        &["out.npz", "outside"],
    );
    expect_bad_input(
        evaluate(&good, &traj("neg.npz", 2, 10, 2, 0.1, -0.5)),
        &["neg.npz", "negative"],
    );
    let mut z = NpzOut::new();
    z.add_str("speed", "fast").unwrap();
    z.write(&d.join("dtype.npz")).unwrap();
    expect_bad_input(
        evaluate(&good, &d.join("dtype.npz")),
        &["dtype.npz", "speed", "dtype"],
    );
    expect_bad_input(evaluate(&good, &d.join("missing.npz")), &["missing.npz"]);
    expect_bad_input(
        evaluate(&d.join("t.npz"), &good_traj),
        &["t.npz", "W_rec", "missing"],
    );
}

#[test]
fn npy_reader_converts_and_rejects_cleanly() {
    let d = tmp("npy");
    use ndarray_npy::WriteNpyExt;
    let a =
        ndarray::Array3::<f32>::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f32);
    let f = std::fs::File::create(d.join("c.npy")).unwrap();
    a.write_npy(f).unwrap();
    let fo = a.mapv(|v| v as f64).reversed_axes();
    let f = std::fs::File::create(d.join("f.npy")).unwrap();
    fo.write_npy(f).unwrap();
    let c = read_npy(&d.join("c.npy")).unwrap();
    assert_eq!(c.shape, vec![2, 3, 4]);
    assert_eq!(c.data[5], 5.0);
    let fr = read_npy(&d.join("f.npy")).unwrap();
    assert_eq!(fr.shape, vec![4, 3, 2]);
    let bytes = std::fs::read(d.join("c.npy")).unwrap();
    for cut in [0, 5, 20, bytes.len() - 3] {
        std::fs::write(d.join("cut.npy"), &bytes[..cut]).unwrap();
        let e = read_npy(&d.join("cut.npy")).unwrap_err().to_string();
        assert!(e.contains("cut.npy"), "{e}");
    }
}

#[test]
fn inconsistent_configs_fail_before_anything_is_written() {
    let d = tmp("badcfg");
    for (sets, words) in [
        (vec!["task.start=[0.0, 3.0]"], vec!["task.start", "outside"]),
        (vec!["task.arena=polygon"], vec!["task.vertices"]),
        (
            vec![
                "task.arena=polygon",
                "task.vertices=[[1.0, 1.0], [2.0, 1.0], [1.5, 2.0]]",
            ],
            vec!["task.start", "origin"],
        ),
        (
            vec!["task.vertices=[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]"],
            vec!["task.vertices", "polygon"],
        ),
        (
            vec!["train.batch_size=2", "train.shards=4"],
            vec!["train.batch_size", "train.shards"],
        ),
        (
            vec!["train.optimizer=hessian-free", "loss.lambda_cae=0.1"],
            vec!["loss.lambda_cae", "hessian-free"],
        ),
        (
            vec![
                "train.optimizer=hessian-free",
                "train.hf_curvature_batch=501",
            ],
            vec!["train.hf_curvature_batch", "batch_size"],
        ),
        (
            vec!["model.noise_site=inside"],
            vec!["model.noise_site", "eq1"],
        ),
        (
            vec!["train.itrations=5"],
            vec!["did you mean `train.iterations`"],
        ),
    ] {
        let mut c = bin();
        c.arg("train");
        for s in &sets {
            c.args(["--set", s]);
        }
        let out = c.arg("--out").arg(d.join("r")).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{sets:?}: {err}");
        for w in words {
            assert!(err.contains(w), "{sets:?}: `{w}` not in {err}");
        }
        assert!(!d.join("r").exists());
    }
}
