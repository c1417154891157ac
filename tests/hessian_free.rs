//! Hessian-free: the Gauss-Newton product of the production kernel (its f64
//! instantiation) against G = J^T H J built from an explicit finite-difference Jacobian of the
//! network's outputs and rates; CG on that model decreasing phi at every step; and training
//! that lowers the loss and resumes bit-identically from a checkpoint's state.
#![allow(clippy::needless_range_loop)]

mod common;
use common::{bin, ok, tmp};

use gridrnn::config::{ValidConfig, load};
use gridrnn::io::{read_train_state, write_train_state};
use gridrnn::model::{Ctrnn, CurvatureWeights, Engine};
use gridrnn::task::{Trajectories, TrajectorySpec};
use gridrnn::train::{CgOptions, Trainer, conjugate_gradient, flatten, unflatten};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const B: usize = 5;
const ITERATION: u64 = 2;

fn config(extra: &[&str]) -> ValidConfig {
    let mut sets: Vec<String> = [
        "model.units=7",
        "task.steps=20",
        "train.batch_size=5",
        "train.shards=2",
        "train.threads=2",
        "task.p_stop=0.5",
        "model.noise_std=0.3",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    sets.extend(extra.iter().map(|s| s.to_string()));
    load(None, None, &sets).unwrap()
}

/// A network with every parameter non-zero (W_out = 0 would hide W_rec from the readout).
fn perturbed(cfg: &ValidConfig, seed: u64) -> Ctrnn<f64> {
    let mut net = Ctrnn::<f64>::init(cfg);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for v in net.w_out.iter_mut().chain(net.b.iter_mut()) {
        *v = 0.5 * (rng.random::<f64>() - 0.5);
    }
    net
}

fn random_direction(net: &Ctrnn<f64>, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x9e37);
    let p: usize = net.tensors().iter().map(|t| t.len()).sum();
    (0..p).map(|_| rng.random::<f64>() - 0.5).collect()
}

/// Outputs y (B T 2) and rates u (B T N) of one forward pass with the run's noise.
fn outputs(cfg: &ValidConfig, net: &Ctrnn<f64>, traj: &Trajectories) -> (Vec<f64>, Vec<f64>) {
    let steps = cfg.task.steps;
    let mut eng = Engine::<f64>::new(net.n, net.n_in, steps, B, 2, 1, false);
    eng.forward_on(
        net,
        Some((cfg.train.seed, ITERATION, net.noise_std)),
        traj,
        0,
        None,
    );
    let (mut y, mut u) = (Vec::new(), Vec::new());
    for b in 0..B {
        for t in 0..steps {
            let a = eng.activity(b, t);
            for j in 0..2 {
                y.push(
                    (0..net.n)
                        .map(|i| net.w_out[j * net.n + i] * a[i])
                        .sum::<f64>(),
                );
            }
            u.extend_from_slice(a);
        }
    }
    (y, u)
}

/// A gradient-capable engine that has run its forward pass over `traj` with the run's noise.
fn forwarded(cfg: &ValidConfig, net: &Ctrnn<f64>, traj: &Trajectories) -> Engine<f64> {
    let mut eng = Engine::<f64>::new(net.n, net.n_in, cfg.task.steps, B, 2, 2, true);
    eng.forward_on(
        net,
        Some((cfg.train.seed, ITERATION, net.noise_std)),
        traj,
        0,
        None,
    );
    eng
}

fn moved(net: &Ctrnn<f64>, p: usize, h: f64) -> Ctrnn<f64> {
    let mut out = net.clone();
    let mut at = p;
    for t in out.tensors_mut() {
        if at < t.len() {
            t[at] += h;
            break;
        }
        at -= t.len();
    }
    out
}

fn check_gauss_newton(extra: &[&str], seed: u64) {
    let cfg = config(extra);
    let net = perturbed(&cfg, seed);
    let spec = TrajectorySpec::from_config(&cfg);
    let traj = Trajectories::generate(&spec, cfg.train.seed, ITERATION, 0, B);
    let w = CurvatureWeights {
        l2: 0.05,
        rec: 0.07,
        fr: 0.2,
        structural: 0.3,
    };
    let v = random_direction(&net, seed);
    // The kernel's product.
    let mut eng = forwarded(&cfg, &net, &traj);
    let gv = flatten(eng.gauss_newton(&net, &unflatten(&net, &v), &w).tensors());
    // The explicit Jacobian, one central difference per parameter.
    let p = v.len();
    let column = |k: usize, h: f64| {
        let (yp, up) = outputs(&cfg, &moved(&net, k, h), &traj);
        let (ym, um) = outputs(&cfg, &moved(&net, k, -h), &traj);
        let d = |a: &[f64], b: &[f64]| -> Vec<f64> {
            a.iter().zip(b).map(|(x, y)| (x - y) / (2.0 * h)).collect()
        };
        let mut c = d(&yp, &ym);
        c.extend(d(&up, &um));
        c
    };
    let cols: Vec<(Vec<f64>, Vec<f64>)> = (0..p)
        .map(|k| {
            // Under retanh a unit whose x crosses 0 between the +h and -h passes puts the
            // central difference across the kink, where it is no derivative: two step sizes
            // then disagree, and a far smaller step (1e-8, rounding ~1e-8) steps off the kink.
            let (a, b) = (column(k, 1e-5), column(k, 1e-6));
            let gap = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f64::max);
            let scale = a.iter().map(|x| x.abs()).fold(1e-3, f64::max);
            let mut c = if gap > 1e-4 * scale {
                column(k, 1e-8)
            } else {
                a
            };
            let u = c.split_off(2 * B * cfg.task.steps);
            (c, u)
        })
        .collect();
    let (rows_y, rows_u) = (cols[0].0.len(), cols[0].1.len());
    let jv_y: Vec<f64> = (0..rows_y)
        .map(|r| (0..p).map(|k| cols[k].0[r] * v[k]).sum())
        .collect();
    let jv_u: Vec<f64> = (0..rows_u)
        .map(|r| (0..p).map(|k| cols[k].1[r] * v[k]).sum())
        .collect();
    let m_t = (B * cfg.task.steps) as f64;
    let c_u = 2.0 * w.fr / (net.n as f64 * m_t) + w.structural / m_t;
    let (n_rec, n_in, n_b) = (net.w_rec.len(), net.w_in.len(), net.b.len());
    let explicit: Vec<f64> = (0..p)
        .map(|k| {
            let ey: f64 = (0..rows_y).map(|r| cols[k].0[r] * jv_y[r]).sum::<f64>() / m_t;
            let eu: f64 = c_u * (0..rows_u).map(|r| cols[k].1[r] * jv_u[r]).sum::<f64>();
            // The quadratic penalties' exact blocks: lambda_rec sum W_rec^2 and R_L2.
            let l2 = if k < n_rec {
                2.0 * w.rec * v[k]
            } else if (n_rec..n_rec + n_in).contains(&k) {
                2.0 * w.l2 / n_in as f64 * v[k]
            } else if k >= n_rec + n_in + n_b {
                2.0 * w.l2 / net.w_out.len() as f64 * v[k]
            } else {
                0.0
            };
            ey + eu + l2
        })
        .collect();
    let diff = gv
        .iter()
        .zip(&explicit)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    let norm = explicit.iter().map(|x| x * x).sum::<f64>().sqrt();
    eprintln!(
        "{extra:?} seed {seed}: |Gv - J^T H J v| / |J^T H J v| = {:.1e}",
        diff / norm
    );
    assert!(norm > 0.0);
    assert!(
        diff / norm < 1e-6,
        "{extra:?} seed {seed}: relative error {:e}",
        diff / norm
    );
    // Every block is reached (W_rec, W_in, b, W_out; a Cartesian network has no W_enc).
    let g = unflatten(&net, &gv);
    for t in g.tensors().iter().filter(|t| !t.is_empty()) {
        assert!(t.iter().any(|x| x.abs() > 1e-12));
    }
}

proptest! {
    // Failing seeds are kept in tests/hessian_free.proptest-regressions and replayed first.
    #![proptest_config(ProptestConfig::with_cases(3))]
    #[test]
    fn gauss_newton_product_equals_the_explicit_jacobian_product(seed in 0u64..1000) {
        check_gauss_newton(&[], seed);
        check_gauss_newton(&["model.activation=retanh"], seed);
        check_gauss_newton(&["model.noise_site=rate"], seed);
        check_gauss_newton(&["model.input=speed-angle", "task.start_cue=true", "task.start=random"], seed);
    }
}

/// Seeds that made a retanh unit cross x = 0 between the +h and -h passes, so that a central
/// difference straddled the kink: 95 (rate site) failed under proptest before the test learnt
/// to detect the crossing; 76 and 119 cross it at the eq1 site (found by scanning seeds 0..200).
#[test]
fn gauss_newton_regressions_at_the_retanh_kink() {
    check_gauss_newton(&["model.activation=retanh", "model.noise_site=rate"], 95);
    check_gauss_newton(&["model.activation=retanh"], 76);
    check_gauss_newton(&["model.activation=retanh"], 119);
}

#[test]
fn cg_on_the_gauss_newton_model_decreases_phi_at_every_step() {
    let cfg = config(&[]);
    let net = perturbed(&cfg, 7);
    let spec = TrajectorySpec::from_config(&cfg);
    let traj = Trajectories::generate(&spec, cfg.train.seed, ITERATION, 0, B);
    let mut eng = forwarded(&cfg, &net, &traj);
    let w = CurvatureWeights {
        l2: 0.01,
        rec: 0.0,
        fr: 0.01,
        structural: 0.0,
    };
    let lambda = 1e-3;
    let b = random_direction(&net, 3);
    let res = conjugate_gradient(
        |v| {
            let mut out = flatten(eng.gauss_newton(&net, &unflatten(&net, v), &w).tensors());
            out.iter_mut().zip(v).for_each(|(o, v)| *o += lambda * v);
            out
        },
        &b,
        vec![0.0; b.len()],
        &CgOptions {
            max_iterations: 60,
            min_iterations: 60,
            progress_tolerance: 0.0,
        },
    );
    assert!(
        res.phi.len() > 20,
        "CG stopped after {} steps",
        res.phi.len()
    );
    // Strictly down until CG has converged to rounding; never up beyond rounding after that.
    for (i, w) in res.phi.windows(2).enumerate() {
        let tol = if i < 20 { 0.0 } else { 1e-12 * w[0].abs() };
        assert!(
            w[1] < w[0] + tol,
            "phi rose at CG step {}: {} -> {}",
            i + 1,
            w[0],
            w[1]
        );
    }
}

fn hf_config(threads: usize) -> ValidConfig {
    let threads = format!("train.threads={threads}");
    load(
        None,
        None,
        &[
            "model.units=16",
            "task.steps=40",
            "train.batch_size=20",
            "train.shards=2",
            threads.as_str(),
            "train.optimizer=hessian-free",
            "train.hf_curvature_batch=8",
            "train.hf_max_cg=20",
        ]
        .map(String::from),
    )
    .unwrap()
}

#[test]
fn hessian_free_lowers_the_loss_and_resumes_bit_identically() {
    let cfg = hf_config(2);
    let mut tr = Trainer::<f32>::new(&cfg);
    let mut first = None;
    let mut improved = 0;
    for _ in 0..6 {
        let rec = tr.step().expect("finite step");
        let hf = rec.hf.clone().expect("a Hessian-free report");
        // The line search never accepts a step that raises the minibatch loss by more than
        // Armijo allows, and backtracking's choice is a kept CG iterate.
        assert!(hf.loss_after <= rec.loss, "{hf:?} loss before {}", rec.loss);
        improved += usize::from(hf.rate > 0.0);
        first.get_or_insert(rec.terms.e);
    }
    assert!(improved >= 5, "only {improved} of 6 updates moved");
    let e0 = first.unwrap();
    let e_now = tr.forward(100).e;
    assert!(e_now < 0.5 * e0, "E {e0} -> {e_now}");
    // Checkpoint the state, continue two steps; resume from the checkpoint, same two steps.
    let dir = std::env::temp_dir().join(format!("gridrnn-hf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.npz");
    write_train_state(&path, &tr.state(1.0)).unwrap();
    let st = read_train_state(&path).unwrap();
    assert!(st.hf.as_ref().is_some_and(|h| !h.previous.is_empty()));
    let mut again = Trainer::<f32>::resume(&cfg, tr.net.clone(), &st).unwrap();
    for _ in 0..2 {
        let a = tr.step().unwrap();
        let b = again.step().unwrap();
        assert_eq!(a.loss, b.loss);
        assert_eq!(a.hf, b.hf);
    }
    assert_eq!(tr.net, again.net);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hessian_free_updates_do_not_depend_on_the_thread_count() {
    let trained = |threads: usize| {
        let mut tr = Trainer::<f32>::new(&hf_config(threads));
        for _ in 0..3 {
            tr.step().unwrap();
        }
        tr.net
    };
    assert_eq!(trained(1), trained(2));
}

#[test]
fn hessian_free_refuses_the_contractive_penalty_before_training() {
    let err = load(
        None,
        None,
        &["train.optimizer=hessian-free", "loss.lambda_cae=0.1"].map(String::from),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("loss.lambda_cae") && err.contains("hessian-free"),
        "{err}"
    );
    let err = load(
        None,
        None,
        &[
            "train.optimizer=hessian-free",
            "train.hf_curvature_batch=600",
        ]
        .map(String::from),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("train.hf_curvature_batch"), "{err}");
    // Unset, the curvature minibatch follows a small batch rather than failing on a key the
    // user never wrote, and the resolved config records the value used.
    let small = load(
        None,
        None,
        &["train.optimizer=hessian-free", "train.batch_size=64"].map(String::from),
    )
    .unwrap();
    assert_eq!(small.train.hf_curvature_batch, Some(64));
    let large = load(None, None, &["train.optimizer=hessian-free".into()]).unwrap();
    assert_eq!(large.train.hf_curvature_batch, Some(100));
    assert_eq!(
        large.to_table()["train"]["hf_curvature_batch"].as_integer(),
        Some(100)
    );
}

/// A killed Hessian-free run (its last checkpoint lost) resumes through the CLI to the same
/// network and the same `hf_log.csv` as the uninterrupted run; the log reads back.
#[test]
fn a_hessian_free_run_resumes_through_the_cli_with_the_same_log() {
    let d = tmp("hf-resume");
    let run = d.join("run");
    let sets = [
        "model.units=12",
        "task.steps=30",
        "train.batch_size=12",
        "train.shards=2",
        "train.threads=2",
        "train.optimizer=hessian-free",
        "train.hf_curvature_batch=6",
        "train.hf_max_cg=10",
        "train.iterations=6",
        "train.checkpoint_every=2",
    ];
    let mut c = bin();
    c.arg("train").arg("--out").arg(&run);
    for s in sets {
        c.args(["--set", s]);
    }
    ok(c.output().unwrap());
    let log = std::fs::read_to_string(run.join("hf_log.csv")).unwrap();
    let rows: Vec<Vec<&str>> = log.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0].join(","), gridrnn::train::HF_LOG_HEADER);
    assert_eq!(rows.len(), 7, "{log}");
    for (i, r) in rows[1..].iter().enumerate() {
        assert_eq!(r.len(), 9);
        assert_eq!(r[0].parse::<u64>().unwrap(), i as u64);
        let damping: f64 = r[1].parse().unwrap();
        let cg: usize = r[2].parse().unwrap();
        assert!(damping > 0.0 && (1..=10).contains(&cg), "{r:?}");
    }
    // train_log.csv's lr column is the line search's step under Hessian-free.
    let train_log = std::fs::read_to_string(run.join("train_log.csv")).unwrap();
    for (t, h) in train_log.lines().skip(1).zip(&rows[1..]) {
        assert_eq!(
            t.split(',').nth(9).unwrap().parse::<f64>().unwrap(),
            h[5].parse::<f64>().unwrap()
        );
    }
    let (final_net, _) =
        gridrnn::io::load_checkpoint(&run.join("checkpoints/00000006.npz")).unwrap();
    for f in ["00000006.npz", "00000006.safetensors", "00000006.state.npz"] {
        std::fs::remove_file(run.join("checkpoints").join(f)).unwrap();
    }
    std::fs::remove_file(run.join("checkpoints/latest.npz")).unwrap();
    let out = ok(bin().arg("resume").arg(&run).output().unwrap());
    assert!(String::from_utf8_lossy(&out.stdout).contains("resuming from iteration 4"));
    let (again, _) = gridrnn::io::load_checkpoint(&run.join("checkpoints/00000006.npz")).unwrap();
    assert_eq!(final_net.w_rec, again.w_rec);
    assert_eq!(final_net.w_out, again.w_out);
    assert_eq!(
        std::fs::read_to_string(run.join("hf_log.csv")).unwrap(),
        log
    );
    let _ = std::fs::remove_dir_all(&d);
}
