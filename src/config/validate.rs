//! Range and consistency checks: a config becomes a [`ValidConfig`] once, before anything runs.

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use super::schema::*;
use crate::arena::{Arena, ArenaShape};
use crate::error::bad_config;
use crate::task::{Trajectories, read_trajectories};

/// A config whose every key has been checked; the only kind the library trains with.
#[derive(Clone, Debug)]
pub struct ValidConfig {
    cfg: Config,
    arena: Arena,
    trajectories: Option<Arc<Trajectories>>,
}

impl Deref for ValidConfig {
    type Target = Config;
    fn deref(&self) -> &Config {
        &self.cfg
    }
}

impl ValidConfig {
    /// The checked config.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The arena `task.arena` describes.
    pub fn arena(&self) -> &Arena {
        &self.arena
    }

    /// The user's trajectory file of `task.trajectories`, read and checked once.
    pub fn trajectory_file(&self) -> Option<&Arc<Trajectories>> {
        self.trajectories.as_ref()
    }

    /// Worker threads `train.threads` asks for (0 = all cores).
    pub fn threads(&self) -> usize {
        resolve_threads(self.cfg.train.threads)
    }

    /// Number of network inputs: 3 or 2 by encoding, plus 2 with a start cue.
    pub fn n_in(&self) -> usize {
        let base = match self.cfg.model.input {
            Encoding::SpeedCosSin => 3,
            Encoding::SpeedAngle | Encoding::Velocity => 2,
        };
        base + if self.cfg.task.start_cue { 2 } else { 0 }
    }

    /// The recurrent weights' initialisation `model.init_rec` resolves to in this arena:
    /// `paper` is the paper's recipe (section 2.3: orthogonal in the square and the triangle,
    /// Gaussian in the hexagon); `pytorch` (uniform) is resolved by the model.
    pub fn orthogonal_init(&self) -> bool {
        match self.cfg.model.init_rec {
            InitRec::Orthogonal => true,
            InitRec::Paper => {
                matches!(self.cfg.task.arena, ArenaName::Square | ArenaName::Triangle)
            }
            InitRec::Gaussian | InitRec::Pytorch => false,
        }
    }

    /// The config as a TOML table (what `config.toml` holds).
    pub fn to_table(&self) -> toml::Table {
        toml::Table::try_from(&self.cfg).expect("a Config always serialises")
    }
}

/// A thread count, 0 meaning all cores (`train.threads`, `--threads`).
pub fn resolve_threads(t: usize) -> usize {
    if t == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        t
    }
}

fn check(ok: bool, key: &str, value: impl std::fmt::Display, allowed: &str) -> anyhow::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(bad_config(format!(
            "config key `{key}` = {value} is out of range; allowed: {allowed}"
        )))
    }
}

impl Config {
    /// Check every key and build the arena (docs/design.md section 5: a bad config fails before
    /// training starts).
    pub fn validate(&self) -> anyhow::Result<ValidConfig> {
        let (t, m, l, tr) = (&self.task, &self.model, &self.loss, &self.train);
        let pos = |x: f64| x.is_finite() && x > 0.0;
        let nonneg = |x: f64| x.is_finite() && x >= 0.0;
        check(
            pos(t.arena_area),
            "task.arena_area",
            t.arena_area,
            "a positive number",
        )?;
        check(t.steps >= 1, "task.steps", t.steps, "an integer >= 1")?;
        check(
            (0.0..1.0).contains(&t.p_stop),
            "task.p_stop",
            t.p_stop,
            "[0, 1)",
        )?;
        check(
            t.run_length.is_finite() && t.run_length >= 1.0,
            "task.run_length",
            t.run_length,
            ">= 1",
        )?;
        check(
            nonneg(t.heading_std),
            "task.heading_std",
            t.heading_std,
            ">= 0 (radians)",
        )?;
        check(pos(t.speed_sigma), "task.speed_sigma", t.speed_sigma, "> 0")?;
        check(pos(t.speed_max), "task.speed_max", t.speed_max, "> 0")?;
        check(t.cue_steps >= 1, "task.cue_steps", t.cue_steps, ">= 1")?;
        check(m.units >= 1, "model.units", m.units, ">= 1")?;
        check(
            m.alpha > 0.0 && m.alpha <= 1.0,
            "model.alpha",
            m.alpha,
            "(0, 1]",
        )?;
        check(nonneg(m.noise_std), "model.noise_std", m.noise_std, ">= 0")?;
        check(
            pos(m.speed_scale),
            "model.speed_scale",
            m.speed_scale,
            "> 0",
        )?;
        check(nonneg(l.lambda_l2), "loss.lambda_l2", l.lambda_l2, ">= 0")?;
        check(nonneg(l.lambda_fr), "loss.lambda_fr", l.lambda_fr, ">= 0")?;
        check(
            nonneg(l.lambda_rec),
            "loss.lambda_rec",
            l.lambda_rec,
            ">= 0",
        )?;
        check(
            nonneg(l.lambda_cae),
            "loss.lambda_cae",
            l.lambda_cae,
            ">= 0",
        )?;
        check(
            l.l2_decay_every >= 1,
            "loss.l2_decay_every",
            l.l2_decay_every,
            ">= 1",
        )?;
        check(tr.shards >= 1, "train.shards", tr.shards, ">= 1")?;
        check(
            tr.batch_size >= tr.shards,
            "train.batch_size",
            tr.batch_size,
            &format!(">= train.shards ({})", tr.shards),
        )?;
        check(
            nonneg(tr.minutes),
            "train.minutes",
            tr.minutes,
            ">= 0 (0 = no time budget)",
        )?;
        check(pos(tr.lr), "train.lr", tr.lr, "> 0")?;
        check(
            (0.0..1.0).contains(&tr.beta1),
            "train.beta1",
            tr.beta1,
            "[0, 1)",
        )?;
        check(
            (0.0..1.0).contains(&tr.beta2),
            "train.beta2",
            tr.beta2,
            "[0, 1)",
        )?;
        check(pos(tr.eps), "train.eps", tr.eps, "> 0")?;
        check(nonneg(tr.clip), "train.clip", tr.clip, ">= 0 (0 = off)")?;
        check(
            tr.checkpoint_every >= 1,
            "train.checkpoint_every",
            tr.checkpoint_every,
            ">= 1",
        )?;
        check(pos(tr.hf_damping), "train.hf_damping", tr.hf_damping, "> 0")?;
        check(
            nonneg(tr.hf_structural_damping),
            "train.hf_structural_damping",
            tr.hf_structural_damping,
            ">= 0",
        )?;
        // Only Hessian-free uses it, so that small Adam batches need not lower it.
        check(
            tr.optimizer != OptimizerName::HessianFree
                || (1..=tr.batch_size).contains(&tr.curvature_batch()),
            "train.hf_curvature_batch",
            tr.curvature_batch(),
            "1..=train.batch_size",
        )?;
        check(tr.hf_max_cg >= 1, "train.hf_max_cg", tr.hf_max_cg, ">= 1")?;
        if tr.optimizer == OptimizerName::HessianFree && self.loss.lambda_cae > 0.0 {
            return Err(bad_config(
                "config key `loss.lambda_cae` must be 0 with train.optimizer = \"hessian-free\": the contractive penalty has no Gauss-Newton form; set it to 0 or use \"adam\"",
            ));
        }
        if self.model.activation == crate::config::Activation::Relu && self.loss.lambda_cae > 0.0 {
            return Err(bad_config(
                "config key `loss.lambda_cae` must be 0 with model.activation = \"relu\": the contractive penalty's gradient is written for tanh's f'' = -2 f f'; set it to 0 or use \"tanh\"",
            ));
        }
        check_readout(self)?;
        let shape = match t.arena.regular_shape() {
            Some(shape) => shape,
            None => {
                if t.vertices.is_empty() {
                    return Err(bad_config(
                        "config key `task.arena` = \"polygon\" needs `task.vertices` = [[x, y], ...]",
                    ));
                }
                ArenaShape::Polygon(t.vertices.clone())
            }
        };
        if t.arena != ArenaName::Polygon && !t.vertices.is_empty() {
            return Err(bad_config(
                "config key `task.vertices` is only used with task.arena = \"polygon\"",
            ));
        }
        let arena = match shape {
            ArenaShape::Polygon(v) => Arena::polygon(v),
            s => Arena::new(s, t.arena_area),
        }
        .map_err(|e| bad_config(format!("config key `task.vertices`: {e}")))?;
        if let StartSpec::Point(p) = t.start
            && !(p[0].is_finite() && p[1].is_finite() && arena.contains(p))
        {
            return Err(bad_config(format!(
                "config key `task.start` = [{}, {}] lies outside the {:?} arena; give a point inside it, \"centre\" or \"random\"",
                p[0], p[1], t.arena
            )));
        }
        if t.arena == ArenaName::Polygon
            && !arena.contains([0.0, 0.0])
            && t.start == StartSpec::Named(StartName::Centre)
        {
            return Err(bad_config(
                "config key `task.start` = \"centre\" but the polygon does not contain the origin; give a start point",
            ));
        }
        let trajectories = if t.trajectories.is_empty() {
            None
        } else {
            Some(Arc::new(check_trajectory_file(
                Path::new(&t.trajectories),
                t.steps,
                &arena,
            )?))
        };
        let mut cfg = self.clone();
        cfg.train.hf_curvature_batch = Some(tr.curvature_batch());
        Ok(ValidConfig {
            cfg,
            arena,
            trajectories,
        })
    }
}

/// The place-cell readout's keys, and what it cannot be combined with.
fn check_readout(c: &Config) -> anyhow::Result<()> {
    let m = &c.model;
    if m.initial_state == InitialState::PlaceCode && m.readout != ReadoutName::PlaceCells {
        return Err(bad_config(
            "config key `model.initial_state` = \"place-code\" needs model.readout = \"place-cells\" (the code is the place cells'); set the readout or use \"zero\"",
        ));
    }
    if m.readout != ReadoutName::PlaceCells {
        return Ok(());
    }
    check(
        m.place_cells >= crate::task::DECODE_TOP_K,
        "model.place_cells",
        m.place_cells,
        &format!(
            ">= {} (positions decode from the top {0})",
            crate::task::DECODE_TOP_K
        ),
    )?;
    check(
        m.place_cell_width.is_finite() && m.place_cell_width > 0.0,
        "model.place_cell_width",
        m.place_cell_width,
        "> 0 (arena units)",
    )?;
    check(
        m.place_cell_targets != PlaceTargetName::Dos
            || (m.surround_scale.is_finite() && m.surround_scale > 1.0),
        "model.surround_scale",
        m.surround_scale,
        "> 1 (the surround is wider than the centre)",
    )?;
    if c.train.optimizer == OptimizerName::HessianFree {
        return Err(bad_config(
            "config key `train.optimizer` = \"hessian-free\" works with model.readout = \"cartesian\" only: the place-cell readout's cross-entropy has no Gauss-Newton product here yet; use \"adam\"",
        ));
    }
    Ok(())
}

/// Read `task.trajectories` and check that it can feed T-step windows inside the arena.
fn check_trajectory_file(path: &Path, steps: usize, arena: &Arena) -> anyhow::Result<Trajectories> {
    let tr = read_trajectories(path).map_err(|e| {
        bad_config(format!(
            "config key `task.trajectories` = {}: {e:#}",
            path.display()
        ))
    })?;
    if tr.steps < steps {
        return Err(bad_config(format!(
            "config key `task.trajectories` = {}: its trials have {} steps, fewer than task.steps = {steps}; lower task.steps",
            path.display(),
            tr.steps
        )));
    }
    let outside = (0..tr.trials * tr.steps)
        .find(|&i| arena.clearance([tr.position[2 * i], tr.position[2 * i + 1]]) < -1e-5);
    if let Some(i) = outside {
        return Err(bad_config(format!(
            "config key `task.trajectories` = {}: trial {}, step {} lies outside the configured arena; set task.arena (or task.vertices) to the arena the file was recorded in",
            path.display(),
            i / tr.steps,
            i % tr.steps
        )));
    }
    Ok(tr)
}
