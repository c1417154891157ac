//! Replays every input the fuzzers found (tests/fuzz_regressions/TARGET/) and the fuzz seeds
//! through the fuzz targets' entry points: none may panic.

use std::path::Path;

#[path = "../fuzz/entry.rs"]
mod entry;

fn replay(target: &str, f: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for dir in [
        root.join("tests/fuzz_regressions").join(target),
        root.join("fuzz/seeds").join(target),
    ] {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.path().is_file() {
                f(&std::fs::read(e.path()).unwrap());
                n += 1;
            }
        }
    }
    n
}

#[test]
fn fuzz_findings_and_seeds_do_not_panic() {
    assert!(replay("npz", entry::npz) >= 3);
    assert!(replay("npy", entry::npy) >= 1);
    assert!(replay("trajectories", entry::trajectories) >= 1);
    assert!(replay("config", entry::config) >= 6);
}
