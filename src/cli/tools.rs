//! `gridrnn config`, `evaluate` and `trajectories`.

use anyhow::Context;

use gridrnn::config::{render_commented, resolve_threads};
use gridrnn::error::bad_config;
use gridrnn::io::{load_checkpoint, write_atomic};
use gridrnn::task::{Trajectories, TrajectorySpec, read_trajectories, write_trajectories};

use super::args::{ConfigCmdArgs, EvaluateArgs, TrajectoriesArgs};

/// Print the resolved config with a comment per key.
pub fn config(a: ConfigCmdArgs) -> anyhow::Result<()> {
    print!("{}", render_commented(&a.cfg.load()?.to_table()));
    Ok(())
}

/// E (eq. 3) of a checkpoint on a trajectory file.
pub fn evaluate(a: EvaluateArgs) -> anyhow::Result<()> {
    let (net, notes) = load_checkpoint(&a.checkpoint)?;
    for n in notes {
        eprintln!("note: {n}");
    }
    let traj = read_trajectories(&a.trajectories)?;
    let ev =
        gridrnn::evaluate::evaluate(&net, &traj, a.noise.on(), resolve_threads(a.threads), 500);
    let text = serde_json::to_string_pretty(&ev)?;
    println!("{text}");
    if let Some(p) = a.json {
        write_atomic(&p, text.as_bytes())?;
    }
    Ok(())
}

/// Generate trajectories from the task config and write them as .npz.
pub fn trajectories(a: TrajectoriesArgs) -> anyhow::Result<()> {
    let cfg = a.cfg.load()?;
    if a.trials == 0 {
        return Err(bad_config("--trials must be at least 1"));
    }
    let mut spec = TrajectorySpec::from_config(&cfg);
    if let Some(t) = a.steps {
        if t == 0 {
            return Err(bad_config("--steps must be at least 1"));
        }
        spec.task.steps = t;
    }
    let tr = Trajectories::generate(&spec, cfg.train.seed, 0, 0, a.trials);
    write_trajectories(&a.out, &tr).with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "wrote {} trials x {} steps to {}",
        a.trials,
        spec.task.steps,
        a.out.display()
    );
    Ok(())
}
