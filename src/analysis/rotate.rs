//! Image rotation for the rotational-symmetry grid scores (design section 7).

/// `img` (h x w, row-major) rotated by `deg` degrees about its centre ((h-1)/2, (w-1)/2),
/// bilinear, neighbours outside the image counting as 0: `skimage.transform.rotate(img, deg,
/// order=1, mode='constant', cval=0, clip=False, preserve_range=True)`, which opexebo uses.
pub fn rotate_bilinear(img: &[f64], h: usize, w: usize, deg: f64) -> Vec<f64> {
    let all: Vec<(usize, usize)> = (0..h).flat_map(|r| (0..w).map(move |c| (r, c))).collect();
    rotated_at(img, h, w, deg, &all)
}

/// The values of [`rotate_bilinear`] at the listed pixels only (the annuli of a grid score
/// need a fraction of the image), given as (row, column).
pub fn rotated_at(
    img: &[f64],
    h: usize,
    w: usize,
    deg: f64,
    pixels: &[(usize, usize)],
) -> Vec<f64> {
    let (sin, cos) = deg.to_radians().sin_cos();
    let (cy, cx) = ((h as f64 - 1.0) / 2.0, (w as f64 - 1.0) / 2.0);
    let at = |y: isize, x: isize| {
        if y < 0 || x < 0 || y >= h as isize || x >= w as isize {
            0.0
        } else {
            img[y as usize * w + x as usize]
        }
    };
    pixels
        .iter()
        .map(|&(r, c)| {
            let (dy, dx) = (r as f64 - cy, c as f64 - cx);
            // Source of the output point, as scikit-image's inverse map computes it.
            let sx = cos * dx - sin * dy + cx;
            let sy = sin * dx + cos * dy + cy;
            let (x0, y0) = (fast_floor(sx), fast_floor(sy));
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let [a, b, cc, d] = if x0 >= 0 && y0 >= 0 && x0 + 1 < w as isize && y0 + 1 < h as isize
            {
                let i = y0 as usize * w + x0 as usize;
                [img[i], img[i + 1], img[i + w], img[i + w + 1]]
            } else {
                [
                    at(y0, x0),
                    at(y0, x0 + 1),
                    at(y0 + 1, x0),
                    at(y0 + 1, x0 + 1),
                ]
            };
            (1.0 - fy) * ((1.0 - fx) * a + fx * b) + fy * ((1.0 - fx) * cc + fx * d)
        })
        .collect()
}

/// `x.floor()` without a libm call on targets without SSE4.1's rounding instruction.
fn fast_floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}
