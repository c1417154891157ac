//! What `gridrnn reproduce` trains (`reproduce/studies.toml`, issue 13): the paper's
//! conditions as studies, each a sweep over seeds (and arenas), at a budget.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use serde::Deserialize;

use crate::error::bad_config;
use crate::sweep::{Sweep, SweepAnalysis, SweepSpec};

/// The studies committed with the code (`reproduce/studies.toml`).
pub const STUDIES_TOML: &str = include_str!("../../reproduce/studies.toml");

/// How much each run trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// About an hour on 2 cores in all: a preview.
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
                "--budget {s}: give fast (about an hour on 2 cores) or paper (1900 Hessian-free updates per run)"
            ))),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StudiesFile {
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

/// One study: a condition of the paper, as a validated sweep.
#[derive(Clone, Debug)]
pub struct Study {
    /// Its name (its directory under the output).
    pub name: String,
    /// What it is, in a line.
    pub about: String,
    /// Its runs.
    pub sweep: Sweep,
}

/// Every study at one budget.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The budget.
    pub budget: Budget,
    /// The studies, in order.
    pub studies: Vec<Study>,
}

impl Plan {
    /// The studies of `text` (studies.toml) at `budget`, with `extra` overrides
    /// (`section.key=value`) applied to every run after the budget's and the study's; every
    /// run's config is validated here, before anything trains.
    pub fn parse(text: &str, budget: Budget, extra: &[String]) -> anyhow::Result<Plan> {
        let f: StudiesFile = toml::from_str(text)
            .map_err(|e| bad_config(format!("studies.toml: {}", e.message())))?;
        let b = f
            .budget
            .get(budget.name())
            .ok_or_else(|| bad_config(format!("studies.toml has no [budget.{}]", budget.name())))?;
        let mut studies: Vec<Study> = Vec::new();
        for s in f.study {
            if studies.iter().any(|o| o.name == s.name) {
                return Err(bad_config(format!(
                    "studies.toml: study `{}` is given twice",
                    s.name
                )));
            }
            let seeds = match (budget, s.fast_seeds) {
                (Budget::Fast, Some(k)) => b.seeds.iter().copied().take(k.max(1)).collect(),
                _ => b.seeds.clone(),
            };
            let spec = SweepSpec {
                name: s.name.clone(),
                set: b.set.iter().chain(&s.set).chain(extra).cloned().collect(),
                seeds,
                axes: s.axes,
                analysis: SweepAnalysis {
                    steps: b.steps,
                    shuffles: b.shuffles,
                    long_steps: s.long_steps,
                    stages: s.stages.unwrap_or_else(|| "off".into()),
                },
                ..SweepSpec::default()
            };
            let sweep = Sweep::from_spec(spec, Path::new("reproduce/studies.toml"))
                .map_err(|e| bad_config(format!("study `{}`: {e:#}", s.name)))?;
            crate::sweep::check_analysis(&sweep.analysis)
                .map_err(|e| bad_config(format!("study `{}`: {e:#}", s.name)))?;
            studies.push(Study {
                name: s.name,
                about: s.about,
                sweep,
            });
        }
        Ok(Plan { budget, studies })
    }

    /// Runs in all.
    pub fn runs(&self) -> usize {
        self.studies.iter().map(|s| s.sweep.points.len()).sum()
    }

    /// The study names.
    pub fn names(&self) -> Vec<String> {
        self.studies.iter().map(|s| s.name.clone()).collect()
    }
}
