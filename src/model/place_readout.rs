//! The place-cell readout and the place-code initial state inside the engine (Sorscher et al.
//! 2019, 2023; Banino et al. 2018), over one shard's whole minibatch at once: the readout is
//! not needed inside the recurrence, so its three products are single GEMMs over all (t, b)
//! rows rather than N_out dot products per step.
//!
//! ```text
//! forward:   Z = U W_out^T                      (M x Np logits, M = T Bs rows)
//!            L = mean_m CE(softmax(z_m), y(p_m))   (softmax_xent.rs)
//! backward:  dL/dU = dZ W_out                   (the direct gradient BPTT starts from)
//!            dW_out = dZ^T U
//! initial:   x_{-1} = u_{-1} = h0 = W_enc p(start),  dL/dh0 = (1-a) gx_0 + a W_rec^T gx_0
//!            dW_enc = dH0^T P0,  and dW_rec gains a gx_0 h0^T
//! ```

use std::time::Instant;

use super::engine::Shard;
use super::gemm::{Mat, matmul};
use super::simd::SimdPath;
use super::step_gemm::{PackedB, step_matmul};
use super::{Real, softmax_cross_entropy};
use crate::task::{DECODE_TOP_K, PlaceCells};

/// The place cells' code of `points` (Bs x 2, row-major) into `out` (Bs x Np).
fn place_code<R: Real>(pc: &PlaceCells, points: &[R], out: &mut Vec<R>) {
    let np = pc.len();
    let (mut y, mut scratch) = (vec![0.0; np], vec![0.0; np]);
    out.resize(points.len() / 2 * np, R::zero());
    for (p, row) in points.chunks_exact(2).zip(out.chunks_exact_mut(np)) {
        pc.target_with([p[0].f64(), p[1].f64()], &mut y, &mut scratch);
        for (o, v) in row.iter_mut().zip(&y) {
            *o = R::of(*v);
        }
    }
}

/// h0 = W_enc p(start) for every trial of the shard (`sh.start`), kept in `sh.h0` with the
/// code in `sh.p0` for the backward pass.
pub(super) fn initial_state<R: Real>(sh: &mut Shard<R>, pc: &PlaceCells, w_enc: &[R], n: usize) {
    let np = pc.len();
    place_code(pc, &sh.start, &mut sh.p0);
    sh.h0.resize(sh.bs * n, R::zero());
    matmul(
        sh.bs,
        n,
        np,
        &mut sh.h0,
        n,
        None,
        Mat::rows(&sh.p0, np),
        Mat::trans(w_enc, np),
        R::one(),
    );
}

/// The readout over the shard's last forward pass: logits, the cross-entropy (summed over the
/// shard's rows, divided by `rows_in_mean`, the minibatch's M), dL/dZ left in `sh.pc_z`, and
/// the top-k decoded position's error times `scale` in `sh.err` (as the Cartesian readout
/// leaves dE/dy there, so that per-step errors read the same). Returns (cross-entropy part,
/// sum of squared decoding errors).
pub(super) fn readout_forward<R: Real>(
    sh: &mut Shard<R>,
    pc: &PlaceCells,
    w_out: &[R],
    n: usize,
    rows_in_mean: usize,
    scale: f64,
) -> (f64, f64) {
    let np = pc.len();
    let rows = sh.u.len() / n;
    sh.pc_z.resize(rows * np, R::zero());
    let tp = Instant::now();
    matmul(
        rows,
        np,
        n,
        &mut sh.pc_z,
        np,
        None,
        Mat::rows(&sh.u, n),
        Mat::trans(w_out, n),
        R::one(),
    );
    sh.times.products += tp.elapsed().as_secs_f64();
    let (mut y, mut scratch) = (vec![0.0; np], vec![0.0; np]);
    let (mut y_r, mut z) = (vec![R::zero(); np], vec![R::zero(); np]);
    let (mut xent, mut se) = (0.0, 0.0);
    for r in 0..rows {
        let p = [sh.target[2 * r].f64(), sh.target[2 * r + 1].f64()];
        pc.target_with(p, &mut y, &mut scratch);
        for (o, v) in y_r.iter_mut().zip(&y) {
            *o = R::of(*v);
        }
        let dz = &mut sh.pc_z[r * np..(r + 1) * np];
        z.copy_from_slice(dz);
        let q = pc.decode(&z, DECODE_TOP_K);
        let d = [q[0] - p[0], q[1] - p[1]];
        se += d[0] * d[0] + d[1] * d[1];
        sh.err[2 * r] = R::of(d[0] * scale);
        sh.err[2 * r + 1] = R::of(d[1] * scale);
        xent += softmax_cross_entropy(&z, &y_r, np, rows_in_mean, dz);
    }
    (xent, se)
}

/// dL/dU = dZ W_out into `sh.gx`, where BPTT reads it as each step's direct gradient.
pub(super) fn direct_gradient<R: Real>(sh: &mut Shard<R>, w_out: &[R], n: usize, np: usize) {
    let rows = sh.u.len() / n;
    let tp = Instant::now();
    matmul(
        rows,
        n,
        np,
        &mut sh.gx,
        n,
        None,
        Mat::rows(&sh.pc_z, np),
        Mat::rows(w_out, n),
        R::one(),
    );
    sh.times.products += tp.elapsed().as_secs_f64();
}

/// dW_out = dZ^T U (Np x N), into `sh.grad_out` in f64.
pub(super) fn readout_weight_gradient<R: Real>(sh: &mut Shard<R>, n: usize, np: usize) {
    let rows = sh.u.len() / n;
    sh.acc_out.resize(np * n, R::zero());
    let tp = Instant::now();
    matmul(
        np,
        n,
        rows,
        &mut sh.acc_out,
        n,
        None,
        Mat::trans(&sh.pc_z, np),
        Mat::rows(&sh.u, n),
        R::one(),
    );
    sh.times.products += tp.elapsed().as_secs_f64();
    sh.grad_out.clear();
    sh.grad_out.extend(sh.acc_out.iter().map(|v| v.f64()));
}

/// The initial state's share of the gradient, once BPTT has reached gx_0 (`w_rec` as given and
/// packed for the step kernel): dH0 = (1-a) gx_0 + a W_rec^T gx_0 (in `sh.g`), dW_enc =
/// dH0^T P0 into `sh.grad_enc`, and a gx_0 h0^T added to `sh.grad_rec`.
pub(super) fn initial_state_gradient<R: Real>(
    sh: &mut Shard<R>,
    simd: SimdPath,
    (w_rec, w_rec_p): (&[R], &PackedB<R>),
    a: R,
    n: usize,
    np: usize,
) {
    let bsn = sh.bs * n;
    step_matmul(
        simd,
        sh.bs,
        &sh.gx[..bsn],
        n,
        Mat::rows(w_rec, n),
        w_rec_p,
        &mut sh.g,
        n,
        None,
        a,
    );
    let one_minus_a = R::one() - a;
    for (d, gx) in sh.g.iter_mut().zip(&sh.gx[..bsn]) {
        *d += one_minus_a * *gx;
    }
    sh.grad_enc.resize(n * np, R::zero());
    matmul(
        n,
        np,
        sh.bs,
        &mut sh.grad_enc,
        np,
        None,
        Mat::trans(&sh.g, n),
        Mat::rows(&sh.p0, np),
        R::one(),
    );
    matmul(
        n,
        n,
        sh.bs,
        &mut sh.grad_rec,
        n,
        Some(R::one()),
        Mat::trans(&sh.gx[..bsn], n),
        Mat::rows(&sh.h0, n),
        a,
    );
}
