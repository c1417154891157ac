//! `reproduce/claims.toml` as its file writes it: each claim with a rule tagged by `kind`,
//! checked once into [`Claim`]s (known kinds, keys, measures and studies) by [`parse_claims`].

use serde::Deserialize;

use super::claims::{Claim, Op, Rule};
use super::measure::{pooled_measure, run_measure};
use crate::error::bad_config;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    claim: Vec<toml::Table>,
}

/// A claim as claims.toml writes it; its rule's keys depend on `kind` ([`RawRule`]).
#[derive(Deserialize)]
struct RawClaim {
    id: String,
    claim: String,
    section: String,
    #[serde(default)]
    study: Option<String>,
    #[serde(default)]
    arenas: Vec<String>,
    #[serde(flatten)]
    rule: RawRule,
}

/// A rule as claims.toml writes it, tagged by `kind`: each kind takes its own keys and no
/// other (the checks that need the studies and the measures come after, in [`parse_claims`]).
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RawRule {
    EachRun {
        measure: String,
        op: String,
        value: f64,
        min_fraction: f64,
    },
    Pooled {
        measure: String,
        op: String,
        value: f64,
    },
    Ablation {
        control: String,
        max_ratio: f64,
        min_control: f64,
    },
    Robust {
        control: String,
        keep_ratio: f64,
        min_control: f64,
    },
    Insensitive {
        control: String,
        e_ratio: f64,
        max_count_change: f64,
    },
    Smaller {
        control: String,
        measure: String,
    },
    NotReproducible {
        reason: String,
    },
}

/// The kinds, as claims.toml names them.
const KINDS: &str = "each_run, pooled, ablation, robust, insensitive, smaller or not_reproducible";

/// Parse and check `text` (claims.toml): every claim names a known kind with its keys (and no
/// other), known measures and, in `studies`, known studies.
pub fn parse_claims(text: &str, studies: &[String]) -> anyhow::Result<Vec<Claim>> {
    let f: ClaimsFile =
        toml::from_str(text).map_err(|e| bad_config(format!("claims.toml: {}", e.message())))?;
    let mut out: Vec<Claim> = Vec::new();
    for (k, table) in f.claim.into_iter().enumerate() {
        let name = table
            .get("id")
            .and_then(|v| v.as_str())
            .map_or_else(|| format!("number {}", k + 1), |id| format!("`{id}`"));
        let err = |what: &str| bad_config(format!("claims.toml, claim {name}: {what}"));
        let c: RawClaim = table.try_into().map_err(|e: toml::de::Error| {
            let m = e.message().to_string();
            match table_kind(&m) {
                Some(kind) => err(&format!("kind `{kind}`: give {KINDS}")),
                None => err(&m),
            }
        })?;
        if out.iter().any(|o| o.id == c.id) {
            return Err(err("the id is used twice"));
        }
        let rule = check_rule(c.rule, studies).map_err(|e| err(&e))?;
        let study = match &rule {
            Rule::NotReproducible { .. } => String::new(),
            _ => {
                let s = c.study.ok_or_else(|| err("its kind needs `study`"))?;
                known_study(s, studies).map_err(|e| err(&e))?
            }
        };
        out.push(Claim {
            id: c.id,
            claim: c.claim,
            section: c.section,
            study,
            arenas: c.arenas,
            rule,
        });
    }
    Ok(out)
}

/// The kind named in serde's "unknown variant `X`" message, if that is what it says.
fn table_kind(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown variant `")?;
    rest.split('`').next()
}

/// `s` if `studies` has it.
fn known_study(s: String, studies: &[String]) -> Result<String, String> {
    if studies.contains(&s) {
        Ok(s)
    } else {
        Err(format!(
            "no study `{s}` in studies.toml (there: {})",
            studies.join(", ")
        ))
    }
}

/// A raw rule's values checked: finite numbers, known measures and studies, a comparison.
fn check_rule(r: RawRule, studies: &[String]) -> Result<Rule, String> {
    let finite = |v: f64, key: &str| {
        v.is_finite()
            .then_some(v)
            .ok_or_else(|| format!("`{key}` must be a finite number"))
    };
    let op = |s: String| Op::parse(&s).ok_or_else(|| format!("op `{s}`: give one of >=, >, <=, <"));
    let pooled = |m: String| match pooled_measure(&m, &[]) {
        Some(_) => Ok(m),
        None => Err(format!("no pooled measure `{m}`")),
    };
    Ok(match r {
        RawRule::EachRun {
            measure,
            op: o,
            value,
            min_fraction,
        } => {
            if run_measure(&measure).is_none() {
                return Err(format!("no per-run measure `{measure}`"));
            }
            if !(min_fraction > 0.5 && min_fraction <= 1.0) {
                return Err("min_fraction must lie in (0.5, 1]".into());
            }
            Rule::EachRun {
                measure,
                op: op(o)?,
                value: finite(value, "value")?,
                min_fraction,
            }
        }
        RawRule::Pooled {
            measure,
            op: o,
            value,
        } => Rule::Pooled {
            measure: pooled(measure)?,
            op: op(o)?,
            value: finite(value, "value")?,
        },
        RawRule::Ablation {
            control,
            max_ratio,
            min_control,
        } => Rule::Ablation {
            control: known_study(control, studies)?,
            max_ratio: finite(max_ratio, "max_ratio")?,
            min_control: finite(min_control, "min_control")?,
        },
        RawRule::Robust {
            control,
            keep_ratio,
            min_control,
        } => Rule::Robust {
            control: known_study(control, studies)?,
            keep_ratio: finite(keep_ratio, "keep_ratio")?,
            min_control: finite(min_control, "min_control")?,
        },
        RawRule::Insensitive {
            control,
            e_ratio,
            max_count_change,
        } => Rule::Insensitive {
            control: known_study(control, studies)?,
            e_ratio: finite(e_ratio, "e_ratio")?,
            max_count_change: finite(max_count_change, "max_count_change")?,
        },
        RawRule::Smaller { control, measure } => Rule::Smaller {
            control: known_study(control, studies)?,
            measure: pooled(measure)?,
        },
        RawRule::NotReproducible { reason } => Rule::NotReproducible { reason },
    })
}
