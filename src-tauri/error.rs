//! The error that crosses IPC: `{kind, message}` with a stable `kind`.
use serde::Serialize;

/// Every command returns `Result<T, CmdError>`; the UI branches on `kind`
/// and shows `message` (plain language, never a secret).
#[derive(Debug, Clone, Serialize, thiserror::Error, PartialEq, Eq)]
#[error("{message}")]
pub struct CmdError {
    pub kind: String,
    pub message: String,
}

impl CmdError {
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            message: message.into(),
        }
    }
}

pub type CmdResult<T> = Result<T, CmdError>;
