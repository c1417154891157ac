//! What `gridrnn reproduce` trains (`reproduce/studies.toml`): the paper's
//! conditions as studies, each a sweep over seeds (and arenas), at a budget.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use serde::Deserialize;

use crate::error::bad_config;
use crate::report::AnalysisSettings;
use crate::sweep::{Sweep, SweepSpec};

/// The studies committed with the code (`reproduce/studies.toml`).
pub const STUDIES_TOML: &str = include_str!("../../reproduce/studies.toml");

/// How much each run trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// A preview: about 40 minutes on 2 cores for the paper's readout, 80 for place cells.
    Fast,
    /// The authors' reported budget per run.
    Paper,
}

impl Budget {
    /// Its name in studies.toml and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Budget::Fast => "fast",
            Budget::Paper => "paper",
        }
    }
}

impl FromStr for Budget {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Budget> {
        match s {
            "fast" => Ok(Budget::Fast),
            "paper" => Ok(Budget::Paper),
            _ => Err(bad_config(format!(
                "--budget {s}: give fast (a preview: about two hours on 2 cores for both readouts) or paper (the authors' budget: 1900 Hessian-free updates per run)"
            ))),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StudiesFile {
    budget: BTreeMap<String, BudgetSpec>,
    study: Vec<StudySpec>,
    #[serde(default)]
    readout: BTreeMap<String, ReadoutSpec>,
}

/// A readout other than the paper's: its base config (a preset and overrides), its own
/// budgets and its own studies, named as the paper's studies they mirror so that the same
/// claims judge them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadoutSpec {
    about: String,
    #[serde(default)]
    preset: Option<String>,
    budget: BTreeMap<String, BudgetSpec>,
    study: Vec<StudySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetSpec {
    seeds: Vec<u64>,
    #[serde(default)]
    set: Vec<String>,
    steps: usize,
    shuffles: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StudySpec {
    name: String,
    about: String,
    #[serde(default)]
    set: Vec<String>,
    #[serde(default)]
    axes: toml::Table,
    #[serde(default)]
    long_steps: usize,
    #[serde(default)]
    stages: Option<String>,
    #[serde(default)]
    fast_seeds: Option<usize>,
}

/// The paper's readout, whose studies are studies.toml's top-level ones.
pub const CARTESIAN: &str = "cartesian";

/// One study: a condition of the paper under one readout, as a validated sweep.
#[derive(Clone, Debug)]
pub struct Study {
    /// The readout it trains ([`CARTESIAN`] or a `[readout.NAME]` of studies.toml).
    pub readout: String,
    /// Its name (its directory under the output, or under the readout's directory).
    pub name: String,
    /// What it is, in a line.
    pub about: String,
    /// Its runs.
    pub sweep: Sweep,
}

impl Study {
    /// How progress lines and tables name it: the study, after its readout unless that is
    /// the paper's.
    pub fn label(&self) -> String {
        if self.readout == CARTESIAN {
            self.name.clone()
        } else {
            format!("{}/{}", self.readout, self.name)
        }
    }
}

/// Every study at one budget.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The budget.
    pub budget: Budget,
    /// The readouts, in order ([`CARTESIAN`] first), each with its line of description.
    pub readouts: Vec<(String, String)>,
    /// The studies, in order, readout by readout.
    pub studies: Vec<Study>,
    /// Every study name of studies.toml, each once, whichever readouts were kept: the names
    /// claims.toml may use.
    names: Vec<String>,
}

impl Plan {
    /// The studies of `text` (studies.toml) at `budget`, with `extra` overrides
    /// (`section.key=value`) applied to every run after the budget's and the study's; every
    /// run's config is validated here, before anything trains.
    pub fn parse(text: &str, budget: Budget, extra: &[String]) -> anyhow::Result<Plan> {
        Plan::parse_readouts(text, budget, extra, None)
    }

    /// As [`Plan::parse`], keeping only the readouts named in `only` (all when None); a name
    /// that is not a readout of studies.toml is an error that lists them.
    pub fn parse_readouts(
        text: &str,
        budget: Budget,
        extra: &[String],
        only: Option<&[String]>,
    ) -> anyhow::Result<Plan> {
        let f: StudiesFile = toml::from_str(text)
            .map_err(|e| bad_config(format!("studies.toml: {}", e.message())))?;
        let mut groups = vec![(
            CARTESIAN.to_string(),
            ReadoutSpec {
                about: "the paper's (x, y) readout, squared error (eq. 2-3)".into(),
                preset: None,
                budget: f.budget,
                study: f.study,
            },
        )];
        for (name, r) in f.readout {
            if name == CARTESIAN {
                return Err(bad_config(format!(
                    "studies.toml: [readout.{CARTESIAN}] is the top-level studies; give the readout another name"
                )));
            }
            groups.push((name, r));
        }
        let mut names: Vec<String> = Vec::new();
        for s in groups.iter().flat_map(|g| &g.1.study) {
            if !names.contains(&s.name) {
                names.push(s.name.clone());
            }
        }
        if let Some(only) = only {
            let known: Vec<&str> = groups.iter().map(|g| g.0.as_str()).collect();
            if let Some(bad) = only.iter().find(|o| !known.contains(&o.as_str())) {
                return Err(bad_config(format!(
                    "--readouts: no readout `{bad}` in studies.toml (there: {})",
                    known.join(", ")
                )));
            }
            groups.retain(|g| only.contains(&g.0));
        }
        let mut plan = Plan {
            budget,
            readouts: Vec::new(),
            studies: Vec::new(),
            names,
        };
        for (readout, r) in groups {
            let b = r.budget.get(budget.name()).ok_or_else(|| {
                bad_config(format!(
                    "studies.toml has no budget `{}` for the {readout} readout",
                    budget.name()
                ))
            })?;
            for s in r.study {
                if plan
                    .studies
                    .iter()
                    .any(|o| o.readout == readout && o.name == s.name)
                {
                    return Err(bad_config(format!(
                        "studies.toml: study `{}` is given twice for the {readout} readout",
                        s.name
                    )));
                }
                plan.studies
                    .push(study(&readout, r.preset.clone(), b, s, budget, extra)?);
            }
            plan.readouts.push((readout, r.about));
        }
        Ok(plan)
    }

    /// Runs in all.
    pub fn runs(&self) -> usize {
        self.studies.iter().map(|s| s.sweep.points.len()).sum()
    }

    /// Every study name of studies.toml, each once, including those of readouts left out.
    pub fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// The study names of one readout.
    pub fn names_of(&self, readout: &str) -> Vec<String> {
        self.studies
            .iter()
            .filter(|s| s.readout == readout)
            .map(|s| s.name.clone())
            .collect()
    }
}

/// One study of one readout at budget `b`, validated: the readout's preset, then the
/// budget's, the study's and the caller's overrides.
fn study(
    readout: &str,
    preset: Option<String>,
    b: &BudgetSpec,
    s: StudySpec,
    budget: Budget,
    extra: &[String],
) -> anyhow::Result<Study> {
    let seeds = match (budget, s.fast_seeds) {
        (Budget::Fast, Some(k)) => b.seeds.iter().copied().take(k.max(1)).collect(),
        _ => b.seeds.clone(),
    };
    let spec = SweepSpec {
        name: s.name.clone(),
        preset,
        set: b.set.iter().chain(&s.set).chain(extra).cloned().collect(),
        seeds,
        axes: s.axes,
        analysis: AnalysisSettings {
            steps: b.steps,
            shuffles: b.shuffles,
            long_steps: s.long_steps,
            stages: s.stages.unwrap_or_else(|| "off".into()),
            ..AnalysisSettings::default()
        },
        ..SweepSpec::default()
    };
    let what = if readout == CARTESIAN {
        format!("study `{}`", s.name)
    } else {
        format!("study `{}` of the {readout} readout", s.name)
    };
    let sweep = Sweep::from_spec(spec, Path::new("reproduce/studies.toml"))
        .map_err(|e| bad_config(format!("{what}: {e:#}")))?;
    Ok(Study {
        readout: readout.to_string(),
        name: s.name,
        about: s.about,
        sweep,
    })
}
