//! Image rotation for the rotational-symmetry grid scores (docs/design.md section 7).

/// One output pixel's bilinear interpolation: the four source indices (the image's length
/// for a neighbour outside it, which reads the 0 appended by [`Tap::sample`]'s caller) and the
/// fractional offsets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Tap {
    idx: [u32; 4],
    fx: f64,
    fy: f64,
}

impl Tap {
    /// The interpolated value from `padded` (the image with one 0 appended).
    #[inline]
    pub(crate) fn sample(&self, padded: &[f64]) -> f64 {
        let [a, b, c, d] = self.idx.map(|i| padded[i as usize]);
        let (fx, fy) = (self.fx, self.fy);
        (1.0 - fy) * ((1.0 - fx) * a + fx * b) + fy * ((1.0 - fx) * c + fx * d)
    }
}

/// The taps of a rotation by `deg` degrees about the centre ((h-1)/2, (w-1)/2) of an h x w
/// image at the listed output pixels (row, column), as scikit-image's inverse map computes
/// them. They depend on the shape only, so a score over many maps builds them once.
pub(crate) fn rotation_taps(h: usize, w: usize, deg: f64, pixels: &[(usize, usize)]) -> Vec<Tap> {
    let (sin, cos) = deg.to_radians().sin_cos();
    let (cy, cx) = ((h as f64 - 1.0) / 2.0, (w as f64 - 1.0) / 2.0);
    let outside = (h * w) as u32;
    let index = |y: i64, x: i64| {
        if y < 0 || x < 0 || y >= h as i64 || x >= w as i64 {
            outside
        } else {
            (y as usize * w + x as usize) as u32
        }
    };
    pixels
        .iter()
        .map(|&(r, c)| {
            let (dy, dx) = (r as f64 - cy, c as f64 - cx);
            let sx = cos * dx - sin * dy + cx;
            let sy = sin * dx + cos * dy + cy;
            let (x0, y0) = (fast_floor(sx), fast_floor(sy));
            let (xi, yi) = (x0 as i64, y0 as i64);
            Tap {
                idx: [
                    index(yi, xi),
                    index(yi, xi + 1),
                    index(yi + 1, xi),
                    index(yi + 1, xi + 1),
                ],
                fx: sx - x0,
                fy: sy - y0,
            }
        })
        .collect()
}

/// `img` (h x w, row-major) rotated by `deg` degrees about its centre ((h-1)/2, (w-1)/2),
/// bilinear, neighbours outside the image counting as 0: `skimage.transform.rotate(img, deg,
/// order=1, mode='constant', cval=0, clip=False, preserve_range=True)`, which opexebo uses.
pub fn rotate_bilinear(img: &[f64], h: usize, w: usize, deg: f64) -> Vec<f64> {
    let all: Vec<(usize, usize)> = (0..h).flat_map(|r| (0..w).map(move |c| (r, c))).collect();
    let mut padded = img.to_vec();
    padded.push(0.0);
    rotation_taps(h, w, deg, &all)
        .iter()
        .map(|t| t.sample(&padded))
        .collect()
}

/// `x.floor()` without a libm call on targets without SSE4.1's rounding instruction.
fn fast_floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}
