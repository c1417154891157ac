//! File formats of docs/design.md section 5: atomic writes, .npz/.npy arrays, checkpoints, exports.

mod atomic;
mod checkpoint;
mod csv_text;
mod npz;

pub use atomic::{write_atomic, write_atomic_with};
pub use checkpoint::{
    FORMAT_VERSION, HfTrainState, TrainState, checkpoint_from, load_checkpoint, read_train_state,
    save_checkpoint, write_train_state,
};
pub use csv_text::csv_text;
pub use npz::{Arr, NpyStr, NpzIn, NpzOut, read_npy, read_npy_bytes};
