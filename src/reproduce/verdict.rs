//! A claim's verdict under one readout, as the claims table shows it.

use serde::Serialize;

/// A verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "verdict", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// The measurement passes the rule.
    Holds,
    /// It fails.
    DoesNotHold,
    /// The runs cannot decide; the reason.
    Inconclusive(String),
    /// Not a model output; the reason.
    NotReproducible(String),
    /// The readout runs no study the claim needs; which.
    NotStudied(String),
}

impl Verdict {
    /// As the claims table shows it.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does not hold",
            Verdict::Inconclusive(_) => "inconclusive",
            Verdict::NotReproducible(_) => "not reproducible",
            Verdict::NotStudied(_) => "not studied",
        }
    }

    /// The reason, where the verdict has one.
    pub fn reason(&self) -> &str {
        match self {
            Verdict::Inconclusive(r) | Verdict::NotReproducible(r) | Verdict::NotStudied(r) => r,
            _ => "",
        }
    }
}

/// A claim judged.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Judgement {
    /// The claim's id.
    pub id: String,
    /// The readout whose runs judged it.
    pub readout: String,
    /// The claim.
    pub claim: String,
    /// Where the paper makes it.
    pub section: String,
    /// What was measured and the rule.
    pub measurement: String,
    /// The number we got with its spread over seeds.
    pub result: String,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
}
