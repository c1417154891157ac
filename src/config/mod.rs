//! Configuration (docs/design.md section 5-6): TOML plus `--set section.key=value`, checked once into a
//! [`ValidConfig`] before anything runs.

mod keys;
mod load;
mod presets;
mod schema;
mod validate;

pub use keys::{KEY_DOCS, render_commented};
pub use load::{apply_set, load, load_str};
pub use presets::{PRESETS, preset};
pub use schema::*;
pub use validate::{ValidConfig, resolve_threads};
