//! Arenas of paper section 2.2 / design section 3: convex regions centred at the origin.

mod shape;

pub use shape::{Arena, ArenaShape, Wall};
