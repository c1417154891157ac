//! The trajectory `.npz` of docs/design.md section 5: `speed` (B,T), `heading` (B,T), `position`
//! (B,T,2), optional `start` (B,2), `boundary` (B,T) and `arena_vertices` (V,2).

use std::path::Path;

use super::Trajectories;
use crate::arena::Arena;
use crate::error::bad_input;
use crate::io::{NpzIn, NpzOut};

/// Write trajectories atomically.
pub fn write_trajectories(path: &Path, tr: &Trajectories) -> anyhow::Result<()> {
    let (b, t) = (tr.trials, tr.steps);
    let mut z = NpzOut::new();
    z.add("speed", &[b, t], tr.speed.clone())?;
    z.add("heading", &[b, t], tr.heading.clone())?;
    z.add("position", &[b, t, 2], tr.position.clone())?;
    z.add(
        "start",
        &[b, 2],
        tr.start.iter().flatten().copied().collect(),
    )?;
    z.add("boundary", &[b, t], tr.boundary.clone())?;
    z.add(
        "arena_vertices",
        &[tr.arena_vertices.len(), 2],
        tr.arena_vertices.iter().flatten().copied().collect(),
    )?;
    z.write(path)
}

/// Read and check a trajectory file; every error names the file, the array and the fix.
pub fn read_trajectories(path: &Path) -> anyhow::Result<Trajectories> {
    trajectories_from(NpzIn::open(path)?)
}

/// [`read_trajectories`] on an opened archive (also what the fuzz target drives).
pub fn trajectories_from(mut z: NpzIn) -> anyhow::Result<Trajectories> {
    let file = z.path().to_string();
    let speed = z.array("speed")?;
    speed.expect_shape(&file, "speed", &[None, None])?;
    let (b, t) = (speed.shape[0], speed.shape[1]);
    if b == 0 || t == 0 {
        return Err(bad_input(format!(
            "{file}: `speed` is empty (shape {:?})",
            speed.shape
        )));
    }
    let heading = z.array("heading")?;
    heading.expect_shape(&file, "heading", &[Some(b), Some(t)])?;
    let position = z.array("position")?;
    position.expect_shape(&file, "position", &[Some(b), Some(t), Some(2)])?;
    for (name, a) in [
        ("speed", &speed),
        ("heading", &heading),
        ("position", &position),
    ] {
        a.expect_finite(&file, name)?;
    }
    if let Some(i) = speed.data.iter().position(|&s| s < 0.0) {
        return Err(bad_input(format!(
            "{file}: `speed` is negative at flat index {i}; speeds are distances moved"
        )));
    }
    let start: Vec<[f64; 2]> = if z.has("start") {
        let s = z.array("start")?;
        s.expect_shape(&file, "start", &[Some(b), Some(2)])?;
        s.expect_finite(&file, "start")?;
        s.data.chunks(2).map(|c| [c[0], c[1]]).collect()
    } else {
        vec![[0.0, 0.0]; b]
    };
    let boundary = if z.has("boundary") {
        let a = z.array("boundary")?;
        a.expect_shape(&file, "boundary", &[Some(b), Some(t)])?;
        a.data.iter().map(|&v| v != 0.0).collect()
    } else {
        vec![false; b * t]
    };
    let arena_vertices: Vec<[f64; 2]> = if z.has("arena_vertices") {
        let v = z.array("arena_vertices")?;
        v.expect_shape(&file, "arena_vertices", &[None, Some(2)])?;
        v.expect_finite(&file, "arena_vertices")?;
        v.data.chunks(2).map(|c| [c[0], c[1]]).collect()
    } else {
        Vec::new()
    };
    if !arena_vertices.is_empty() {
        let arena = Arena::polygon(arena_vertices.clone()).map_err(|e| {
            bad_input(format!(
                "{file}: `arena_vertices` is not a usable arena: {e}"
            ))
        })?;
        // Positions were stored possibly as float32: allow that much rounding.
        if let Some(i) = (0..b * t)
            .find(|&i| arena.clearance([position.data[2 * i], position.data[2 * i + 1]]) < -1e-5)
        {
            return Err(bad_input(format!(
                "{file}: position of trial {}, step {} lies outside `arena_vertices`",
                i / t,
                i % t
            )));
        }
    }
    Ok(Trajectories {
        trials: b,
        steps: t,
        speed: speed.data,
        heading: heading.data,
        position: position.data,
        start,
        boundary,
        arena_vertices,
    })
}
