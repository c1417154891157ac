//! The field grower of [`super::place_field`]: a priority flood from one peak, with the checks
//! opexebo makes at each threshold (smooth growth, no holes, no other peak).

use super::*;

/// One peak's fields at every threshold (opexebo's `_area_for_threshold`, `_area_change`).
/// A threshold's field is the 4-connected component of {img >= cut} holding the peak; it is
/// bad if filling its holes adds a visited bin, or if another peak lies inside. Rather than
/// label the whole image at every threshold, the field is grown by a priority flood (Prim's
/// algorithm on the max-min path value): bins join in decreasing order of the highest cut at
/// which they belong, so the field at any cut is a prefix of the join order, and the flood
/// only ever visits the field and its rim. Holes can only lie inside the field's bounding
/// box, so the hole check floods that box from its edge.
pub(super) struct Grower<'a> {
    img: &'a [f64],
    /// The opened image's value at the peak, which thresholds are fractions of (`img` may be
    /// the map itself, see [`opened_at`]).
    peak_value: f64,
    unvisited: &'a [bool],
    hw: (usize, usize),
    peak: usize,
    others: &'a [usize],
    /// How many of all the peaks sit on each bin (the others are those not this one).
    peak_count: &'a [u32],
    /// The highest cut at which another peak is inside the field: every cut at or below it
    /// is bad, so the flood stops there (NEG_INFINITY until it happens).
    blocked: f64,
    /// The flood's buffers.
    s: FloodScratch,
    /// The verdict for the last field size checked: the field at a cut is a prefix of the
    /// join order, so the same size means the same field.
    last: Option<(usize, Option<f64>)>,
    /// Index in `joined` of the first bin whose joining may have enclosed background (its
    /// background 4-neighbours not all joined through its own 3 x 3 ring); every shorter
    /// prefix is free of holes without a flood.
    first_closing: usize,
}

/// A flood's buffers, handed from one peak's [`Grower`] to the next: a map with many peaks
/// (noise has dozens) then pays for its image once, not once per peak.
#[derive(Default)]
pub(super) struct FloodScratch {
    /// The highest cut at which each bin is in the field (NEG_INFINITY: not yet known, and
    /// below every cut asked so far).
    entry: Vec<f64>,
    /// Bins in join order, with non-increasing `entry`.
    joined: Vec<usize>,
    /// Bounding box (first row, last row, first column, last column) of each prefix of
    /// `joined`.
    boxes: Vec<(usize, usize, usize, usize)>,
    frontier: Frontier,
    /// Scratch of the hole check, kept between thresholds.
    state: Vec<u8>,
    stack: Vec<usize>,
}

impl<'a> Grower<'a> {
    #[cfg(test)]
    pub(super) fn new(
        img: &'a [f64],
        peak_value: f64,
        unvisited: &'a [bool],
        hw: (usize, usize),
        peak: usize,
        others: &'a [usize],
        peak_count: &'a [u32],
    ) -> Grower<'a> {
        Grower::reusing(
            FloodScratch::default(),
            img,
            peak_value,
            unvisited,
            hw,
            peak,
            others,
            peak_count,
        )
    }

    /// [`Grower::new`] on the buffers an earlier peak's flood gave back.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn reusing(
        scratch: FloodScratch,
        img: &'a [f64],
        peak_value: f64,
        unvisited: &'a [bool],
        hw: (usize, usize),
        peak: usize,
        others: &'a [usize],
        peak_count: &'a [u32],
    ) -> Grower<'a> {
        let mut s = scratch;
        // Every entry is NEG_INFINITY between floods (see `into_scratch`), so a longer buffer
        // from a larger image serves as it is.
        if s.entry.len() < img.len() {
            s.entry.resize(img.len(), f64::NEG_INFINITY);
        }
        s.joined.clear();
        s.boxes.clear();
        s.frontier.clear();
        s.frontier.push(img[peak], peak);
        Grower {
            img,
            peak_value,
            unvisited,
            hw,
            peak,
            others,
            peak_count,
            blocked: f64::NEG_INFINITY,
            s,
            last: None,
            first_closing: usize::MAX,
        }
    }

    /// The buffers back, `entry` reset where this flood set it.
    pub(super) fn into_scratch(mut self) -> FloodScratch {
        for &p in &self.s.joined {
            self.s.entry[p] = f64::NEG_INFINITY;
        }
        self.s
    }

    /// Join every bin whose entry is at least `cut`; returns how many have joined with entry
    /// >= cut (the field's area).
    pub(super) fn grow_to(&mut self, cut: f64) -> usize {
        let (h, w) = self.hw;
        while let Some((v, p)) = self.s.frontier.pop_at_least(cut) {
            if self.s.entry[p] != f64::NEG_INFINITY {
                continue;
            }
            self.s.entry[p] = v;
            self.s.joined.push(p);
            let (r, c) = (p / w, p % w);
            let b = self.s.boxes.last().copied().unwrap_or((r, r, c, c));
            self.s
                .boxes
                .push((b.0.min(r), b.1.max(r), b.2.min(c), b.3.max(c)));
            if self.first_closing == usize::MAX && self.may_close(p) {
                self.first_closing = self.s.joined.len() - 1;
            }
            if self.peak_count[p] > u32::from(p == self.peak) {
                self.blocked = v;
                self.s.frontier.clear();
                break;
            }
            for q in neighbours(p, h, w, false) {
                if self.s.entry[q] == f64::NEG_INFINITY {
                    self.s.frontier.push(min(v, self.img[q]), q);
                }
            }
        }
        self.s.joined.partition_point(|&p| self.s.entry[p] >= cut)
    }

    /// The field's area at `threshold` x the peak's value, None where it is bad.
    pub(super) fn area(&mut self, threshold: f64) -> Option<f64> {
        let cut = self.peak_value * threshold;
        // The image is finite (NaN bins were set to 0), so this is the negation of >=.
        if self.peak_value < cut {
            return self.below_peak_area(threshold);
        }
        if cut <= self.blocked {
            return None;
        }
        let count = self.grow_to(cut);
        if cut <= self.blocked {
            return None;
        }
        if let Some((n, verdict)) = self.last
            && n == count
        {
            return verdict;
        }
        let verdict = self.check(cut, count);
        self.last = Some((count, verdict));
        verdict
    }

    /// Whether joining `p` (the field being the bins joined before it) might enclose
    /// background: walking its 3 x 3 ring (whose neighbours are 4-adjacent to each other),
    /// the background 4-neighbours of `p` must all lie in one run of background cells, else
    /// they may have been connected only through `p`. Outside the image counts as
    /// background.
    pub(super) fn may_close(&self, p: usize) -> bool {
        let (h, w) = self.hw;
        let (r, c) = ((p / w) as isize, (p % w) as isize);
        const RING: [(isize, isize); 8] = [
            (-1, -1),
            (-1, 0),
            (-1, 1),
            (0, 1),
            (1, 1),
            (1, 0),
            (1, -1),
            (0, -1),
        ];
        let background = RING.map(|(dr, dc)| {
            let (rr, cc) = (r + dr, c + dc);
            rr < 0
                || cc < 0
                || rr >= h as isize
                || cc >= w as isize
                || self.s.entry[rr as usize * w + cc as usize] == f64::NEG_INFINITY
        });
        // Runs of background around the ring; the 4-neighbours sit at odd positions.
        let mut runs_with_neighbour = 0;
        let start = match background.iter().position(|b| !b) {
            Some(k) => k,
            None => return false,
        };
        let mut in_run = false;
        let mut run_has_neighbour = false;
        for step in 1..=8 {
            let k = (start + step) % 8;
            if background[k] {
                in_run = true;
                run_has_neighbour |= k % 2 == 1;
            } else if in_run {
                runs_with_neighbour += usize::from(run_has_neighbour);
                in_run = false;
                run_has_neighbour = false;
            }
        }
        runs_with_neighbour > 1
    }

    /// Whether the field of the first `count` joined bins (those with entry >= cut) is good.
    pub(super) fn check(&mut self, cut: f64, count: usize) -> Option<f64> {
        if count <= self.first_closing {
            return Some(count as f64);
        }
        // Another peak inside was ruled out by `blocked`; holes lie inside the field's
        // bounding box.
        let entry = &self.s.entry;
        let hole = encloses_visited(
            &mut self.s.state,
            &mut self.s.stack,
            self.hw.1,
            self.unvisited,
            self.s.boxes[count - 1],
            |i| entry[i] >= cut,
        );
        (!hole).then_some(count as f64)
    }

    /// The field's bins at `threshold` (for a threshold whose area was good), in no
    /// particular order.
    pub(super) fn field(&mut self, threshold: f64) -> Vec<usize> {
        let cut = self.peak_value * threshold;
        // The image is finite (NaN bins were set to 0), so this is the negation of >=.
        if self.peak_value < cut {
            return self.slow(threshold).map_or_else(Vec::new, |f| bins_of(&f));
        }
        // The field is the prefix of the join order with entry >= cut.
        let count = self.grow_to(cut);
        self.s.joined[..count].to_vec()
    }

    /// The direct computation, for the case the flood does not cover (a peak below zero,
    /// whose "field" scikit-image makes the whole background).
    pub(super) fn slow(&self, threshold: f64) -> Option<Vec<bool>> {
        let (h, w) = self.hw;
        let cut = self.peak_value * threshold;
        let above: Vec<bool> = self.img.iter().map(|v| *v >= cut).collect();
        let field: Vec<bool> = if above[self.peak] {
            component(&above, h, w, self.peak)
        } else {
            above.iter().map(|a| !a).collect()
        };
        let filled = fill_holes(&field, h, w);
        if (0..h * w).any(|i| filled[i] && !field[i] && !self.unvisited[i]) {
            return None;
        }
        if self.others.iter().any(|&o| field[o]) {
            return None;
        }
        Some(field)
    }

    /// [`Grower::slow`]'s area without building its images, for a cut above the peak's own
    /// value (the only case `slow` serves): the field is then the background {img < cut},
    /// and it is bad where a 4-connected part of {img >= cut} cut off from the image's edge
    /// (a hole) holds a visited bin, or where another peak lies in it.
    pub(super) fn below_peak_area(&mut self, threshold: f64) -> Option<f64> {
        let (h, w) = self.hw;
        let cut = self.peak_value * threshold;
        if self.img[self.peak] >= cut {
            return self.slow(threshold).map(|f| area(&f));
        }
        if self.others.iter().any(|&o| self.img[o] < cut) {
            return None;
        }
        let img = self.img;
        let hole = encloses_visited(
            &mut self.s.state,
            &mut self.s.stack,
            w,
            self.unvisited,
            (0, h - 1, 0, w - 1),
            |i| img[i] < cut,
        );
        (!hole).then(|| img.iter().filter(|v| **v < cut).count() as f64)
    }

    /// `_area_change`: the ratio of the areas at two thresholds and the second area, or None
    /// if either is bad.
    pub(super) fn change(&mut self, thresholds: [f64; 2]) -> Option<(f64, f64)> {
        let a1 = self.area(thresholds[0])?;
        let a2 = self.area(thresholds[1])?;
        Some((a2 / a1, a2))
    }
}
