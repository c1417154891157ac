//! The fused forward + BPTT engine: fixed batch shards, each with its own buffers, stream and
//! single-threaded GEMMs, spread over worker threads and reduced in shard order, so that
//! results depend on the shards and never on the thread count (docs/design.md section 6).

use std::time::Instant;

use super::gemm::Mat;
use super::kernel::forward_step;
use super::place_readout::{initial_state, readout_forward};
use super::simd::{SimdPath, path};
use super::step_gemm::{PackedB, step_matmul};
use super::{Ctrnn, LossTerms, NormalStream, PhaseTimes, Real, without_subnormals};
use crate::config::NoiseSite;
use crate::task::{Trajectories, write_shard};

/// The inputs and targets of one shard, time-major: `iaug[(t*bs + b)*(n_in+1) + k]` with a
/// trailing 1 per row (so that one GEMM gives dW_in and db), `target[(t*bs + b)*2 + j]`, and
/// each trial's start point `start[b*2 + j]` (what a place-code initial state encodes).
pub struct ShardInput<'a, R> {
    /// Global index of the shard's first trial.
    pub first_trial: usize,
    /// Trials in the shard.
    pub trials: usize,
    /// Scaled inputs plus a column of ones.
    pub iaug: &'a mut [R],
    /// Target positions.
    pub target: &'a mut [R],
    /// Start points.
    pub start: &'a mut [R],
}

/// W_in (N x N_in, row-major) transposed to the kernels' k-major layout.
pub(super) fn input_weights_k_major<R: Real>(w_in: &[R], n: usize, nin: usize) -> Vec<R> {
    let mut t = vec![R::zero(); nin * n];
    for i in 0..n {
        for k in 0..nin {
            t[k * n + i] = w_in[i * nin + k];
        }
    }
    t
}

pub(super) struct Shard<R> {
    pub(super) id: usize,
    pub(super) first: usize,
    pub(super) bs: usize,
    pub(super) iaug: Vec<R>,
    pub(super) target: Vec<R>,
    pub(super) start: Vec<R>,
    /// The start's place code (Bs x Np) and the initial state h0 = W_enc p (Bs x N).
    pub(super) p0: Vec<R>,
    pub(super) h0: Vec<R>,
    /// The place-cell readout's logits (M x Np), then dL/dZ.
    pub(super) pc_z: Vec<R>,
    pub(super) grad_enc: Vec<R>,
    pub(super) u: Vec<R>,
    pub(super) f: Vec<R>,
    pub(super) gx: Vec<R>,
    pub(super) x: Vec<R>,
    pub(super) g: Vec<R>,
    pub(super) xi: Vec<R>,
    pub(super) err: Vec<R>,
    pub(super) d2: Vec<R>,
    pub(super) sum_e: f64,
    pub(super) sum_fr: f64,
    pub(super) sum_c: f64,
    /// The place-cell readout's cross-entropy, this shard's share of the minibatch mean.
    pub(super) sum_xent: f64,
    pub(super) grad_rec: Vec<R>,
    pub(super) grad_inb: Vec<f64>,
    pub(super) grad_out: Vec<f64>,
    pub(super) acc_inb: Vec<R>,
    pub(super) acc_out: Vec<R>,
    pub(super) times: PhaseTimes,
    /// Whether `x` and the last block of `u` hold a state to continue from.
    pub(super) resume: bool,
    /// R u_t of the last Gauss-Newton product (allocated by the first).
    pub(super) ru: Vec<R>,
    /// R x_t of the step being run.
    pub(super) rx: Vec<R>,
}

/// Buffers and settings for running one network over minibatches of a fixed shape.
pub struct Engine<R> {
    pub(super) shards: Vec<Shard<R>>,
    pub(super) threads: usize,
    pub(super) n: usize,
    pub(super) n_in: usize,
    pub(super) steps: usize,
    pub(super) batch: usize,
    pub(super) simd: SimdPath,
    pub(super) with_grad: bool,
    /// Whether the next forward pass continues from where the last one ended.
    pub(super) continuing: bool,
    /// W_rec^T and W_rec packed for the step kernel, kept between iterations (their memory
    /// is reused, not faulted in again).
    pub(super) packed: [PackedB<R>; 2],
    /// The f64 buffer of the W_rec gradient's shard sum, kept between iterations.
    pub(super) rec_sum: Vec<f64>,
    /// A gradient returned by [`Engine::recycle`], whose memory the next backward pass reuses.
    pub(super) spare: Option<super::Gradients<R>>,
}

impl<R: Real> Engine<R> {
    /// An engine for `batch` trials of `steps` steps split into `shards` fixed shards (the
    /// first `batch % shards` shards get one trial more), run on `threads` workers.
    /// `with_grad = false` skips the buffers only the backward pass needs.
    pub fn new(
        n: usize,
        n_in: usize,
        steps: usize,
        batch: usize,
        shards: usize,
        threads: usize,
        with_grad: bool,
    ) -> Self {
        let shards = shards.clamp(1, batch.max(1));
        let nin_p1 = n_in + 1;
        let mut first = 0;
        let shards = (0..shards)
            .map(|s| {
                let bs = batch / shards + usize::from(s < batch % shards);
                let sh = Shard {
                    id: s,
                    first,
                    bs,
                    iaug: vec![R::zero(); steps * bs * (n_in + 1)],
                    target: vec![R::zero(); steps * bs * 2],
                    start: vec![R::zero(); bs * 2],
                    p0: Vec::new(),
                    h0: Vec::new(),
                    pc_z: Vec::new(),
                    grad_enc: Vec::new(),
                    u: vec![R::zero(); steps * bs * n],
                    f: Vec::new(),
                    gx: if with_grad {
                        vec![R::zero(); steps * bs * n]
                    } else {
                        Vec::new()
                    },
                    x: vec![R::zero(); bs * n],
                    g: vec![R::zero(); bs * n],
                    xi: vec![R::zero(); bs * n],
                    err: vec![R::zero(); steps * bs * 2],
                    d2: vec![R::zero(); n],
                    sum_e: 0.0,
                    sum_fr: 0.0,
                    sum_c: 0.0,
                    sum_xent: 0.0,
                    grad_rec: if with_grad {
                        vec![R::zero(); n * n]
                    } else {
                        Vec::new()
                    },
                    grad_inb: vec![0.0; n * (nin_p1)],
                    grad_out: vec![0.0; 2 * n],
                    acc_inb: vec![R::zero(); n * (nin_p1)],
                    acc_out: vec![R::zero(); 2 * n],
                    times: PhaseTimes::default(),
                    resume: false,
                    ru: Vec::new(),
                    rx: Vec::new(),
                };
                first += bs;
                sh
            })
            .collect();
        Engine {
            shards,
            threads: threads.max(1),
            n,
            n_in,
            steps,
            batch,
            simd: path(),
            with_grad,
            continuing: false,
            packed: Default::default(),
            rec_sum: Vec::new(),
            spare: None,
        }
    }

    /// Run the next forward passes as continuations: each starts from the state the previous
    /// one ended in (x_{T-1} and u_{T-1} of every trial) rather than from x = 0, so that a
    /// trial far longer than the buffers runs piece by piece (Fig. 6). The pass after this
    /// call still starts from x = 0.
    pub fn continue_trials(&mut self) {
        self.continuing = true;
        for sh in &mut self.shards {
            sh.resume = false;
        }
    }

    /// The squared error of every step of the last forward pass, averaged over the two
    /// coordinates as E of eq. 3 averages them: `out[b * T + t]` for trial b, step t.
    pub fn step_errors(&self) -> Vec<f64> {
        // forward() stores dE/dy = (y - target) / (B T).
        let scale = (self.batch * self.steps) as f64;
        let mut out = vec![0.0; self.batch * self.steps];
        for sh in &self.shards {
            for t in 0..self.steps {
                for b in 0..sh.bs {
                    let i = (t * sh.bs + b) * 2;
                    let (d0, d1) = (sh.err[i].f64() * scale, sh.err[i + 1].f64() * scale);
                    out[(sh.first + b) * self.steps + t] = (d0 * d0 + d1 * d1) / 2.0;
                }
            }
        }
        out
    }

    /// Trials per minibatch.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Unit activities u_t of the last forward pass for trial `b` (global index), step `t`.
    pub fn activity(&self, b: usize, t: usize) -> &[R] {
        let sh = self
            .shards
            .iter()
            .find(|s| b >= s.first && b < s.first + s.bs)
            .expect("trial in range");
        let row = t * sh.bs + (b - sh.first);
        &sh.u[row * self.n..(row + 1) * self.n]
    }

    /// Run `work` on every shard, on up to `threads` workers with a fixed shard assignment.
    pub(super) fn parallel<F>(&mut self, work: F)
    where
        F: Fn(&mut Shard<R>) + Sync,
    {
        let threads = self.threads.min(self.shards.len());
        if threads <= 1 {
            without_subnormals(|| self.shards.iter_mut().for_each(&work));
            return;
        }
        let per = self.shards.len().div_ceil(threads);
        std::thread::scope(|s| {
            for chunk in self.shards.chunks_mut(per) {
                let work = &work;
                s.spawn(move || without_subnormals(|| chunk.iter_mut().for_each(work)));
            }
        });
    }

    /// Forward pass of eq. 1-2 over one minibatch. `fill` writes each shard's inputs and
    /// targets; the noise of shard s is drawn from the stream (seed, iteration, s), so the same
    /// arguments give the same noise. Returns E, R_FR, R_L2 and the centre baseline.
    pub fn forward<F>(
        &mut self,
        net: &Ctrnn<R>,
        noise: Option<(u64, u64, f64)>,
        fill: F,
    ) -> LossTerms
    where
        F: Fn(ShardInput<'_, R>) + Sync,
    {
        assert_eq!(
            (net.n, net.n_in),
            (self.n, self.n_in),
            "engine built for another network shape"
        );
        let (n, nin, steps, simd) = (self.n, self.n_in, self.steps, self.simd);
        let a = R::of(net.alpha);
        let one_minus_a = R::of(1.0 - net.alpha);
        let act = net.activation;
        let rate_site = net.noise_site == NoiseSite::Rate;
        let win_t = input_weights_k_major(&net.w_in, n, nin);
        let noise = noise.filter(|&(_, _, sd)| sd > 0.0);
        let continuing = self.continuing;
        // W_rec^T is the same for every step: pack it once for the step kernel.
        let mut w_rec_t = std::mem::take(&mut self.packed[0]);
        w_rec_t.pack(Mat::trans(&net.w_rec, n), n, n, self.threads);
        let scale = 1.0 / (self.batch * steps) as f64;
        let m_total = self.batch * steps;
        let cartesian_w_out = net.cartesian_w_out();
        let place_code = net.place_code();
        self.parallel(|sh| {
            let sid = sh.id;
            let t0 = Instant::now();
            fill(ShardInput {
                first_trial: sh.first,
                trials: sh.bs,
                iaug: &mut sh.iaug,
                target: &mut sh.target,
                start: &mut sh.start,
            });
            sh.times = PhaseTimes {
                trajectories: t0.elapsed().as_secs_f64(),
                ..PhaseTimes::default()
            };
            if rate_site && sh.f.len() != sh.u.len() {
                sh.f = vec![R::zero(); sh.u.len()];
            }
            let mut rng = noise.map(|(seed, it, _)| NormalStream::new(seed, it, sid as u64));
            let bsn = sh.bs * n;
            let from_h0 = place_code.is_some() && !sh.resume;
            if let (Some(pc), false) = (place_code, sh.resume) {
                initial_state(sh, pc, &net.w_enc, n);
            }
            let mut sums = [0.0f64; 3];
            let mut t_noise = 0.0;
            let t1 = Instant::now();
            for t in 0..steps {
                let (before, now) = sh.u.split_at_mut(t * bsn);
                // u_{t-1}, with x holding x_{t-1}: the last pass's u_{T-1} (moved aside, this
                // pass overwrites it) when continuing, h0 from the place code, or nothing
                // (x_{-1} = 0).
                let prev: Option<&[R]> = if t > 0 {
                    Some(&before[(t - 1) * bsn..])
                } else if sh.resume {
                    sh.g.copy_from_slice(&now[(steps - 1) * bsn..]);
                    Some(&sh.g)
                } else if from_h0 {
                    sh.x.copy_from_slice(&sh.h0);
                    Some(&sh.h0)
                } else {
                    sh.x.fill(R::zero());
                    None
                };
                if let Some(prev) = prev {
                    let tp = Instant::now();
                    step_matmul(
                        simd,
                        sh.bs,
                        prev,
                        n,
                        Mat::trans(&net.w_rec, n),
                        &w_rec_t,
                        &mut sh.x,
                        n,
                        Some(one_minus_a),
                        a,
                    );
                    sh.times.products += tp.elapsed().as_secs_f64();
                }
                let xi: &[R] = match (&mut rng, noise) {
                    (Some(r), Some((_, _, sd))) => {
                        let tn = Instant::now();
                        r.fill(simd, &mut sh.xi, sd);
                        t_noise += tn.elapsed().as_secs_f64();
                        &sh.xi
                    }
                    _ => &[],
                };
                let f_out: &mut [R] = if rate_site {
                    &mut sh.f[t * bsn..(t + 1) * bsn]
                } else {
                    &mut []
                };
                forward_step(
                    simd,
                    &mut sh.x,
                    &mut now[..bsn],
                    f_out,
                    xi,
                    &sh.iaug[t * sh.bs * (nin + 1)..(t + 1) * sh.bs * (nin + 1)],
                    &win_t,
                    &net.b,
                    cartesian_w_out,
                    &sh.target[t * sh.bs * 2..(t + 1) * sh.bs * 2],
                    &mut sh.err[t * sh.bs * 2..(t + 1) * sh.bs * 2],
                    scale,
                    a,
                    n,
                    nin,
                    act,
                    rate_site,
                    &mut sums,
                );
            }
            sh.resume = continuing;
            sh.sum_fr = sums[0];
            sh.sum_e = sums[1];
            sh.sum_c = sums[2];
            sh.sum_xent = 0.0;
            if let Some(pc) = &net.place_cells {
                let (xent, se) = readout_forward(sh, pc, &net.w_out, n, m_total, scale);
                sh.sum_xent = xent;
                sh.sum_e = se;
            }
            sh.times.noise = t_noise;
            sh.times.forward = t1.elapsed().as_secs_f64() - t_noise;
        });
        self.packed[0] = w_rec_t;
        self.loss_terms(net)
    }

    /// The last forward pass's loss terms from the shards' sums.
    fn loss_terms(&self, net: &Ctrnn<R>) -> LossTerms {
        let denom = (self.batch * self.steps) as f64;
        let (se, sc, sfr) = self.shards.iter().fold((0.0, 0.0, 0.0), |acc, s| {
            (acc.0 + s.sum_e, acc.1 + s.sum_c, acc.2 + s.sum_fr)
        });
        let position = se / (2.0 * denom);
        LossTerms {
            e: if net.place_cells.is_some() {
                self.shards.iter().map(|s| s.sum_xent).sum()
            } else {
                position
            },
            position,
            r_l2: net.r_l2(),
            r_fr: sfr / (denom * self.n as f64),
            r_cae: 0.0,
            r_rec: net.r_rec(),
            centre: sc / (2.0 * denom),
        }
    }

    /// [`Engine::forward`] on trials `first..first + batch` of existing trajectories, with
    /// the network's own encoding and input scale (and the start cue for `cue_steps`).
    pub fn forward_on(
        &mut self,
        net: &Ctrnn<R>,
        noise: Option<(u64, u64, f64)>,
        traj: &Trajectories,
        first: usize,
        cue_steps: Option<usize>,
    ) -> LossTerms {
        self.forward(net, noise, |inp| {
            write_shard(
                traj,
                first + inp.first_trial,
                inp.trials,
                net.encoding,
                &net.input_scale,
                cue_steps,
                inp.iaug,
                inp.target,
                inp.start,
            )
        })
    }

    /// Give back a gradient from [`Engine::backward`] once it is used, so that the next
    /// backward pass writes into its memory instead of faulting in a new one.
    pub fn recycle(&mut self, g: super::Gradients<R>) {
        self.spare = Some(g);
    }

    /// Phase times of the last forward + backward, averaged over workers.
    pub fn times(&self) -> PhaseTimes {
        let workers = self.threads.min(self.shards.len()) as f64;
        let mut t = PhaseTimes::default();
        for s in &self.shards {
            t.add(&s.times);
        }
        t.scaled(1.0 / workers)
    }
}
