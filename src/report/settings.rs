//! What to analyze and draw as a user writes it (`gridrnn analyze`'s options, a sweep file's
//! `[analysis]` table, the studies of `gridrnn reproduce`), checked once into
//! [`ReportOptions`] by one function, so that every path refuses the same bad values.

use serde::{Deserialize, Serialize};

use super::ReportOptions;
use crate::analysis::{
    AnalyzeOptions, DEFAULT_PERCENTILE, DEFAULT_SHUFFLES, DevelopmentOptions, LongRunOptions,
    check_null,
};
use crate::config::{ReadoutName, ValidConfig};
use crate::error::bad_config;
use crate::figures::Colormap;

/// Analysis settings before validation. The defaults are a sweep's: 10^6 recorded steps
/// (docs/design.md section 7), no long trials, no development stages.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisSettings {
    /// Steps recorded (docs/design.md section 7: at least 10^6).
    pub steps: usize,
    /// Spatial bins along the arena's longer side.
    pub bins: usize,
    /// Unit noise on while recording.
    pub noise: bool,
    /// Shuffles per unit of the time-shift null.
    pub shuffles: usize,
    /// Percentile of the null pooled over units that a score must exceed.
    pub percentile: f64,
    /// Steps left out at the start of each recorded trial (None: the analysis's rule,
    /// docs/analysis.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transient_steps: Option<usize>,
    /// The heat maps' colour map: viridis | jet.
    pub colormap: String,
    /// Steps per long trial of Fig. 6 (0: skipped).
    pub long_steps: usize,
    /// Long trials of Fig. 6.
    pub long_trials: usize,
    /// Fig. 4's stages as fractions of training (`0.02,0.2,1`), or `off`.
    pub stages: String,
}

impl Default for AnalysisSettings {
    fn default() -> Self {
        AnalysisSettings {
            steps: 1_000_000,
            bins: 20,
            noise: false,
            shuffles: DEFAULT_SHUFFLES,
            percentile: DEFAULT_PERCENTILE,
            transient_steps: None,
            colormap: "viridis".into(),
            long_steps: 0,
            long_trials: 10,
            stages: "off".into(),
        }
    }
}

impl AnalysisSettings {
    /// What `gridrnn run` does after training: every figure, Fig. 4's three stages and
    /// Fig. 6's ten long trials of 10^6 steps; 10^5 for a place-cell readout, whose network
    /// is trained on short trials from a known start and whose readout costs a GEMM per step
    /// (10^6 steps took 233 s at 512 units; docs/place_cells.md).
    pub fn for_run(cfg: &ValidConfig) -> AnalysisSettings {
        let long_steps = match cfg.model.readout {
            ReadoutName::PlaceCells => 100_000,
            ReadoutName::Cartesian => 1_000_000,
        };
        AnalysisSettings {
            long_steps,
            stages: "0.02,0.2,1".into(),
            ..AnalysisSettings::default()
        }
    }

    /// Check every setting and build the options on `threads` threads; the error names the
    /// setting and the values it takes.
    pub fn options(&self, threads: usize) -> anyhow::Result<ReportOptions> {
        let bad = |what: String| bad_config(format!("analysis setting {what}"));
        if self.bins < 2 || self.steps == 0 {
            return Err(bad(format!(
                "bins = {} / steps = {}: bins must be at least 2 and steps at least 1",
                self.bins, self.steps
            )));
        }
        check_null(self.shuffles, self.percentile).map_err(bad)?;
        let colormap = Colormap::parse(&self.colormap).ok_or_else(|| {
            bad(format!(
                "colormap = {:?}: use viridis or jet",
                self.colormap
            ))
        })?;
        let analysis = AnalyzeOptions {
            steps: self.steps,
            bins: self.bins,
            noise: self.noise,
            threads,
            shuffles: self.shuffles,
            percentile: self.percentile,
            transient: self.transient_steps,
        };
        let long_run = (self.long_steps > 0).then(|| {
            LongRunOptions::with_steps(self.long_trials, self.long_steps, self.bins, threads)
        });
        if let Some(l) = &long_run {
            l.check().map_err(bad)?;
        }
        let development = DevelopmentOptions::parse_stages(&self.stages)
            .map_err(bad)?
            .map(|stages| DevelopmentOptions {
                stages,
                bins: self.bins,
                ..DevelopmentOptions::defaults(threads)
            });
        if let Some(d) = &development {
            d.check().map_err(bad)?;
        }
        Ok(ReportOptions {
            analysis,
            colormap,
            long_run,
            development,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_setting_is_refused_by_name() {
        let ok = AnalysisSettings::default();
        assert!(ok.options(1).is_ok());
        let cases: Vec<(AnalysisSettings, &str)> = vec![
            (
                AnalysisSettings {
                    shuffles: 0,
                    ..ok.clone()
                },
                "shuffles",
            ),
            (
                AnalysisSettings {
                    percentile: 100.0,
                    ..ok.clone()
                },
                "percentile",
            ),
            (
                AnalysisSettings {
                    bins: 1,
                    ..ok.clone()
                },
                "bins",
            ),
            (
                AnalysisSettings {
                    colormap: "hot".into(),
                    ..ok.clone()
                },
                "colormap",
            ),
            (
                AnalysisSettings {
                    stages: "1,0.5".into(),
                    ..ok.clone()
                },
                "stages",
            ),
            (
                AnalysisSettings {
                    long_steps: 1,
                    ..ok.clone()
                },
                "long run",
            ),
        ];
        for (s, name) in cases {
            let e = s.options(1).unwrap_err().to_string();
            assert!(e.contains(name), "{name}: {e}");
        }
    }

    #[test]
    fn a_run_analyses_as_the_command_line_did() {
        let cfg = crate::config::load(None, None, &[]).unwrap();
        let o = AnalysisSettings::for_run(&cfg).options(2).unwrap();
        let long = o.long_run.unwrap();
        assert_eq!((long.trials, long.steps), (10, 1_000_000));
        assert_eq!(o.development.unwrap().stages, vec![0.02, 0.2, 1.0]);
        let pc = crate::config::load(None, Some("place-cells"), &[]).unwrap();
        let o = AnalysisSettings::for_run(&pc).options(2).unwrap();
        assert_eq!(o.long_run.unwrap().steps, 100_000);
    }
}
