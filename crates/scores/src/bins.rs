//! Square spatial bins over an arena's bounding box (docs/design.md section 7): width = the box's
//! longer side / `bins`, the shorter axis ceil(side / width) bins, centred; row 0 at the
//! bottom (y), column 0 at the left (x).

use crate::arena::Arena;

/// The binning of positions into an H x W grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SpatialBins {
    /// Columns (x).
    pub nx: usize,
    /// Rows (y).
    pub ny: usize,
    /// Bin width, arena units.
    pub width: f64,
    /// Left edge.
    pub x0: f64,
    /// Bottom edge.
    pub y0: f64,
}

impl SpatialBins {
    /// `bins` bins along the bounding box's longer side.
    pub fn new(arena: &Arena, bins: usize) -> SpatialBins {
        let (lo, hi) = arena.bounding_box();
        let (sx, sy) = (hi[0] - lo[0], hi[1] - lo[1]);
        let width = sx.max(sy) / bins as f64;
        // A small tolerance keeps an exact multiple from gaining a bin to rounding.
        let nx = ((sx / width) - 1e-9).ceil().max(1.0) as usize;
        let ny = ((sy / width) - 1e-9).ceil().max(1.0) as usize;
        SpatialBins {
            nx,
            ny,
            width,
            x0: (lo[0] + hi[0]) / 2.0 - nx as f64 * width / 2.0,
            y0: (lo[1] + hi[1]) / 2.0 - ny as f64 * width / 2.0,
        }
    }

    /// Number of bins.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// Whether there are no bins.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Flat index (row-major, row = y from the bottom) of the bin holding p; points on the far
    /// edges go to the last bin.
    pub fn index(&self, p: [f64; 2]) -> Option<usize> {
        let ix = ((p[0] - self.x0) / self.width).floor();
        let iy = ((p[1] - self.y0) / self.width).floor();
        let clamp = |v: f64, n: usize| {
            if v >= -1e-9 && v < n as f64 + 1e-9 {
                Some((v.max(0.0) as usize).min(n - 1))
            } else {
                None
            }
        };
        Some(clamp(iy, self.ny)? * self.nx + clamp(ix, self.nx)?)
    }

    /// Centre of bin (row, column).
    pub fn centre(&self, row: usize, col: usize) -> [f64; 2] {
        [
            self.x0 + (col as f64 + 0.5) * self.width,
            self.y0 + (row as f64 + 0.5) * self.width,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::ArenaShape;

    #[test]
    fn square_bins_cover_the_box_and_shorter_axes_are_centred() {
        let sq = SpatialBins::new(&Arena::new(ArenaShape::Square, 4.0).unwrap(), 20);
        assert_eq!((sq.nx, sq.ny), (20, 20));
        assert_eq!(sq.index([-1.0, -1.0]), Some(0));
        assert_eq!(sq.index([1.0, 1.0]), Some(399));
        assert_eq!(sq.index([0.01, -0.99]), Some(10));
        assert_eq!(sq.index([1.5, 0.0]), None);
        let tri = Arena::new(ArenaShape::Triangle, 4.0).unwrap();
        let b = SpatialBins::new(&tri, 20);
        let (lo, hi) = tri.bounding_box();
        assert_eq!(b.nx, 20);
        assert!(b.ny < 20 && b.ny as f64 * b.width >= hi[1] - lo[1] - 1e-9);
        assert!(((b.y0 + b.ny as f64 * b.width / 2.0) - (lo[1] + hi[1]) / 2.0).abs() < 1e-12);
    }
}
