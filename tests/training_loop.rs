//! The training loop as a library caller drives it (`gridrnn::train::drive`), with no run
//! directory: its own observers see every checkpoint, update and roll-back; injected faults
//! roll back deterministically; a stop and a second `drive` give the uninterrupted network.

use gridrnn::config::{ValidConfig, load};
use gridrnn::train::{
    Budget, FailAt, Interrupt, LR_CUT, Observer, Outcome, StepRecord, Trainer, drive,
};

fn config() -> ValidConfig {
    let sets = [
        "model.units=32",
        "task.steps=50",
        "train.batch_size=16",
        "train.shards=2",
        "train.threads=1",
    ];
    load(None, None, &sets.map(String::from)).unwrap()
}

fn budget(iterations: u64) -> Budget {
    Budget {
        iterations,
        deadline_s: None,
        checkpoint_every: 5,
        wall_before: 0.0,
    }
}

/// The whole training state bit for bit (through `Debug`, which prints every float
/// exactly, so that the schedule's NaN mean error, unset under a fixed schedule, compares
/// equal to itself).
fn same(a: &Trainer<f32>, b: &Trainer<f32>) -> bool {
    format!("{:?}", a.snapshot()) == format!("{:?}", b.snapshot())
}

/// Everything the loop told it, in order.
#[derive(Default)]
struct Record {
    events: Vec<(&'static str, u64)>,
    stop_at: Option<u64>,
}

impl Observer for Record {
    fn stop(&mut self, trainer: &Trainer<f32>) -> bool {
        self.stop_at == Some(trainer.iteration)
    }
    fn checkpoint(&mut self, trainer: &Trainer<f32>, _wall_s: f64) -> anyhow::Result<()> {
        self.events.push(("checkpoint", trainer.iteration));
        Ok(())
    }
    fn step(&mut self, rec: &StepRecord, t: &Trainer<f32>, _wall_s: f64) -> anyhow::Result<()> {
        assert_eq!(t.iteration, rec.iteration + 1, "observed after the update");
        self.events.push(("step", rec.iteration));
        Ok(())
    }
    fn rolled_back(&mut self, bad: &StepRecord, t: &Trainer<f32>) -> anyhow::Result<()> {
        self.events.push(("failed", bad.iteration));
        self.events.push(("back to", t.iteration));
        Ok(())
    }
    fn end(&mut self) -> anyhow::Result<()> {
        self.events.push(("end", 0));
        Ok(())
    }
}

#[test]
fn observers_see_checkpoints_updates_and_a_deterministic_roll_back() {
    let cfg = config();
    let mut trainer = Trainer::<f32>::new(&cfg);
    let mut record = Record::default();
    let mut faults = FailAt(vec![7]);
    let driven = drive(&mut trainer, &budget(12), &mut [&mut record, &mut faults]).unwrap();
    assert!(matches!(driven.outcome, Outcome::Finished));
    assert_eq!(driven.rollbacks, 1);
    assert!(faults.0.is_empty(), "each fault fires once");
    let mut expected = vec![];
    let checkpoints = [0, 1, 2, 4, 5, 8, 10, 12];
    let push_step = |it: u64, expected: &mut Vec<(&str, u64)>| {
        expected.push(("step", it));
        if checkpoints.contains(&(it + 1)) {
            expected.push(("checkpoint", it + 1));
        }
    };
    expected.push(("checkpoint", 0));
    for it in 0..7 {
        push_step(it, &mut expected);
    }
    // Iteration 5 is a checkpoint iteration again after the roll-back.
    expected.extend([("failed", 7), ("back to", 5), ("checkpoint", 5)]);
    for it in 5..12 {
        push_step(it, &mut expected);
    }
    expected.push(("end", 0));
    assert_eq!(record.events, expected);
    assert_eq!(trainer.lr, cfg.train.lr * LR_CUT, "the rate is cut once");

    // The same fault again gives the same network, bit for bit.
    let mut again = Trainer::<f32>::new(&cfg);
    drive(&mut again, &budget(12), &mut [&mut FailAt(vec![7])]).unwrap();
    assert!(same(&again, &trainer));
}

#[test]
fn a_stop_checkpoints_and_driving_on_gives_the_uninterrupted_network() {
    let cfg = config();
    let mut whole = Trainer::<f32>::new(&cfg);
    drive(&mut whole, &budget(9), &mut []).unwrap();

    let mut parts = Trainer::<f32>::new(&cfg);
    let mut record = Record {
        stop_at: Some(3),
        ..Default::default()
    };
    let first = drive(&mut parts, &budget(9), &mut [&mut record]).unwrap();
    assert!(matches!(
        first.outcome,
        Outcome::Interrupted { iteration: 3 }
    ));
    assert_eq!(record.events.last(), Some(&("end", 0)));
    assert!(
        record.events.contains(&("checkpoint", 3)),
        "{:?}",
        record.events
    );
    let flag = Interrupt::default();
    let second = drive(&mut parts, &budget(9), &mut [&mut flag.clone()]).unwrap();
    assert!(matches!(second.outcome, Outcome::Finished));
    assert!(same(&parts, &whole));

    // A set flag stops before any update.
    flag.0.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut fresh = Trainer::<f32>::new(&cfg);
    let stopped = drive(&mut fresh, &budget(9), &mut [&mut flag.clone()]).unwrap();
    assert!(matches!(
        stopped.outcome,
        Outcome::Interrupted { iteration: 0 }
    ));
    assert_eq!(fresh.iteration, 0);
}

/// At N = 256 the shard sum, the packing of W_rec and Adam are split over the threads (by
/// element range and panel): the trained state is still the same bit for bit with 1 and 2.
#[test]
fn the_split_serial_parts_do_not_depend_on_the_thread_count() {
    let trained = |threads: usize| {
        let sets = [
            "model.units=256".to_string(),
            "model.place_cells=32".into(),
            "task.steps=5".into(),
            "train.batch_size=8".into(),
            "train.shards=2".into(),
            format!("train.threads={threads}"),
        ];
        let cfg = load(None, Some("sorscher"), &sets).unwrap();
        let mut t = Trainer::<f32>::new(&cfg);
        drive(&mut t, &budget(3), &mut []).unwrap();
        t
    };
    assert!(same(&trained(1), &trained(2)));
}
