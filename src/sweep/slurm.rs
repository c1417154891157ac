//! `gridrnn sweep --emit slurm`: a SLURM job array with one task per point, each calling this
//! same binary on its point (`gridrnn sweep-point DIR NAME`), plus the expanded run list, so
//! that a lab's cluster runs the sweep unchanged.

use std::path::Path;

use super::pool::SweepRecord;
use crate::io::write_atomic;

/// Write `runs.txt` (one point name per line, in array-index order) and `sweep.sbatch` into
/// the prepared sweep directory `out`; `binary` is the gridrnn executable the tasks call.
/// Returns the script's path.
pub fn emit_slurm(
    record: &SweepRecord,
    out: &Path,
    binary: &Path,
    cpus_per_task: usize,
) -> anyhow::Result<std::path::PathBuf> {
    let out = std::path::absolute(out)?;
    let binary = std::path::absolute(binary)?;
    let names: Vec<&str> = record.points.iter().map(|p| p.0.as_str()).collect();
    write_atomic(&out.join("runs.txt"), (names.join("\n") + "\n").as_bytes())?;
    let q = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "'\\''"));
    let script = format!(
        "#!/bin/bash\n\
         # gridrnn sweep `{name}`: {n} points, one array task each (written by `gridrnn sweep --emit slurm`).\n\
         # Submit with: sbatch {script}\n\
         #SBATCH --job-name=gridrnn-{name}\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --output={dir}/slurm-%A_%a.out\n\
         set -euo pipefail\n\
         NAME=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {runs})\n\
         exec {bin} sweep-point {outq} \"$NAME\" --threads \"${{SLURM_CPUS_PER_TASK:-{cpus}}}\"\n",
        name = record.name,
        n = names.len(),
        script = q(&out.join("sweep.sbatch")),
        last = names.len().saturating_sub(1),
        cpus = cpus_per_task,
        dir = out.display(),
        runs = q(&out.join("runs.txt")),
        bin = q(&binary),
        outq = q(&out),
    );
    let path = out.join("sweep.sbatch");
    write_atomic(&path, script.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(path)
}
