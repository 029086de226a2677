//! The Tauri commands: each one line over a `genesys_ops` operation, with the
//! window as its [`crate::host::TauriHost`]. One file per area.
pub mod app;
pub mod connections;
pub mod export;
pub mod profiles;
pub mod state;
pub mod window;

pub use state::AppOptions;

/// What every command returns: the operation's answer, or the one error that
/// crosses IPC (`genesys_core::Error`: `{kind, message, field?}`).
pub type CmdResult<T> = genesys_core::Result<T>;
