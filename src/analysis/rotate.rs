//! Image rotation for the rotational-symmetry grid scores (design section 7).

/// `img` (h x w, row-major) rotated by `deg` degrees about its centre ((h-1)/2, (w-1)/2),
/// bilinear, neighbours outside the image counting as 0: `skimage.transform.rotate(img, deg,
/// order=1, mode='constant', cval=0, clip=False, preserve_range=True)`, which opexebo uses.
pub fn rotate_bilinear(img: &[f64], h: usize, w: usize, deg: f64) -> Vec<f64> {
    let (s, c) = deg.to_radians().sin_cos();
    let (cy, cx) = ((h as f64 - 1.0) / 2.0, (w as f64 - 1.0) / 2.0);
    let at = |y: isize, x: isize| {
        if y < 0 || x < 0 || y >= h as isize || x >= w as isize {
            0.0
        } else {
            img[y as usize * w + x as usize]
        }
    };
    let mut out = vec![0.0; h * w];
    for y in 0..h {
        for x in 0..w {
            let (dy, dx) = (y as f64 - cy, x as f64 - cx);
            // Source of the output point, as scikit-image's inverse map computes it.
            let sx = c * dx - s * dy + cx;
            let sy = s * dx + c * dy + cy;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            out[y * w + x] = (1.0 - fy) * ((1.0 - fx) * at(y0, x0) + fx * at(y0, x0 + 1))
                + fy * ((1.0 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
        }
    }
    out
}
