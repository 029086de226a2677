//! One error type for the whole core, with stable kinds the UI and CLI branch on.
//! It is also the one error that crosses IPC (and the test HTTP host): it
//! serialises as `{kind, message, field?}` and nothing else.
//!
//! `message` is plain language for a supervisor and never contains a secret or
//! a token. When Genesys answered, its own message, code and correlation id are
//! kept in `genesys` and woven into `message`. What caused a failure inside
//! the app (an OS error, a panic) goes in `cause`: logged, never shown, never sent.
use serde::{Deserialize, Serialize};

/// Stable error kinds (serialised in snake_case; the UI and CLI switch on them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Wrong client id/secret, expired or revoked credentials.
    Auth,
    /// The OAuth client lacks a permission (403).
    Permission,
    /// Genesys kept answering 429 past our patience.
    RateLimited,
    /// Genesys rejected the request (400).
    BadRequest,
    /// Something asked for does not exist (404).
    NotFound,
    /// Genesys failed (5xx) after retries.
    Server,
    /// No connection, DNS, TLS, timeouts after retries.
    Network,
    /// The user cancelled.
    Cancelled,
    /// The user's input is not valid (dates, region, URL, names...). Field-level when `field` is set.
    InvalidInput,
    /// A file could not be read or written (destination, disk full, permissions).
    Io,
    /// The OS keychain is unavailable, locked or refused access.
    Keychain,
    /// A saved settings file is corrupt or from a newer version.
    Storage,
    /// Anything else (a bug): the message says so.
    Internal,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Auth => "auth",
            ErrorKind::Permission => "permission",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Server => "server",
            ErrorKind::Network => "network",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Io => "io",
            ErrorKind::Keychain => "keychain",
            ErrorKind::Storage => "storage",
            ErrorKind::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `field` of [`Error::sign_in_expired`] (stable: the UI and CLI branch on it).
pub const SIGN_IN_EXPIRED: &str = "signInExpired";

/// The `field` of the errors of a sign-in attempt that failed in Genesys
/// Cloud or in the browser (refused, timed out, not ours, code not accepted):
/// the person can simply try again.
pub const SIGN_IN: &str = "signIn";

/// What Genesys itself said, when it said something.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesysDetail {
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub correlation_id: Option<String>,
}

/// The core's error, and the one error every operation of the app, the CLI
/// and the test host returns. On the wire (TypeScript `ApiError`):
/// `{kind, message, field?}`; the UI branches on `kind`, shows `message`
/// and highlights `field`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, ts_rs::TS)]
#[error("{message}")]
#[serde(rename_all = "camelCase")]
#[ts(rename = "ApiError")]
pub struct Error {
    pub kind: ErrorKind,
    /// Plain language, complete on its own (includes Genesys's message/code/correlation id when known).
    pub message: String,
    /// For `InvalidInput`: the field the message is about (e.g. "clientId", "to", "timeZone").
    /// For `Auth`: [`SIGN_IN_EXPIRED`] or [`SIGN_IN`] for a signed-in person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// What Genesys said, in detail (kept for the code; `message` already says it).
    #[serde(skip)]
    #[ts(skip)]
    pub genesys: Option<Box<GenesysDetail>>,
    /// The technical cause (an OS or library error), for the log only.
    #[serde(skip)]
    #[ts(skip)]
    pub cause: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            genesys: None,
            cause: None,
        }
    }

    /// A field-level validation message.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::InvalidInput,
            message: message.into(),
            field: Some(field.into()),
            genesys: None,
            cause: None,
        }
    }

    /// A signed-in person's token expired or was refused, and no refresh
    /// token worked: kind `auth`, field [`SIGN_IN_EXPIRED`], a fixed message.
    /// The app pauses and offers to sign in again; the CLI exits 3.
    pub fn sign_in_expired() -> Self {
        Self {
            kind: ErrorKind::Auth,
            message: "Your sign-in has expired. Sign in again to continue.".to_string(),
            field: Some(SIGN_IN_EXPIRED.to_string()),
            genesys: None,
            cause: None,
        }
    }

    /// True for [`Error::sign_in_expired`].
    pub fn is_sign_in_expired(&self) -> bool {
        self.kind == ErrorKind::Auth && self.field.as_deref() == Some(SIGN_IN_EXPIRED)
    }

    pub fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "The export was cancelled.")
    }

    pub fn io(context: impl std::fmt::Display, err: &std::io::Error) -> Self {
        let why = match err.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "you do not have permission to write there; choose another folder".to_string()
            }
            std::io::ErrorKind::NotFound => "the folder does not exist".to_string(),
            std::io::ErrorKind::StorageFull => {
                "the disk is full; free some space or choose another drive".to_string()
            }
            std::io::ErrorKind::ReadOnlyFilesystem => {
                "that drive is read-only; choose another folder".to_string()
            }
            _ => err.to_string(),
        };
        Self::new(ErrorKind::Io, format!("{context}: {why}."))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Keep the technical cause apart from the message: it is logged here
    /// (with the message and kind) and never sent to the UI or printed by the CLI.
    pub fn with_cause(mut self, cause: impl std::fmt::Display) -> Self {
        let cause = cause.to_string();
        tracing::warn!(kind = %self.kind, message = %self.message, %cause, "error");
        self.cause = Some(cause);
        self
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
