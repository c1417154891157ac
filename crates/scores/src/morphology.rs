//! Grey-scale and binary morphology on small row-major images, as scikit-image and
//! scipy.ndimage define it, for the ports of opexebo's `place_field` and peak search (design
//! section 7). The images are rate maps and autocorrelograms (at most a few thousand
//! pixels), so plain flood fills beat anything cleverer.

/// Neighbour offsets: 4-connected (scikit-image `connectivity=1`) or 8-connected (`2`).
fn offsets(eight: bool) -> &'static [(isize, isize)] {
    const FOUR: [(isize, isize); 4] = [(-1, 0), (0, -1), (0, 1), (1, 0)];
    const EIGHT: [(isize, isize); 8] = [
        (-1, -1),
        (-1, 0),
        (-1, 1),
        (0, -1),
        (0, 1),
        (1, -1),
        (1, 0),
        (1, 1),
    ];
    if eight { &EIGHT } else { &FOUR }
}

/// The smaller of two values that are never NaN (the images here are finite, or -inf as
/// padding): a plain comparison, one instruction, where `f64::min` also handles NaN.
#[inline]
pub(crate) fn min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The larger of two values that are never NaN (see [`min`]).
#[inline]
pub(crate) fn max(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// The in-bounds neighbours of pixel `i` of an h x w image.
pub(crate) fn neighbours(i: usize, h: usize, w: usize, eight: bool) -> impl Iterator<Item = usize> {
    let (r, c) = ((i / w) as isize, (i % w) as isize);
    offsets(eight).iter().filter_map(move |&(dr, dc)| {
        let (rr, cc) = (r + dr, c + dc);
        // `then`, not `then_some`: the index must not be computed (and overflow) outside.
        (rr >= 0 && cc >= 0 && rr < h as isize && cc < w as isize)
            .then(|| rr as usize * w + cc as usize)
    })
}

/// The pixels 4-connected to pixel `seed` through `mask` (the seed included if in the mask).
pub fn component(mask: &[bool], h: usize, w: usize, seed: usize) -> Vec<bool> {
    let mut inside = vec![false; h * w];
    if !mask[seed] {
        return inside;
    }
    inside[seed] = true;
    let mut stack = vec![seed];
    while let Some(p) = stack.pop() {
        for q in neighbours(p, h, w, false) {
            if mask[q] && !inside[q] {
                inside[q] = true;
                stack.push(q);
            }
        }
    }
    inside
}

/// Grey erosion with the radius-1 disk (a cross), borders handled as
/// `skimage.morphology.erosion`'s default `reflect` (out-of-bounds pixels repeat the edge, so
/// they never lower the minimum).
pub fn erode_cross(img: &[f64], h: usize, w: usize) -> Vec<f64> {
    let mut out = img.to_vec();
    for r in 0..h {
        let row = r * w;
        for c in 0..w {
            let mut m = img[row + c];
            if c > 0 {
                m = min(m, img[row + c - 1]);
            }
            if c + 1 < w {
                m = min(m, img[row + c + 1]);
            }
            if r > 0 {
                m = min(m, img[row + c - w]);
            }
            if r + 1 < h {
                m = min(m, img[row + c + w]);
            }
            out[row + c] = m;
        }
    }
    out
}

/// Pixel with a value, ordered by value (`f64::total_cmp`, then lower index first) for
/// max-heap floods. Both are packed into one integer key whose order is that order, so that
/// each of the heap's comparisons is one integer comparison.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Queued(u128);

impl Queued {
    /// `value` at pixel `index`.
    pub fn new(value: f64, index: usize) -> Queued {
        Queued(u128::from(ordered_bits(value.to_bits())) << 64 | u128::from(!(index as u64)))
    }

    /// The value.
    pub fn value(self) -> f64 {
        let key = (self.0 >> 64) as u64;
        f64::from_bits(if key >> 63 == 1 {
            key ^ (1 << 63)
        } else {
            !key
        })
    }

    /// The pixel.
    pub fn index(self) -> usize {
        !(self.0 as u64) as usize
    }
}

/// `f64::total_cmp`'s order as an unsigned integer's: positive values get the sign bit set,
/// negative ones have every bit flipped (larger magnitudes sort lower).
fn ordered_bits(bits: u64) -> u64 {
    if bits >> 63 == 1 {
        !bits
    } else {
        bits ^ (1 << 63)
    }
}

/// The frontier of a flood by the max-min path value (a bin's value is the lowest image
/// value on its best path from the seed, so values pushed never exceed the level being
/// popped): bins that stay at that level wait on a stack, only lower ones go through the
/// heap. On plateaus and on the ground a flood has descended to, most bins stay at the level,
/// so most pushes skip the heap. Ties leave in another order than the heap's, which no flood
/// here depends on (each acts on the set of bins above a level, not their order).
pub(crate) struct Frontier {
    heap: std::collections::BinaryHeap<Queued>,
    level: f64,
    same: Vec<usize>,
}

impl Default for Frontier {
    fn default() -> Frontier {
        Frontier {
            heap: std::collections::BinaryHeap::new(),
            // No level yet: nothing equals NaN, so the first push goes to the heap.
            level: f64::NAN,
            same: Vec::new(),
        }
    }
}

impl Frontier {
    /// Queue bin `p` at `value` (at most the level last popped).
    #[inline]
    pub fn push(&mut self, value: f64, p: usize) {
        if value == self.level {
            self.same.push(p);
        } else {
            self.heap.push(Queued::new(value, p));
        }
    }

    /// Take a bin at the highest queued value.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, usize)> {
        if let Some(p) = self.same.pop() {
            return Some((self.level, p));
        }
        let top = self.heap.pop()?;
        self.level = top.value();
        Some((self.level, top.index()))
    }

    /// [`Frontier::pop`], if the highest queued value is at least `cut` (else the frontier
    /// is left as it is).
    #[inline]
    pub fn pop_at_least(&mut self, cut: f64) -> Option<(f64, usize)> {
        let highest = if self.same.is_empty() {
            self.heap.peek()?.value()
        } else {
            self.level
        };
        if highest < cut { None } else { self.pop() }
    }

    /// Empty, ready for a new flood.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.same.clear();
        self.level = f64::NAN;
    }
}

/// Morphological reconstruction by dilation of `seed` under `mask` with the 3 x 3 square
/// (`skimage.morphology.reconstruction`): each pixel gets the largest seed value that reaches
/// it along an 8-connected path on which `mask` never drops below that value. Needs
/// seed <= mask everywhere.
pub fn reconstruct_by_dilation(seed: &[f64], mask: &[f64], h: usize, w: usize) -> Vec<f64> {
    // Vincent's (1993) hybrid algorithm: a raster and an anti-raster sweep do most of the
    // work, a FIFO queue finishes what the sweeps could not reach. The image is padded with
    // -inf, which never propagates, so that no neighbour needs a bounds check.
    let pw = w + 2;
    let mut m = vec![f64::NEG_INFINITY; (h + 2) * pw];
    let mut out = vec![f64::NEG_INFINITY; (h + 2) * pw];
    for r in 0..h {
        let row = (r + 1) * pw + 1;
        m[row..row + w].copy_from_slice(&mask[r * w..(r + 1) * w]);
        out[row..row + w].copy_from_slice(&seed[r * w..(r + 1) * w]);
    }
    // Row slices let the compiler drop the bounds checks of the sweeps.
    for r in 1..=h {
        let (done, rest) = out.split_at_mut(r * pw);
        let (above, cur, mrow) = (
            &done[(r - 1) * pw..],
            &mut rest[..pw],
            &m[r * pw..(r + 1) * pw],
        );
        let mut left = f64::NEG_INFINITY;
        for c in 1..=w {
            let v = max(
                max(cur[c], above[c - 1]),
                max(max(above[c], above[c + 1]), left),
            );
            let v = min(v, mrow[c]);
            cur[c] = v;
            left = v;
        }
    }
    let mut queue = std::collections::VecDeque::new();
    for r in (1..=h).rev() {
        let (upto, below) = out.split_at_mut((r + 1) * pw);
        let (cur, below) = (&mut upto[r * pw..], &below[..pw]);
        let (mrow, mbelow) = (&m[r * pw..(r + 1) * pw], &m[(r + 1) * pw..(r + 2) * pw]);
        let mut right = f64::NEG_INFINITY;
        let mut right_mask = f64::NEG_INFINITY;
        for c in (1..=w).rev() {
            let (a, b, cc, d) = (below[c + 1], below[c], below[c - 1], right);
            let v = min(max(max(cur[c], a), max(max(b, cc), d)), mrow[c]);
            cur[c] = v;
            // Non-short-circuit operators: one predictable branch instead of eight random ones.
            let lower = ((a < v) & (a < mbelow[c + 1]))
                | ((b < v) & (b < mbelow[c]))
                | ((cc < v) & (cc < mbelow[c - 1]))
                | ((d < v) & (d < right_mask));
            if lower {
                queue.push_back(r * pw + c);
            }
            right = v;
            right_mask = mrow[c];
        }
    }
    let all = [
        pw + 1,
        pw,
        pw - 1,
        1,
        0usize.wrapping_sub(1),
        0usize.wrapping_sub(pw - 1),
        0usize.wrapping_sub(pw),
        0usize.wrapping_sub(pw + 1),
    ];
    while let Some(p) = queue.pop_front() {
        let v = out[p];
        for &d in &all {
            let q = p.wrapping_add(d);
            let (oq, mq) = (out[q], m[q]);
            if (oq < v) & (mq != oq) {
                out[q] = min(v, mq);
                queue.push_back(q);
            }
        }
    }
    let mut result = Vec::with_capacity(h * w);
    for r in 0..h {
        let row = (r + 1) * pw + 1;
        result.extend_from_slice(&out[row..row + w]);
    }
    result
}

/// `scipy.ndimage.binary_fill_holes` with its default cross structure: background pixels not
/// 4-connected through background to the image border become foreground.
pub fn fill_holes(mask: &[bool], h: usize, w: usize) -> Vec<bool> {
    let mut outside = vec![false; h * w];
    let mut stack: Vec<usize> = (0..h * w)
        .filter(|&i| {
            let (r, c) = (i / w, i % w);
            (r == 0 || c == 0 || r == h - 1 || c == w - 1) && !mask[i]
        })
        .collect();
    for &i in &stack {
        outside[i] = true;
    }
    while let Some(p) = stack.pop() {
        for q in neighbours(p, h, w, false) {
            if !mask[q] && !outside[q] {
                outside[q] = true;
                stack.push(q);
            }
        }
    }
    outside.iter().map(|o| !o).collect()
}

/// Regional maxima (`skimage.morphology.local_maxima`, 8-connected, borders allowed): plateaus
/// of equal value whose every outside neighbour is strictly lower (NaN and -inf pixels are
/// never maxima). Each plateau's pixels,
/// plateaus in raster order of their first pixel (`skimage.measure.label` numbering).
pub fn regional_maxima(img: &[f64], h: usize, w: usize) -> Vec<Vec<usize>> {
    // Padded with -inf (never higher, never equal): no neighbour needs a bounds check. A NaN
    // pixel compares like the padding (neither higher nor equal) and is never a maximum, so it
    // is stored as -inf too.
    let pw = w + 2;
    let mut pad = vec![f64::NEG_INFINITY; (h + 2) * pw];
    for (r, row) in img.chunks_exact(w).enumerate() {
        for (d, &v) in pad[(r + 1) * pw + 1..].iter_mut().zip(row) {
            *d = if v.is_nan() { f64::NEG_INFINITY } else { v };
        }
    }
    let ring = [
        0usize.wrapping_sub(pw + 1),
        0usize.wrapping_sub(pw),
        0usize.wrapping_sub(pw - 1),
        0usize.wrapping_sub(1),
        1,
        pw - 1,
        pw,
        pw + 1,
    ];
    // Each pixel's verdict from its 3 x 3 neighbourhood, in one branch-free pass: whether a
    // neighbour is higher (the pixel's plateau is no maximum) and whether one is equal (it
    // lies on a plateau of more than one pixel).
    const HIGHER: u8 = 1;
    const EQUAL: u8 = 2;
    const SEEN: u8 = 4;
    let mut flags = vec![0u8; pad.len()];
    for r in 1..=h {
        for p in r * pw + 1..r * pw + 1 + w {
            let v = pad[p];
            let (mut higher, mut equal) = (false, false);
            for &d in &ring {
                let q = pad[p.wrapping_add(d)];
                higher |= q > v;
                equal |= q == v;
            }
            flags[p] = (u8::from(higher) * HIGHER) | (u8::from(equal) * EQUAL);
        }
    }
    let unpad = |p: usize| (p / pw - 1) * w + (p % pw - 1);
    let mut found = Vec::new();
    let mut plateau = Vec::new();
    for r in 1..=h {
        for start in r * pw + 1..r * pw + 1 + w {
            let f = flags[start];
            // -inf (padding or NaN) is never a maximum; that also keeps floods inside.
            if f & SEEN != 0 || pad[start] == f64::NEG_INFINITY {
                continue;
            }
            if f & EQUAL == 0 {
                if f & HIGHER == 0 {
                    found.push(vec![unpad(start)]);
                }
                continue;
            }
            // The plateau's first pixel in raster order: flood it, so plateaus are found in
            // raster order of their first pixel.
            let v = pad[start];
            plateau.clear();
            plateau.push(start);
            flags[start] |= SEEN;
            let mut is_max = true;
            let mut k = 0;
            while k < plateau.len() {
                let p = plateau[k];
                k += 1;
                is_max &= flags[p] & HIGHER == 0;
                for &d in &ring {
                    let q = p.wrapping_add(d);
                    if pad[q] == v && flags[q] & SEEN == 0 {
                        flags[q] |= SEEN;
                        plateau.push(q);
                    }
                }
            }
            if is_max {
                let mut pixels: Vec<usize> = plateau.iter().map(|&p| unpad(p)).collect();
                pixels.sort_unstable();
                found.push(pixels);
            }
        }
    }
    found
}

/// Centroid (row, column) of a set of pixels (`regionprops(...).centroid`).
pub fn centroid(pixels: &[usize], w: usize) -> (f64, f64) {
    let n = pixels.len() as f64;
    let (sr, sc) = pixels.iter().fold((0.0, 0.0), |(a, b), &p| {
        (a + (p / w) as f64, b + (p % w) as f64)
    });
    (sr / n, sc / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_orders_by_total_cmp_then_lower_index() {
        let values = [-f64::INFINITY, -2.5, -0.0, 0.0, 1e-300, 3.0, f64::INFINITY];
        for (i, &a) in values.iter().enumerate() {
            assert_eq!(Queued::new(a, 7).value().to_bits(), a.to_bits());
            assert_eq!(Queued::new(a, 7).index(), 7);
            for &b in &values[i + 1..] {
                assert!(Queued::new(a, 0) < Queued::new(b, 9), "{a} < {b}");
            }
        }
        assert!(Queued::new(1.0, 3) > Queued::new(1.0, 4));
    }

    #[test]
    fn reconstruction_is_the_max_min_path_value() {
        // A high peak (9) joined to a plateau (5) by a saddle (3): the seed 9 floods the
        // plateau only up to the saddle's height.
        let mask = [9.0, 3.0, 5.0, 5.0];
        let seed = [9.0, 0.0, 0.0, 0.0];
        assert_eq!(
            reconstruct_by_dilation(&seed, &mask, 1, 4),
            vec![9.0, 3.0, 3.0, 3.0]
        );
    }

    #[test]
    fn holes_are_filled_but_border_background_is_not() {
        #[rustfmt::skip]
        let m = [
            true, true, true, false,
            true, false, true, false,
            true, true, true, false,
        ];
        let f = fill_holes(&m, 3, 4);
        assert!(f[5] && !f[3] && !f[7]);
    }

    #[test]
    fn plateau_maxima_need_strictly_lower_neighbours() {
        let img = [1.0, 2.0, 2.0, 1.0, 0.0, 3.0, 0.0, 0.0];
        // 2-2 plateau touches the 3 diagonally: not a maximum; the 3 is.
        assert_eq!(regional_maxima(&img, 2, 4), vec![vec![5]]);
        let erode = erode_cross(&[1.0, 5.0, 2.0], 1, 3);
        assert_eq!(erode, vec![1.0, 1.0, 2.0]);
    }

    /// The max-min path definition, by brute-force relaxation.
    fn reconstruct_by_relaxation(seed: &[f64], mask: &[f64], h: usize, w: usize) -> Vec<f64> {
        let mut out = seed.to_vec();
        loop {
            let mut changed = false;
            for p in 0..h * w {
                for q in neighbours(p, h, w, true) {
                    let v = out[q].min(mask[p]);
                    if v > out[p] {
                        out[p] = v;
                        changed = true;
                    }
                }
            }
            if !changed {
                return out;
            }
        }
    }

    #[test]
    fn sweeps_and_queue_give_the_relaxation_fixed_point() {
        let (h, w) = (13, 17);
        let mut state = 7u64;
        let mask: Vec<f64> = (0..h * w)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 40) % 50) as f64
            })
            .collect();
        let seed = erode_cross(&mask, h, w);
        assert_eq!(
            reconstruct_by_dilation(&seed, &mask, h, w),
            reconstruct_by_relaxation(&seed, &mask, h, w)
        );
    }
}
