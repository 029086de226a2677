//! The app's managed state: where its files live and the shared run context.
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use genesys_core::jobs::Context;
use genesys_core::secrets::SecretStore;

/// What [`crate::builder`] lets a caller choose (tests use temp dirs).
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
}

/// Managed by the app; every command reaches the core through it.
pub struct AppState {
    /// Shared with the core's `run_export`: registry, queues, history, checkpoints.
    pub ctx: Arc<Context>,
    /// Start-up notices for the UI ("the history file was damaged and set aside").
    pub notices: Mutex<Vec<String>>,
    /// The built-in demo organization, started by `start_demo` (once per run).
    pub demo: tokio::sync::OnceCell<genesys_sim::Sim>,
}

impl AppState {
    pub fn new(ctx: Context, notices: Vec<String>) -> Self {
        Self {
            ctx: Arc::new(ctx),
            notices: Mutex::new(notices),
            demo: tokio::sync::OnceCell::new(),
        }
    }

    pub fn notices(&self) -> Vec<String> {
        self.notices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
