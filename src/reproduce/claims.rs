//! The paper's claims and their verdict rules (`reproduce/claims.toml`), checked
//! once into [`Claim`]s, and the verdicts they give on a set of analyzed runs.

use serde::Deserialize;

pub use super::claims_toml::parse_claims;
use super::measure::{Measured, Pooled, RunData, pooled_measure, run_measure};
pub use super::verdict::{Judgement, Verdict};
use crate::analysis::CellType;

/// The rules committed with the code (`reproduce/claims.toml`).
pub const CLAIMS_TOML: &str = include_str!("../../reproduce/claims.toml");

/// A comparison of a measure with a value.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(try_from = "String")]
pub enum Op {
    /// >=
    AtLeast,
    /// >
    Above,
    /// <=
    AtMost,
    /// <
    Below,
}

impl TryFrom<String> for Op {
    type Error = String;
    /// The comparison as claims.toml writes it: >=, >, <= or <.
    fn try_from(s: String) -> Result<Op, String> {
        Ok(match s.as_str() {
            ">=" => Op::AtLeast,
            ">" => Op::Above,
            "<=" => Op::AtMost,
            "<" => Op::Below,
            _ => return Err(format!("op `{s}`: give one of >=, >, <=, <")),
        })
    }
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::AtLeast => ">=",
            Op::Above => ">",
            Op::AtMost => "<=",
            Op::Below => "<",
        }
    }

    /// Whether `x op value`; NaN never passes.
    pub fn pass(self, x: f64, value: f64) -> bool {
        match self {
            Op::AtLeast => x >= value,
            Op::Above => x > value,
            Op::AtMost => x <= value,
            Op::Below => x < value,
        }
    }
}

/// How a claim is judged (see the head of claims.toml), as claims.toml writes it: tagged by
/// `kind`, each kind with its own keys and no other.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// The measure run by run.
    EachRun {
        /// Per-run measure.
        measure: String,
        /// Comparison.
        op: Op,
        /// Against.
        value: f64,
        /// Fraction of runs that must pass.
        min_fraction: f64,
    },
    /// The measure over the runs' units pooled.
    Pooled {
        /// Pooled measure.
        measure: String,
        /// Comparison.
        op: Op,
        /// Against.
        value: f64,
    },
    /// Grid units fall without an ingredient.
    Ablation {
        /// The study with everything on.
        control: String,
        /// Largest ratio of the means that still holds.
        max_ratio: f64,
        /// Fewest grid units per 100 (control mean) that make the test mean something.
        min_control: f64,
    },
    /// Grid units stay with a change.
    Robust {
        /// The study with everything on.
        control: String,
        /// Smallest ratio of the means that still holds.
        keep_ratio: f64,
        /// As for [`Rule::Ablation`].
        min_control: f64,
    },
    /// E and the cell-type counts stay with a change.
    Insensitive {
        /// The reference study.
        control: String,
        /// Largest factor between the mean E / baseline of the two.
        e_ratio: f64,
        /// Largest change of a type's mean count per 100 units.
        max_count_change: f64,
    },
    /// A pooled measure is smaller in the study than in the control.
    Smaller {
        /// The reference study.
        control: String,
        /// Pooled measure.
        measure: String,
    },
    /// Not a model output.
    NotReproducible {
        /// Why.
        reason: String,
    },
}

/// One claim, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Short name.
    pub id: String,
    /// The claim in one line.
    pub claim: String,
    /// Where the paper makes it.
    pub section: String,
    /// The study whose runs test it (empty for a claim that is not reproducible).
    pub study: String,
    /// Arenas the runs are restricted to (empty: all).
    pub arenas: Vec<String>,
    /// Its rule.
    pub rule: Rule,
}

impl Claim {
    /// The studies its rule reads: the study, and the control where the rule has one.
    pub fn studies(&self) -> Vec<&str> {
        let control = match &self.rule {
            Rule::Ablation { control, .. }
            | Rule::Robust { control, .. }
            | Rule::Insensitive { control, .. }
            | Rule::Smaller { control, .. } => Some(control.as_str()),
            _ => None,
        };
        std::iter::once(self.study.as_str())
            .chain(control)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

fn fmt(v: f64) -> String {
    if !v.is_finite() {
        "NaN".into()
    } else if v.fract() == 0.0 && v.abs() < 1e4 {
        format!("{v:.0}")
    } else if v != 0.0 && (v.abs() < 0.01 || v.abs() >= 1e4) {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    }
}

/// Mean and range of `v` as "mean m (range lo to hi, n runs)".
fn spread(v: &[f64]) -> String {
    if v.is_empty() {
        return "no runs".into();
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!(
        "mean {} (range {} to {}, {} runs)",
        fmt(mean(v)),
        fmt(lo),
        fmt(hi),
        v.len()
    )
}

/// The mean of `v` (NaN when empty).
pub(super) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Held-out E / baseline at or below which a run counts as localising, for the ablation
/// rule's refutation: the bar docs/place_cells.md sets for a grid result.
pub const LOCALISED: f64 = 0.15;

/// Grid units per 100 of each run.
fn grid_per_100(runs: &[&RunData]) -> Vec<f64> {
    runs.iter().map(|r| r.per_100(CellType::Grid)).collect()
}

/// What a rule gives: the measurement in words, the result, the verdict.
type Outcome = (String, String, Verdict);

/// The runs a claim reads, under one readout.
struct Scope<'a> {
    claim: &'a Claim,
    readout: &'a str,
    runs: &'a [RunData],
    /// The runs of the claim's own study.
    study: Vec<&'a RunData>,
    /// " (arena, ...)" where the claim is restricted to some arenas.
    arenas: String,
}

impl<'a> Scope<'a> {
    /// The runs of `study` under this readout, in the claim's arenas.
    fn of(&self, study: &str) -> Vec<&'a RunData> {
        self.runs
            .iter()
            .filter(|r| {
                r.readout == self.readout
                    && r.study == study
                    && (self.claim.arenas.is_empty() || self.claim.arenas.contains(&r.arena))
            })
            .collect()
    }
}

/// Judge `claim` on the runs of `readout` among `runs` (every analyzed run of every study).
pub fn judge(claim: &Claim, readout: &str, runs: &[RunData]) -> Judgement {
    let mut sc = Scope {
        claim,
        readout,
        runs,
        study: Vec::new(),
        arenas: if claim.arenas.is_empty() {
            String::new()
        } else {
            format!(" ({})", claim.arenas.join(", "))
        },
    };
    sc.study = sc.of(&claim.study);
    let (measurement, result, verdict) = match &claim.rule {
        Rule::NotReproducible { reason } => (
            String::new(),
            String::new(),
            Verdict::NotReproducible(reason.clone()),
        ),
        Rule::EachRun {
            measure,
            op,
            value,
            min_fraction,
        } => each_run(&sc, measure, *op, *value, *min_fraction),
        Rule::Pooled { measure, op, value } => pooled(&sc, measure, *op, *value),
        Rule::Ablation {
            control,
            max_ratio,
            min_control,
        }
        | Rule::Robust {
            control,
            keep_ratio: max_ratio,
            min_control,
        } => grid_counts(&sc, control, *max_ratio, *min_control),
        Rule::Insensitive {
            control,
            e_ratio,
            max_count_change,
        } => insensitive(&sc, control, *e_ratio, *max_count_change),
        Rule::Smaller { control, measure } => smaller(&sc, control, measure),
    };
    Judgement {
        id: claim.id.clone(),
        readout: readout.to_string(),
        claim: claim.claim.clone(),
        section: claim.section.clone(),
        measurement,
        result,
        verdict,
    }
}

/// [`Rule::EachRun`].
fn each_run(sc: &Scope, measure: &str, op: Op, value: f64, min_fraction: f64) -> Outcome {
    let where_ = &sc.arenas;
    let m = run_measure(measure).expect("checked when parsed");
    let taken: Vec<Measured> = sc.study.iter().map(|r| m(r)).collect();
    let values: Vec<f64> = taken.iter().filter_map(|t| t.clone().ok()).collect();
    let pass = values.iter().filter(|&&v| op.pass(v, value)).count();
    let n = values.len();
    let verdict = if n == 0 {
        Verdict::Inconclusive(
            taken
                .iter()
                .find_map(|t| t.clone().err())
                .unwrap_or_else(|| format!("no analyzed runs of `{}`", sc.claim.study)),
        )
    } else if pass as f64 >= min_fraction * n as f64 {
        Verdict::Holds
    } else if pass as f64 <= (1.0 - min_fraction) * n as f64 {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive(format!("the runs disagree: {pass} of {n} pass"))
    };
    (
        format!(
            "{measure} {} {} in at least {:.0} % of the `{}` runs{where_}",
            op.symbol(),
            fmt(value),
            100.0 * min_fraction,
            sc.claim.study
        ),
        format!("{}; {pass} of {n} pass", spread(&values)),
        verdict,
    )
}

/// [`Rule::Pooled`].
fn pooled(sc: &Scope, measure: &str, op: Op, value: f64) -> Outcome {
    let where_ = &sc.arenas;
    let m = pooled_measure(measure, &sc.study).expect("checked when parsed");
    let units: usize = sc.study.iter().map(|r| r.units.len()).sum();
    let (result, verdict) = match m {
        // A ratio over a zero median, say: no number to compare.
        Ok((v, n)) if !v.is_finite() => (
            format!("{} from {n} of the {units} units", fmt(v)),
            Verdict::Inconclusive(format!("`{measure}` is not a finite number here")),
        ),
        Ok((v, n)) => (
            format!(
                "{} from {n} of the {units} units of {} runs",
                fmt(v),
                sc.study.len()
            ),
            if op.pass(v, value) {
                Verdict::Holds
            } else {
                Verdict::DoesNotHold
            },
        ),
        Err(why) => (
            format!("not taken over {} runs", sc.study.len()),
            Verdict::Inconclusive(why),
        ),
    };
    (
        format!(
            "{measure} {} {}, units of the `{}` runs{where_} pooled",
            op.symbol(),
            fmt(value),
            sc.claim.study
        ),
        result,
        verdict,
    )
}

/// [`Rule::Ablation`] and [`Rule::Robust`]: grid units per 100 against the control's.
fn grid_counts(sc: &Scope, control: &str, max_ratio: f64, min_control: f64) -> Outcome {
    let where_ = &sc.arenas;
    let ablation = matches!(sc.claim.rule, Rule::Ablation { .. });
    let (s, c) = (grid_per_100(&sc.study), grid_per_100(&sc.of(control)));
    let result = format!(
        "`{}`: {}; `{control}`: {}",
        sc.claim.study,
        spread(&s),
        spread(&c)
    );
    let verdict = if s.is_empty() || c.is_empty() {
        Verdict::Inconclusive("a study has no analyzed runs".into())
    } else if ablation
        && mean(&c) < min_control
        && mean(&s) >= min_control
        && sc.study.iter().all(|r| r.e_ratio() <= LOCALISED)
    {
        // "No grids without X" is refuted by grids grown without X, whatever the
        // control grows, by networks that do their task (a grid count from a network
        // that does not localise is no evidence).
        Verdict::DoesNotHold
    } else if mean(&c) < min_control {
        Verdict::Inconclusive(format!(
            "the control `{control}` averages {} grid units per 100, fewer than {}: no grid units to {}",
            fmt(mean(&c)),
            fmt(min_control),
            if ablation { "lose" } else { "keep" }
        ))
    } else if (mean(&s) <= max_ratio * mean(&c)) == ablation {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold
    };
    (
        format!(
            "mean grid units per 100 of `{}` {} {} x those of `{control}`{where_}",
            sc.claim.study,
            if ablation { "<=" } else { ">=" },
            fmt(max_ratio)
        ),
        result,
        verdict,
    )
}

/// [`Rule::Insensitive`].
fn insensitive(sc: &Scope, control: &str, e_ratio: f64, max_count_change: f64) -> Outcome {
    let where_ = &sc.arenas;
    let c = sc.of(control);
    let e = |runs: &[&RunData]| mean(&runs.iter().map(|r| r.e_ratio()).collect::<Vec<_>>());
    let count = |runs: &[&RunData], t: CellType| {
        mean(&runs.iter().map(|r| r.per_100(t)).collect::<Vec<_>>())
    };
    let (factor, change, verdict) = if sc.study.is_empty() || c.is_empty() {
        (
            f64::NAN,
            f64::NAN,
            Verdict::Inconclusive("a study has no analyzed runs".into()),
        )
    } else {
        let factor = e(&sc.study) / e(&c);
        let change = CellType::ALL
            .iter()
            .map(|&t| (count(&sc.study, t) - count(&c, t)).abs())
            .fold(0.0, f64::max);
        let ok = factor <= e_ratio && factor >= 1.0 / e_ratio && change <= max_count_change;
        (
            factor,
            change,
            if ok {
                Verdict::Holds
            } else {
                Verdict::DoesNotHold
            },
        )
    };
    let types = |runs: &[&RunData]| {
        CellType::ALL[..5]
            .iter()
            .map(|&t| format!("{} {}", t.name(), fmt(count(runs, t))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    (
        format!(
            "held-out E / baseline of `{}` within x{} of `{control}`'s and every type's mean count per 100 within {}{where_}",
            sc.claim.study,
            fmt(e_ratio),
            fmt(max_count_change)
        ),
        format!(
            "E factor {} (`{}` {}, `{control}` {}); largest count change {} (`{}`: {}; `{control}`: {})",
            fmt(factor),
            sc.claim.study,
            fmt(e(&sc.study)),
            fmt(e(&c)),
            fmt(change),
            sc.claim.study,
            types(&sc.study),
            types(&c)
        ),
        verdict,
    )
}

/// [`Rule::Smaller`].
fn smaller(sc: &Scope, control: &str, measure: &str) -> Outcome {
    let where_ = &sc.arenas;
    let s = pooled_measure(measure, &sc.study).expect("checked when parsed");
    let c = pooled_measure(measure, &sc.of(control)).expect("checked when parsed");
    let shown = |m: &Pooled| {
        m.as_ref()
            .map_or_else(|e| e.clone(), |(v, n)| format!("{} ({n} units)", fmt(*v)))
    };
    let verdict = match (&s, &c) {
        (Ok((a, _)), Ok((b, _))) => {
            if a < b {
                Verdict::Holds
            } else {
                Verdict::DoesNotHold
            }
        }
        (Err(e), _) => Verdict::Inconclusive(format!("`{}`: {e}", sc.claim.study)),
        (_, Err(e)) => Verdict::Inconclusive(format!("`{control}`: {e}")),
    };
    (
        format!(
            "{measure} of `{}` below that of `{control}`{where_}, units pooled",
            sc.claim.study
        ),
        format!(
            "`{}`: {}; `{control}`: {}",
            sc.claim.study,
            shown(&s),
            shown(&c)
        ),
        verdict,
    )
}
