//! Building a config from a preset, a TOML file and `--set` overrides, in that order.

use std::path::Path;

use toml::{Table, Value};

use super::keys::doc;
use super::presets::preset;
use super::schema::Config;
use super::validate::ValidConfig;
use crate::error::bad_config;

/// Resolve and validate: preset (or defaults), then the file, then each `--set`.
pub fn load(
    file: Option<&Path>,
    preset_name: Option<&str>,
    sets: &[String],
) -> anyhow::Result<ValidConfig> {
    let base = match preset_name {
        Some(p) => preset(p)?,
        None => Config::default(),
    };
    let mut table = Table::try_from(&base).expect("a Config always serialises");
    if let Some(f) = file {
        let text = std::fs::read_to_string(f)
            .map_err(|e| bad_config(format!("cannot read config file {}: {e}", f.display())))?;
        merge_text(&mut table, &text, &f.display().to_string())?;
    }
    for s in sets {
        apply_set(&mut table, s)?;
    }
    let cfg = from_table(&table)?;
    cfg.validate()
}

/// Resolve and validate a config given as TOML text (defaults, then the text); `source`
/// names it in messages.
pub fn load_str(text: &str, source: &str) -> anyhow::Result<ValidConfig> {
    let mut table = Table::try_from(Config::default()).expect("a Config always serialises");
    merge_text(&mut table, text, source)?;
    from_table(&table)?.validate()
}

fn merge_text(table: &mut Table, text: &str, source: &str) -> anyhow::Result<()> {
    let user: Table = text.parse().map_err(|e: toml::de::Error| {
        bad_config(format!(
            "config file {source} is not valid TOML: {}",
            e.message()
        ))
    })?;
    merge(table, user, source)
}

/// Deep-merge `user` into `base`, refusing unknown sections and keys.
fn merge(base: &mut Table, user: Table, source: &str) -> anyhow::Result<()> {
    for (section, value) in user {
        let Some(sec) = value.as_table() else {
            return Err(bad_config(format!(
                "{source}: top-level key `{section}` must be a [section] (task, model, loss or train)"
            )));
        };
        for (key, v) in sec {
            check_known(&section, key)?;
            base.entry(section.clone())
                .or_insert_with(|| Value::Table(Table::new()))
                .as_table_mut()
                .expect("sections are tables")
                .insert(key.clone(), v.clone());
        }
    }
    Ok(())
}

fn check_known(section: &str, key: &str) -> anyhow::Result<()> {
    let full = format!("{section}.{key}");
    if doc(&full).is_none() {
        let hint = super::KEY_DOCS
            .iter()
            .map(|(k, _)| *k)
            .min_by_key(|k| edit_distance(k, &full))
            .filter(|k| edit_distance(k, &full) <= 3)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        return Err(bad_config(format!(
            "unknown config key `{full}`{hint}; `gridrnn config` lists every key"
        )));
    }
    Ok(())
}

/// Apply one `section.key=value` override. The value is read as a TOML value, and as a
/// string when it is not one (so `--set task.arena=hexagon` works unquoted).
pub fn apply_set(table: &mut Table, s: &str) -> anyhow::Result<()> {
    let Some((key, raw)) = s.split_once('=') else {
        return Err(bad_config(format!(
            "--set `{s}`: expected section.key=value"
        )));
    };
    let key = key.trim();
    let Some((section, name)) = key.split_once('.') else {
        return Err(bad_config(format!(
            "--set `{s}`: the key must be section.key, e.g. model.units"
        )));
    };
    check_known(section, name)?;
    let raw = raw.trim();
    let value = format!("v = {raw}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| Value::String(raw.to_string()));
    table
        .entry(section.to_string())
        .or_insert_with(|| Value::Table(Table::new()))
        .as_table_mut()
        .expect("sections are tables")
        .insert(name.to_string(), value);
    Ok(())
}

/// Deserialise, turning serde's message into one that names the key.
fn from_table(table: &Table) -> anyhow::Result<Config> {
    let text = toml::to_string(table).expect("a table always serialises");
    toml::from_str::<Config>(&text).map_err(|e| {
        let key = e
            .span()
            .map(|sp| key_at(&text, sp.start))
            .unwrap_or_default();
        let what = e.message().trim().to_string();
        if key.is_empty() {
            bad_config(format!("bad config: {what}"))
        } else {
            let allowed = doc(&key)
                .map(|d| format!("; allowed: {d}"))
                .unwrap_or_default();
            bad_config(format!("config key `{key}`: {what}{allowed}"))
        }
    })
}

/// The dotted key whose line holds byte offset `pos` of a TOML text.
fn key_at(text: &str, pos: usize) -> String {
    let mut section = String::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let l = line.trim();
        if l.starts_with('[') && l.ends_with(']') {
            section = l.trim_matches(|c| c == '[' || c == ']').to_string();
        }
        if pos >= start && pos < end {
            return match l.split_once('=') {
                Some((k, _)) => format!("{section}.{}", k.trim()),
                None => section,
            };
        }
        start = end;
    }
    section
}

/// Levenshtein distance, for did-you-mean hints on short key names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(sets: &[&str]) -> String {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        load(None, None, &sets).unwrap_err().to_string()
    }

    #[test]
    fn every_serialised_key_is_documented_and_every_documented_key_exists() {
        let mut c = Config::default();
        c.task.vertices = vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]];
        c.task.trajectories = "x.npz".into();
        c.model.place_cell_seed = Some(0);
        c.train.hf_curvature_batch = Some(100);
        let t = Table::try_from(&c).unwrap();
        let mut seen = Vec::new();
        for (s, v) in &t {
            for k in v.as_table().unwrap().keys() {
                let full = format!("{s}.{k}");
                assert!(doc(&full).is_some(), "{full} has no doc line");
                seen.push(full);
            }
        }
        for (k, _) in super::super::KEY_DOCS {
            assert!(
                seen.iter().any(|s| s == k),
                "{k} is documented but not a field"
            );
        }
    }

    #[test]
    fn errors_name_the_key_and_the_fix() {
        let e = err(&["model.activaton=tanh"]);
        assert!(
            e.contains("model.activaton") && e.contains("did you mean `model.activation`"),
            "{e}"
        );
        let e = err(&["model.activation=sigmoid"]);
        assert!(
            e.contains("model.activation") && e.contains("retanh"),
            "{e}"
        );
        let e = err(&["model.units=many"]);
        assert!(e.contains("model.units"), "{e}");
        let e = err(&["task.p_stop=1.5"]);
        assert!(e.contains("task.p_stop") && e.contains("[0, 1)"), "{e}");
        let e = err(&["task.start=[5.0, 0.0]"]);
        assert!(e.contains("task.start") && e.contains("outside"), "{e}");
        let e = err(&["units=3"]);
        assert!(e.contains("section.key"), "{e}");
    }

    #[test]
    fn sets_and_presets_apply() {
        let sets = vec![
            "task.arena=hexagon".to_string(),
            "model.units=16".to_string(),
        ];
        let c = load(None, Some("authors-code"), &sets).unwrap();
        assert_eq!(c.task.steps, 450);
        assert_eq!(c.model.units, 16);
        assert_eq!(c.task.arena, super::super::ArenaName::Hexagon);
        // Each arena's name is the value `task.arena` takes.
        use super::super::ArenaName as A;
        for a in [A::Square, A::Triangle, A::Hexagon, A::Circle, A::Polygon] {
            let v = toml::Value::try_from(a).unwrap();
            assert_eq!(v.as_str(), Some(a.name()));
        }
        assert_eq!(
            load(None, Some("pytorch-peer"), &[]).unwrap().config(),
            Config::default().validate().unwrap().config()
        );
    }
}
