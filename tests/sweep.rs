//! `gridrnn sweep`, `sweep-point` and `summary` end to end on a tiny sweep: every point runs,
//! finished points are skipped, an interrupted one resumes to the same network as an
//! uninterrupted run, the SLURM script names every point, and the summary reads back.

mod common;
use common::{bin, ok, tmp};

const TINY: &str = r#"name = "tiny"
set = ["model.units=12", "task.steps=40", "train.batch_size=8", "train.iterations=6", "train.shards=2", "train.checkpoint_every=3"]
seeds = [0, 1]
[axes]
"model.noise_std" = [0.0, 0.1]
[analysis]
steps = 8000
shuffles = 4
stages = "0.2,0.5,1"
"#;

#[test]
fn a_sweep_runs_skips_resumes_emits_and_summarises() {
    let d = tmp("sweep");
    let file = d.join("tiny.toml");
    std::fs::write(&file, TINY).unwrap();
    let out = d.join("out");
    let run = || {
        let o = ok(bin()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap());
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let first = run();
    assert!(first.contains("4 of 4 points done"), "{first}");
    let names: Vec<String> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4);
    assert!(
        names.iter().any(|n| n == "003-noise_std=0.1-seed=1"),
        "{names:?}"
    );
    let second = run();
    assert_eq!(second.matches("already done").count(), 4, "{second}");

    // A point killed after its checkpoint at iteration 3 resumes to the same network.
    let victim = out.join("runs/001-noise_std=0.0-seed=1");
    let finished = std::fs::read(victim.join("checkpoints/00000006.npz")).unwrap();
    for f in [
        "report.html",
        "checkpoints/00000006.npz",
        "checkpoints/00000006.state.npz",
    ] {
        std::fs::remove_file(victim.join(f)).unwrap();
    }
    let third = run();
    assert!(third.contains("001-noise_std=0.0-seed=1: done"), "{third}");
    assert_eq!(third.matches("already done").count(), 3, "{third}");
    let resumed = std::fs::read(victim.join("checkpoints/00000006.npz")).unwrap();
    let (a, _) =
        gridrnn::io::checkpoint_from(gridrnn::io::NpzIn::from_bytes(finished, "finished").unwrap())
            .unwrap();
    let (b, _) =
        gridrnn::io::checkpoint_from(gridrnn::io::NpzIn::from_bytes(resumed, "resumed").unwrap())
            .unwrap();
    assert_eq!(a.w_rec, b.w_rec);

    // The summary: a row per run, the axes as columns, a figure.
    let csv = out.join("summary.csv");
    ok(bin()
        .arg("summary")
        .arg(&out)
        .arg("--out")
        .arg(&csv)
        .output()
        .unwrap());
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].starts_with("run,model.noise_std,train.seed,iterations,"));
    assert!(lines[0].contains("n_grid") && lines[0].contains("n_hexagonal_above_0.8"));
    let cols: Vec<&str> = lines[4].split(',').collect();
    assert_eq!(&cols[..3], ["003-noise_std=0.1-seed=1", "0.1", "1"]);
    let counts: usize = cols[8..14]
        .iter()
        .map(|c| c.parse::<usize>().unwrap())
        .sum();
    assert_eq!(counts, 12);
    // Fig. 4's emergence, pooled over seeds per condition.
    assert!(lines[0].ends_with("border_emergence_median,grid_emergence_median"));
    let pooled: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.emergence.json")).unwrap())
            .unwrap();
    assert_eq!(pooled.as_array().unwrap().len(), 2);
    assert_eq!(pooled[0]["condition"], "noise_std=0.0");
    let png = std::fs::read(out.join("summary.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    // SLURM: the script runs this binary's `sweep-point` on each line of runs.txt.
    let emitted = d.join("emitted");
    ok(bin()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(&emitted)
        .args(["--emit", "slurm"])
        .output()
        .unwrap());
    let script = std::fs::read_to_string(emitted.join("sweep.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-3"), "{script}");
    assert!(script.contains("sweep-point"));
    let runs = std::fs::read_to_string(emitted.join("runs.txt")).unwrap();
    assert_eq!(runs.lines().count(), 4);
    assert!(
        !emitted
            .join("runs/000-noise_std=0.0-seed=0/config.toml")
            .exists()
    );
    // What one array task does.
    let name = runs.lines().nth(2).unwrap();
    ok(bin()
        .arg("sweep-point")
        .arg(&emitted)
        .arg(name)
        .output()
        .unwrap());
    assert!(emitted.join("runs").join(name).join("report.html").exists());

    // A bad sweep fails before anything is written.
    let bad = d.join("bad.toml");
    std::fs::write(&bad, TINY.replace("[0.0, 0.1]", "[0.0, -1.0]")).unwrap();
    let o = bin()
        .arg("sweep")
        .arg(&bad)
        .arg("--out")
        .arg(d.join("never"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sweep point 2 (model.noise_std=-1.0"));
    assert!(!d.join("never").exists());
}
