//! Entry points of the fuzz targets (`fuzz_targets/`), shared with the regression test that
//! replays their findings (`tests/fuzz_regressions.rs`, which includes this file): each takes
//! any bytes and must return, never panic. Each target uses one of them.
#![allow(dead_code)]

use gridrnn::io::{NpzIn, checkpoint_from, read_npy_bytes};

/// Any bytes as an .npz: every array and string, and the archive as a checkpoint.
pub fn npz(data: &[u8]) {
    if let Ok(mut z) = NpzIn::from_bytes(data.to_vec(), "fuzz.npz") {
        for name in z.names().to_vec() {
            let _ = z.array(&name);
            let _ = z.string(&name);
        }
    }
    if let Ok(z) = NpzIn::from_bytes(data.to_vec(), "fuzz.npz") {
        let _ = checkpoint_from(z);
    }
}

/// Any bytes as an .npy.
pub fn npy(data: &[u8]) {
    let _ = read_npy_bytes(data, "fuzz.npy");
}

/// Any bytes as a trajectory file.
pub fn trajectories(data: &[u8]) {
    if let Ok(z) = NpzIn::from_bytes(data.to_vec(), "fuzz.npz") {
        let _ = gridrnn::task::trajectories_from(z);
    }
}

/// Any text as a config file.
pub fn config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = gridrnn::config::load_str(text, "fuzz.toml");
    }
}
