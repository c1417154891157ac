//! Snapshot of the project's own scores: every numeric column of `scores.csv` at full
//! precision, each map's lattice and cell type, and the thresholds of a fixed-seed
//! map-shuffle null, on the 210 golden maps of tests/golden. A change to any score, the null
//! or the classifier shows here to 1e-12, so "scores bit-identical" is a CI check.
//!
//! After a deliberate change, rewrite the snapshot with
//! `GRIDRNN_BLESS=1 cargo test --release --test score_snapshot` and say why in the commit.

use gridrnn::analysis::{MapLayout, ScoreOptions, score_maps, score_values};
use ndarray::Array3;
use serde_json::{Value, json};

/// Numbers may differ by this much between the snapshot and now (float64 rounding in a
/// reordered sum stays far below it; a changed convention does not).
const TOLERANCE: f64 = 1e-12;

fn snapshot_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/score_snapshot.json")
}

/// The scores of the golden maps now, as the snapshot stores them (NaN as null).
fn scores_now() -> Value {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let maps: Array3<f64> = ndarray_npy::read_npy(dir.join("opexebo_maps.npy")).unwrap();
    let (h, w) = (maps.shape()[1], maps.shape()[2]);
    let list: Vec<Vec<f64>> = maps
        .outer_iter()
        .map(|m| m.iter().copied().collect())
        .collect();
    let o = ScoreOptions {
        shuffles: 10,
        percentile: 99.0,
        threads: 2,
        seed: 7,
    };
    let layout = MapLayout::rectangle(h, w);
    let (rows, t) = score_maps(&list, &layout, &o);
    let number = |v: f64| if v.is_nan() { Value::Null } else { json!(v) };
    let thresholds = [
        t.hexagonal,
        t.square,
        t.component,
        t.band,
        t.border,
        t.ramp,
        t.stability,
    ]
    .map(number);
    let values: Vec<Vec<Value>> = rows
        .iter()
        .map(|r| score_values(r, layout.bin_width).map(number).to_vec())
        .collect();
    let lattice: Vec<&str> = rows
        .iter()
        .map(|r| r.spatial.lattice.lattice.name())
        .collect();
    let cell_type: Vec<&str> = rows.iter().map(|r| r.cell_type.name()).collect();
    json!({
        "thresholds": thresholds,
        "values": values,
        "lattice": lattice,
        "cell_type": cell_type,
    })
}

/// Where `now` differs from `then`: numbers beyond [`TOLERANCE`], anything else unequal.
fn differences(path: &str, then: &Value, now: &Value, out: &mut Vec<String>) {
    match (then, now) {
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in a {
                differences(
                    &format!("{path}.{k}"),
                    x,
                    b.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() > TOLERANCE {
                out.push(format!("{path}: {x} then, {y} now"));
            }
        }
        _ if then != now => out.push(format!("{path}: {then} then, {now} now")),
        _ => {}
    }
}

#[test]
fn the_golden_maps_score_as_the_snapshot_says() {
    let now = scores_now();
    if std::env::var_os("GRIDRNN_BLESS").is_some() {
        let text = serde_json::to_string(&now).unwrap();
        std::fs::write(snapshot_path(), text).unwrap();
        return;
    }
    let then: Value = serde_json::from_str(
        &std::fs::read_to_string(snapshot_path())
            .expect("tests/golden/score_snapshot.json (write it with GRIDRNN_BLESS=1)"),
    )
    .unwrap();
    let mut out = Vec::new();
    differences("", &then, &now, &mut out);
    let shown: Vec<&String> = out.iter().take(20).collect();
    assert!(
        out.is_empty(),
        "{} differences from the snapshot, first: {shown:#?}",
        out.len()
    );
    // The snapshot is not trivial: the golden set holds grids, bands and borders.
    let types = now["cell_type"].as_array().unwrap();
    for t in ["grid", "band", "border"] {
        assert!(types.iter().any(|v| v == t), "no {t} among the golden maps");
    }
}
