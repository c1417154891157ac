//! Run-time choice of the SIMD path for the kernel's elementwise loops (docs/design.md section 6: no
//! build flag that makes the binary fail on older CPUs). `GRIDRNN_SIMD=off` forces the
//! portable path. The GEMMs dispatch inside the `gemm` crate.

use std::sync::OnceLock;

/// The instruction set the elementwise loops are compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdPath {
    /// AVX-512 (x86-64-v4).
    Avx512,
    /// AVX2 + FMA (x86-64-v3).
    Avx2,
    /// Whatever the target's baseline is (SSE2 on x86-64, NEON on aarch64).
    Portable,
}

impl SimdPath {
    /// Name recorded in `manifest.json`.
    pub fn name(self) -> &'static str {
        match self {
            SimdPath::Avx512 => "avx512",
            SimdPath::Avx2 => "avx2+fma",
            SimdPath::Portable => "portable",
        }
    }
}

fn detect_now() -> SimdPath {
    if std::env::var("GRIDRNN_SIMD").is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        return SimdPath::Portable;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("fma")
        {
            return SimdPath::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return SimdPath::Avx2;
        }
    }
    SimdPath::Portable
}

/// The path chosen for this process (detected once).
pub fn path() -> SimdPath {
    static PATH: OnceLock<SimdPath> = OnceLock::new();
    *PATH.get_or_init(detect_now)
}

/// Defines `fn name<R: Real>(path: SimdPath, args...)` whose body is compiled once per
/// instruction set (`#[target_feature]` wrappers around one `#[inline(always)]` body) and
/// picked by `path`. The bodies use no fused multiply-add, so every path gives the same bits.
macro_rules! simd_kernel {
    ($(#[$m:meta])* $vis:vis fn $name:ident<R: Real>($($arg:ident : $ty:ty),* $(,)?) $body:block) => {
        $(#[$m])*
        #[allow(clippy::too_many_arguments)]
        $vis fn $name<R: Real>(path: $crate::model::simd::SimdPath, $($arg: $ty),*) {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn body<R: Real>($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512vl,avx512dq,avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn v4<R: Real>($($arg: $ty),*) { body::<R>($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn v3<R: Real>($($arg: $ty),*) { body::<R>($($arg),*) }
                match path {
                    // SAFETY: `path()` only returns these variants when the CPU has the features.
                    $crate::model::simd::SimdPath::Avx512 => unsafe { v4::<R>($($arg),*) },
                    $crate::model::simd::SimdPath::Avx2 => unsafe { v3::<R>($($arg),*) },
                    $crate::model::simd::SimdPath::Portable => body::<R>($($arg),*),
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                let _ = path;
                body::<R>($($arg),*)
            }
        }
    };
}
pub(crate) use simd_kernel;
