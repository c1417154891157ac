//! What the claims of `claims.toml` measure, read back from analyzed run
//! directories: the files `gridrnn analyze` writes (scores.csv, cell_types.json,
//! held_out.json, long_run.json, development.npz, ratemaps.npy), never from memory, so that a
//! resumed `reproduce` judges runs analyzed by an earlier invocation alike.

use std::path::{Path, PathBuf};

use crate::analysis::{
    CellType, LatticeType, MapLayout, SpatialBins, mann_whitney_less, median, read_scores_csv,
    wall_coverage,
};
use crate::config::load;
use crate::error::bad_input;
use crate::io::read_npy;
use crate::sweep::{RunRow, collect, read_json};

/// Pooled measures need at least this many units, or they are not taken.
pub const MIN_UNITS: usize = 3;

/// One unit's row of scores.csv, the columns the claims use.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitData {
    /// Its type.
    pub cell_type: String,
    /// `lattice` (hexagonal, square, rectangular, none).
    pub lattice: String,
    /// Lattice spacing, arena units.
    pub spacing: f64,
    /// Angle of the band to the nearest wall, degrees.
    pub band_wall_angle: f64,
    /// |slope| of the speed tuning (appendix D).
    pub speed_selectivity: f64,
    /// max - min of the direction tuning (appendix D).
    pub direction_selectivity: f64,
    /// For each wall, the largest fraction one field covers (border units only; empty
    /// otherwise).
    pub walls: Vec<f64>,
}

/// One analyzed run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunData {
    /// The readout of its study (`plan::CARTESIAN` for the paper's).
    pub readout: String,
    /// The study it belongs to.
    pub study: String,
    /// Its run directory.
    pub dir: PathBuf,
    /// Its arena's name.
    pub arena: String,
    /// Its seed.
    pub seed: u64,
    /// Its summary row (E, counts, emergence).
    pub row: RunRow,
    /// Its units.
    pub units: Vec<UnitData>,
    /// long_run.json's relative drift, change per interaction and median map correlation,
    /// where the long trials ran.
    pub long_run: Option<[f64; 3]>,
}

impl RunData {
    /// Units of type `t`.
    pub fn count(&self, t: CellType) -> usize {
        self.row.counts[t.index()]
    }

    /// Units of type `t` per 100 units (networks of any size compare).
    pub fn per_100(&self, t: CellType) -> f64 {
        100.0 * self.count(t) as f64 / self.units.len().max(1) as f64
    }

    /// Held-out E over the always-the-centre baseline.
    pub fn e_ratio(&self) -> f64 {
        self.row.held_out_e / self.row.centre_e
    }
}

/// Every analyzed run of the sweep directory `dir` (a study), with its units; runs not yet
/// analyzed are left out.
pub fn read_study(readout: &str, study: &str, dir: &Path) -> anyhow::Result<Vec<RunData>> {
    let summary = collect(dir)?;
    let mut out = Vec::new();
    for row in summary.rows {
        let run = crate::sweep::run_dir(dir, &row.run);
        out.push(read_run(readout, study, &run, row)?);
    }
    Ok(out)
}

fn read_run(readout: &str, study: &str, run: &Path, row: RunRow) -> anyhow::Result<RunData> {
    let cfg = load(Some(&run.join("config.toml")), None, &[])?;
    let analysis = run.join("analysis");
    let path = analysis.join("scores.csv");
    let rows = read_scores_csv(&path)?;
    let maps = read_npy(&analysis.join("ratemaps.npy"))?;
    let (h, w) = match maps.shape[..] {
        [_, h, w] => (h, w),
        _ => {
            return Err(bad_input(format!(
                "{}/ratemaps.npy: expected (units, rows, columns), got {:?}",
                analysis.display(),
                maps.shape
            )));
        }
    };
    let layout = MapLayout::new(cfg.arena(), &SpatialBins::new(cfg.arena(), h.max(w)));
    let mut units = Vec::new();
    for (j, r) in rows.into_iter().enumerate() {
        let walls = if r.cell_type == CellType::Border.name() {
            let map = maps.data.get(j * h * w..(j + 1) * h * w).ok_or_else(|| {
                bad_input(format!(
                    "{}: more rows than ratemaps.npy has maps",
                    path.display()
                ))
            })?;
            wall_coverage(map, h, w, &layout.geometry)
        } else {
            Vec::new()
        };
        units.push(UnitData {
            cell_type: r.cell_type,
            lattice: r.lattice,
            spacing: r.spacing,
            band_wall_angle: r.band_wall_angle,
            speed_selectivity: r.speed_selectivity,
            direction_selectivity: r.direction_selectivity,
            walls,
        });
    }
    let long_path = analysis.join("long_run.json");
    let long_run = if long_path.exists() {
        let v = read_json(&long_path)?;
        let g = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        Some([
            g("relative_drift"),
            g("change_per_interaction"),
            g("median_map_correlation"),
        ])
    } else {
        None
    };
    Ok(RunData {
        readout: readout.to_string(),
        study: study.to_string(),
        dir: run.to_path_buf(),
        arena: cfg.task.arena.name().to_string(),
        seed: cfg.train.seed,
        row,
        units,
        long_run,
    })
}

/// A measure's value, or why it was not taken.
pub type Measured = Result<f64, String>;

/// A pooled measure's value and the units it was taken over, or why it was not taken.
pub type Pooled = Result<(f64, usize), String>;

/// The per-run measure `each_run` claims call `name` (None: no such measure).
pub fn run_measure(name: &str) -> Option<fn(&RunData) -> Measured> {
    fn long(r: &RunData, k: usize) -> Measured {
        r.long_run
            .map(|l| l[k])
            .ok_or_else(|| "the run has no long trials".to_string())
    }
    Some(match name {
        "grid_units_per_100" => |r| Ok(r.per_100(CellType::Grid)),
        "border_units_per_100" => |r| Ok(r.per_100(CellType::Border)),
        "band_units_per_100" => |r| Ok(r.per_100(CellType::Band)),
        "e_over_baseline" => |r| Ok(r.e_ratio()),
        "long_run_relative_drift" => |r| long(r, 0).map(f64::abs),
        "change_per_interaction" => |r| long(r, 1),
        "long_run_map_correlation" => |r| long(r, 2),
        _ => return None,
    })
}

/// The fraction of `units` for which `pass` holds, over at least [`MIN_UNITS`] of them.
fn fraction<'a>(
    units: impl Iterator<Item = &'a UnitData>,
    what: &str,
    pass: impl Fn(&UnitData) -> bool,
) -> Pooled {
    let (mut n, mut k) = (0usize, 0usize);
    for u in units {
        n += 1;
        k += usize::from(pass(u));
    }
    if n < MIN_UNITS {
        return Err(format!("{n} {what} (fewer than {MIN_UNITS})"));
    }
    Ok((k as f64 / n as f64, n))
}

/// Whether a border unit's fields cover one wall: exactly one wall is covered by at least
/// half as much as the most covered one.
fn covers_one_wall(u: &UnitData) -> bool {
    let best = u.walls.iter().copied().fold(0.0, f64::max);
    best > 0.0 && u.walls.iter().filter(|&&c| c >= 0.5 * best).count() == 1
}

/// The measure `name` over the units of `runs` pooled, as `pooled` and `smaller` claims take
/// it (None: no such measure; with no runs, every known measure is an Err).
pub fn pooled_measure(name: &str, runs: &[&RunData]) -> Option<Pooled> {
    let all = || runs.iter().flat_map(|r| r.units.iter());
    let of = |t: CellType| move |u: &&UnitData| u.cell_type == t.name();
    let grid = || all().filter(of(CellType::Grid));
    Some(match name {
        "grid_square_lattice_fraction" => fraction(grid(), "grid units", |u| {
            u.lattice == LatticeType::Square.name() || u.lattice == LatticeType::Rectangular.name()
        }),
        "grid_hexagonal_lattice_fraction" => fraction(grid(), "grid units", |u| {
            u.lattice == LatticeType::Hexagonal.name()
        }),
        "border_one_wall_fraction" => fraction(
            all().filter(of(CellType::Border)),
            "border units",
            covers_one_wall,
        ),
        "band_parallel_fraction" => fraction(all().filter(of(CellType::Band)), "band units", |u| {
            u.band_wall_angle <= 15.0
        }),
        "border_speed_ratio" => {
            let pick = |border: bool| -> Vec<f64> {
                all()
                    .filter(|u| (u.cell_type == CellType::Border.name()) == border)
                    .map(|u| u.speed_selectivity)
                    .filter(|v| v.is_finite())
                    .collect()
            };
            let (mut b, mut o) = (pick(true), pick(false));
            if b.len() < MIN_UNITS || o.len() < MIN_UNITS {
                Err(format!(
                    "{} border and {} other units (fewer than {MIN_UNITS})",
                    b.len(),
                    o.len()
                ))
            } else {
                Ok((median(&mut b) / median(&mut o), b.len() + o.len()))
            }
        }
        "direction_top_irregular_fraction" => {
            // Each run's top tenth by direction selectivity, so that no run's scale dominates.
            let top: Vec<&UnitData> = runs
                .iter()
                .flat_map(|r| {
                    let mut v: Vec<&UnitData> = r
                        .units
                        .iter()
                        .filter(|u| u.direction_selectivity.is_finite())
                        .collect();
                    v.sort_by(|a, b| b.direction_selectivity.total_cmp(&a.direction_selectivity));
                    v.truncate(r.units.len().div_ceil(10));
                    v
                })
                .collect();
            fraction(top.into_iter(), "direction-tuned units", |u| {
                u.cell_type == CellType::Irregular.name()
                    || u.cell_type == CellType::NonSpatial.name()
            })
        }
        "border_first_p" => {
            let (mut b, mut g) = (Vec::new(), Vec::new());
            for r in runs {
                b.extend(&r.row.emergence[0]);
                g.extend(&r.row.emergence[1]);
            }
            if b.len() < MIN_UNITS || g.len() < MIN_UNITS {
                Err(format!(
                    "{} border and {} grid units with an emergence time (needs {MIN_UNITS} of each)",
                    b.len(),
                    g.len()
                ))
            } else {
                Ok((mann_whitney_less(&b, &g).1, b.len() + g.len()))
            }
        }
        "grid_spacing" => {
            let mut s: Vec<f64> = grid()
                .map(|u| u.spacing)
                .filter(|v| v.is_finite())
                .collect();
            if s.len() < MIN_UNITS {
                Err(format!(
                    "{} grid units with a spacing (fewer than {MIN_UNITS})",
                    s.len()
                ))
            } else {
                Ok((median(&mut s), s.len()))
            }
        }
        _ => return None,
    })
}
