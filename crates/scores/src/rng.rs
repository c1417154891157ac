//! Random streams (docs/design.md section 6): every stream derives from (seed, iteration, index,
//! purpose), so a run is reproducible from its config alone and resuming needs no stored
//! generator state. Xoshiro256++ is portable and stable across `rand` versions, unlike `StdRng`.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream.
pub type StreamRng = Xoshiro256PlusPlus;

/// What a stream is used for; part of its key so that streams never overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Trajectory of one trial (index = global trial index).
    Trajectory = 1,
    /// Unit noise xi of one batch shard (index = shard).
    Noise = 2,
    /// Weight initialisation (section 2.3).
    Init = 3,
    /// Start points drawn with `task.start = "random"` and windows of a user's trajectory file.
    Start = 4,
    /// Lags and permutations of the analysis' shuffle null (index = map or 0).
    Shuffle = 5,
}

/// Iteration index of the analysis trajectories' and shuffles' streams: no training iteration
/// uses it.
pub const ANALYSIS_ITERATION: u64 = u64::MAX - 1;

/// SplitMix64's finaliser: a bijective mix so that nearby keys give unrelated seeds.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream for (seed, iteration, index, purpose).
pub fn stream(seed: u64, iteration: u64, index: u64, purpose: Purpose) -> StreamRng {
    let mut h = mix(seed ^ 0x6772_6964_726e_6e00);
    h = mix(h ^ iteration.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    h = mix(h ^ index.wrapping_mul(0xc2b2_ae3d_27d4_eb4f));
    h = mix(h ^ (purpose as u64).wrapping_mul(0x1656_67b1_9e37_79f9));
    StreamRng::seed_from_u64(h)
}

/// A fixed xorshift64 sequence of uniforms in [0, 1) for synthetic maps in benchmarks and
/// tests: the same numbers on every machine and version (nothing trained uses it; training
/// draws from [`stream`]).
pub fn synthetic_uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_key_part_and_repeat_exactly() {
        let a = stream(1, 2, 3, Purpose::Noise).next_u64();
        assert_eq!(a, stream(1, 2, 3, Purpose::Noise).next_u64());
        for other in [
            stream(0, 2, 3, Purpose::Noise),
            stream(1, 3, 3, Purpose::Noise),
            stream(1, 2, 4, Purpose::Noise),
            stream(1, 2, 3, Purpose::Trajectory),
        ] {
            let mut o = other;
            assert_ne!(a, o.next_u64());
        }
    }
}
