//! The error that crosses IPC: `{kind, message, field?}` with a stable `kind`
//! (the snake_case [`ErrorKind`] names) and, for validation errors, the field
//! the message is about.
use genesys_core::{Error, ErrorKind};
use serde::Serialize;

/// Every command returns `Result<T, CmdError>`; the UI branches on `kind`,
/// shows `message` (plain language, never a secret) and highlights `field`.
#[derive(Debug, Clone, Serialize, thiserror::Error, PartialEq, Eq, ts_rs::TS)]
#[error("{message}")]
#[serde(rename_all = "camelCase")]
pub struct CmdError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl CmdError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
        }
    }

    /// A field-level validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::InvalidInput,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// A bug or an unexpected failure of the app itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl From<Error> for CmdError {
    fn from(e: Error) -> Self {
        // `message` already carries Genesys's own words, code and correlation id.
        Self {
            kind: e.kind,
            message: e.message,
            field: e.field,
        }
    }
}

impl From<tauri::Error> for CmdError {
    fn from(e: tauri::Error) -> Self {
        Self::internal(format!("The app failed: {e}"))
    }
}

pub type CmdResult<T> = Result<T, CmdError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_kind_message_and_field() {
        let e: CmdError = Error::invalid("timeZone", "Unknown time zone \"Mars/Base\".").into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "invalid_input", "message": "Unknown time zone \"Mars/Base\".", "field": "timeZone"})
        );
        let e: CmdError = Error::new(ErrorKind::Auth, "The secret is wrong.").into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"kind": "auth", "message": "The secret is wrong."})
        );
    }
}
