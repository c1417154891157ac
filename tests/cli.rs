//! End-to-end checks through the `gridrnn` binary: determinism across threads and SIMD paths,
//! run-directory layout, exit codes, and every output format read back.

mod common;
use common::{bin, ok, tmp};

use std::path::Path;
use std::process::Output;

use gridrnn::io::{NpzIn, NpzOut, load_checkpoint, read_train_state};
use gridrnn::task::read_trajectories;

const SMALL: [&str; 12] = [
    "--set",
    "model.units=12",
    "--set",
    "task.steps=40",
    "--set",
    "train.batch_size=8",
    "--set",
    "train.iterations=5",
    "--set",
    "train.shards=2",
    "--set",
    "train.checkpoint_every=3",
];

/// `gridrnn train` with the small config, `args` (ending in `--out`) and then `dir`.
fn train_small(args: &[&str], dir: impl AsRef<std::ffi::OsStr>) -> Output {
    bin()
        .arg("train")
        .args(SMALL)
        .args(args)
        .arg(dir)
        .output()
        .unwrap()
}

/// `gridrnn evaluate` of `ck` on `traj` with extra arguments; asserts success.
fn evaluate_ok(ck: &Path, traj: &Path, extra: &[&str]) -> Output {
    let out = bin()
        .arg("evaluate")
        .args(extra)
        .arg("--checkpoint")
        .arg(ck)
        .arg("--trajectories")
        .arg(traj)
        .output()
        .unwrap();
    ok(out)
}

/// Assert an exit code and a word in stderr.
fn expect_exit(out: Output, code: i32, word: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(word), "`{word}` not in {err}");
}

fn train(dir: &Path, threads: usize, env: &[(&str, &str)]) -> Output {
    let out = bin()
        .arg("train")
        .args(SMALL)
        .args(["--set", &format!("train.threads={threads}"), "--out"])
        .arg(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    ok(out)
}

#[test]
fn same_seed_gives_bit_identical_checkpoints_with_1_and_2_threads() {
    let (a, b) = (tmp("t1"), tmp("t2"));
    train(&a, 1, &[]);
    train(&b, 2, &[]);
    for name in [
        "00000005.npz",
        "00000005.safetensors",
        "00000003.npz",
        "latest.npz",
    ] {
        let x = std::fs::read(a.join("checkpoints").join(name)).unwrap();
        let y = std::fs::read(b.join("checkpoints").join(name)).unwrap();
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }
    let la = std::fs::read_to_string(a.join("train_log.csv")).unwrap();
    let lb = std::fs::read_to_string(b.join("train_log.csv")).unwrap();
    let strip = |s: &str| {
        s.lines()
            .map(|l| {
                l.split(',')
                    .enumerate()
                    .filter(|(i, _)| *i != 1)
                    .map(|(_, v)| v.to_string())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        strip(&la),
        strip(&lb),
        "log values (wall time aside) differ"
    );
}

#[test]
fn portable_simd_path_matches_within_1e_5() {
    let (a, b) = (tmp("simd-on"), tmp("simd-off"));
    train(&a, 2, &[]);
    train(&b, 2, &[("GRIDRNN_SIMD", "off")]);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["simd_path"], "portable");
    let (x, _) = load_checkpoint(&a.join("checkpoints/latest.npz")).unwrap();
    let (y, _) = load_checkpoint(&b.join("checkpoints/latest.npz")).unwrap();
    for (p, q) in x.tensors().iter().zip(y.tensors()) {
        for (u, v) in p.iter().zip(q) {
            assert!((u - v).abs() <= 1e-5 * (1.0 + u.abs()), "{u} vs {v}");
        }
    }
}

#[test]
fn run_directory_has_the_design_layout_and_every_file_reads_back() {
    let d = tmp("layout");
    train(&d, 2, &[]);
    for f in [
        "config.toml",
        "manifest.json",
        "train_log.csv",
        "checkpoints/latest.npz",
        "checkpoints/latest.safetensors",
    ] {
        assert!(d.join(f).exists(), "{f} missing");
    }
    // Checkpoints at 0, powers of 2, every 3, and the last (5).
    for it in [0, 1, 2, 3, 4, 5] {
        assert!(
            d.join(format!("checkpoints/{it:08}.npz")).exists(),
            "checkpoint {it} missing"
        );
        let st = read_train_state(&d.join(format!("checkpoints/{it:08}.state.npz"))).unwrap();
        assert_eq!(st.iteration, it);
    }
    let log = std::fs::read_to_string(d.join("train_log.csv")).unwrap();
    let mut lines = log.lines();
    assert_eq!(
        lines.next().unwrap(),
        "iteration,wall_s,loss,E,R_L2,R_FR,lambda_L2,lambda_FR,grad_norm,lr,position"
    );
    assert_eq!(lines.count(), 5);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap();
    for k in [
        "gridrnn_version",
        "git_commit",
        "git_dirty",
        "rustc",
        "cpu",
        "simd_path",
        "threads",
        "shards",
        "seed",
        "command_line",
        "start_utc",
        "end_utc",
        "time_per_phase_s",
        "format_version",
    ] {
        assert!(m.get(k).is_some(), "manifest lacks {k}");
    }
    // The resolved config is itself a valid config.
    let again = gridrnn::config::load(Some(&d.join("config.toml")), None, &[]).unwrap();
    assert_eq!(again.model.units, 12);
    // npz and safetensors hold the same tensors.
    let (net, notes) = load_checkpoint(&d.join("checkpoints/latest.npz")).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let st = std::fs::read(d.join("checkpoints/latest.safetensors")).unwrap();
    let st = safetensors::SafeTensors::deserialize(&st).unwrap();
    let w: Vec<f32> = st
        .tensor("W_rec")
        .unwrap()
        .data()
        .chunks(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(w, net.w_rec);
    let mut z = NpzIn::open(&d.join("checkpoints/latest.npz")).unwrap();
    assert_eq!(z.string("activation").as_deref(), Some("tanh"));
    assert_eq!(z.string("encoding").as_deref(), Some("speed-cos-sin"));
    assert_eq!(z.array("input_scale").unwrap().data, vec![10.0, 1.0, 1.0]);
    // Training into the same directory again is refused with the way out.
    expect_exit(train_small(&["--out"], &d), 2, "gridrnn resume");
}

#[test]
fn trajectories_export_and_evaluate_any_checkpoint() {
    let d = tmp("eval");
    train(&d, 2, &[]);
    let traj = d.join("test.npz");
    let out = bin()
        .args([
            "trajectories",
            "--set",
            "task.arena=triangle",
            "--trials",
            "7",
            "--steps",
            "40",
            "--out",
        ])
        .arg(&traj)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tr = read_trajectories(&traj).unwrap();
    assert_eq!((tr.trials, tr.steps, tr.arena_vertices.len()), (7, 40, 3));
    let json = d.join("eval.json");
    let json_s = json.to_string_lossy().to_string();
    evaluate_ok(
        &d.join("checkpoints/latest.npz"),
        &traj,
        &["--noise", "on", "--json", &json_s],
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let mse = v["mse"].as_f64().unwrap();
    assert!(mse.is_finite() && mse > 0.0);
    // A checkpoint from elsewhere: float64, no input_scale, the peer's `config` JSON.
    let (net, _) = load_checkpoint(&d.join("checkpoints/latest.npz")).unwrap();
    let foreign = d.join("foreign.npz");
    let mut z = NpzOut::new();
    let f64v = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    z.add("W_rec", &[12, 12], f64v(&net.w_rec)).unwrap();
    z.add("W_in", &[12, 3], f64v(&net.w_in)).unwrap();
    z.add("b", &[12], f64v(&net.b)).unwrap();
    z.add("W_out", &[2, 12], f64v(&net.w_out)).unwrap();
    z.add_str("config", "{\"speed_gain\": 10.0}").unwrap();
    z.write(&foreign).unwrap();
    let out = evaluate_ok(&foreign, &traj, &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("speed_gain"));
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let out = evaluate_ok(&d.join("checkpoints/latest.npz"), &traj, &[]);
    let ours: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        theirs["mse"], ours["mse"],
        "the same weights in float64 without input_scale evaluate alike"
    );
}

#[test]
fn bad_config_and_bad_files_fail_with_their_exit_codes() {
    let d = tmp("bad");
    let out = bin()
        .args(["train", "--set", "model.unitz=3", "--out"])
        .arg(d.join("r"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("model.units"));
    assert!(
        !d.join("r").exists(),
        "a bad config must fail before anything is written"
    );
    std::fs::write(d.join("junk.npz"), b"not a zip").unwrap();
    let out = bin()
        .args(["evaluate", "--checkpoint"])
        .arg(d.join("junk.npz"))
        .arg("--trajectories")
        .arg(d.join("junk.npz"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("junk.npz"));
    for cmd in [
        "",
        "run",
        "train",
        "resume",
        "analyze",
        "score",
        "evaluate",
        "trajectories",
        "bench",
        "config",
    ] {
        let help = bin()
            .args([cmd, "--help"].iter().filter(|a| !a.is_empty()))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&help.stdout);
        let last = text
            .trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string();
        assert!(
            last.starts_with("gridrnn "),
            "`gridrnn {cmd} --help` does not end with an example: {last}"
        );
    }
}

#[test]
fn every_example_config_is_valid_and_the_presets_match_their_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            gridrnn::config::load(Some(&p), None, &[])
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 6);
    for preset in ["pytorch-peer", "authors-code", "place-cells"] {
        let f =
            gridrnn::config::load(Some(&dir.join(format!("{preset}.toml"))), None, &[]).unwrap();
        let p = gridrnn::config::load(None, Some(preset), &[]).unwrap();
        assert_eq!(
            f.config(),
            p.config(),
            "examples/{preset}.toml differs from --preset {preset}"
        );
    }
}

#[test]
fn trains_on_windows_of_a_trajectory_file_and_rejects_files_that_cannot_feed_it() {
    let d = tmp("file-train");
    let traj = d.join("rec.npz");
    let out = bin()
        .args(["trajectories", "--trials", "3", "--steps", "200", "--out"])
        .arg(&traj)
        .output()
        .unwrap();
    assert!(out.status.success());
    let set = format!("task.trajectories={}", traj.display());
    ok(bin()
        .arg("train")
        .args(SMALL)
        .args(["--set", &set, "--out"])
        .arg(d.join("run"))
        .output()
        .unwrap());
    expect_exit(
        train_small(
            &["--set", &set, "--set", "task.steps=500", "--out"],
            d.join("r2"),
        ),
        2,
        "task.steps",
    );
    expect_exit(
        train_small(
            &["--set", &set, "--set", "task.arena_area=0.01", "--out"],
            d.join("r3"),
        ),
        2,
        "outside the configured arena",
    );
}

#[test]
fn analyze_writes_maps_tuning_and_scores_that_read_back() {
    let d = tmp("analyze");
    train(&d, 2, &[]);
    ok(bin()
        .arg("analyze")
        .arg(&d)
        .args(["--steps", "20000", "--bins", "10", "--shuffles", "5"])
        .args(["--long-steps", "5000", "--long-trials", "3"])
        .output()
        .unwrap());
    let maps = gridrnn::io::read_npy(&d.join("analysis/ratemaps.npy")).unwrap();
    assert_eq!(maps.shape, vec![12, 10, 10]);
    assert!(maps.data.iter().any(|v| v.is_finite()));
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("analysis/ratemaps.json")).unwrap())
            .unwrap();
    assert_eq!(meta["x_edges"].as_array().unwrap().len(), 11);
    // Trials of 40 steps, each less its start transient (half a trial this short): 1000 of
    // them bin the 20000 steps asked for.
    assert_eq!(meta["transient_steps"], 20);
    assert_eq!(meta["steps"], 20000);
    let mut z = NpzIn::open(&d.join("analysis/tuning.npz")).unwrap();
    assert_eq!(z.array("direction_tuning").unwrap().shape, vec![12, 36]);
    assert_eq!(z.array("speed_tuning").unwrap().shape, vec![12, 20]);
    assert_eq!(
        z.array("occupancy").unwrap().data.iter().sum::<f64>(),
        20000.0
    );
    let csv = std::fs::read_to_string(d.join("analysis/scores.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13);
    assert_eq!(
        csv.lines().next().unwrap(),
        gridrnn::analysis::SCORES_HEADER
    );
    let types: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert!(
        types
            .iter()
            .all(|t| ["grid", "ramp", "border", "band", "irregular", "non_spatial"].contains(t)),
        "{types:?}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("analysis/cell_types.json")).unwrap())
            .unwrap();
    assert_eq!(summary["units"], 12);
    assert_eq!(summary["null"]["kind"], "time-shift");
    assert_eq!(summary["null"]["shuffles"], 5);
    let counted: u64 = summary["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(counted, 12);
    assert!(summary["thresholds"]["hexagonal"].as_f64().unwrap() >= 0.3);

    // The figures are PNG files that decode, and report.html embeds each of them.
    let figures: Vec<_> = std::fs::read_dir(d.join("analysis/figures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(figures.len(), 11, "{figures:?}");
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    for f in &figures {
        let bytes = std::fs::read(f).unwrap();
        let info = png::Decoder::new(std::io::Cursor::new(&bytes[..]))
            .read_info()
            .unwrap()
            .info()
            .clone();
        assert!(info.width >= 300 && info.height >= 200, "{f:?}");
        let stem = f.file_stem().unwrap().to_str().unwrap();
        assert!(
            html.contains(&format!("id=\"{stem}\"")),
            "{stem} not in the report"
        );
    }
    use base64::Engine as _;
    let embedded: Vec<&str> = html
        .split("src=\"data:image/png;base64,")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(embedded.len(), 11);
    for e in embedded {
        let png = base64::engine::general_purpose::STANDARD.decode(e).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
    assert!(html.contains("<h2>Cell types</h2>") && html.contains("held-out E"));

    // Fig. 4: every checkpoint the run kept scored, three stages embedded.
    assert!(html.contains("Development over training"));
    let dev: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.join("analysis/development.json")).unwrap(),
    )
    .unwrap();
    let checkpoints = dev["checkpoints"].as_array().unwrap().len();
    assert!(checkpoints >= 3, "{dev}");
    let stages = dev["stage_iterations"].as_array().unwrap();
    assert_eq!(stages.len(), 3);
    assert_eq!(
        stages[2],
        *dev["checkpoints"].as_array().unwrap().last().unwrap()
    );
    let mut z = NpzIn::open(&d.join("analysis/development.npz")).unwrap();
    assert_eq!(z.array("embedding").unwrap().shape, vec![3, 12, 2]);
    assert_eq!(z.array("border").unwrap().shape, vec![checkpoints, 12]);
    assert_eq!(z.array("travel").unwrap().shape, vec![12, 2]);
    assert_eq!(z.array("emergence").unwrap().shape, vec![12]);
    for stages in ["0.5", "0.3,0.1", "early"] {
        let bad = bin()
            .arg("analyze")
            .arg(&d)
            .args(["--stages", stages])
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(2), "{stages}");
        assert!(String::from_utf8_lossy(&bad.stderr).contains("stages"));
    }

    // Fig. 6's long trials: 3 trials of 5000 steps, windows of 50, maps over 500 steps.
    assert!(html.contains("Error correction and stability"));
    let long: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("analysis/long_run.json")).unwrap())
            .unwrap();
    assert_eq!(
        (long["trials"].as_u64(), long["steps"].as_u64()),
        (Some(3), Some(5000))
    );
    assert_eq!(long["map_steps"], 500);
    assert!(long["mean_error"].as_f64().unwrap() > 0.0);
    let mut z = NpzIn::open(&d.join("analysis/long_run.npz")).unwrap();
    assert_eq!(z.array("event_error").unwrap().shape, vec![4, 101]);
    assert_eq!(z.array("free_error").unwrap().shape, vec![101]);
    assert_eq!(z.array("window_error").unwrap().shape, vec![3, 100]);
    assert_eq!(z.array("window_constant").unwrap().shape, vec![3, 100]);
    assert_eq!(z.array("map_correlation").unwrap().shape, vec![12]);
    let bad = bin()
        .arg("analyze")
        .arg(&d)
        .args(["--long-steps", "100"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("long run"));
    // A transient as long as the trials leaves nothing to bin: refused, naming the option.
    let bad = bin()
        .arg("analyze")
        .arg(&d)
        .args(["--transient-steps", "40"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--transient-steps 40"));
    let bad = bin()
        .arg("analyze")
        .arg(&d)
        .args(["--colormap", "rainbow"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("rainbow") && err.contains("viridis") && err.contains("jet"),
        "{err}"
    );

    // The same maps through `score`, as anyone's maps.
    let out = d.join("scored.csv");
    ok(bin()
        .arg("score")
        .arg(d.join("analysis/ratemaps.npy"))
        .args(["--shuffles", "5", "--out"])
        .arg(&out)
        .output()
        .unwrap());
    let scored = std::fs::read_to_string(&out).unwrap();
    assert_eq!(scored.lines().count(), 13);
    // Same map, same convention: the spatial scores agree with analyze's.
    let col = |text: &str, name: &str| -> Vec<String> {
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let k = header.iter().position(|h| *h == name).unwrap();
        text.lines()
            .skip(1)
            .map(|l| l.split(',').nth(k).unwrap().to_string())
            .collect()
    };
    assert_eq!(col(&csv, "grid_score"), col(&scored, "grid_score"));
    assert_eq!(col(&csv, "border_score"), col(&scored, "border_score"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("scored.cell_types.json")).unwrap())
            .unwrap();
    assert_eq!(summary["null"]["kind"], "map-permutation");
}

#[test]
fn score_refuses_bad_arguments_before_scoring() {
    let d = tmp("score-bad");
    let maps = d.join("maps.npy");
    let a = ndarray::Array3::<f64>::zeros((2, 10, 10));
    ndarray_npy::write_npy(&maps, &a).unwrap();
    let run = |args: &[&str]| {
        let out = bin()
            .arg("score")
            .arg(&maps)
            .args(args)
            .args(["--out"])
            .arg(d.join("s.csv"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, err) = run(&["--percentile", "100"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--percentile"), "{err}");
    let (code, err) = run(&["--arena", "octagon"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("octagon") && err.contains("triangle"), "{err}");
    // A triangle binned 10 along its longer side is 9 x 10, not 10 x 10.
    let (code, err) = run(&["--arena", "triangle"]);
    assert_eq!(code, Some(3));
    assert!(
        err.contains("do not match") && err.contains("9 x 10"),
        "{err}"
    );
    assert!(!d.join("s.csv").exists());
}
