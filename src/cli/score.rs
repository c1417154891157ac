//! `gridrnn score`: anyone's rate maps through the same scores and cell-type rules.

use gridrnn::analysis::{
    MapLayout, ScoreOptions, arena_layout, map_stack_shape, score_maps_to_files,
};
use gridrnn::arena::{Arena, ArenaShape};
use gridrnn::config::resolve_threads;
use gridrnn::error::{bad_config, bad_input};

use super::args::{ArenaArg, ScoreArgs};
use super::print::report_cell_types;

/// Score the maps, write `scores.csv` columns and a `cell_types.json` beside them.
pub fn score(a: ScoreArgs) -> anyhow::Result<()> {
    let o = ScoreOptions {
        shuffles: a.shuffles,
        percentile: a.percentile,
        threads: resolve_threads(a.threads),
        seed: a.seed,
    };
    o.check().map_err(|e| bad_config(format!("--{e}")))?;
    let arr = gridrnn::io::read_npy(&a.maps)?;
    let in_file = |e: String| bad_input(format!("{}: {e}", a.maps.display()));
    let (count, h, w) = map_stack_shape(&arr.shape).map_err(in_file)?;
    let layout = match a.arena {
        None => MapLayout::rectangle(h, w),
        Some(name) => {
            let shape = match name {
                ArenaArg::Square => ArenaShape::Square,
                ArenaArg::Triangle => ArenaShape::Triangle,
                ArenaArg::Hexagon => ArenaShape::Hexagon,
                ArenaArg::Circle => ArenaShape::Circle,
            };
            let arena = Arena::new(shape, a.arena_area)
                .map_err(|e| bad_config(format!("--arena-area: {e}")))?;
            arena_layout(&arena, h, w).map_err(in_file)?
        }
    };
    let t0 = std::time::Instant::now();
    let (rows, thresholds, json) = score_maps_to_files(&arr.data, &layout, &o, &a.out)?;
    println!(
        "scored {count} maps of {h} x {w} bins and {} mask-preserving shuffles each in {:.2} s (maps alone: the null permutes visited bins; irregular and non-spatial need split halves and are reported as unclassified)",
        o.shuffles,
        t0.elapsed().as_secs_f64()
    );
    let hexagonal = gridrnn::analysis::hexagonal_score_name(&layout);
    report_cell_types(&rows, &thresholds, hexagonal, o.percentile);
    println!("wrote {} and {}", a.out.display(), json.display());
    Ok(())
}
