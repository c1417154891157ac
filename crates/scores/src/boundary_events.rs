//! Fig. 6a (paper section 3.3): the squared error around boundary interactions, streamed.
//! An event is a boundary interaction at t0 with none in [t0-50, t0-1]; its group is the
//! number of further interactions in [t0+1, t0+50] (0, 1, 2-5, 6-50). Alongside, the error
//! over windows of 101 steps free of interactions, aligned at their centre (taken greedily,
//! without overlap). Each trial keeps only its last 102 steps, so a 10^6-step trial costs
//! constant memory.

/// Steps either side of an event.
pub const HALF_WINDOW: usize = 50;
/// Steps of an event's or a free window's curve.
pub const WINDOW: usize = 2 * HALF_WINDOW + 1;
/// The groups' labels: further interactions in the 50 steps after the event.
pub const GROUP_LABELS: [&str; 4] = ["0", "1", "2-5", "6-50"];

/// Ring length: a power of two holding the window and the step that leaves the "before"
/// count.
const RING: usize = 128;

/// The group of an event with `further` interactions after it.
pub fn group_of(further: usize) -> usize {
    match further {
        0 => 0,
        1 => 1,
        2..=5 => 2,
        _ => 3,
    }
}

/// Summed curves over events and free windows (add trials' accumulators with [`Self::merge`]).
#[derive(Clone, Debug, PartialEq)]
pub struct EventCurves {
    /// Events per group.
    pub events: [usize; 4],
    /// Per group, the error summed over its events at offsets -50..=50.
    pub sums: [Vec<f64>; 4],
    /// Interaction-free windows.
    pub free_windows: usize,
    /// The error summed over free windows at offsets -50..=50 from their centre.
    pub free_sums: Vec<f64>,
    /// Per event: (interactions in [t0, t0+50], error change from the mean of [t0-5, t0-1] to
    /// the mean of [t0+46, t0+50]) as sums for a least-squares line: n, sum k, sum k^2,
    /// sum d, sum k d.
    pub change_sums: [f64; 5],
    /// Per group, the summed error change as above.
    pub group_change: [f64; 4],
}

impl Default for EventCurves {
    fn default() -> Self {
        EventCurves {
            events: [0; 4],
            sums: std::array::from_fn(|_| vec![0.0; WINDOW]),
            free_windows: 0,
            free_sums: vec![0.0; WINDOW],
            change_sums: [0.0; 5],
            group_change: [0.0; 4],
        }
    }
}

impl EventCurves {
    /// Add another trial's sums.
    pub fn merge(&mut self, o: &EventCurves) {
        for g in 0..4 {
            self.events[g] += o.events[g];
            self.group_change[g] += o.group_change[g];
            for (a, b) in self.sums[g].iter_mut().zip(&o.sums[g]) {
                *a += b;
            }
        }
        self.free_windows += o.free_windows;
        for (a, b) in self.free_sums.iter_mut().zip(&o.free_sums) {
            *a += b;
        }
        for (a, b) in self.change_sums.iter_mut().zip(&o.change_sums) {
            *a += b;
        }
    }

    /// Mean curve of group `g` (NaN where it has no event).
    pub fn mean(&self, g: usize) -> Vec<f64> {
        let n = self.events[g] as f64;
        self.sums[g].iter().map(|s| s / n).collect()
    }

    /// Mean curve over free windows.
    pub fn free_mean(&self) -> Vec<f64> {
        let n = self.free_windows as f64;
        self.free_sums.iter().map(|s| s / n).collect()
    }

    /// The least-squares slope of the error change against the number of interactions
    /// (the event's own included): how much each interaction changes the error over the 50
    /// steps after it (NaN with fewer than two distinct counts).
    pub fn change_per_interaction(&self) -> f64 {
        let [n, sk, skk, sd, skd] = self.change_sums;
        let den = n * skk - sk * sk;
        if n < 2.0 || den <= 0.0 {
            return f64::NAN;
        }
        (n * skd - sk * sd) / den
    }

    /// Mean error change of group `g`'s events (NaN where it has none).
    pub fn mean_change(&self, g: usize) -> f64 {
        self.group_change[g] / self.events[g] as f64
    }
}

/// One trial's stream: push its steps in order.
#[derive(Clone, Debug)]
pub struct EventStream {
    error: [f64; RING],
    hit: [bool; RING],
    steps: usize,
    /// Interactions in [t-100, t-51] and in [t-49, t] for the last step t.
    before: usize,
    after: usize,
    /// End of the last free window taken.
    free_end: Option<usize>,
    /// The trial's sums.
    pub curves: EventCurves,
}

impl Default for EventStream {
    fn default() -> Self {
        EventStream {
            error: [0.0; RING],
            hit: [false; RING],
            steps: 0,
            before: 0,
            after: 0,
            free_end: None,
            curves: EventCurves::default(),
        }
    }
}

impl EventStream {
    /// Step t's squared error and whether it was a boundary interaction. Once 101 steps are
    /// in, the window [t-100, t] is checked around its centre c = t - 50.
    pub fn push(&mut self, error: f64, hit: bool) {
        let t = self.steps;
        self.error[t % RING] = error;
        self.hit[t % RING] = hit;
        self.steps += 1;
        let at = |k: usize| usize::from(self.hit[k % RING]);
        // Slide [t-49, t] and [t-100, t-51] by one step.
        self.after += at(t);
        if t >= HALF_WINDOW {
            self.after -= at(t - HALF_WINDOW);
        }
        if t > HALF_WINDOW {
            self.before += at(t - HALF_WINDOW - 1);
        }
        if t > 2 * HALF_WINDOW {
            self.before -= at(t - 2 * HALF_WINDOW - 1);
        }
        if t < 2 * HALF_WINDOW {
            return;
        }
        let first = t - 2 * HALF_WINDOW;
        let centre_hit = self.hit[(t - HALF_WINDOW) % RING];
        let window = |s: &Self, out: &mut [f64]| {
            for (k, o) in out.iter_mut().enumerate() {
                *o += s.error[(first + k) % RING];
            }
        };
        if centre_hit && self.before == 0 {
            let g = group_of(self.after);
            let mut sums = std::mem::take(&mut self.curves.sums[g]);
            window(self, &mut sums);
            self.curves.sums[g] = sums;
            self.curves.events[g] += 1;
            let mean = |from: usize, len: usize| {
                (from..from + len)
                    .map(|k| self.error[k % RING])
                    .sum::<f64>()
                    / len as f64
            };
            let change = mean(t - 4, 5) - mean(t - HALF_WINDOW - 5, 5);
            let k = (1 + self.after) as f64;
            let c = &mut self.curves.change_sums;
            c[0] += 1.0;
            c[1] += k;
            c[2] += k * k;
            c[3] += change;
            c[4] += k * change;
            self.curves.group_change[g] += change;
        }
        let free = self.before == 0 && self.after == 0 && !centre_hit;
        if free && self.free_end.is_none_or(|e| e < first) {
            let mut sums = std::mem::take(&mut self.curves.free_sums);
            window(self, &mut sums);
            self.curves.free_sums = sums;
            self.curves.free_windows += 1;
            self.free_end = Some(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The events and free windows by brute force over a whole series.
    fn direct(error: &[f64], hit: &[bool]) -> EventCurves {
        let mut c = EventCurves::default();
        let count = |a: usize, b: usize| (a..=b).filter(|&k| hit[k]).count();
        for t0 in HALF_WINDOW..error.len() - HALF_WINDOW {
            if hit[t0] && count(t0 - HALF_WINDOW, t0 - 1) == 0 {
                let g = group_of(count(t0 + 1, t0 + HALF_WINDOW));
                c.events[g] += 1;
                for k in 0..WINDOW {
                    c.sums[g][k] += error[t0 - HALF_WINDOW + k];
                }
            }
        }
        let mut t = 0;
        while t + WINDOW <= error.len() {
            if count(t, t + WINDOW - 1) == 0 {
                c.free_windows += 1;
                for k in 0..WINDOW {
                    c.free_sums[k] += error[t + k];
                }
                t += WINDOW;
            } else {
                t += 1;
            }
        }
        c
    }

    #[test]
    fn streamed_events_and_free_windows_match_a_direct_count() {
        let mut uniform = crate::rng::synthetic_uniform(11);
        // Bursts of interactions and long quiet stretches, so that every group occurs.
        let len = 20_000;
        let mut hit = vec![false; len];
        let mut rate = 0.0;
        for h in hit.iter_mut() {
            if uniform() < 0.01 {
                rate = [0.0, 0.005, 0.05, 0.3][(uniform() * 4.0) as usize];
            }
            *h = uniform() < rate;
        }
        let error: Vec<f64> = (0..len).map(|_| uniform()).collect();
        let mut s = EventStream::default();
        for (e, h) in error.iter().zip(&hit) {
            s.push(*e, *h);
        }
        let want = direct(&error, &hit);
        assert_eq!(s.curves.events, want.events);
        assert!(want.events.iter().all(|&n| n > 0), "{:?}", want.events);
        assert_eq!(s.curves.free_windows, want.free_windows);
        assert!(want.free_windows > 10);
        for g in 0..4 {
            for k in 0..WINDOW {
                assert!((s.curves.sums[g][k] - want.sums[g][k]).abs() < 1e-9);
            }
        }
        for k in 0..WINDOW {
            assert!((s.curves.free_sums[k] - want.free_sums[k]).abs() < 1e-9);
        }
    }

    #[test]
    fn an_error_that_grows_between_interactions_and_resets_at_them() {
        // The error grows by 1 per step and each interaction removes 30 (down to 0): the
        // free windows' curve rises by exactly 1 per step, and more interactions lower the
        // error more.
        let mut uniform = crate::rng::synthetic_uniform(5);
        let mut s = EventStream::default();
        let mut e: f64 = 0.0;
        for _ in 0..200_000 {
            let hit = uniform() < 0.004;
            e = if hit { (e - 30.0).max(0.0) } else { e + 1.0 };
            s.push(e, hit);
        }
        let free = s.curves.free_mean();
        for k in 1..WINDOW {
            assert!((free[k] - free[k - 1] - 1.0).abs() < 1e-9);
        }
        let slope = s.curves.change_per_interaction();
        assert!(slope < -20.0, "{slope}");
        assert!(s.curves.mean_change(1) < s.curves.mean_change(0));
    }
}
