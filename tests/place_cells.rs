//! A place-cell run end to end through the binary (docs/place_cells.md): it trains, resumes
//! bit-identically, and its analysis writes the decoded-position error with its baselines and
//! the map diversity beside the grid count; a checkpoint keeps its cells.

mod common;
use common::{bin, ok, tmp};

use std::path::Path;

use gridrnn::io::load_checkpoint;

fn train(dir: &Path, iters: u64) {
    ok(bin()
        .args(["train", "--preset", "place-cells", "--out"])
        .arg(dir)
        .args(
            [
                "model.units=24",
                "model.place_cells=30",
                "task.steps=10",
                "train.batch_size=16",
                "train.shards=2",
                "train.threads=2",
                "train.checkpoint_every=4",
                "model.bias=false",
            ]
            .iter()
            .flat_map(|s| ["--set", s]),
        )
        .args(["--set", &format!("train.iterations={iters}")])
        .output()
        .unwrap());
}

#[test]
fn a_place_cell_run_trains_resumes_and_is_analyzed() {
    let whole = tmp("pc-whole");
    train(&whole, 8);
    let part = tmp("pc-part");
    train(&part, 4);
    ok(bin()
        .args(["resume"])
        .arg(&part)
        .args(["--set", "train.iterations=8"])
        .output()
        .unwrap());
    let (a, _) = load_checkpoint(&whole.join("checkpoints/latest.npz")).unwrap();
    let (b, _) = load_checkpoint(&part.join("checkpoints/latest.npz")).unwrap();
    assert_eq!(
        a, b,
        "resumed place-cell run differs from an uninterrupted one"
    );
    // Without a bias (as the peer's network), b stays exactly 0 through training and resume,
    // while the other tensors move.
    assert!(a.b.iter().all(|&v| v == 0.0), "b moved: {:?}", &a.b[..4]);
    let (first, _) = load_checkpoint(&whole.join("checkpoints/00000004.npz")).unwrap();
    assert_ne!(first.w_rec, a.w_rec);
    let pc = a
        .place_cells
        .as_ref()
        .expect("the checkpoint keeps its place cells");
    assert_eq!(
        (pc.len(), a.w_out.len(), a.w_enc.len()),
        (30, 30 * 24, 24 * 30)
    );
    // The log's last column is the decoded position's error.
    let log = std::fs::read_to_string(whole.join("train_log.csv")).unwrap();
    assert!(log.lines().next().unwrap().ends_with(",position"));
    let out = ok(bin()
        .arg("analyze")
        .arg(&whole)
        .args(["--steps", "20000", "--shuffles", "5", "--long-steps", "0"])
        .args(["--stages", "off", "--threads", "2"])
        .output()
        .unwrap());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("maps differ?"), "{text}");
    let held: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(whole.join("analysis/held_out.json")).unwrap(),
    )
    .unwrap();
    for k in ["mse", "centre_mse", "start_mse"] {
        assert!(held[k].as_f64().unwrap().is_finite(), "{k}: {held}");
    }
    let types: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(whole.join("analysis/cell_types.json")).unwrap(),
    )
    .unwrap();
    let all = &types["map_diversity"]["all"];
    assert!(
        all["participation_ratio"].as_f64().unwrap() >= 1.0,
        "{types}"
    );
    // No start transient to leave out with a place-code initial state.
    let maps: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(whole.join("analysis/ratemaps.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(maps["transient_steps"], 0);
}

#[test]
fn hessian_free_and_a_place_code_without_place_cells_are_refused_before_training() {
    for (sets, key) in [
        (
            vec![
                "--preset",
                "place-cells",
                "--set",
                "train.optimizer=hessian-free",
            ],
            "train.optimizer",
        ),
        (
            vec!["--set", "model.initial_state=place-code"],
            "model.initial_state",
        ),
        (
            vec![
                "--preset",
                "place-cells",
                "--set",
                "model.surround_scale=0.5",
            ],
            "model.surround_scale",
        ),
    ] {
        let d = tmp("pc-refused");
        let out = bin()
            .arg("train")
            .args(&sets)
            .arg("--out")
            .arg(&d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{sets:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(key), "{sets:?}: {err}");
        assert!(!d.join("checkpoints").exists(), "{sets:?} started training");
    }
}
