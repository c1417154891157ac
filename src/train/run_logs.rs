//! What the training loop writes as it goes (`train_log.csv`, and `hf_log.csv` for
//! Hessian-free; docs/design.md section 5), as an observer of the loop: on a roll-back both
//! logs are cut back to their length at the last checkpoint, so that a log holds exactly one
//! row per iteration the model kept.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::observer::Observer;
use super::{StepRecord, Trainer};

/// The run's logs, open for appending.
pub(super) struct RunLogs {
    log: BufWriter<File>,
    hf: Option<BufWriter<File>>,
    /// Both logs' lengths at the last checkpoint, which a roll-back cuts them back to.
    kept: (u64, u64),
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
            kept: (0, 0),
        })
    }

    /// Write out both logs; their lengths on disk then.
    fn flushed_lengths(&mut self) -> anyhow::Result<(u64, u64)> {
        self.log.flush()?;
        let mut hf_len = 0;
        if let Some(h) = &mut self.hf {
            h.flush()?;
            hf_len = h.get_ref().metadata()?.len();
        }
        Ok((self.log.get_ref().metadata()?.len(), hf_len))
    }

    /// One iteration's rows, `wall_s` seconds into the run.
    fn write(&mut self, rec: &StepRecord, wall_s: f64) -> anyhow::Result<()> {
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

impl Observer for RunLogs {
    /// Both logs are written out before the checkpoint, so that a killed run resumes from a
    /// checkpoint whose rows are on disk.
    fn checkpoint(&mut self, _trainer: &Trainer<f32>, _wall_s: f64) -> anyhow::Result<()> {
        self.kept = self.flushed_lengths()?;
        Ok(())
    }

    fn step(
        &mut self,
        rec: &StepRecord,
        _trainer: &Trainer<f32>,
        wall_s: f64,
    ) -> anyhow::Result<()> {
        self.write(rec, wall_s)
    }

    /// Rows of the undone updates are cut, so that a log holds one row per kept update.
    fn rolled_back(&mut self, _bad: &StepRecord, _trainer: &Trainer<f32>) -> anyhow::Result<()> {
        cut_back(&mut self.log, self.kept.0)?;
        if let Some(h) = &mut self.hf {
            cut_back(h, self.kept.1)?;
        }
        Ok(())
    }

    fn end(&mut self) -> anyhow::Result<()> {
        self.flushed_lengths().map(|_| ())
    }
}

/// Cut `file` back to `len` bytes and continue appending there.
fn cut_back(file: &mut BufWriter<File>, len: u64) -> anyhow::Result<()> {
    file.flush()?;
    file.get_mut().set_len(len)?;
    file.get_mut().seek(SeekFrom::End(0))?;
    Ok(())
}
