//! Fig. 4 (paper section 3.1.3): how the units' codes develop over training. From the
//! checkpoints a run keeps (docs/design.md section 5: iteration 0, powers of 2, every
//! `checkpoint_every`, the last), every unit is scored at every checkpoint (for emergence
//! times), and at three stages (early, intermediate, late) its firing-rate time course on one
//! fixed evaluation set is taken; all units of all stages are embedded together by t-SNE on
//! the firing-rate correlation distance 1 - r (bhtsne, exact, seeded, one thread).

use std::path::Path;
use std::time::Instant;

use rand::RngExt;
use rand_distr::StandardNormal;
use serde::Serialize;

use super::Thresholds;
use super::class_scores;
use super::emergence::{Crossings, EmergenceTest, emergence_iterations, emergence_test};
use super::median;
use super::run_analysis::AnalysisSummary;
use super::{BORDER_DEPTH, CellType, RecordingOptions, record};
use crate::config::ValidConfig;
use crate::evaluate::{EVAL_SHARDS, cue_steps};
use crate::io::{NpzOut, load_checkpoint, write_atomic};
use crate::model::{Ctrnn, Engine};
use crate::rng::{Purpose, stream};
use crate::task::{Trajectories, TrajectorySpec};
use crate::train::complete_checkpoints;

/// Iteration index of the evaluation set's streams (no training iteration, recording, long
/// run or held-out set uses it).
pub const DEVELOPMENT_ITERATION: u64 = u64::MAX - 3;

/// How to follow a run's development.
#[derive(Clone, Debug, PartialEq)]
pub struct DevelopmentOptions {
    /// The stages as fractions of the last checkpoint's iteration; each is the checkpoint
    /// nearest to it (the paper's early, intermediate and late).
    pub stages: Vec<f64>,
    /// Trials of the evaluation set whose time courses are compared (noise off).
    pub eval_trials: usize,
    /// Steps recorded at each checkpoint for its rate maps and scores.
    pub score_steps: usize,
    /// Spatial bins along the longer side.
    pub bins: usize,
    /// t-SNE perplexity (lowered for few points).
    pub perplexity: f64,
    /// t-SNE iterations.
    pub epochs: usize,
    /// Worker threads (t-SNE runs on one, so that it is reproducible).
    pub threads: usize,
}

impl DevelopmentOptions {
    /// Stages at 2 %, 20 % and 100 % of training (the default run's border cells emerge
    /// within its first 2 %); 20 evaluation trials; 2 x 10^5 steps per checkpoint's maps;
    /// perplexity 30, 1000 iterations.
    pub fn defaults(threads: usize) -> DevelopmentOptions {
        DevelopmentOptions {
            stages: vec![0.02, 0.2, 1.0],
            eval_trials: 20,
            score_steps: 200_000,
            bins: 20,
            perplexity: 30.0,
            epochs: 1000,
            threads,
        }
    }

    /// The stages as a command line or a sweep file gives them: fractions such as
    /// "0.02,0.2,1", or "off" (None).
    pub fn parse_stages(text: &str) -> Result<Option<Vec<f64>>, String> {
        if text.trim() == "off" {
            return Ok(None);
        }
        text.split(',')
            .map(|v| v.trim().parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .map_err(|_| format!("stages `{text}`: give fractions like 0.02,0.2,1 or off"))
    }

    /// Checks the options; the error names the option and the fix.
    pub fn check(&self) -> Result<(), String> {
        if self.stages.len() < 2 || self.stages.iter().any(|s| !(*s > 0.0 && *s <= 1.0)) {
            return Err(
                "development stages: give at least two fractions of training in (0, 1], e.g. 0.1,0.3,1"
                    .into(),
            );
        }
        if self.stages.windows(2).any(|w| w[0] >= w[1]) {
            return Err("development stages: fractions must increase".into());
        }
        if self.eval_trials == 0 || self.score_steps == 0 || self.epochs == 0 {
            return Err("development: trials, steps and epochs must be >= 1".into());
        }
        Ok(())
    }
}

/// What Fig. 4 and its numbers need.
#[derive(Clone, Debug)]
pub struct Development {
    /// Checkpoint iterations, ascending.
    pub checkpoints: Vec<u64>,
    /// Per checkpoint and unit: the classification hexagonal, square and border scores.
    pub hexagonal: Vec<Vec<f64>>,
    /// Square-lattice score.
    pub square: Vec<Vec<f64>>,
    /// Border score.
    pub border: Vec<Vec<f64>>,
    /// Band score.
    pub band: Vec<Vec<f64>>,
    /// Indices into `checkpoints` of the stages.
    pub stages: Vec<usize>,
    /// Rate maps at each stage, unit-major (units x bins).
    pub stage_maps: Vec<Vec<f64>>,
    /// t-SNE coordinates of unit u at stage s at index s * units + u.
    pub embedding: Vec<[f64; 2]>,
    /// Per unit, 1 - r between its time courses at consecutive stages.
    pub travel: Vec<Vec<f64>>,
    /// Per unit: the first checkpoint iteration at which its final type's score is above the
    /// type's threshold (grid: hexagonal or square; border: border; band: band), for units
    /// ending as grid, border or band cells.
    pub emergence: Vec<Option<u64>>,
    /// The final analysis' types.
    pub final_types: Vec<CellType>,
    /// Border against grid emergence, where both have units.
    pub test: Option<EmergenceTest>,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// The report's numbers per final type.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TypeDevelopment {
    /// The type.
    pub cell_type: String,
    /// Units of it.
    pub units: usize,
    /// Median over its units of 1 - r between consecutive stages.
    pub median_travel: Vec<f64>,
    /// Median emergence iteration (grid, ramp, border and band only; NaN otherwise or if none
    /// crossed).
    pub median_emergence: f64,
}

/// The summary written to `development.json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DevelopmentSummary {
    /// Checkpoint iterations.
    pub checkpoints: Vec<u64>,
    /// Iterations of the stages.
    pub stage_iterations: Vec<u64>,
    /// Per final type.
    pub types: Vec<TypeDevelopment>,
    /// Border against grid emergence.
    pub test: Option<EmergenceTest>,
    /// Why there is no test, where there is none.
    pub no_test: Option<String>,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Each unit's time course over the evaluation set, z-scored (zeros for a silent unit), so
/// that the correlation of two units is their dot product.
fn time_courses(net: &Ctrnn<f32>, traj: &Trajectories, threads: usize) -> Vec<Vec<f64>> {
    let cue = cue_steps(net);
    let mut e = Engine::<f32>::new(
        net.n,
        net.n_in,
        traj.steps,
        traj.trials,
        EVAL_SHARDS,
        threads.max(1),
        false,
    );
    e.forward_on(net, None, traj, 0, cue);
    let mut courses = vec![Vec::with_capacity(traj.trials * traj.steps); net.n];
    for b in 0..traj.trials {
        for t in 0..traj.steps {
            for (c, a) in courses.iter_mut().zip(e.activity(b, t)) {
                c.push(f64::from(*a));
            }
        }
    }
    for c in &mut courses {
        let m = c.iter().sum::<f64>() / c.len() as f64;
        let norm = c.iter().map(|v| (v - m) * (v - m)).sum::<f64>().sqrt();
        for v in c.iter_mut() {
            *v = if norm > 0.0 { (*v - m) / norm } else { 0.0 };
        }
    }
    courses
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The checkpoint nearest to each fraction of the last iteration (ties to the earlier).
fn stage_indices(checkpoints: &[u64], stages: &[f64]) -> Vec<usize> {
    let last = *checkpoints.last().expect("at least one checkpoint") as f64;
    stages
        .iter()
        .map(|f| {
            let want = f * last;
            (0..checkpoints.len())
                .min_by(|&i, &j| {
                    let d = |k: usize| (checkpoints[k] as f64 - want).abs();
                    d(i).total_cmp(&d(j))
                })
                .expect("at least one checkpoint")
        })
        .collect()
}

/// Follow the run in `dir` over its checkpoints. None where it has fewer than 3.
pub fn development(
    dir: &Path,
    cfg: &ValidConfig,
    analysis: &AnalysisSummary,
    o: &DevelopmentOptions,
) -> anyhow::Result<Option<Development>> {
    let t0 = Instant::now();
    let mut checkpoints = complete_checkpoints(dir);
    checkpoints.sort_unstable();
    if checkpoints.len() < 3 {
        return Ok(None);
    }
    let spec = TrajectorySpec::from_config(cfg);
    let layout = &analysis.layout;
    let th: &Thresholds = &analysis.thresholds;
    let stages = stage_indices(&checkpoints, &o.stages);
    let eval = Trajectories::generate(
        &spec,
        cfg.train.seed,
        DEVELOPMENT_ITERATION,
        0,
        o.eval_trials,
    );
    let ropt = RecordingOptions {
        steps: o.score_steps,
        bins: o.bins,
        noise: false,
        chunk_trials: 200,
        threads: o.threads,
        seed: cfg.train.seed,
        keep_series: false,
        transient: analysis.transient,
    };
    let (mut hexagonal, mut square, mut border, mut band) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Whether each unit's upper half lies by the walls at each checkpoint: a border cell
    // emerges when its border score passes and its map is a band along the walls.
    let (mut confined, mut ramp) = (Vec::new(), Vec::new());
    let mut stage_maps = Vec::new();
    let mut courses = Vec::new();
    let mut units = 0;
    for (k, it) in checkpoints.iter().enumerate() {
        let (net, _) = load_checkpoint(&dir.join(format!("checkpoints/{it:08}.npz")))?;
        units = net.n;
        let maps = record(&net, &spec, &ropt).rate_maps();
        let nb = maps.len() / net.n;
        let scores: Vec<_> = maps.chunks(nb).map(|m| class_scores(m, layout)).collect();
        hexagonal.push(scores.iter().map(|s| s.hexagonal).collect::<Vec<_>>());
        square.push(scores.iter().map(|s| s.square).collect::<Vec<_>>());
        border.push(scores.iter().map(|s| s.border).collect::<Vec<_>>());
        band.push(scores.iter().map(|s| s.band).collect::<Vec<_>>());
        ramp.push(scores.iter().map(|s| s.ramp).collect::<Vec<_>>());
        confined.push(
            scores
                .iter()
                .map(|s| s.field_depth <= BORDER_DEPTH)
                .collect::<Vec<_>>(),
        );
        for _ in stages.iter().filter(|&&s| s == k) {
            stage_maps.push(maps.clone());
            courses.push(time_courses(&net, &eval, o.threads));
        }
    }
    // Stages are in increasing order, so the pushes above follow `stages`.
    let n_stages = stages.len();
    let points = n_stages * units;
    let dist = course_distances(&courses, units);
    let embedding = embed(&dist, points, o, cfg.train.seed)?;
    let travel = (0..units)
        .map(|u| {
            (1..n_stages)
                .map(|s| 1.0 - dot(&courses[s - 1][u], &courses[s][u]))
                .collect()
        })
        .collect();
    let final_types: Vec<CellType> = analysis.units.iter().map(|r| r.cell_type).collect();
    let crossed = Crossings {
        hexagonal: &hexagonal,
        square: &square,
        border: &border,
        band: &band,
        ramp: &ramp,
        confined: &confined,
    };
    let emergence = emergence_iterations(&checkpoints, &final_types, &crossed, th);
    let test = emergence_test(&final_types, &emergence);
    Ok(Some(Development {
        checkpoints,
        hexagonal,
        square,
        border,
        band,
        stages,
        stage_maps,
        embedding,
        travel,
        emergence,
        final_types,
        test,
        seconds: t0.elapsed().as_secs_f64(),
    }))
}

/// 1 - r between every pair of (stage, unit) time courses, row-major over stages x units.
fn course_distances(courses: &[Vec<Vec<f64>>], units: usize) -> Vec<f64> {
    let points = courses.len() * units;
    let course = |p: usize| &courses[p / units][p % units];
    let mut dist = vec![0.0f64; points * points];
    for i in 0..points {
        for j in i + 1..points {
            let d = 1.0 - dot(course(i), course(j));
            dist[i * points + j] = d;
            dist[j * points + i] = d;
        }
    }
    dist
}

/// Exact t-SNE of `points` points with the given distances, from a seeded initial embedding,
/// on one thread (bhtsne's parallel sums would otherwise depend on the thread count).
fn embed(
    dist: &[f64],
    points: usize,
    o: &DevelopmentOptions,
    seed: u64,
) -> anyhow::Result<Vec<[f64; 2]>> {
    let mut rng = stream(seed, DEVELOPMENT_ITERATION, 0, Purpose::Shuffle);
    let init: Vec<f64> = (0..2 * points)
        .map(|_| 1e-4 * rng.sample::<f64, _>(StandardNormal))
        .collect();
    // bhtsne needs n - 1 >= 3 perplexity.
    let perplexity = o.perplexity.min((points as f64 - 1.0) / 3.0 - 1e-9);
    let ids: Vec<usize> = (0..points).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let y = pool.install(|| {
        let mut t = bhtsne::tSNE::<f64, usize, 2>::new(&ids);
        t.perplexity(perplexity)
            .epochs(o.epochs)
            .initial_embedding(init)
            .exact(|&i, &j| dist[i * points + j]);
        t.embedding()
    });
    Ok(y.chunks(2).map(|c| [c[0], c[1]]).collect())
}

impl Development {
    /// Units.
    pub fn units(&self) -> usize {
        self.travel.len()
    }

    /// The iterations of the stages.
    pub fn stage_iterations(&self) -> Vec<u64> {
        self.stages.iter().map(|&k| self.checkpoints[k]).collect()
    }

    /// The report's numbers.
    pub fn summary(&self) -> DevelopmentSummary {
        let types = CellType::ALL
            .into_iter()
            .filter(|&t| t != CellType::Unclassified)
            .map(|t| {
                let members: Vec<usize> = (0..self.units())
                    .filter(|&u| self.final_types.get(u) == Some(&t))
                    .collect();
                let median_travel = (0..self.stages.len().saturating_sub(1))
                    .map(|s| {
                        median(
                            &mut members
                                .iter()
                                .map(|&u| self.travel[u][s])
                                .collect::<Vec<_>>(),
                        )
                    })
                    .collect();
                let mut em: Vec<f64> = members
                    .iter()
                    .filter_map(|&u| self.emergence[u].map(|i| i as f64))
                    .collect();
                TypeDevelopment {
                    cell_type: t.name().to_string(),
                    units: members.len(),
                    median_travel,
                    median_emergence: median(&mut em),
                }
            })
            .collect();
        let no_test = self.test.is_none().then(|| {
            let count = |t: CellType| self.final_types.iter().filter(|&&x| x == t).count();
            format!(
                "needs units ending as both border and grid cells ({} border, {} grid)",
                count(CellType::Border),
                count(CellType::Grid)
            )
        });
        DevelopmentSummary {
            checkpoints: self.checkpoints.clone(),
            stage_iterations: self.stage_iterations(),
            types,
            test: self.test.clone(),
            no_test,
            seconds: self.seconds,
        }
    }
}

/// Write `analysis/development.json` (the summary) and `analysis/development.npz` (scores per
/// checkpoint, the embedding, travel and emergence) into the run directory `dir`.
pub fn write_development(dir: &Path, d: &Development) -> anyhow::Result<()> {
    let out = dir.join("analysis");
    std::fs::create_dir_all(&out)?;
    let json = serde_json::to_string_pretty(&d.summary())?;
    write_atomic(&out.join("development.json"), json.as_bytes())?;
    let (c, n, s) = (d.checkpoints.len(), d.units(), d.stages.len());
    let mut z = NpzOut::new();
    let its = |v: &[u64]| v.iter().map(|&i| i as i64).collect::<Vec<i64>>();
    z.add("checkpoints", &[c], its(&d.checkpoints))?;
    z.add("stage_iterations", &[s], its(&d.stage_iterations()))?;
    z.add("hexagonal", &[c, n], d.hexagonal.concat())?;
    z.add("square", &[c, n], d.square.concat())?;
    z.add("border", &[c, n], d.border.concat())?;
    z.add("band", &[c, n], d.band.concat())?;
    z.add(
        "embedding",
        &[s, n, 2],
        d.embedding.iter().flatten().copied().collect::<Vec<f64>>(),
    )?;
    z.add("travel", &[n, s - 1], d.travel.concat())?;
    z.add(
        "emergence",
        &[n],
        d.emergence
            .iter()
            .map(|e| e.map_or(-1, |i| i as i64))
            .collect::<Vec<i64>>(),
    )?;
    z.write(&out.join("development.npz"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_the_nearest_checkpoints() {
        let cks = [
            0, 1, 2, 4, 8, 16, 32, 64, 128, 250, 256, 500, 512, 750, 1000,
        ];
        let s = stage_indices(&cks, &[0.1, 0.3, 1.0]);
        assert_eq!(
            s.iter().map(|&k| cks[k]).collect::<Vec<_>>(),
            [128, 256, 1000]
        );
        let s = stage_indices(&cks, &DevelopmentOptions::defaults(1).stages);
        assert_eq!(
            s.iter().map(|&k| cks[k]).collect::<Vec<_>>(),
            [16, 250, 1000]
        );
    }

    #[test]
    fn the_embedding_keeps_clusters_apart_and_is_reproducible() {
        // Three clusters of 12 points: distance 0.05 within, 1 between.
        let (k, per) = (3, 12);
        let points = k * per;
        let dist: Vec<f64> = (0..points * points)
            .map(|ij| {
                let (i, j) = (ij / points, ij % points);
                if i == j {
                    0.0
                } else if i / per == j / per {
                    0.05
                } else {
                    1.0
                }
            })
            .collect();
        let o = DevelopmentOptions {
            epochs: 500,
            ..DevelopmentOptions::defaults(1)
        };
        let y = embed(&dist, points, &o, 7).unwrap();
        assert_eq!(y, embed(&dist, points, &o, 7).unwrap());
        let d =
            |a: usize, b: usize| ((y[a][0] - y[b][0]).powi(2) + (y[a][1] - y[b][1]).powi(2)).sqrt();
        let (mut within, mut between) = (f64::NEG_INFINITY, f64::INFINITY);
        for a in 0..points {
            for b in a + 1..points {
                if a / per == b / per {
                    within = within.max(d(a, b));
                } else {
                    between = between.min(d(a, b));
                }
            }
        }
        assert!(within < between, "within {within}, between {between}");
    }

    #[test]
    fn bad_stages_name_the_fix() {
        let o = DevelopmentOptions::defaults(1);
        assert!(o.check().is_ok());
        for stages in [vec![0.5], vec![0.0, 1.0], vec![0.5, 0.3], vec![0.2, 1.5]] {
            let e = DevelopmentOptions {
                stages,
                ..o.clone()
            }
            .check()
            .unwrap_err();
            assert!(e.contains("stages"), "{e}");
        }
    }
}
