//! Checkpoints (docs/design.md section 5): `.npz` with W_rec, W_in, b, W_out, input_scale and 0-d
//! metadata, a `.safetensors` export of the same tensors, and the training state beside them.
//! A place-cell readout adds its cells (`place_centres` (Np, 2), `place_cell_width`,
//! `place_cell_targets`, `surround_scale`; W_out is then Np x N) and a place-code initial
//! state its `W_enc` (N x Np); a Cartesian checkpoint is unchanged.

use std::collections::HashMap;
use std::path::Path;

use safetensors::{Dtype, tensor::TensorView};

use super::{NpzIn, NpzOut};
use crate::config::{Activation, Encoding, NoiseSite};
use crate::error::bad_input;
use crate::model::{Ctrnn, TENSOR_NAMES};
use crate::task::{PlaceCells, PlaceTargets};

/// Version of the checkpoint layout (`format_version`).
pub const FORMAT_VERSION: i64 = 1;

fn act_name(a: Activation) -> &'static str {
    match a {
        Activation::Tanh => "tanh",
        Activation::Retanh => "retanh",
        Activation::Relu => "relu",
    }
}
fn site_name(s: NoiseSite) -> &'static str {
    match s {
        NoiseSite::Eq1 => "eq1",
        NoiseSite::Rate => "rate",
    }
}
fn enc_name(e: Encoding) -> &'static str {
    match e {
        Encoding::SpeedCosSin => "speed-cos-sin",
        Encoding::SpeedAngle => "speed-angle",
        Encoding::Velocity => "velocity",
    }
}

/// Write `path` (.npz) and the `.safetensors` export beside it, both atomically. Refuses a
/// network with NaN or Inf.
pub fn save_checkpoint(path: &Path, net: &Ctrnn<f32>) -> anyhow::Result<()> {
    anyhow::ensure!(
        net.is_finite(),
        "refusing to write {}: the network holds NaN or Inf",
        path.display()
    );
    let (n, nin) = (net.n, net.n_in);
    let mut tensors: Vec<(&str, Vec<usize>, &[f32])> = vec![
        ("W_rec", vec![n, n], &net.w_rec),
        ("W_in", vec![n, nin], &net.w_in),
        ("b", vec![n], &net.b),
        ("W_out", vec![net.n_out(), n], &net.w_out),
    ];
    if !net.w_enc.is_empty() {
        tensors.push(("W_enc", vec![n, net.n_out()], &net.w_enc));
    }
    let scale: Vec<f32> = net.input_scale.iter().map(|&v| v as f32).collect();
    let mut z = NpzOut::new();
    for (name, shape, data) in &tensors {
        z.add(name, shape, data.to_vec())?;
    }
    let mut meta_pc = Vec::new();
    if let Some(pc) = &net.place_cells {
        let centres: Vec<f64> = pc.centres.iter().flatten().copied().collect();
        z.add("place_centres", &[pc.len(), 2], centres)?;
        z.add("place_cell_width", &[], vec![pc.sigma])?;
        let (targets, surround) = match pc.targets {
            PlaceTargets::Gaussian => ("gaussian", 0.0),
            PlaceTargets::DifferenceOfSoftmaxes { surround_scale } => ("dos", surround_scale),
        };
        z.add_str("place_cell_targets", targets)?;
        z.add("surround_scale", &[], vec![surround])?;
        meta_pc = vec![
            ("place_cell_width", pc.sigma.to_string()),
            ("place_cell_targets", targets.to_string()),
            ("surround_scale", surround.to_string()),
        ];
    }
    z.add("input_scale", &[nin], scale.clone())?;
    z.add("alpha", &[], vec![net.alpha as f32])?;
    z.add("noise_std", &[], vec![net.noise_std as f32])?;
    z.add_str("activation", act_name(net.activation))?;
    z.add_str("noise_site", site_name(net.noise_site))?;
    z.add_str("encoding", enc_name(net.encoding))?;
    z.add("format_version", &[], vec![FORMAT_VERSION])?;
    z.write(path)?;

    let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let owned: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, shape, data)| (name.to_string(), shape.clone(), bytes(data)))
        .chain(std::iter::once((
            "input_scale".to_string(),
            vec![nin],
            bytes(&scale),
        )))
        .collect();
    let views = owned
        .iter()
        .map(|(name, shape, b)| Ok((name.clone(), TensorView::new(Dtype::F32, shape.clone(), b)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let meta: HashMap<String, String> = [
        ("alpha", net.alpha.to_string()),
        ("noise_std", net.noise_std.to_string()),
        ("activation", act_name(net.activation).to_string()),
        ("noise_site", site_name(net.noise_site).to_string()),
        ("encoding", enc_name(net.encoding).to_string()),
        ("format_version", FORMAT_VERSION.to_string()),
    ]
    .into_iter()
    .chain(meta_pc)
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let st = sorted_header(safetensors::serialize(views, Some(meta))?);
    super::write_atomic(&path.with_extension("safetensors"), &st)
}

/// safetensors writes its metadata from a `HashMap`, in a random order; rewrite the JSON header
/// with sorted keys (same length, same offsets) so that equal checkpoints are equal files.
fn sorted_header(mut st: Vec<u8>) -> Vec<u8> {
    let n = u64::from_le_bytes(st[..8].try_into().expect("8-byte length")) as usize;
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&st[8..8 + n]) else {
        return st;
    };
    let Ok(mut sorted) = serde_json::to_vec(&v) else {
        return st;
    };
    if sorted.len() <= n {
        sorted.resize(n, b' ');
        st[8..8 + n].copy_from_slice(&sorted);
    }
    st
}

/// Read a checkpoint `.npz`, ours or one trained elsewhere (e.g. the PyTorch peer's). Returns
/// the network and notes on what was assumed.
pub fn load_checkpoint(path: &Path) -> anyhow::Result<(Ctrnn<f32>, Vec<String>)> {
    checkpoint_from(NpzIn::open(path)?)
}

/// [`load_checkpoint`] on an opened archive (also what the fuzz target drives).
pub fn checkpoint_from(mut z: NpzIn) -> anyhow::Result<(Ctrnn<f32>, Vec<String>)> {
    let file = z.path().to_string();
    let mut notes = Vec::new();
    let w_rec = z.array("W_rec")?;
    let n = w_rec.shape.first().copied().unwrap_or(0);
    w_rec.expect_shape(&file, "W_rec", &[Some(n), Some(n)])?;
    let w_in = z.array("W_in")?;
    w_in.expect_shape(&file, "W_in", &[Some(n), None])?;
    let nin = w_in.shape[1];
    let b = z.array("b")?;
    b.expect_shape(&file, "b", &[Some(n)])?;
    let place_cells = read_place_cells(&mut z, &file)?;
    let n_out = place_cells.as_ref().map_or(2, PlaceCells::len);
    let w_out = z.array("W_out")?;
    w_out.expect_shape(&file, "W_out", &[Some(n_out), Some(n)])?;
    let w_enc = if z.has("W_enc") {
        anyhow::ensure!(
            place_cells.is_some(),
            bad_input(format!(
                "{file}: `W_enc` (a place-code initial state) needs `place_centres`"
            ))
        );
        let a = z.array("W_enc")?;
        a.expect_shape(&file, "W_enc", &[Some(n), Some(n_out)])?;
        a.expect_finite(&file, "W_enc")?;
        a.data
    } else {
        Vec::new()
    };
    for (name, a) in [
        ("W_rec", &w_rec),
        ("W_in", &w_in),
        ("b", &b),
        ("W_out", &w_out),
    ] {
        a.expect_finite(&file, name)?;
    }
    anyhow::ensure!(
        n >= 1 && nin >= 1,
        bad_input(format!("{file}: empty network"))
    );
    let (encoding, input_scale) = read_inputs(&mut z, &file, nin, &mut notes)?;
    let (alpha, noise_std, activation, noise_site) = read_dynamics(&mut z, &file)?;
    note_unknown_keys(&z, &file, &mut notes);
    let f = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    Ok((
        Ctrnn {
            n,
            n_in: nin,
            w_rec: f(w_rec.data),
            w_in: f(w_in.data),
            b: f(b.data),
            w_out: f(w_out.data),
            w_enc: f(w_enc),
            place_cells,
            alpha,
            activation,
            noise_site,
            encoding,
            input_scale,
            noise_std,
            // Only training reads it, and `resume` takes it from the config.
            bias: true,
        },
        notes,
    ))
}

/// The input encoding and the gain on each raw input: `encoding` and `input_scale`, or what a
/// file without them implies (the PyTorch peer's `config` JSON's `speed_gain`; else ones),
/// said in `notes`.
fn read_inputs(
    z: &mut NpzIn,
    file: &str,
    nin: usize,
    notes: &mut Vec<String>,
) -> anyhow::Result<(Encoding, Vec<f64>)> {
    let encoding = match z.string("encoding").as_deref() {
        Some("speed-cos-sin") => Encoding::SpeedCosSin,
        Some("speed-angle") => Encoding::SpeedAngle,
        Some("velocity") => Encoding::Velocity,
        Some(other) => return Err(bad_input(format!("{file}: unknown encoding `{other}`"))),
        None => {
            if nin == 2 || nin == 4 {
                Encoding::SpeedAngle
            } else {
                Encoding::SpeedCosSin
            }
        }
    };
    let input_scale = if z.has("input_scale") {
        let s = z.array("input_scale")?;
        s.expect_shape(file, "input_scale", &[Some(nin)])?;
        s.expect_finite(file, "input_scale")?;
        s.data
    } else if let Some(gain) = z.string("config").and_then(|c| {
        serde_json::from_str::<serde_json::Value>(&c)
            .ok()
            .and_then(|v| v.get("speed_gain").and_then(|g| g.as_f64()))
    }) {
        notes.push(format!(
            "{file}: no input_scale; using [speed_gain={gain}, 1, ...] from its config"
        ));
        let mut s = vec![1.0; nin];
        s[0] = gain;
        s
    } else {
        notes.push(format!("{file}: no input_scale; using ones"));
        vec![1.0; nin]
    };
    Ok((encoding, input_scale))
}

/// alpha, the training noise, the nonlinearity and the noise site (defaults where absent:
/// 0.1, the `config` JSON's `noise_std` or 0.1, tanh, eq1).
fn read_dynamics(z: &mut NpzIn, file: &str) -> anyhow::Result<(f64, f64, Activation, NoiseSite)> {
    let scalar = |z: &mut NpzIn, k: &str, d: f64| -> f64 {
        if z.has(k) {
            z.array(k)
                .ok()
                .and_then(|a| a.data.first().copied())
                .unwrap_or(d)
        } else {
            d
        }
    };
    let alpha = scalar(z, "alpha", 0.1);
    let mut noise_std = scalar(z, "noise_std", f64::NAN);
    if noise_std.is_nan() {
        noise_std = z
            .string("config")
            .and_then(|c| serde_json::from_str::<serde_json::Value>(&c).ok())
            .and_then(|v| v.get("noise_std").and_then(|g| g.as_f64()))
            .unwrap_or(0.1);
    }
    let activation = match z.string("activation").as_deref() {
        None | Some("tanh") => Activation::Tanh,
        Some("retanh") => Activation::Retanh,
        Some("relu") => Activation::Relu,
        Some(o) => {
            return Err(bad_input(format!(
                "{file}: unknown activation `{o}` (tanh | retanh | relu)"
            )));
        }
    };
    let noise_site = match z.string("noise_site").as_deref() {
        None | Some("eq1") => NoiseSite::Eq1,
        Some("rate") => NoiseSite::Rate,
        Some(o) => {
            return Err(bad_input(format!(
                "{file}: unknown noise_site `{o}` (eq1 | rate)"
            )));
        }
    };
    Ok((alpha, noise_std, activation, noise_site))
}

/// Keys a checkpoint may hold; any other is listed in `notes` and ignored.
const KNOWN_KEYS: [&str; 17] = [
    "W_rec",
    "W_in",
    "b",
    "W_out",
    "input_scale",
    "alpha",
    "noise_std",
    "activation",
    "noise_site",
    "encoding",
    "format_version",
    "config",
    "W_enc",
    "place_centres",
    "place_cell_width",
    "place_cell_targets",
    "surround_scale",
];

/// List in `notes` the keys of `z` outside [`KNOWN_KEYS`].
fn note_unknown_keys(z: &NpzIn, file: &str, notes: &mut Vec<String>) {
    let unknown: Vec<&String> = z
        .names()
        .iter()
        .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        notes.push(format!("{file}: ignoring unknown keys {unknown:?}"));
    }
}

/// The place cells of a place-cell checkpoint; None for a Cartesian one.
fn read_place_cells(z: &mut NpzIn, file: &str) -> anyhow::Result<Option<PlaceCells>> {
    if !z.has("place_centres") {
        return Ok(None);
    }
    let c = z.array("place_centres")?;
    c.expect_shape(file, "place_centres", &[None, Some(2)])?;
    c.expect_finite(file, "place_centres")?;
    let scalar = |z: &mut NpzIn, k: &str| -> anyhow::Result<f64> {
        z.array(k)?
            .data
            .first()
            .copied()
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad_input(format!("{file}: `{k}` must be one finite number")))
    };
    let sigma = scalar(z, "place_cell_width")?;
    anyhow::ensure!(
        sigma > 0.0 && c.shape[0] >= 1,
        bad_input(format!(
            "{file}: place cells need place_cell_width > 0 and at least one centre"
        ))
    );
    let targets = match z.string("place_cell_targets").as_deref() {
        Some("gaussian") => PlaceTargets::Gaussian,
        Some("dos") => PlaceTargets::DifferenceOfSoftmaxes {
            surround_scale: scalar(z, "surround_scale")?,
        },
        other => {
            return Err(bad_input(format!(
                "{file}: place_cell_targets {other:?} is not gaussian | dos"
            )));
        }
    };
    Ok(Some(PlaceCells {
        centres: c.data.chunks_exact(2).map(|p| [p[0], p[1]]).collect(),
        sigma,
        targets,
    }))
}

/// Optimiser and schedule state stored in `checkpoints/ITER.state.npz`.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainState {
    /// Updates done.
    pub iteration: u64,
    /// Adam first moments, per tensor (W_rec, W_in, b, W_out, W_enc).
    pub adam_m: Vec<Vec<f32>>,
    /// Adam second moments.
    pub adam_v: Vec<Vec<f32>>,
    /// lambda_L2 now.
    pub lambda_l2: f64,
    /// lambda_FR now.
    pub lambda_fr: f64,
    /// Moving average of E (paper schedule).
    pub e_bar: f64,
    /// Whether the paper schedule has set its initial lambdas.
    pub schedule_started: bool,
    /// Learning rate now (lower than the config's after divergence roll-backs).
    pub lr: f64,
    /// Wall-clock seconds of training so far.
    pub wall_s: f64,
    /// Hessian-free state (hessian-free runs only).
    pub hf: Option<HfTrainState>,
}

/// The Hessian-free part of a training state, in f64 so that a resumed run continues
/// bit-identically.
#[derive(Clone, Debug, PartialEq)]
pub struct HfTrainState {
    /// Damping lambda now.
    pub damping: f64,
    /// The last update's CG solution, flattened (W_rec, W_in, b, W_out); empty before the first.
    pub previous: Vec<f64>,
}

/// Write the training state atomically.
pub fn write_train_state(path: &Path, s: &TrainState) -> anyhow::Result<()> {
    let mut z = NpzOut::new();
    z.add("iteration", &[], vec![s.iteration as i64])?;
    for (i, name) in TENSOR_NAMES.iter().enumerate() {
        // W_enc's moments only where it exists: other states stay as they were.
        if s.adam_m[i].is_empty() && *name == "W_enc" {
            continue;
        }
        z.add(
            &format!("adam_m_{name}"),
            &[s.adam_m[i].len()],
            s.adam_m[i].clone(),
        )?;
        z.add(
            &format!("adam_v_{name}"),
            &[s.adam_v[i].len()],
            s.adam_v[i].clone(),
        )?;
    }
    z.add("lambda_l2", &[], vec![s.lambda_l2])?;
    z.add("lambda_fr", &[], vec![s.lambda_fr])?;
    z.add("e_bar", &[], vec![s.e_bar])?;
    z.add("schedule_started", &[], vec![s.schedule_started])?;
    z.add("lr", &[], vec![s.lr])?;
    z.add("wall_s", &[], vec![s.wall_s])?;
    if let Some(hf) = &s.hf {
        z.add("hf_damping", &[], vec![hf.damping])?;
        z.add("hf_previous", &[hf.previous.len()], hf.previous.clone())?;
    }
    z.write(path)
}

/// Read a training state written by [`write_train_state`].
pub fn read_train_state(path: &Path) -> anyhow::Result<TrainState> {
    let mut z = NpzIn::open(path)?;
    let one = |z: &mut NpzIn, k: &str| -> anyhow::Result<f64> {
        let a = z.array(k)?;
        a.data
            .first()
            .copied()
            .ok_or_else(|| bad_input(format!("{}: `{k}` is empty", path.display())))
    };
    let mut adam_m = Vec::new();
    let mut adam_v = Vec::new();
    for name in TENSOR_NAMES {
        if name == "W_enc" && !z.has("adam_m_W_enc") {
            adam_m.push(Vec::new());
            adam_v.push(Vec::new());
            continue;
        }
        adam_m.push(
            z.array(&format!("adam_m_{name}"))?
                .data
                .into_iter()
                .map(|v| v as f32)
                .collect(),
        );
        adam_v.push(
            z.array(&format!("adam_v_{name}"))?
                .data
                .into_iter()
                .map(|v| v as f32)
                .collect(),
        );
    }
    Ok(TrainState {
        iteration: one(&mut z, "iteration")? as u64,
        adam_m,
        adam_v,
        lambda_l2: one(&mut z, "lambda_l2")?,
        lambda_fr: one(&mut z, "lambda_fr")?,
        e_bar: one(&mut z, "e_bar")?,
        schedule_started: one(&mut z, "schedule_started")? != 0.0,
        lr: one(&mut z, "lr")?,
        wall_s: one(&mut z, "wall_s")?,
        hf: if z.has("hf_damping") {
            Some(HfTrainState {
                damping: one(&mut z, "hf_damping")?,
                previous: z.array("hf_previous")?.data,
            })
        } else {
            None
        },
    })
}
