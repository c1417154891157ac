//! `reproduce/claims.toml` as its file writes it: each claim with a rule tagged by `kind`,
//! checked once into [`Claim`]s (known kinds, keys, measures and studies) by [`parse_claims`].

use serde::Deserialize;

use super::claims::{Claim, Rule};
use super::measure::{pooled_measure, run_measure};
use crate::error::bad_config;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimsFile {
    claim: Vec<toml::Table>,
}

/// A claim as claims.toml writes it; its rule's keys depend on `kind` ([`Rule`]).
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
    rule: Rule,
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
                known_study(&s, studies).map_err(|e| err(&e))?;
                s
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

/// Whether `studies` has `s`.
fn known_study(s: &str, studies: &[String]) -> Result<(), String> {
    if studies.iter().any(|t| t == s) {
        Ok(())
    } else {
        Err(format!(
            "no study `{s}` in studies.toml (there: {})",
            studies.join(", ")
        ))
    }
}

/// A rule's values checked: finite numbers, known measures and studies.
fn check_rule(r: Rule, studies: &[String]) -> Result<Rule, String> {
    let finite = |values: &[(f64, &str)]| match values.iter().find(|(v, _)| !v.is_finite()) {
        Some((_, key)) => Err(format!("`{key}` must be a finite number")),
        None => Ok(()),
    };
    let pooled = |m: &str| match pooled_measure(m, &[]) {
        Some(_) => Ok(()),
        None => Err(format!("no pooled measure `{m}`")),
    };
    match &r {
        Rule::EachRun {
            measure,
            value,
            min_fraction,
            ..
        } => {
            if run_measure(measure).is_none() {
                return Err(format!("no per-run measure `{measure}`"));
            }
            finite(&[(*value, "value")])?;
            if !(*min_fraction > 0.5 && *min_fraction <= 1.0) {
                return Err("min_fraction must lie in (0.5, 1]".into());
            }
        }
        Rule::Pooled { measure, value, .. } => {
            pooled(measure)?;
            finite(&[(*value, "value")])?;
        }
        Rule::Ablation {
            control,
            max_ratio: ratio,
            min_control,
        }
        | Rule::Robust {
            control,
            keep_ratio: ratio,
            min_control,
        } => {
            known_study(control, studies)?;
            let key = if matches!(r, Rule::Ablation { .. }) {
                "max_ratio"
            } else {
                "keep_ratio"
            };
            finite(&[(*ratio, key), (*min_control, "min_control")])?;
        }
        Rule::Insensitive {
            control,
            e_ratio,
            max_count_change,
        } => {
            known_study(control, studies)?;
            finite(&[
                (*e_ratio, "e_ratio"),
                (*max_count_change, "max_count_change"),
            ])?;
        }
        Rule::Smaller { control, measure } => {
            known_study(control, studies)?;
            pooled(measure)?;
        }
        Rule::NotReproducible { .. } => {}
    }
    Ok(r)
}
