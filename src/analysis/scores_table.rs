//! `scores.csv` and `cell_types.json` (docs/design.md sections 5 and 7), shared by `gridrnn analyze`
//! (a network's units) and `gridrnn score` (anyone's maps).

use std::fmt::Write as _;
use std::path::Path;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::MapScores;
use super::{CellEvidence, CellType, FIXED_LEVELS, Thresholds, classify};
use super::{MapLayout, SpatialScores};

/// One row: a unit's (or map's) scores and type.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRow {
    /// Unit (or map) index.
    pub unit: usize,
    /// The spatial scores.
    pub spatial: SpatialScores,
    /// The scores that need occupancy, halves and tuning (None for maps alone).
    pub map: Option<MapScores>,
    /// The classification hexagonal score.
    pub hexagonal: f64,
    /// The type.
    pub cell_type: CellType,
}

impl ScoreRow {
    /// The row of a map's scores, typed against `thresholds` (stability, and so irregular
    /// versus non-spatial, only where `map` has it).
    pub fn new(
        unit: usize,
        spatial: SpatialScores,
        map: Option<MapScores>,
        layout: &MapLayout,
        thresholds: &Thresholds,
    ) -> ScoreRow {
        let stability = map.map_or(f64::NAN, |m| m.stability);
        let evidence = CellEvidence::new(&spatial, layout, stability);
        ScoreRow {
            unit,
            spatial,
            map,
            hexagonal: evidence.hexagonal,
            cell_type: classify(&evidence, thresholds),
        }
    }
}

/// The header of scores.csv.
pub const SCORES_HEADER: &str = "unit,grid_score,grid_score_square,grid_score_masked,grid_score_square_masked,grid_score_deepmind,grid_score_square_deepmind,lattice,lattice_angle,spacing_bins,spacing,spacing_ratio,orientation,border_score,band_score,band_second_component,band_orientation,band_wall_angle,ramp_score,ramp_plane,ramp_direction,field_depth,spatial_information,sparseness,stability,direction_selectivity,speed_selectivity,cell_type";

/// One row of a `scores.csv` read back by column name (the `csv` crate): any column order, extra
/// columns ignored, a score column a file lacks (one written before it existed) read as NaN;
/// `unit`, `lattice` and `cell_type` are required.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct ScoresCsvRow {
    /// `unit`.
    pub unit: usize,
    /// `grid_score`.
    #[serde(default = "nan")]
    pub grid_score: f64,
    /// `grid_score_square`.
    #[serde(default = "nan")]
    pub grid_score_square: f64,
    /// `grid_score_masked`.
    #[serde(default = "nan")]
    pub grid_score_masked: f64,
    /// `grid_score_square_masked`.
    #[serde(default = "nan")]
    pub grid_score_square_masked: f64,
    /// `grid_score_deepmind`.
    #[serde(default = "nan")]
    pub grid_score_deepmind: f64,
    /// `grid_score_square_deepmind`.
    #[serde(default = "nan")]
    pub grid_score_square_deepmind: f64,
    /// `lattice_angle`.
    #[serde(default = "nan")]
    pub lattice_angle: f64,
    /// `spacing_bins`.
    #[serde(default = "nan")]
    pub spacing_bins: f64,
    /// `spacing`.
    #[serde(default = "nan")]
    pub spacing: f64,
    /// `spacing_ratio`.
    #[serde(default = "nan")]
    pub spacing_ratio: f64,
    /// `orientation`.
    #[serde(default = "nan")]
    pub orientation: f64,
    /// `border_score`.
    #[serde(default = "nan")]
    pub border_score: f64,
    /// `band_score`.
    #[serde(default = "nan")]
    pub band_score: f64,
    /// `band_second_component`.
    #[serde(default = "nan")]
    pub band_second_component: f64,
    /// `band_orientation`.
    #[serde(default = "nan")]
    pub band_orientation: f64,
    /// `band_wall_angle`.
    #[serde(default = "nan")]
    pub band_wall_angle: f64,
    /// `ramp_score`.
    #[serde(default = "nan")]
    pub ramp_score: f64,
    /// `ramp_plane`.
    #[serde(default = "nan")]
    pub ramp_plane: f64,
    /// `ramp_direction`.
    #[serde(default = "nan")]
    pub ramp_direction: f64,
    /// `field_depth`.
    #[serde(default = "nan")]
    pub field_depth: f64,
    /// `spatial_information`.
    #[serde(default = "nan")]
    pub spatial_information: f64,
    /// `sparseness`.
    #[serde(default = "nan")]
    pub sparseness: f64,
    /// `stability`.
    #[serde(default = "nan")]
    pub stability: f64,
    /// `direction_selectivity`.
    #[serde(default = "nan")]
    pub direction_selectivity: f64,
    /// `speed_selectivity`.
    #[serde(default = "nan")]
    pub speed_selectivity: f64,
    /// `lattice`.
    pub lattice: String,
    /// `cell_type`.
    pub cell_type: String,
}

fn nan() -> f64 {
    f64::NAN
}

impl ScoresCsvRow {
    /// The hexagonal score a run classified with, by its name in `cell_types.json`
    /// (`grid_score` in rectangular arenas, `grid_score_masked` otherwise).
    pub fn hexagonal(&self, name: &str) -> f64 {
        if name == "grid_score_masked" {
            self.grid_score_masked
        } else {
            self.grid_score
        }
    }
}

/// Every row of the `scores.csv` at `path`; a missing file or a malformed row is an input
/// error naming the file.
pub fn read_scores_csv(path: &Path) -> anyhow::Result<Vec<ScoresCsvRow>> {
    let bad = |e: csv::Error| crate::error::bad_input(format!("{}: {e}", path.display()));
    csv::Reader::from_path(path)
        .map_err(bad)?
        .deserialize()
        .collect::<Result<Vec<ScoresCsvRow>, _>>()
        .map_err(bad)
}

/// One cell of a `scores.csv` row: the unit's index, a name (`lattice`, `cell_type`) or a
/// score at full precision. [`score_cells`] gives a row's cells in [`SCORES_HEADER`]'s order,
/// so the file and the Python module's columns come from one layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScoreCell {
    /// `unit`.
    Unit(usize),
    /// `lattice` or `cell_type`.
    Name(&'static str),
    /// A score (NaN where it is undefined).
    Number(f64),
}

impl std::fmt::Display for ScoreCell {
    /// As `scores.csv` prints it: scores rounded to 6 decimals, `NaN` where undefined.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            ScoreCell::Unit(u) => write!(f, "{u}"),
            ScoreCell::Name(n) => f.write_str(n),
            ScoreCell::Number(v) if v.is_nan() => f.write_str("NaN"),
            ScoreCell::Number(v) => write!(f, "{v:.6}"),
        }
    }
}

/// A row's cells in [`SCORES_HEADER`]'s order; `bin_width` converts the lattice spacing from
/// bins to arena units.
pub fn score_cells(r: &ScoreRow, bin_width: f64) -> Vec<ScoreCell> {
    let v = score_values(r, bin_width).map(ScoreCell::Number);
    let mut cells = vec![ScoreCell::Unit(r.unit)];
    cells.extend_from_slice(&v[..6]);
    cells.push(ScoreCell::Name(r.spatial.lattice.lattice.name()));
    cells.extend_from_slice(&v[6..]);
    cells.push(ScoreCell::Name(r.cell_type.name()));
    cells
}

/// scores.csv; `bin_width` converts the lattice spacing from bins to arena units.
pub fn scores_csv(rows: &[ScoreRow], bin_width: f64) -> String {
    let mut s = format!("{SCORES_HEADER}\n");
    for r in rows {
        let cells: Vec<String> = score_cells(r, bin_width)
            .iter()
            .map(ScoreCell::to_string)
            .collect();
        let _ = writeln!(s, "{}", cells.join(","));
    }
    s
}

/// A row's numeric columns at full precision, in [`SCORES_HEADER`]'s order without `unit`,
/// `lattice` and `cell_type` (the snapshot tests hold these to 1e-12; `scores.csv` rounds
/// them to 6 decimals).
pub fn score_values(r: &ScoreRow, bin_width: f64) -> [f64; 25] {
    let p = &r.spatial;
    let l = &p.lattice;
    let m = r.map.unwrap_or(MapScores {
        spatial_information: f64::NAN,
        sparseness: p.sparseness,
        stability: f64::NAN,
        direction_selectivity: f64::NAN,
        speed_selectivity: f64::NAN,
    });
    [
        p.grid_score,
        p.grid_score_square,
        p.grid_score_masked,
        p.grid_score_square_masked,
        p.grid_score_deepmind,
        p.grid_score_square_deepmind,
        l.lattice_angle,
        l.spacing,
        l.spacing * bin_width,
        l.spacing_ratio,
        l.orientation,
        p.border_score,
        p.band_score,
        p.second_component,
        p.band_orientation,
        p.band_wall_angle,
        p.ramp_score,
        p.ramp_plane,
        p.ramp_direction,
        p.field_depth,
        m.spatial_information,
        m.sparseness,
        m.stability,
        m.direction_selectivity,
        m.speed_selectivity,
    ]
}

/// How the null was made, for cell_types.json.
#[derive(Clone, Debug, PartialEq)]
pub struct NullDescription {
    /// "time-shift" or "map-permutation".
    pub kind: &'static str,
    /// Shuffles per unit.
    pub shuffles: usize,
    /// Percentile of the pooled null.
    pub percentile: f64,
    /// Which hexagonal score classification used.
    pub hexagonal_score: &'static str,
}

/// `cell_types.json`: the counts per type, the thresholds and the null they came from, and
/// how different the maps are (docs/analysis.md). [`write_cell_types`] writes it with its
/// keys in alphabetical order, as the file has always had them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellTypesFile {
    /// Units (or maps) typed.
    pub units: usize,
    /// Units per type, by type name.
    pub counts: BTreeMap<String, usize>,
    /// The hexagonal score classification used (`grid_score` or `grid_score_masked`).
    pub hexagonal_score: String,
    /// Units whose hexagonal score is above each fixed level (0.3, 0.8, 1.2).
    pub hexagonal_above_fixed_levels: BTreeMap<String, usize>,
    /// The thresholds (null where a score has none).
    pub thresholds: ThresholdsRecord,
    /// How different the grid units' maps, and all maps, are (absent from files written
    /// before it was measured: read as none).
    #[serde(default)]
    pub map_diversity: DiversityRecord,
    /// The null the thresholds came from.
    pub null: NullRecord,
}

/// [`Thresholds`] as `cell_types.json` records them (a threshold absent from an older file
/// reads as none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThresholdsRecord {
    /// Hexagonal score.
    pub hexagonal: Option<f64>,
    /// Square score.
    pub square: Option<f64>,
    /// Band score.
    pub band: Option<f64>,
    /// Share of a significant Fourier component.
    pub fourier_component: Option<f64>,
    /// Border score.
    pub border: Option<f64>,
    /// Ramp score.
    pub ramp: Option<f64>,
    /// Split-half stability.
    pub stability: Option<f64>,
}

/// [`MapDiversity`](super::MapDiversity) of the grid units and of all units (null where
/// fewer than two maps vary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiversityRecord {
    /// The grid units' maps.
    pub grid: Option<super::MapDiversity>,
    /// Every unit's map.
    pub all: Option<super::MapDiversity>,
}

/// How the null was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NullRecord {
    /// "time-shift" or "map-permutation".
    pub kind: String,
    /// Shuffles per unit.
    pub shuffles: usize,
    /// Percentile of the pooled null.
    pub percentile: f64,
}

/// The cell-type summary of `rows`: counts, thresholds, the null and the maps' diversity
/// (`maps` row-major, `bins` per map).
pub fn cell_type_summary(
    rows: &[ScoreRow],
    t: &Thresholds,
    how: &NullDescription,
    maps: &[f64],
    bins: usize,
) -> CellTypesFile {
    let of = |units: Vec<usize>| super::map_diversity(maps, bins, &units);
    let grid: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].cell_type == CellType::Grid)
        .collect();
    let opt = |v: f64| (!v.is_nan()).then_some(v);
    CellTypesFile {
        units: rows.len(),
        counts: CellType::ALL
            .iter()
            .map(|c| {
                let n = rows.iter().filter(|r| r.cell_type == *c).count();
                (c.name().to_string(), n)
            })
            .collect(),
        hexagonal_score: how.hexagonal_score.to_string(),
        hexagonal_above_fixed_levels: FIXED_LEVELS
            .iter()
            .map(|&l| {
                (
                    format!("{l}"),
                    rows.iter().filter(|r| r.hexagonal > l).count(),
                )
            })
            .collect(),
        thresholds: ThresholdsRecord {
            hexagonal: opt(t.hexagonal),
            square: opt(t.square),
            band: opt(t.band),
            fourier_component: opt(t.component),
            border: opt(t.border),
            ramp: opt(t.ramp),
            stability: opt(t.stability),
        },
        map_diversity: DiversityRecord {
            grid: of(grid),
            all: of((0..rows.len()).collect()),
        },
        null: NullRecord {
            kind: how.kind.to_string(),
            shuffles: how.shuffles,
            percentile: how.percentile,
        },
    }
}

/// Write `cell_types.json` atomically, keys in alphabetical order at every level (through
/// `serde_json::Value`, whose maps are sorted).
pub fn write_cell_types(path: &Path, file: &CellTypesFile) -> anyhow::Result<()> {
    let sorted = serde_json::to_value(file)?;
    crate::io::write_atomic(path, serde_json::to_string_pretty(&sorted)?.as_bytes())
}

/// Read a `cell_types.json`; an input error names the file.
pub fn read_cell_types(path: &Path) -> anyhow::Result<CellTypesFile> {
    let bad = |e: String| crate::error::bad_input(format!("{}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header, the writer's values and the reader's fields are three lists of one format:
    /// every value written comes back in its own field (a misnamed field would read NaN).
    #[test]
    fn scores_csv_reads_back_column_by_column() {
        let (h, w) = (12, 12);
        let maps: Vec<Vec<f64>> = (0..4)
            .map(|k| {
                let f = 0.5 + k as f64 * 0.3;
                (0..h * w)
                    .map(|i| ((i / w) as f64 * f).sin() + ((i % w) as f64 * f * 0.7).cos())
                    .collect()
            })
            .collect();
        let layout = MapLayout::rectangle(h, w);
        let o = super::super::ScoreOptions {
            shuffles: 3,
            percentile: 99.0,
            threads: 1,
            seed: 1,
        };
        let (rows, _) = super::super::score_maps(&maps, &layout, &o);
        let path = std::env::temp_dir().join(format!("gridrnn-sc-{}.csv", std::process::id()));
        std::fs::write(&path, scores_csv(&rows, layout.bin_width)).unwrap();
        let back = read_scores_csv(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(back.len(), rows.len());
        let mut finite = 0;
        for (r, b) in rows.iter().zip(&back) {
            assert_eq!((b.unit, b.cell_type.as_str()), (r.unit, r.cell_type.name()));
            assert_eq!(b.lattice, r.spatial.lattice.lattice.name());
            let read = [
                b.grid_score,
                b.grid_score_square,
                b.grid_score_masked,
                b.grid_score_square_masked,
                b.grid_score_deepmind,
                b.grid_score_square_deepmind,
                b.lattice_angle,
                b.spacing_bins,
                b.spacing,
                b.spacing_ratio,
                b.orientation,
                b.border_score,
                b.band_score,
                b.band_second_component,
                b.band_orientation,
                b.band_wall_angle,
                b.ramp_score,
                b.ramp_plane,
                b.ramp_direction,
                b.field_depth,
                b.spatial_information,
                b.sparseness,
                b.stability,
                b.direction_selectivity,
                b.speed_selectivity,
            ];
            for (k, (v, got)) in score_values(r, layout.bin_width)
                .iter()
                .zip(read)
                .enumerate()
            {
                if v.is_nan() {
                    assert!(got.is_nan(), "column {k}");
                } else {
                    finite += 1;
                    assert!(
                        (v - got).abs() <= 5e-7 * v.abs().max(1.0),
                        "column {k}: {v} {got}"
                    );
                }
            }
        }
        assert!(
            finite >= 4 * 15,
            "too few finite scores ({finite}) to test the columns"
        );
    }

    #[test]
    fn a_cell_types_file_from_before_the_map_diversity_reads() {
        let path = std::env::temp_dir().join(format!("gridrnn-ct-{}.json", std::process::id()));
        let old = r#"{"counts": {"grid": 2, "ramp": 90}, "hexagonal_above_fixed_levels": {"0.3": 4},
            "hexagonal_score": "grid_score", "null": {"kind": "time-shift", "percentile": 99.0,
            "shuffles": 100}, "thresholds": {"hexagonal": 0.5, "stability": null}, "units": 100}"#;
        std::fs::write(&path, old).unwrap();
        let f = read_cell_types(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!((f.units, f.counts["grid"]), (100, 2));
        assert_eq!(f.map_diversity, DiversityRecord::default());
        assert_eq!(
            (f.thresholds.hexagonal, f.thresholds.ramp),
            (Some(0.5), None)
        );
    }
}
