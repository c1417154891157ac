//! `gridrnn reproduce`: the committed studies and claims parse, bad rules fail
//! naming the claim and key, the verdict rules give each verdict where they should, and a tiny
//! plan runs end to end, resumes by skipping, and writes a page and a claims table that read
//! back.

use std::path::PathBuf;
use std::sync::Mutex;

use gridrnn::analysis::CellType;
use gridrnn::reproduce::{
    Budget, CARTESIAN, CLAIMS_TOML, Claim, Plan, ReproduceOptions, RunData, STUDIES_TOML, UnitData,
    Verdict, judge, parse_claims, reproduce,
};
use gridrnn::sweep::{PointOutcome, RunRow};

#[test]
fn the_committed_studies_and_claims_parse_at_both_budgets() {
    for budget in [Budget::Fast, Budget::Paper] {
        let plan = Plan::parse(STUDIES_TOML, budget, &[]).unwrap();
        let claims = parse_claims(CLAIMS_TOML, &plan.names()).unwrap();
        assert!(claims.len() >= 17, "{}", claims.len());
        // Every study is used by some claim, and the main study covers the three arenas.
        for s in &plan.studies {
            assert!(
                claims.iter().any(|c| c.study == s.name
                    || matches!(&c.rule, gridrnn::reproduce::Rule::Ablation { control, .. }
                    | gridrnn::reproduce::Rule::Robust { control, .. }
                    | gridrnn::reproduce::Rule::Insensitive { control, .. }
                    | gridrnn::reproduce::Rule::Smaller { control, .. } if *control == s.name)),
                "study {} judges nothing",
                s.name
            );
        }
        let arenas = &plan.studies[0].sweep;
        for a in ["square", "triangle", "hexagon"] {
            assert!(arenas.points.iter().any(|p| p.name.contains(a)), "{a}");
        }
        let p = &arenas.points[0].config;
        match budget {
            Budget::Fast => assert_eq!(p.train.iterations, 400),
            Budget::Paper => {
                assert_eq!(p.train.iterations, 1900);
                assert_eq!(p.task.steps, 450);
                assert_eq!(p.train.batch_size, 500);
                assert_eq!(arenas.points.len(), 15);
            }
        }
    }
    // The place-cell readout trains its own studies from its preset, at its own budgets; a
    // plan can keep one readout, and an unknown one is refused naming those there are.
    for budget in [Budget::Fast, Budget::Paper] {
        let plan = Plan::parse(STUDIES_TOML, budget, &[]).unwrap();
        let readouts: Vec<&str> = plan.readouts.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(readouts, [CARTESIAN, "place-cells"]);
        let pc = plan.names_of("place-cells");
        for s in [
            "arenas",
            "no_noise",
            "no_metabolic",
            "no_regularisation",
            "larger_network",
        ] {
            assert!(pc.iter().any(|p| p == s), "{s}");
        }
        let arenas = plan
            .studies
            .iter()
            .find(|s| s.readout == "place-cells" && s.name == "arenas")
            .unwrap();
        assert_eq!(arenas.sweep.points.len() % 3, 0);
        let c = &arenas.sweep.points[0].config;
        assert_eq!(c.model.readout, gridrnn::config::ReadoutName::PlaceCells);
        assert_eq!(c.model.noise_std, 0.01);
        let want = if budget == Budget::Fast { 3000 } else { 8000 };
        assert_eq!(c.train.iterations, want);
    }
    let only = Plan::parse_readouts(
        STUDIES_TOML,
        Budget::Fast,
        &[],
        Some(&["place-cells".to_string()]),
    )
    .unwrap();
    assert!(only.studies.iter().all(|s| s.readout == "place-cells"));
    // Its claims still parse: they may name the other readout's studies.
    parse_claims(CLAIMS_TOML, &only.names()).unwrap();
    let e = Plan::parse_readouts(STUDIES_TOML, Budget::Fast, &[], Some(&["xy".to_string()]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`xy`") && e.contains("place-cells"), "{e}");
    // The fast budget trains one seed of the 256-unit study; overrides reach every run.
    let plan = Plan::parse(STUDIES_TOML, Budget::Fast, &["train.lr=0.002".into()]).unwrap();
    let big = plan
        .studies
        .iter()
        .find(|s| s.readout == CARTESIAN && s.name == "larger_network")
        .unwrap();
    assert_eq!(big.sweep.points.len(), 1);
    assert_eq!(big.sweep.points[0].config.model.units, 256);
    assert!(
        plan.studies
            .iter()
            .flat_map(|s| &s.sweep.points)
            .all(|p| p.config.train.lr == 0.002)
    );
}

#[test]
fn bad_rules_fail_naming_the_claim_and_the_key() {
    let studies = vec!["arenas".to_string(), "no_noise".to_string()];
    let base = "[[claim]]\nid = \"x\"\nclaim = \"c\"\nsection = \"s\"\n";
    let cases = [
        (
            "kind = \"each_run\"\nstudy = \"arenas\"\nmeasure = \"grid_units_per_100\"\nop = \">=\"\nvalue = 1.0\n",
            "min_fraction",
        ),
        (
            "kind = \"each_run\"\nstudy = \"arenas\"\nmeasure = \"grid_cells\"\nop = \">=\"\nvalue = 1.0\nmin_fraction = 0.8\n",
            "grid_cells",
        ),
        (
            "kind = \"pooled\"\nstudy = \"arenas\"\nmeasure = \"border_speed_ratio\"\nop = \"=>\"\nvalue = 1.0\n",
            "op `=>`",
        ),
        (
            "kind = \"ablation\"\nstudy = \"no_noise\"\ncontrol = \"nowhere\"\nmax_ratio = 0.2\nmin_control = 5.0\n",
            "nowhere",
        ),
        (
            "kind = \"pooled\"\nstudy = \"arenas\"\nmeasure = \"border_speed_ratio\"\nop = \"<\"\nvalue = 1.0\nmin_fracton = 0.8\n",
            "min_fracton",
        ),
        ("kind = \"guess\"\nstudy = \"arenas\"\n", "kind `guess`"),
    ];
    for (rest, word) in cases {
        let e = parse_claims(&format!("{base}{rest}"), &studies)
            .unwrap_err()
            .to_string();
        assert!(e.contains(word), "{word}: {e}");
        assert!(e.contains("claims.toml, claim `x`"), "{e}");
    }
    let twice = format!("{base}kind = \"not_reproducible\"\nreason = \"r\"\n").repeat(2);
    assert!(
        parse_claims(&twice, &studies)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
}

fn unit(t: CellType, lattice: &str, speed: f64, direction: f64, walls: Vec<f64>) -> UnitData {
    UnitData {
        cell_type: t.name().into(),
        lattice: lattice.into(),
        spacing: 1.0,
        band_wall_angle: f64::NAN,
        speed_selectivity: speed,
        direction_selectivity: direction,
        walls,
    }
}

/// A run of `study` in `arena` with `grid` grid units, `border` border units (covering one
/// wall, with no speed tuning) and irregular units making 100, and the given E / baseline.
fn run(study: &str, arena: &str, seed: u64, grid: usize, border: usize, e: f64) -> RunData {
    let mut units = Vec::new();
    for k in 0..100 {
        let (t, speed, walls) = if k < grid {
            (CellType::Grid, 1.0, vec![])
        } else if k < grid + border {
            (CellType::Border, 0.01, vec![0.9, 0.1, 0.0, 0.0])
        } else {
            (CellType::Irregular, 1.0, vec![])
        };
        let lattice = if t == CellType::Grid {
            "square"
        } else {
            "none"
        };
        units.push(unit(t, lattice, speed, k as f64, walls));
    }
    let mut counts = vec![0; CellType::ALL.len()];
    for u in &units {
        let k = CellType::ALL
            .iter()
            .position(|t| t.name() == u.cell_type)
            .unwrap();
        counts[k] += 1;
    }
    RunData {
        readout: CARTESIAN.into(),
        study: study.into(),
        dir: PathBuf::from("nowhere"),
        arena: arena.into(),
        seed,
        row: RunRow {
            run: format!("{study}-{arena}-{seed}"),
            values: vec![],
            iterations: 10.0,
            wall_s: 1.0,
            tail_e: e,
            held_out_e: e,
            centre_e: 1.0,
            counts,
            fixed: vec![0, 0, 0],
            best: [f64::NAN; 3],
            emergence: [vec![], vec![]],
        },
        units,
        long_run: Some([0.01 * seed as f64, -1e-4, 0.95]),
    }
}

/// `text`'s claims, checked against the listed studies.
fn claims_over(studies: &[&str], text: &str) -> Vec<Claim> {
    let studies: Vec<String> = studies.iter().map(|s| s.to_string()).collect();
    parse_claims(text, &studies).unwrap()
}

/// Each claim's verdict on `runs`.
fn verdicts(claims: &[Claim], runs: &[RunData]) -> Vec<Verdict> {
    claims
        .iter()
        .map(|c| judge(c, CARTESIAN, runs).verdict)
        .collect()
}

#[test]
fn each_rule_gives_each_verdict_where_it_should() {
    let claims = claims_over(
        &["arenas", "no_noise", "gaussian_init"],
        r#"
[[claim]]
id = "grids"
claim = "grids emerge"
section = "3.1.1"
kind = "each_run"
study = "arenas"
measure = "grid_units_per_100"
op = ">="
value = 10.0
min_fraction = 0.8
[[claim]]
id = "lattice"
claim = "square lattices"
section = "3.1.1"
kind = "pooled"
study = "arenas"
arenas = ["square"]
measure = "grid_square_lattice_fraction"
op = ">="
value = 0.5
[[claim]]
id = "noise"
claim = "no grids without noise"
section = "3.2"
kind = "ablation"
study = "no_noise"
control = "arenas"
arenas = ["square"]
max_ratio = 0.25
min_control = 5.0
[[claim]]
id = "init"
claim = "insensitive to init"
section = "2.3"
kind = "insensitive"
study = "gaussian_init"
control = "arenas"
arenas = ["square"]
e_ratio = 1.25
max_count_change = 15.0
[[claim]]
id = "speed"
claim = "border cells have no speed tuning"
section = "3.1.2"
kind = "pooled"
study = "arenas"
measure = "border_speed_ratio"
op = "<="
value = 0.5
[[claim]]
id = "wall"
claim = "border cells cover one wall"
section = "3.1.1"
kind = "pooled"
study = "arenas"
measure = "border_one_wall_fraction"
op = ">="
value = 0.5
"#,
    );
    // The paper's world: grids in every control run, none without noise, init irrelevant.
    let paper = vec![
        run("arenas", "square", 0, 20, 30, 0.05),
        run("arenas", "square", 1, 15, 30, 0.05),
        run("arenas", "hexagon", 0, 12, 30, 0.05),
        run("no_noise", "square", 0, 0, 30, 0.05),
        run("no_noise", "square", 1, 1, 30, 0.05),
        run("gaussian_init", "square", 0, 18, 32, 0.055),
    ];
    assert_eq!(
        verdicts(&claims, &paper),
        vec![Verdict::Holds; 6],
        "{:#?}",
        claims
            .iter()
            .map(|c| judge(c, CARTESIAN, &paper))
            .collect::<Vec<_>>()
    );
    // Ours: no grids anywhere. Grids do not emerge, the lattice and the ablation cannot be
    // judged, a doubled E breaks insensitivity.
    let ours = vec![
        run("arenas", "square", 0, 0, 58, 0.05),
        run("arenas", "square", 1, 1, 60, 0.05),
        run("arenas", "hexagon", 0, 0, 40, 0.05),
        run("no_noise", "square", 0, 0, 60, 0.05),
        run("gaussian_init", "square", 0, 0, 58, 0.1),
    ];
    let v = verdicts(&claims, &ours);
    assert_eq!(v[0], Verdict::DoesNotHold);
    assert!(
        matches!(&v[1], Verdict::Inconclusive(r) if r.contains("grid units")),
        "{v:?}"
    );
    assert!(
        matches!(&v[2], Verdict::Inconclusive(r) if r.contains("control")),
        "{v:?}"
    );
    assert_eq!(v[3], Verdict::DoesNotHold);
    assert_eq!((&v[4], &v[5]), (&Verdict::Holds, &Verdict::Holds));
    // Split runs are inconclusive; grids that survive the ablation fail it.
    let split = vec![
        run("arenas", "square", 0, 20, 30, 0.05),
        run("arenas", "square", 1, 0, 30, 0.05),
        run("no_noise", "square", 0, 20, 30, 0.05),
    ];
    let v = verdicts(&claims, &split);
    assert!(
        matches!(&v[0], Verdict::Inconclusive(r) if r.contains("1 of 2")),
        "{v:?}"
    );
    assert_eq!(v[2], Verdict::DoesNotHold);
    // Grids grown without the ingredient refute "no grids without it" even where the control
    // grows none; a study without grids against such a control stays inconclusive.
    let without = vec![
        run("arenas", "square", 0, 0, 30, 0.9),
        run("no_noise", "square", 0, 20, 30, 0.01),
    ];
    assert_eq!(verdicts(&claims, &without)[2], Verdict::DoesNotHold);
    let neither = vec![
        run("arenas", "square", 0, 0, 30, 0.9),
        run("no_noise", "square", 0, 4, 30, 0.01),
    ];
    // Grid units counted in a network that does not localise are no evidence either.
    let lost = vec![
        run("arenas", "square", 0, 0, 30, 0.9),
        run("no_noise", "square", 0, 20, 30, 0.9),
    ];
    assert!(
        matches!(&verdicts(&claims, &lost)[2], Verdict::Inconclusive(_)),
        "{:?}",
        verdicts(&claims, &lost)
    );
    assert!(
        matches!(&verdicts(&claims, &neither)[2], Verdict::Inconclusive(r) if r.contains("control")),
        "{:?}",
        verdicts(&claims, &neither)
    );
    // No runs at all: nothing can be judged.
    assert!(
        verdicts(&claims, &[])
            .iter()
            .all(|v| matches!(v, Verdict::Inconclusive(_))),
        "{:?}",
        verdicts(&claims, &[])
    );
}

const TINY_STUDIES: &str = r#"
[budget.fast]
seeds = [0]
set = ["model.units=12", "task.steps=40", "train.batch_size=8", "train.iterations=6", "train.shards=2", "train.checkpoint_every=3"]
steps = 4000
shuffles = 3

[[study]]
name = "arenas"
about = "two arenas"
axes = { "task.arena" = ["square", "triangle"] }
long_steps = 400
stages = "0.3,0.6,1"

[[study]]
name = "no_noise"
about = "no noise"
set = ["model.noise_std=0.0"]

[readout.place-cells]
about = "a few place cells"
preset = "place-cells"

[readout.place-cells.budget.fast]
seeds = [0]
set = ["model.units=12", "model.place_cells=8", "train.batch_size=8", "train.iterations=6", "train.shards=2", "train.checkpoint_every=3"]
steps = 4000
shuffles = 3

[[readout.place-cells.study]]
name = "arenas"
about = "the square"
long_steps = 400
"#;

#[test]
fn a_tiny_plan_runs_resumes_and_writes_its_page() {
    let plan = Plan::parse(TINY_STUDIES, Budget::Fast, &[]).unwrap();
    let claims = parse_claims(
        &CLAIMS_TOML
            .split("[[claim]]")
            .filter(|c| {
                let studies_known = ["\"arenas\"", "\"no_noise\""];
                let mentions: Vec<&str> = c
                    .lines()
                    .filter(|l| l.starts_with("study") || l.starts_with("control"))
                    .collect();
                mentions
                    .iter()
                    .all(|l| studies_known.iter().any(|s| l.ends_with(s)))
            })
            .collect::<Vec<_>>()
            .join("[[claim]]"),
        &plan.names(),
    )
    .unwrap();
    assert!(claims.len() >= 10, "{}", claims.len());
    let out = std::env::temp_dir().join(format!("gridrnn-reproduce-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let o = ReproduceOptions {
        out: out.clone(),
        jobs: 2,
        cores: 2,
        interrupt: None,
    };
    let seen = Mutex::new(Vec::new());
    let progress = |p: &gridrnn::reproduce::Progress| {
        seen.lock()
            .unwrap()
            .push((p.done, p.total, p.outcome.clone().cloned()));
    };
    // Interrupted before it starts: nothing runs, the page says so, the caller is told.
    let stopped = ReproduceOptions {
        interrupt: Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
            true,
        ))),
        ..o.clone()
    };
    let r = reproduce(&plan, &claims, "rules", "studies", &stopped, &progress).unwrap();
    assert!(r.interrupted && r.runs == 0 && seen.lock().unwrap().is_empty());
    let r = reproduce(&plan, &claims, "rules", "studies", &o, &progress).unwrap();
    assert!(r.failures.is_empty() && !r.interrupted, "{:?}", r.failures);
    assert_eq!(r.runs, 4);
    // Every claim under the paper's readout; under place cells every claim but the one that
    // is no model output, those whose studies it does not run marked "not studied".
    let not_model = claims
        .iter()
        .filter(|c| matches!(c.rule, gridrnn::reproduce::Rule::NotReproducible { .. }))
        .count();
    assert_eq!(r.judgements.len(), 2 * claims.len() - not_model);
    for j in r.judgements.iter().filter(|j| j.readout == "place-cells") {
        let c = claims.iter().find(|c| c.id == j.id).unwrap();
        assert_eq!(
            matches!(j.verdict, Verdict::NotStudied(_)),
            c.studies().contains(&"no_noise"),
            "{j:?}"
        );
    }
    {
        let s = seen.lock().unwrap();
        assert_eq!(s.len(), 4);
        assert!(s.iter().all(|x| x.1 == 4 && x.2 == Ok(PointOutcome::Done)));
        let mut done: Vec<usize> = s.iter().map(|x| x.0).collect();
        done.sort();
        assert_eq!(done, [1, 2, 3, 4]);
    }
    assert!(
        out.join("place-cells")
            .join("arenas")
            .join("sweep.json")
            .exists()
    );
    // The long trials ran in the main study, so the stability claims have numbers.
    for stable in r.judgements.iter().filter(|j| j.id == "error_stable") {
        assert!(
            !matches!(stable.verdict, Verdict::Inconclusive(_)),
            "{stable:?}"
        );
    }
    let page = std::fs::read_to_string(&r.page).unwrap();
    for j in &r.judgements {
        assert!(page.contains(&j.claim), "{}", j.claim);
    }
    assert!(page.contains("data:image/png;base64,"));
    assert!(page.contains("Fig. 6") && page.contains("Appendix D"));
    assert!(page.contains("Readouts side by side") && page.contains("<th>place-cells</th>"));
    let csv = std::fs::read_to_string(out.join("claims.csv")).unwrap();
    assert_eq!(csv.lines().count(), r.judgements.len() + 1);
    assert!(csv.starts_with("id,readout,claim,"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("claims.json")).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), r.judgements.len());
    assert_eq!(
        std::fs::read_to_string(out.join("claims.toml")).unwrap(),
        "rules"
    );
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("reproduce.json")).unwrap())
            .unwrap();
    assert_eq!(record["budget"], "fast");
    assert_eq!(record["runs_analyzed"], 4);
    // Again: every run is skipped and the verdicts are the same.
    seen.lock().unwrap().clear();
    let again = reproduce(&plan, &claims, "rules", "studies", &o, &progress).unwrap();
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|x| x.2 == Ok(PointOutcome::Skipped))
    );
    assert_eq!(again.judgements, r.judgements);
    // A changed plan does not reuse the old runs: each point fails naming the difference.
    let changed = Plan::parse(TINY_STUDIES, Budget::Fast, &["train.lr=0.002".into()]).unwrap();
    let refused = reproduce(&changed, &claims, "rules", "studies", &o, &progress).unwrap();
    assert_eq!(refused.failures.len(), 4, "{:?}", refused.failures);
    assert!(
        refused
            .failures
            .iter()
            .all(|f| f.1.contains("different config") && f.1.contains("train.lr")),
        "{:?}",
        refused.failures
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn border_before_grid_needs_three_units_of_each_and_then_follows_the_test() {
    let claims = claims_over(
        &["arenas"],
        "[[claim]]\nid = \"first\"\nclaim = \"border first\"\nsection = \"3.1.3\"\nkind = \"pooled\"\nstudy = \"arenas\"\nmeasure = \"border_first_p\"\nop = \"<=\"\nvalue = 0.05\n",
    );
    let with = |border: Vec<f64>, grid: Vec<f64>| {
        let mut r = run("arenas", "square", 0, grid.len(), border.len(), 0.05);
        r.row.emergence = [border, grid];
        judge(&claims[0], CARTESIAN, &[r]).verdict
    };
    let early: Vec<f64> = (1..=12).map(f64::from).collect();
    assert!(
        matches!(with(early.clone(), vec![500.0]), Verdict::Inconclusive(r) if r.contains("needs 3"))
    );
    assert_eq!(
        with(early.clone(), vec![400.0, 500.0, 600.0, 700.0]),
        Verdict::Holds
    );
    assert_eq!(
        with(vec![400.0, 500.0, 600.0, 700.0], early),
        Verdict::DoesNotHold
    );
}

#[test]
fn emitted_slurm_submits_an_array_per_study_then_the_verdicts_after_all() {
    let plan = Plan::parse(TINY_STUDIES, Budget::Fast, &[]).unwrap();
    let root = std::env::temp_dir().join(format!("gridrnn-reproduce-slurm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let out = root.join("out dir");
    let sets = vec!["train.lr=0.002".to_string()];
    let submit = gridrnn::reproduce::emit_reproduce_slurm(
        &plan,
        &out,
        std::path::Path::new(env!("CARGO_BIN_EXE_gridrnn")),
        3,
        &sets,
        "rules",
        "studies",
    )
    .unwrap();
    for s in ["arenas", "no_noise"] {
        let script = std::fs::read_to_string(out.join(s).join("sweep.sbatch")).unwrap();
        assert!(script.contains("--cpus-per-task=3") && script.contains("sweep-point"));
        let runs = std::fs::read_to_string(out.join(s).join("runs.txt")).unwrap();
        assert_eq!(runs.lines().count(), if s == "arenas" { 2 } else { 1 });
    }
    // A stand-in sbatch that logs its arguments one per line and hands out job ids 11, 12, ...
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = root.join("sbatch.log");
    std::fs::write(
        bin.join("sbatch"),
        format!(
            "#!/bin/bash\nn=$(grep -c '^CALL' '{log}' 2>/dev/null || true)\necho CALL >> '{log}'\nfor a in \"$@\"; do echo \"$a\" >> '{log}'; done\necho $((11 + n))\n",
            log = log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("sbatch"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let status = std::process::Command::new("bash")
        .arg(&submit)
        .env("PATH", path)
        .status()
        .unwrap();
    assert!(status.success());
    let logged = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<Vec<&str>> = logged
        .split("CALL\n")
        .filter(|c| !c.is_empty())
        .map(|c| c.lines().collect())
        .collect();
    assert_eq!(calls.len(), 4, "{logged}");
    assert!(
        calls[0][1].ends_with("out dir/arenas/sweep.sbatch"),
        "{logged}"
    );
    assert!(calls[1][1].ends_with("no_noise/sweep.sbatch"), "{logged}");
    assert!(
        calls[2][1].ends_with("place-cells/arenas/sweep.sbatch"),
        "{logged}"
    );
    assert_eq!(calls[3][0], "--dependency=afterany:11:12:13");
    // The verdicts job calls this binary's judge-only step with the same readouts and
    // overrides; run it (no runs yet: every claim inconclusive, and the page is written).
    let wrap = calls[3].last().unwrap();
    assert!(
        wrap.contains("--judge-only")
            && wrap.contains("--set 'train.lr=0.002'")
            && wrap.contains("--readouts 'cartesian,place-cells'"),
        "{wrap}"
    );
    let judged = std::process::Command::new("bash")
        .arg("-c")
        .arg(wrap)
        .output()
        .unwrap();
    assert!(judged.status.success(), "{judged:?}");
    assert!(out.join("paper.html").exists());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn robust_and_smaller_rules_judge_grid_counts_and_spacings() {
    let claims = claims_over(
        &["arenas", "more_noise", "larger_network"],
        r#"
[[claim]]
id = "robust"
claim = "noise level not crucial"
section = "3.2"
kind = "robust"
study = "more_noise"
control = "arenas"
keep_ratio = 0.5
min_control = 5.0
[[claim]]
id = "finer"
claim = "larger networks give finer grids"
section = "3.1.1"
kind = "smaller"
study = "larger_network"
control = "arenas"
measure = "grid_spacing"
"#,
    );
    let spaced = |mut r: RunData, spacing: f64| {
        for u in r.units.iter_mut() {
            u.spacing = spacing;
        }
        r
    };
    let control = spaced(run("arenas", "square", 0, 20, 30, 0.05), 1.0);
    // Grids kept with more noise, finer with more units: both hold.
    let good = vec![
        control.clone(),
        run("more_noise", "square", 0, 12, 30, 0.05),
        spaced(run("larger_network", "square", 0, 10, 30, 0.05), 0.6),
    ];
    assert_eq!(
        verdicts(&claims, &good),
        vec![Verdict::Holds, Verdict::Holds]
    );
    // Grids lost with more noise, coarser with more units: neither holds.
    let bad = vec![
        control,
        run("more_noise", "square", 0, 2, 30, 0.05),
        spaced(run("larger_network", "square", 0, 10, 30, 0.05), 1.5),
    ];
    assert_eq!(
        verdicts(&claims, &bad),
        vec![Verdict::DoesNotHold, Verdict::DoesNotHold]
    );
    // Without grid units in the control, neither can be judged.
    let none = vec![
        run("arenas", "square", 0, 0, 30, 0.05),
        run("more_noise", "square", 0, 0, 30, 0.05),
        run("larger_network", "square", 0, 0, 30, 0.05),
    ];
    assert!(
        verdicts(&claims, &none)
            .iter()
            .all(|v| matches!(v, Verdict::Inconclusive(_)))
    );
}
