//! The per-step algorithm: fresh trials and noise, forward, lambdas, BPTT, then Adam (with
//! clipping) or a Hessian-free update.

use std::time::Instant;

use super::hessian_free::{GradientPoint, HessianFree, HfReport};
use super::solver::{Problem, Solver};
use super::{Adam, LambdaSchedule};
use crate::config::{OptimizerName, ValidConfig};
use crate::io::{HfTrainState, TrainState};
use crate::model::{Ctrnn, Engine, Lambdas, LossTerms, PhaseTimes, Real};
use crate::task::{Trajectories, TrajectorySpec, write_shard};

/// The noise of a curvature minibatch comes from the stream of iteration key
/// `iteration | CURVATURE_NOISE`, which no gradient minibatch uses.
const CURVATURE_NOISE: u64 = 1 << 63;

/// What one iteration measured (a `train_log.csv` row).
#[derive(Clone, Debug, PartialEq)]
pub struct StepRecord {
    /// Iteration (0-based; the update it made is the iteration+1-th).
    pub iteration: u64,
    /// Loss terms of its minibatch, before the update.
    pub terms: LossTerms,
    /// The lambdas its gradient used.
    pub lambdas: Lambdas,
    /// Total loss.
    pub loss: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Learning rate.
    pub lr: f64,
    /// Time per phase.
    pub times: PhaseTimes,
    /// What the Hessian-free update did (None under Adam).
    pub hf: Option<HfReport>,
}

/// Training state of one network; `step` is the whole per-iteration algorithm.
pub struct Trainer<R: Real> {
    cfg: ValidConfig,
    spec: TrajectorySpec,
    /// The network being trained.
    pub net: Ctrnn<R>,
    engine: Engine<R>,
    adam: Adam<R>,
    /// Lambda schedule state.
    pub schedule: LambdaSchedule,
    /// Updates done so far.
    pub iteration: u64,
    /// Learning rate now (cut on each divergence roll-back).
    pub lr: f64,
    /// Hessian-free state (None under Adam).
    pub hf: Option<HessianFree>,
    /// The curvature minibatch's engine (Hessian-free only).
    curvature: Option<Engine<R>>,
}

/// Everything that changes during training, in memory: what a roll-back restores and what a
/// checkpoint's training state holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot<R> {
    /// The network.
    pub net: Ctrnn<R>,
    /// Adam's moments.
    pub adam: Adam<R>,
    /// Lambda schedule state.
    pub schedule: LambdaSchedule,
    /// Updates done.
    pub iteration: u64,
    /// Learning rate.
    pub lr: f64,
    /// Hessian-free state.
    pub hf: Option<HessianFree>,
}

/// Forward pass of `engine` on trials `0..engine.batch()` of minibatch `iteration`, with the
/// noise stream of `noise_key` (trials from their streams, or windows of the config's file).
fn forward_minibatch<R: Real>(
    engine: &mut Engine<R>,
    cfg: &ValidConfig,
    spec: &TrajectorySpec,
    net: &Ctrnn<R>,
    iteration: u64,
    noise_key: u64,
) -> LossTerms {
    let seed = cfg.train.seed;
    let file = cfg.trajectory_file();
    let cue = cfg.task.start_cue.then_some(cfg.task.cue_steps);
    let noise = Some((seed, noise_key, net.noise_std));
    engine.forward(net, noise, |inp| {
        let tr = match file {
            Some(f) => f.windows(
                spec.task.steps,
                seed,
                iteration,
                inp.first_trial,
                inp.trials,
            ),
            None => Trajectories::generate(spec, seed, iteration, inp.first_trial, inp.trials),
        };
        write_shard(
            &tr,
            0,
            inp.trials,
            net.encoding,
            &net.input_scale,
            cue,
            inp.iaug,
            inp.target,
            inp.start,
        );
    })
}

impl<R: Real> Trainer<R> {
    /// A trainer from the config's initial network, on `train.threads` workers.
    pub fn new(cfg: &ValidConfig) -> Self {
        Self::with_network(cfg, Ctrnn::init(cfg))
    }

    /// A trainer starting from a given network.
    pub fn with_network(cfg: &ValidConfig, net: Ctrnn<R>) -> Self {
        let threads = cfg.threads();
        let engine = Engine::new(
            net.n,
            net.n_in,
            cfg.task.steps,
            cfg.train.batch_size,
            cfg.train.shards,
            threads,
            true,
        );
        let hessian_free = cfg.train.optimizer == OptimizerName::HessianFree;
        let curvature = hessian_free.then(|| {
            Engine::new(
                net.n,
                net.n_in,
                cfg.task.steps,
                cfg.train.curvature_batch(),
                cfg.train.shards,
                threads,
                true,
            )
        });
        Trainer {
            cfg: cfg.clone(),
            spec: TrajectorySpec::from_config(cfg),
            adam: Adam::new(&net),
            net,
            engine,
            schedule: LambdaSchedule::new(cfg),
            iteration: 0,
            lr: cfg.train.lr,
            hf: hessian_free.then(|| HessianFree::new(cfg.train.hf_damping)),
            curvature,
        }
    }

    /// Forward pass on minibatch `iteration` (trials and noise from their streams).
    pub fn forward(&mut self, iteration: u64) -> LossTerms {
        forward_minibatch(
            &mut self.engine,
            &self.cfg,
            &self.spec,
            &self.net,
            iteration,
            iteration,
        )
    }

    /// The loss and its gradient on minibatch `iteration` with fixed lambdas (no update).
    pub fn loss_and_gradient(
        &mut self,
        iteration: u64,
        lambdas: &Lambdas,
    ) -> (f64, crate::model::Gradients<R>) {
        let mut terms = self.forward(iteration);
        let (g, r_cae) = self.engine.backward(&self.net, lambdas);
        terms.r_cae = r_cae;
        (terms.loss(lambdas), g)
    }

    /// One training iteration. Returns `Err` with the record when the loss or gradient is not
    /// finite; the network is then left unchanged.
    pub fn step(&mut self) -> Result<StepRecord, Box<StepRecord>> {
        let it = self.iteration;
        let mut terms = self.forward(it);
        let lambdas = self.schedule.current(&terms);
        let (mut g, r_cae) = self.engine.backward(&self.net, &lambdas);
        terms.r_cae = r_cae;
        let loss = terms.loss(&lambdas);
        let solver: &mut dyn Solver<R> = match &mut self.hf {
            Some(hf) => hf,
            None => &mut self.adam,
        };
        let grad_norm = solver.prepare(&mut g, self.cfg.train.clip);
        let mut times = self.engine.times();
        let rec = StepRecord {
            iteration: it,
            terms,
            lambdas,
            loss,
            grad_norm,
            lr: self.lr,
            times,
            hf: None,
        };
        if !(loss.is_finite() && grad_norm.is_finite()) {
            return Err(Box::new(rec));
        }
        let t0 = Instant::now();
        let (cfg, spec, engine) = (&self.cfg, &self.spec, &mut self.engine);
        let mut curvature = self.curvature.as_mut();
        if let Some(c) = curvature.as_deref_mut() {
            forward_minibatch(c, cfg, spec, &self.net, it, it | CURVATURE_NOISE);
        }
        let mut loss_at =
            |cand: &Ctrnn<R>| forward_minibatch(engine, cfg, spec, cand, it, it).loss(&lambdas);
        let problem = Problem {
            net: &mut self.net,
            loss_at: &mut loss_at,
            curvature,
            cfg,
        };
        let at = GradientPoint {
            gradient: &g,
            loss,
            lambdas: &lambdas,
        };
        let Ok(hf_report) = solver.update(problem, at, self.lr) else {
            return Err(Box::new(rec));
        };
        self.engine.recycle(g);
        times.optimiser = t0.elapsed().as_secs_f64();
        self.schedule.after(it, &terms);
        self.iteration += 1;
        // Under Hessian-free the log's learning-rate column holds the line search's step.
        let lr = hf_report.as_ref().map_or(rec.lr, |r| r.rate);
        Ok(StepRecord {
            times,
            lr,
            hf: hf_report,
            ..rec
        })
    }

    /// Go back to a snapshot after a divergence, keeping the learning rate and damping
    /// reached so far (so that repeated failures back off further), then cut the learning rate
    /// by `cut` (Adam) and raise the damping by its inverse (Hessian-free).
    pub fn roll_back(&mut self, s: &Snapshot<R>, cut: f64) {
        let (lr, damping) = (self.lr, self.hf.as_ref().map(|h| h.damping));
        self.restore(s);
        self.lr = lr * cut;
        if let (Some(h), Some(d)) = (&mut self.hf, damping) {
            h.damping = d / cut;
        }
    }

    /// A copy of the training state.
    pub fn snapshot(&self) -> Snapshot<R> {
        Snapshot {
            net: self.net.clone(),
            adam: self.adam.clone(),
            schedule: self.schedule.clone(),
            iteration: self.iteration,
            lr: self.lr,
            hf: self.hf.clone(),
        }
    }

    /// Go back to a snapshot (keeps the current learning rate unless told otherwise).
    pub fn restore(&mut self, s: &Snapshot<R>) {
        self.net = s.net.clone();
        self.adam = s.adam.clone();
        self.schedule = s.schedule.clone();
        self.iteration = s.iteration;
        self.lr = s.lr;
        self.hf = s.hf.clone();
    }

    /// Optimiser and schedule state, for `ITER.state.npz`.
    pub fn state(&self, wall_s: f64) -> TrainState {
        let cv = |v: &Vec<Vec<R>>| {
            v.iter()
                .map(|t| t.iter().map(|x| x.f64() as f32).collect())
                .collect()
        };
        TrainState {
            iteration: self.iteration,
            adam_m: cv(&self.adam.m),
            adam_v: cv(&self.adam.v),
            lambda_l2: self.schedule.lambdas.l2,
            lambda_fr: self.schedule.lambdas.fr,
            e_bar: self.schedule.e_bar,
            schedule_started: self.schedule.started,
            lr: self.lr,
            wall_s,
            hf: self.hf.as_ref().map(|h| HfTrainState {
                damping: h.damping,
                previous: h.previous.clone(),
            }),
        }
    }

    /// Continue from a checkpoint's network and training state (`gridrnn resume`). Fails when
    /// the state does not fit the network.
    pub fn resume(cfg: &ValidConfig, net: Ctrnn<R>, st: &TrainState) -> anyhow::Result<Self> {
        // Only the tensors come from the checkpoint: alpha, noise_std and input_scale are
        // stored there as float32, and the config's exact values keep a resumed run
        // bit-identical to an uninterrupted one.
        let mut exact = Ctrnn::<R>::init(cfg);
        anyhow::ensure!(
            (net.n, net.n_in) == (exact.n, exact.n_in),
            "checkpoint has N = {}, N_in = {}; the config says N = {}, N_in = {}",
            net.n,
            net.n_in,
            exact.n,
            exact.n_in
        );
        anyhow::ensure!(
            exact.tensors().map(|t| t.len()) == net.tensors().map(|t| t.len()),
            "checkpoint's readout or initial state differs from the config's (model.readout, model.place_cells, model.initial_state)"
        );
        for (d, s) in exact.tensors_mut().into_iter().zip(net.tensors()) {
            d.copy_from_slice(s);
        }
        exact.place_cells = net.place_cells.clone();
        let mut t = Self::with_network(cfg, exact);
        let shapes: Vec<usize> = t.net.tensors().iter().map(|x| x.len()).collect();
        let ok =
            |v: &Vec<Vec<f32>>| v.len() == 5 && v.iter().zip(&shapes).all(|(a, &n)| a.len() == n);
        anyhow::ensure!(
            ok(&st.adam_m) && ok(&st.adam_v),
            "training state does not match the network's shape"
        );
        let cv = |v: &Vec<Vec<f32>>| {
            v.iter()
                .map(|x| x.iter().map(|&y| R::of(y as f64)).collect())
                .collect()
        };
        t.adam = Adam {
            m: cv(&st.adam_m),
            v: cv(&st.adam_v),
            t: st.iteration,
        };
        t.schedule.lambdas.l2 = st.lambda_l2;
        t.schedule.lambdas.fr = st.lambda_fr;
        t.schedule.e_bar = st.e_bar;
        t.schedule.started = st.schedule_started;
        t.iteration = st.iteration;
        t.lr = st.lr;
        if let Some(hf) = &mut t.hf {
            let saved = st.hf.as_ref().ok_or_else(|| {
                anyhow::anyhow!(
                    "the config says hessian-free but the training state has no Hessian-free state"
                )
            })?;
            let params: usize = shapes.iter().sum();
            anyhow::ensure!(
                saved.previous.is_empty() || saved.previous.len() == params,
                "Hessian-free state does not match the network's shape"
            );
            hf.damping = saved.damping;
            hf.previous = saved.previous.clone();
        }
        Ok(t)
    }
}
