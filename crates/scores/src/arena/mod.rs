//! Arenas of paper section 2.2 / docs/design.md section 3: convex regions centred at the origin.

mod shape;

pub use shape::{Arena, ArenaShape, Wall};
