//! Fuzz target: see `entry::trajectories` (fuzz/entry.rs).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../entry.rs"]
mod entry;

fuzz_target!(|data: &[u8]| entry::trajectories(data));
