//! What the training loop writes as it goes (`train_log.csv`, and `hf_log.csv` for
//! Hessian-free; docs/design.md section 5), and the state a divergence rolls back to: both
//! logs are cut back to their length at the last checkpoint, so that a log holds exactly one
//! row per iteration the model kept.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::{Snapshot, StepRecord, Trainer};

/// The run's logs, open for appending.
pub(super) struct RunLogs {
    log: BufWriter<File>,
    hf: Option<BufWriter<File>>,
}

impl RunLogs {
    /// `log` (already cut to the rows before the start) and, with Hessian-free, `hf_log.csv`
    /// cut the same way.
    pub(super) fn open(
        dir: &Path,
        log: File,
        hessian_free: bool,
        started_at: u64,
    ) -> anyhow::Result<RunLogs> {
        let hf = if hessian_free {
            let f = super::run::truncate_log(
                &dir.join("hf_log.csv"),
                super::HF_LOG_HEADER,
                started_at,
            )?;
            Some(BufWriter::new(f))
        } else {
            None
        };
        Ok(RunLogs {
            log: BufWriter::new(log),
            hf,
        })
    }

    /// Write out both logs; their lengths on disk then.
    pub(super) fn flushed_lengths(&mut self) -> anyhow::Result<(u64, u64)> {
        self.log.flush()?;
        let mut hf_len = 0;
        if let Some(h) = &mut self.hf {
            h.flush()?;
            hf_len = h.get_ref().metadata()?.len();
        }
        Ok((self.log.get_ref().metadata()?.len(), hf_len))
    }

    /// Write out both logs.
    pub(super) fn flush(&mut self) -> anyhow::Result<()> {
        self.flushed_lengths().map(|_| ())
    }

    /// Cut both logs back to `lengths` (from [`RunLogs::flushed_lengths`]).
    pub(super) fn cut_back(&mut self, lengths: (u64, u64)) -> anyhow::Result<()> {
        cut_back(&mut self.log, lengths.0)?;
        if let Some(h) = &mut self.hf {
            cut_back(h, lengths.1)?;
        }
        Ok(())
    }

    /// One iteration's rows, `wall_s` seconds into the run.
    pub(super) fn write(&mut self, rec: &StepRecord, wall_s: f64) -> anyhow::Result<()> {
        let t = &rec.terms;
        writeln!(
            self.log,
            "{},{:.3},{:.8e},{:.8e},{:.8e},{:.8e},{:.8e},{:.8e},{:.8e},{:e},{:.8e}",
            rec.iteration,
            wall_s,
            rec.loss,
            t.e,
            t.r_l2,
            t.r_fr,
            rec.lambdas.l2,
            rec.lambdas.fr,
            rec.grad_norm,
            rec.lr,
            t.position
        )?;
        if let (Some(h), Some(r)) = (&mut self.hf, &rec.hf) {
            writeln!(
                h,
                "{},{:e},{},{},{:.6e},{},{:.8e},{:.8e},{}",
                rec.iteration,
                r.damping,
                r.cg_iterations,
                r.chosen,
                r.rho,
                r.rate,
                r.model,
                r.loss_after,
                r.evaluations
            )?;
        }
        Ok(())
    }
}

/// Cut `file` back to `len` bytes and continue appending there.
fn cut_back(file: &mut BufWriter<File>, len: u64) -> anyhow::Result<()> {
    file.flush()?;
    file.get_mut().set_len(len)?;
    file.get_mut().seek(SeekFrom::End(0))?;
    Ok(())
}

/// The last checkpoint's trainer state and the logs' lengths then, with the failures since.
#[derive(Default)]
pub(super) struct RollBack {
    point: Option<(Snapshot<f32>, (u64, u64))>,
    /// Failed steps since the checkpoint was last passed.
    pub(super) failures: u32,
    /// Roll-backs in the whole run.
    pub(super) rollbacks: u32,
}

impl RollBack {
    /// Keep `trainer`'s state at a checkpoint, with the logs' lengths; the count of failures
    /// in a row starts again once training has got past the previous point.
    pub(super) fn keep(&mut self, trainer: &Trainer<f32>, lengths: (u64, u64)) {
        if self
            .point
            .as_ref()
            .is_none_or(|(s, _)| s.iteration < trainer.iteration)
        {
            self.failures = 0;
        }
        self.point = Some((trainer.snapshot(), lengths));
    }

    /// Count a failed step.
    pub(super) fn fail(&mut self) {
        self.failures += 1;
        self.rollbacks += 1;
    }

    /// The state to return to and the logs' lengths then.
    pub(super) fn point(&self) -> &(Snapshot<f32>, (u64, u64)) {
        self.point
            .as_ref()
            .expect("checkpoint 0 is always written first")
    }
}
