//! The production kernel's gradients (its f64 instantiation, 2 shards, fixed noise) against
//! central finite differences, and the f32 path against the f64 gradients (docs/design.md section 1).
#![allow(clippy::needless_range_loop)]

use gridrnn::config::load;
use gridrnn::model::{Ctrnn, Gradients, Lambdas, Real, TENSOR_NAMES as NAMES};
use gridrnn::train::Trainer;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn config(extra: &[&str]) -> gridrnn::config::ValidConfig {
    let mut sets: Vec<String> = [
        "model.units=8",
        "task.steps=24",
        "train.batch_size=6",
        "train.shards=2",
        "train.threads=2",
        "task.p_stop=0.5",
        "model.noise_std=0.3",
        "loss.lambda_l2=0.05",
        "loss.lambda_fr=0.2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    sets.extend(extra.iter().map(|s| s.to_string()));
    load(None, None, &sets).unwrap()
}

/// A network with every parameter non-zero, so that no gradient is trivially zero.
fn perturbed(cfg: &gridrnn::config::ValidConfig, seed: u64) -> Ctrnn<f64> {
    let mut net = Ctrnn::<f64>::init(cfg);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for v in net.w_out.iter_mut().chain(net.b.iter_mut()) {
        *v = 0.5 * (rng.random::<f64>() - 0.5);
    }
    net
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let d = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    d / na.max(nb).max(1e-300)
}

fn check_fd(extra: &[&str], lambdas: Lambdas, seed: u64) {
    let cfg = config(extra);
    let net = perturbed(&cfg, seed);
    let mut tr = Trainer::<f64>::with_network(&cfg, net.clone());
    let (_, g) = tr.loss_and_gradient(3, &lambdas);
    let mut fd = net.zero_gradients();
    for k in 0..NAMES.len() {
        // W_enc's gradient is two orders smaller than the others' (only the first step sees
        // h0): at a step of 1e-6 the difference's cancellation error reaches 1e-6 of it, and
        // 1e-5 (truncation error h^2 ~ 1e-10) measures it to 1e-7.
        let h = if NAMES[k] == "W_enc" { 1e-5 } else { 1e-6 };
        for i in 0..net.tensors()[k].len() {
            let loss_at = |delta: f64| {
                let mut p = net.clone();
                p.tensors_mut()[k][i] += delta;
                let mut t = Trainer::<f64>::with_network(&cfg, p);
                t.loss_and_gradient(3, &lambdas).0
            };
            let v = (loss_at(h) - loss_at(-h)) / (2.0 * h);
            fd.tensors_mut()[k][i] = v;
        }
    }
    for k in 0..NAMES.len() {
        // W_enc exists only with a place-code initial state.
        if net.tensors()[k].is_empty() {
            assert!(g.tensors()[k].is_empty());
            continue;
        }
        let e = rel(g.tensors()[k], fd.tensors()[k]);
        eprintln!("{extra:?} {}: relative error {e:.1e}", NAMES[k]);
        assert!(e < 1e-6, "{extra:?} {}: relative error {e:e}", NAMES[k]);
        assert!(
            g.tensors()[k].iter().any(|v| *v != 0.0),
            "{}: gradient is all zero",
            NAMES[k]
        );
    }
}

const L: Lambdas = Lambdas {
    l2: 0.05,
    fr: 0.2,
    cae: 0.0,
    rec: 0.0,
};
/// With Sorscher's weight decay on W_rec.
const L_REC: Lambdas = Lambdas { rec: 0.03, ..L };
const L_CAE: Lambdas = Lambdas {
    l2: 0.05,
    fr: 0.2,
    cae: 0.3,
    rec: 0.0,
};

#[test]
fn fd_tanh_eq1_speed_cos_sin() {
    check_fd(&[], L, 1);
}

#[test]
fn fd_tanh_rate_speed_angle() {
    check_fd(&["model.noise_site=rate", "model.input=speed-angle"], L, 2);
}

#[test]
fn fd_retanh_eq1_speed_angle() {
    check_fd(
        &["model.activation=retanh", "model.input=speed-angle"],
        L,
        3,
    );
}

#[test]
fn fd_retanh_rate_speed_cos_sin() {
    check_fd(&["model.activation=retanh", "model.noise_site=rate"], L, 4);
}

#[test]
fn fd_relu_eq1_and_rate_with_velocity_inputs() {
    check_fd(&["model.activation=relu"], L_REC, 7);
    check_fd(
        &[
            "model.activation=relu",
            "model.noise_site=rate",
            "model.input=velocity",
        ],
        L,
        8,
    );
}

/// The place-cell readout's softmax cross-entropy (Gaussian and centre-surround targets), with
/// the learned place-code initial state, through the leak and with the CTRNN's alpha = 1.
#[test]
fn fd_place_cell_readout_and_place_code_initial_state() {
    let pc = [
        "model.readout=place-cells",
        "model.place_cells=10",
        "model.place_cell_width=0.4",
        "task.start=random",
    ];
    let with = |more: &[&'static str]| [&pc[..], more].concat();
    check_fd(&with(&["model.place_cell_targets=gaussian"]), L, 11);
    check_fd(
        &with(&[
            "model.initial_state=place-code",
            "model.activation=relu",
            "model.input=velocity",
        ]),
        L_REC,
        12,
    );
    check_fd(
        &with(&[
            "model.initial_state=place-code",
            "model.alpha=1",
            "model.noise_site=rate",
        ]),
        L,
        13,
    );
}

#[test]
fn fd_contractive_penalty_and_start_cue() {
    check_fd(&["task.start_cue=true", "task.start=random"], L_CAE, 5);
    check_fd(
        &["model.activation=retanh", "model.noise_site=rate"],
        L_CAE,
        6,
    );
}

#[test]
fn f32_gradients_match_f64() {
    for extra in [
        &[][..],
        &["model.activation=retanh", "model.noise_site=rate"][..],
    ] {
        let cfg = config(extra);
        let net = perturbed(&cfg, 9);
        let (_, g64) = Trainer::<f64>::with_network(&cfg, net.clone()).loss_and_gradient(1, &L_CAE);
        let (_, g32): (f64, Gradients<f32>) =
            Trainer::<f32>::with_network(&cfg, net.cast::<f32>()).loss_and_gradient(1, &L_CAE);
        for k in 0..4 {
            let a: Vec<f64> = g32.tensors()[k].iter().map(|v| v.f64()).collect();
            let e = rel(&a, g64.tensors()[k]);
            eprintln!("f32 vs f64 {extra:?} {}: {e:.1e}", NAMES[k]);
            assert!(
                e < 1e-3,
                "{extra:?} {}: f32 vs f64 relative difference {e:e}",
                NAMES[k]
            );
        }
    }
}
