//! Fuzz target: see `gridrnn::fuzz::npy`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| gridrnn::fuzz::npy(data));
