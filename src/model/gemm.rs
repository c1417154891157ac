//! Thin safe wrapper over the `gemm` crate for row-major blocks, single-threaded (threads are
//! over batch shards, so that results never depend on the thread count).

use super::Real;

/// A matrix operand: data with row and column strides (elements).
#[derive(Clone, Copy)]
pub struct Mat<'a, R> {
    /// Elements.
    pub data: &'a [R],
    /// Stride between rows.
    pub rs: usize,
    /// Stride between columns.
    pub cs: usize,
}

impl<'a, R> Mat<'a, R> {
    /// Row-major with `cols` columns.
    pub fn rows(data: &'a [R], cols: usize) -> Self {
        Mat {
            data,
            rs: cols,
            cs: 1,
        }
    }
    /// The transpose of a row-major matrix with `cols` columns.
    pub fn trans(data: &'a [R], cols: usize) -> Self {
        Mat {
            data,
            rs: 1,
            cs: cols,
        }
    }
}

/// dst (m x n, row-major with row stride `ld`) := keep * dst + scale * lhs (m x k) . rhs (k x n);
/// `keep = None` overwrites dst.
#[allow(clippy::too_many_arguments)]
pub fn matmul<R: Real>(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [R],
    ld: usize,
    keep: Option<R>,
    lhs: Mat<'_, R>,
    rhs: Mat<'_, R>,
    scale: R,
) {
    if m == 0 || n == 0 {
        return;
    }
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(dst.len() > last(m, n, ld, 1), "gemm: dst too small");
    if k == 0 {
        for i in 0..m {
            for v in &mut dst[i * ld..i * ld + n] {
                *v = keep.map_or(R::zero(), |c| c * *v);
            }
        }
        return;
    }
    assert!(
        lhs.data.len() > last(m, k, lhs.rs, lhs.cs),
        "gemm: lhs too small"
    );
    assert!(
        rhs.data.len() > last(k, n, rhs.rs, rhs.cs),
        "gemm: rhs too small"
    );
    // SAFETY: the asserts above keep every access of the m x n, m x k and k x n operands with
    // these strides inside the slices; dst is borrowed mutably and so does not alias.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            ld as isize,
            keep.is_some(),
            lhs.data.as_ptr(),
            lhs.cs as isize,
            lhs.rs as isize,
            rhs.data.as_ptr(),
            rhs.cs as isize,
            rhs.rs as isize,
            keep.unwrap_or(R::zero()),
            scale,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}
