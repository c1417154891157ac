//! Tests of the opexebo port of `place_field`.

use super::*;

fn bump(h: usize, w: usize, r0: f64, c0: f64, sigma: f64) -> Vec<f64> {
    (0..h * w)
        .map(|i| {
            let (r, c) = ((i / w) as f64, (i % w) as f64);
            (-((r - r0).powi(2) + (c - c0).powi(2)) / (2.0 * sigma * sigma)).exp()
        })
        .collect()
}

/// One pass of the 3 x 3 mean (the image's own neighbours at its edges).
fn smoothed(img: &[f64], h: usize, w: usize) -> Vec<f64> {
    (0..h * w)
        .map(|i| {
            let near: Vec<f64> = neighbours(i, h, w, true).map(|q| img[q]).collect();
            (img[i] + near.iter().sum::<f64>()) / (1 + near.len()) as f64
        })
        .collect()
}

#[test]
fn two_bumps_give_two_fields_around_their_peaks() {
    let (h, w) = (20, 20);
    let a = bump(h, w, 5.0, 5.0, 1.5);
    let b = bump(h, w, 14.0, 13.0, 2.0);
    let map: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    let fields = place_field(&map, h, w, &FieldOptions::BORDER, None);
    assert_eq!(fields.len(), 2, "{fields:?}");
    assert_eq!(fields[0].peak, 5 * w + 5);
    assert_eq!(fields[1].peak, 14 * w + 13);
    // The wider bump has the larger field; both are compact discs.
    assert!(fields[1].bins.len() > fields[0].bins.len());
    assert!(fields[0].bins.len() >= 9 && fields[0].bins.len() < 60);
}

#[test]
fn flat_or_empty_maps_have_no_fields() {
    assert!(place_field(&[0.0; 100], 10, 10, &FieldOptions::BORDER, None).is_empty());
    assert!(place_field(&[f64::NAN; 100], 10, 10, &FieldOptions::BORDER, None).is_empty());
}

#[test]
fn a_single_given_peak_needs_no_opening() {
    // Autocorrelograms of noise, smooth random maps and lattices, with unvisited bins:
    // the field grown in the map from opened_at's value equals the one grown in the
    // opened image, whatever the peak.
    let (h, w) = (15, 17);
    let mut rnd = crate::rng::synthetic_uniform(5);
    let mut lazy_used = 0;
    for case in 0..80 {
        let mut img: Vec<f64> = (0..h * w).map(|_| rnd() - 0.3).collect();
        for _ in 0..case % 3 {
            img = smoothed(&img, h, w);
        }
        if case % 4 == 3 {
            for (i, v) in img.iter_mut().enumerate() {
                let (r, c) = ((i / w) as f64, (i % w) as f64);
                *v += (r * 1.1).cos() + (0.6 * r + c).cos();
            }
        }
        if case % 5 == 1 {
            img[(case * 7) % (h * w)] = f64::NAN;
        }
        let peak = if case % 2 == 0 {
            (h / 2) * w + w / 2
        } else {
            (case * 31) % (h * w)
        };
        if img[peak].is_nan() {
            continue;
        }
        let (finite, _, scale) = prepared(&img);
        lazy_used += usize::from(scale.is_some() && opened_at(&finite, h, w, peak) > 0.0);
        for o in [FieldOptions::CENTRE, FieldOptions::BORDER] {
            let lazy = fields(&img, h, w, &o, Some(&[peak]), true);
            let full = fields(&img, h, w, &o, Some(&[peak]), false);
            assert_eq!(lazy, full, "case {case}");
        }
    }
    assert!(lazy_used > 40, "only {lazy_used} cases took the lazy path");
}

#[test]
fn a_peak_below_zero_gets_slow_s_fields() {
    // The background field of a peak whose opened value is negative: the flood-free
    // verdict against `slow`'s images, with and without other peaks and unvisited bins,
    // at every threshold the expansion can ask for.
    let (h, w) = (13, 16);
    let mut rnd = crate::rng::synthetic_uniform(11);
    let (mut bad, mut holes) = (0, 0);
    for case in 0..60 {
        let mut img: Vec<f64> = (0..h * w).map(|_| rnd() - 0.5).collect();
        if case % 2 == 1 {
            img = smoothed(&img, h, w);
        }
        let peak = (case * 37) % (h * w);
        img[peak] = -0.05 - 0.2 * rnd();
        let unvisited: Vec<bool> = (0..h * w).map(|i| case % 3 == 0 && i % 17 == 3).collect();
        let others: Vec<usize> = if case % 4 == 0 {
            vec![(peak + 5) % (h * w)]
        } else {
            vec![]
        };
        let mut peak_count = vec![0u32; h * w];
        for &p in others.iter().chain([&peak]) {
            peak_count[p] += 1;
        }
        let mut g = Grower::new(
            &img,
            img[peak],
            &unvisited,
            (h, w),
            peak,
            &others,
            &peak_count,
        );
        for k in 0..=80 {
            let th = 1.0 - k as f64 * 0.01;
            let want = g.slow(th).map(|f| area(&f));
            bad += usize::from(want.is_none());
            holes += usize::from(want.is_none() && others.is_empty());
            assert_eq!(g.below_peak_area(th), want, "case {case}, threshold {th}");
        }
    }
    // Of 60 x 81 fields, many good, many with holes, many with another peak inside.
    assert!(
        bad < 4000 && holes > 1000 && bad - holes > 500,
        "{bad} bad fields, {holes} by holes alone: a verdict went untested"
    );
}

#[test]
fn the_value_at_one_pixel_is_the_opened_image_s() {
    let (h, w) = (11, 13);
    let img: Vec<f64> = (0..h * w)
        .map(|i| ((i * 37 % 23) as f64).sin() + 0.1 * (i / w) as f64)
        .collect();
    let full = opened(&img, h, w);
    for (p, want) in full.iter().enumerate() {
        assert_eq!(opened_at(&img, h, w, p), *want, "pixel {p}");
    }
}

#[test]
fn linspace_matches_numpy() {
    assert_eq!(linspace(0.96, 0.2, 38).len(), 38);
    assert_eq!(linspace(3.0, 17.0, 15)[1], 4.0);
    assert_eq!(*linspace(0.97, 1.0, 4).last().unwrap(), 1.0);
}

#[test]
fn the_flood_agrees_with_labelling_every_threshold() {
    // Random smooth-ish images with unvisited bins and several peaks: at every threshold
    // the incremental flood (prefix fields, hole shortcut, blocking by other peaks) gives
    // the same verdict and area as the direct component + fill-holes computation.
    let (h, w) = (12, 14);
    let mut rnd = crate::rng::synthetic_uniform(11);
    let mut holes = 0;
    for case in 0..60 {
        let mut img: Vec<f64> = (0..h * w).map(|_| rnd()).collect();
        for _ in 0..2 {
            img = smoothed(&img, h, w);
        }
        // In some cases a ring-shaped ridge with a single crest dominates, so that one
        // field grows around the ring and closes over the background inside it.
        if case % 2 == 0 {
            for (i, v) in img.iter_mut().enumerate() {
                let (r, c) = ((i / w) as f64 - 5.6, (i % w) as f64 - 6.8);
                let d = (r * r + c * c).sqrt();
                let crest = 1.0 + 0.3 * r.atan2(c).cos();
                *v = 1e-6 * *v + crest * (-(d - 3.5).powi(2) / 2.0).exp();
            }
        }
        let unvisited: Vec<bool> = (0..h * w).map(|_| case % 4 == 1 && rnd() < 0.05).collect();
        // On a pixelated ring every bump is a regional maximum and would block the others'
        // fields, so the ring cases grow from the crest alone (as with given peak_coords).
        let peaks = if case % 2 == 0 {
            let top = (0..h * w).fold(0, |b, i| if img[i] > img[b] { i } else { b });
            vec![top]
        } else {
            peaks_of(&img, h, w)
        };
        let mut count = vec![0u32; h * w];
        for &p in &peaks {
            count[p] += 1;
        }
        for (k, &peak) in peaks.iter().enumerate() {
            let others: Vec<usize> = peaks
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .map(|(_, &p)| p)
                .collect();
            let v = img[peak];
            let mut g = Grower::new(&img, v, &unvisited, (h, w), peak, &others, &count);
            let reference = Grower::new(&img, v, &unvisited, (h, w), peak, &others, &count);
            for step in 0..40 {
                let th = 1.0 - 0.02 * step as f64;
                let want = reference.slow(th).map(|f| area(&f));
                let others_inside = if want.is_none() {
                    let cut = img[peak] * th;
                    let above: Vec<bool> = img.iter().map(|v| *v >= cut).collect();
                    let field = component(&above, h, w, peak);
                    others.iter().any(|&o| field[o])
                } else {
                    false
                };
                holes += usize::from(want.is_none() && !others_inside);
                assert_eq!(g.area(th), want, "case {case}, peak {peak}, threshold {th}");
            }
        }
    }
    // The cases must exercise the hole check itself, not only the other-peak rule.
    assert!(holes > 20, "only {holes} thresholds were bad for holes");
}
