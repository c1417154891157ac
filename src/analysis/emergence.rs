//! When each unit's code emerges over training (Fig. 4, paper section 3.1.3): the first
//! checkpoint at which its final type's score passes its threshold, and whether border cells
//! emerge before grid cells (one-sided Mann-Whitney U).

use serde::Serialize;

use super::{CellType, Thresholds, mann_whitney_less, median};

/// Border against grid emergence (one-sided Mann-Whitney U, normal approximation with tie
/// correction: do border units cross their threshold at earlier checkpoints?).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EmergenceTest {
    /// Units ending as border cells that crossed.
    pub border_units: usize,
    /// Units ending as grid cells that crossed.
    pub grid_units: usize,
    /// Median emergence iteration of each.
    pub border_median: f64,
    /// Median emergence iteration of grid units.
    pub grid_median: f64,
    /// U of the border sample.
    pub u: f64,
    /// P(border emergence >= grid emergence by chance): small means border units emerge first.
    pub p_border_first: f64,
}

/// The first checkpoint (iteration) at which `above(k)` holds.
pub(super) fn first_crossing(checkpoints: &[u64], above: impl Fn(usize) -> bool) -> Option<u64> {
    (0..checkpoints.len())
        .find(|&k| above(k))
        .map(|k| checkpoints[k])
}

/// Each unit's scores at each checkpoint ([checkpoint][unit]).
pub(super) struct Crossings<'a> {
    pub(super) hexagonal: &'a [Vec<f64>],
    pub(super) square: &'a [Vec<f64>],
    pub(super) border: &'a [Vec<f64>],
    pub(super) band: &'a [Vec<f64>],
    pub(super) ramp: &'a [Vec<f64>],
    /// Whether the unit's upper half lies by the walls.
    pub(super) confined: &'a [Vec<bool>],
}

/// The first checkpoint at which each unit's final type's score passes its threshold (for
/// a border cell, with its map by the walls; for a ramp, away from them).
pub(super) fn emergence_iterations(
    checkpoints: &[u64],
    final_types: &[CellType],
    c: &Crossings,
    th: &Thresholds,
) -> Vec<Option<u64>> {
    (0..c.hexagonal.first().map_or(0, Vec::len))
        .map(|u| match final_types.get(u) {
            Some(CellType::Grid) => first_crossing(checkpoints, |k| {
                c.hexagonal[k][u] > th.hexagonal || c.square[k][u] > th.square
            }),
            Some(CellType::Border) => first_crossing(checkpoints, |k| {
                c.border[k][u] > th.border && c.confined[k][u]
            }),
            Some(CellType::Band) => first_crossing(checkpoints, |k| c.band[k][u] > th.band),
            Some(CellType::Ramp) => {
                first_crossing(checkpoints, |k| c.ramp[k][u] > th.ramp && !c.confined[k][u])
            }
            _ => None,
        })
        .collect()
}

/// Border cells before grid cells: a one-sided Mann-Whitney test on their emergence
/// iterations, where both types have some.
pub(super) fn emergence_test(
    final_types: &[CellType],
    emergence: &[Option<u64>],
) -> Option<EmergenceTest> {
    let times = |t: CellType| -> Vec<f64> {
        (0..emergence.len())
            .filter(|&u| final_types.get(u) == Some(&t))
            .filter_map(|u| emergence[u].map(|i| i as f64))
            .collect()
    };
    let (mut b, mut g) = (times(CellType::Border), times(CellType::Grid));
    (!b.is_empty() && !g.is_empty()).then(|| {
        let (u, p) = mann_whitney_less(&b, &g);
        EmergenceTest {
            border_units: b.len(),
            grid_units: g.len(),
            border_median: median(&mut b),
            grid_median: median(&mut g),
            u,
            p_border_first: p,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emergence_is_the_first_checkpoint_past_the_threshold() {
        let cks = [0, 1, 2, 4, 8, 16, 32, 64, 128, 250, 256];
        assert_eq!(first_crossing(&cks, |k| cks[k] > 100), Some(128));
        assert_eq!(first_crossing(&cks, |_| false), None);
    }
}
