//! A sweep file: a base config plus axes, expanded into one run per point of their
//! product, every point's config resolved and validated before anything runs.
//!
//! ```toml
//! name = "regularisation"
//! preset = "pytorch-peer"          # optional; or config = "base.toml" (relative to this file)
//! set = ["train.iterations=300"]   # fixed overrides
//! seeds = [0, 1]
//! [axes]
//! "model.noise_std" = [0.0, 0.1]
//! "task.arena" = ["square", "triangle", "hexagon"]
//! [analysis]                       # optional: what each run's analysis does
//! steps = 1000000
//! shuffles = 100
//! long_steps = 0                   # Fig. 6's long trials per run (0: skipped)
//! stages = "off"                   # Fig. 4's stages, or e.g. "0.02,0.2,1"
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{ValidConfig, load};
use crate::error::bad_config;
use crate::report::AnalysisSettings;

/// A sweep as its file writes it, before validation (`gridrnn reproduce` builds these in
/// memory).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Its name (a directory name).
    pub name: String,
    /// Preset the points start from.
    #[serde(default)]
    pub preset: Option<String>,
    /// Config file the points start from (relative to the sweep file).
    #[serde(default)]
    pub config: Option<PathBuf>,
    /// Fixed overrides, `section.key=value`.
    #[serde(default)]
    pub set: Vec<String>,
    /// Seeds, the last axis.
    #[serde(default)]
    pub seeds: Vec<u64>,
    /// Axes: key -> list of values.
    #[serde(default)]
    pub axes: toml::Table,
    /// Each run's analysis.
    #[serde(default)]
    pub analysis: AnalysisSettings,
}

/// One point of the sweep.
#[derive(Clone, Debug)]
pub struct Point {
    /// Its name, also its run directory's: index, then `key=value` per axis.
    pub name: String,
    /// The axis values, as `section.key=value` (seed as `train.seed=S`).
    pub sets: Vec<String>,
    /// The resolved config.
    pub config: ValidConfig,
}

/// A validated sweep.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Its name.
    pub name: String,
    /// The axes' keys in order (`train.seed` last when seeds are given).
    pub axes: Vec<String>,
    /// Every point.
    pub points: Vec<Point>,
    /// Each run's analysis.
    pub analysis: AnalysisSettings,
}

/// A TOML value as `--set` takes it.
fn set_value(v: &toml::Value) -> Result<String, String> {
    match v {
        toml::Value::String(s) => Ok(format!("\"{s}\"")),
        toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => {
            Ok(v.to_string())
        }
        other => Err(format!("{other} is not a number, string or boolean")),
    }
}

/// The value as a directory name shows it.
fn shown(set: &str) -> String {
    let (key, value) = set.split_once('=').expect("sets are key=value");
    let short = key.rsplit('.').next().unwrap_or(key);
    format!("{short}={}", value.trim_matches('"'))
}

impl Sweep {
    /// Read and validate `path`: every point's config must load, or nothing runs.
    pub fn load(path: &Path) -> anyhow::Result<Sweep> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| bad_config(format!("cannot read sweep file {}: {e}", path.display())))?;
        let f: SweepSpec = toml::from_str(&text).map_err(|e| {
            bad_config(format!(
                "sweep file {}: {} (keys: name, preset, config, set, seeds, [axes], [analysis])",
                path.display(),
                e.message()
            ))
        })?;
        Sweep::from_spec(f, path)
    }

    /// Validate `f`, read from (or standing for) the file `path`: every point's config and
    /// the `[analysis]` settings must load, or nothing runs.
    pub fn from_spec(f: SweepSpec, path: &Path) -> anyhow::Result<Sweep> {
        if f.name.is_empty() || f.name.contains('/') {
            return Err(bad_config(format!(
                "sweep file {}: `name` must be a non-empty name without '/'",
                path.display()
            )));
        }
        f.analysis
            .options(1)
            .map_err(|e| bad_config(format!("sweep file {}: [analysis] {e:#}", path.display())))?;
        let mut axes: Vec<(String, Vec<String>)> = Vec::new();
        for (key, values) in &f.axes {
            let list = values.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
                bad_config(format!(
                    "sweep axis `{key}`: give a non-empty list of values, e.g. \"{key}\" = [0.0, 0.1]"
                ))
            })?;
            let sets = list
                .iter()
                .map(|v| set_value(v).map(|s| format!("{key}={s}")))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad_config(format!("sweep axis `{key}`: {e}")))?;
            axes.push((key.clone(), sets));
        }
        if !f.seeds.is_empty() {
            if f.axes.contains_key("train.seed") {
                return Err(bad_config(
                    "sweep: give seeds either as `seeds` or as the axis train.seed, not both",
                ));
            }
            axes.push((
                "train.seed".into(),
                f.seeds.iter().map(|s| format!("train.seed={s}")).collect(),
            ));
        }
        let base = f
            .config
            .as_ref()
            .map(|c| path.parent().map_or_else(|| c.clone(), |dir| dir.join(c)));
        let total: usize = axes.iter().map(|a| a.1.len()).product();
        let mut points = Vec::with_capacity(total);
        for k in 0..total {
            // Mixed radix, last axis fastest.
            let mut rest = k;
            let mut sets = vec![String::new(); axes.len()];
            for (a, (_, values)) in axes.iter().enumerate().rev() {
                sets[a] = values[rest % values.len()].clone();
                rest /= values.len();
            }
            let all: Vec<String> = f.set.iter().cloned().chain(sets.iter().cloned()).collect();
            let config = load(base.as_deref(), f.preset.as_deref(), &all)
                .map_err(|e| bad_config(format!("sweep point {k} ({}): {e}", sets.join(", "))))?;
            let mut name = format!("{k:03}");
            for s in &sets {
                name.push('-');
                name.push_str(&shown(s));
            }
            points.push(Point { name, sets, config });
        }
        Ok(Sweep {
            name: f.name,
            axes: axes.into_iter().map(|a| a.0).collect(),
            points,
            analysis: f.analysis,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gridrnn-sweep-spec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(format!(
            "{:x}.toml",
            text.len() * 7919 + text.bytes().map(usize::from).sum::<usize>()
        ));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn axes_expand_into_their_product_with_seeds_last() {
        let p = write(
            "name = \"t\"\npreset = \"pytorch-peer\"\nset = [\"train.iterations=3\"]\nseeds = [4, 5]\n[axes]\n\"model.noise_std\" = [0.0, 0.1]\n\"task.arena\" = [\"square\", \"hexagon\", \"triangle\"]\n",
        );
        let s = Sweep::load(&p).unwrap();
        assert_eq!(s.points.len(), 12);
        assert_eq!(s.axes, ["model.noise_std", "task.arena", "train.seed"]);
        assert_eq!(s.points[0].name, "000-noise_std=0.0-arena=square-seed=4");
        assert_eq!(s.points[11].name, "011-noise_std=0.1-arena=triangle-seed=5");
        let c = &s.points[7].config;
        assert_eq!(c.train.iterations, 3);
        assert_eq!(c.train.seed, 5);
        assert_eq!(c.model.noise_std, 0.1);
        let names: std::collections::HashSet<_> = s.points.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), 12);
    }

    #[test]
    fn a_bad_point_fails_the_whole_sweep_naming_it() {
        let p = write("name = \"t\"\n[axes]\n\"model.units\" = [10, -3]\n");
        let e = Sweep::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("sweep point 1") && e.contains("model.units"),
            "{e}"
        );
        let p = write("name = \"t\"\n[axes]\n\"model.units\" = []\n");
        let e = Sweep::load(&p).unwrap_err().to_string();
        assert!(e.contains("non-empty list"), "{e}");
        let p = write("name = \"t\"\nsedes = [1]\n");
        let e = Sweep::load(&p).unwrap_err().to_string();
        assert!(e.contains("sedes"), "{e}");
    }
}
