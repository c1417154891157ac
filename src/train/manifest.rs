//! `manifest.json` (docs/design.md section 5): how a run was made.

use serde::{Deserialize, Serialize};

use crate::model::simd;

/// Everything needed to know how a run was made.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// gridrnn version.
    pub gridrnn_version: String,
    /// Git commit the binary was built from.
    pub git_commit: String,
    /// Whether that tree had uncommitted changes.
    pub git_dirty: bool,
    /// rustc that built it.
    pub rustc: String,
    /// CPU model.
    pub cpu: String,
    /// SIMD path of the elementwise kernels.
    pub simd_path: String,
    /// Worker threads.
    pub threads: usize,
    /// Batch shards.
    pub shards: usize,
    /// Seed.
    pub seed: u64,
    /// Command line.
    pub command_line: Vec<String>,
    /// UTC start, RFC 3339.
    pub start_utc: String,
    /// UTC end, RFC 3339 (empty while running).
    pub end_utc: String,
    /// Seconds per phase, summed over the run.
    pub time_per_phase_s: std::collections::BTreeMap<String, f64>,
    /// Layout version of the run's files.
    pub format_version: i64,
    /// Each `gridrnn resume`: the iteration it started from and when.
    #[serde(default)]
    pub resumes: Vec<Resume>,
}

/// One resume of a run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Resume {
    /// Checkpoint iteration it continued from.
    pub iteration: u64,
    /// UTC time, RFC 3339.
    pub utc: String,
}

/// Now as RFC 3339 UTC.
pub fn utc_now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

impl Manifest {
    /// A manifest for a run starting now.
    pub fn start(threads: usize, shards: usize, seed: u64) -> Manifest {
        Manifest {
            gridrnn_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: env!("GRIDRNN_GIT_COMMIT").to_string(),
            git_dirty: env!("GRIDRNN_GIT_DIRTY") == "true",
            rustc: env!("GRIDRNN_RUSTC").to_string(),
            cpu: cpu_model(),
            simd_path: simd::path().name().to_string(),
            threads,
            shards,
            seed,
            command_line: std::env::args().collect(),
            start_utc: utc_now(),
            end_utc: String::new(),
            time_per_phase_s: Default::default(),
            format_version: crate::io::FORMAT_VERSION,
            resumes: Vec::new(),
        }
    }
}
