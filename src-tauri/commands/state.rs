//! What [`crate::builder`] lets a caller choose (tests use temp folders).
use std::path::PathBuf;
use std::sync::Arc;

use genesys_core::secrets::SecretStore;

#[derive(Default)]
pub struct AppOptions {
    /// Where profiles and settings live; default: the app's config folder.
    pub config_dir: Option<PathBuf>,
    /// Where history and resume points live; default: the app's data folder.
    pub data_dir: Option<PathBuf>,
    /// Where client secrets are kept; default: the OS keychain.
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// Write the log file (the real app); tests leave it off.
    pub logging: bool,
    /// How long a keychain call may take (default `secrets::KEYCHAIN_TIMEOUT`).
    pub keychain_timeout: Option<std::time::Duration>,
    /// Dialog answers instead of a person (the command tests; debug builds only).
    pub dialogs: Option<Arc<crate::host::DialogAnswers>>,
}
