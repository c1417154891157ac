//! Errors a user can act on, each with the exit code of docs/design.md section 6.

use thiserror::Error;

/// A failure with a documented exit code; anything else exits 1.
#[derive(Debug, Error)]
pub enum Failure {
    /// Bad config or arguments (exit 2): names the key and what is allowed.
    #[error("{0}")]
    BadConfig(String),
    /// Bad input file (exit 3): names the file and what is wrong with it.
    #[error("{0}")]
    BadInput(String),
    /// Training diverged (exit 4).
    #[error("{0}")]
    Diverged(String),
    /// Interrupted by the user (exit 130).
    #[error("{0}")]
    Interrupted(String),
}

impl Failure {
    /// The process exit code for this failure (docs/design.md section 6).
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::BadConfig(_) => 2,
            Failure::BadInput(_) => 3,
            Failure::Diverged(_) => 4,
            Failure::Interrupted(_) => 130,
        }
    }
}

/// Shorthand for a bad-config error.
pub fn bad_config(msg: impl Into<String>) -> anyhow::Error {
    Failure::BadConfig(msg.into()).into()
}

/// Shorthand for a bad-input error.
pub fn bad_input(msg: impl Into<String>) -> anyhow::Error {
    Failure::BadInput(msg.into()).into()
}
