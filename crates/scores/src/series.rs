//! A recording's series in step order (docs/design.md section 7): each step's spatial bin and
//! every unit's quantised activity, which the time-shift null shifts against each other.

/// The recorded series, in step order over the concatenated trials, for the time-shift null.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Spatial bin of each step ([`NO_BIN`] outside the bins).
    pub bin: Vec<u32>,
    /// Activity, step-major (units contiguous), quantised as round(a / bound * 32767) after
    /// clamping to [-bound, bound].
    pub activity: Vec<i16>,
    /// The activity's range: 1 for tanh and retanh (the error is then 1.5e-5); for relu,
    /// whose rates are unbounded, twice the largest activity of the first chunk of trials.
    pub bound: f32,
}

/// `Series::bin` of a step outside the spatial bins.
pub const NO_BIN: u32 = u32::MAX;

/// Quanta of the quantised activity in [`Series`] per `bound`.
pub const SERIES_SCALE: f32 = 32767.0;
