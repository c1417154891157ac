//! The navigation task of paper section 2.2 (docs/design.md section 3): random-foraging trajectories
//! inside an arena, and the network inputs and targets they define.

mod inputs;
mod place_cells;
mod sorscher_motion;
mod trajectory;
mod trajectory_file;

pub use inputs::{input_scale, raw_inputs, write_shard};
pub use place_cells::{CENTRES_ITERATION, DECODE_TOP_K, PlaceCells, PlaceTargets};
pub use sorscher_motion::{SORSCHER_BORDER, SORSCHER_SLOWDOWN};
pub use trajectory::{LongTrials, Trajectories, TrajectorySpec, Walker};
pub use trajectory_file::{read_trajectories, trajectories_from, write_trajectories};
