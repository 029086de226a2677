//! [`Ops`]: the state every operation works on, one per process (the app's
//! managed state, the CLI's, a test's).
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genesys_core::genesys::RetryPolicy;
use genesys_core::jobs::Context;
use genesys_core::secrets::SecretStore;
use genesys_core::{Error, Result};

/// Where the state lives and what it uses.
pub struct OpsConfig {
    /// Profiles, connections, settings and schedules.
    pub config_dir: PathBuf,
    /// History, resume points and locks.
    pub data_dir: PathBuf,
    /// Client secrets (the OS keychain; tests: a `MemoryStore`).
    pub secrets: Arc<dyn SecretStore>,
    /// How long one keychain call may take (default `secrets::KEYCHAIN_TIMEOUT`).
    pub keychain_timeout: Option<Duration>,
    /// The clients' retry policy (the CLI's `--max-retries`); `None` = defaults.
    pub retry: Option<RetryPolicy>,
}

impl OpsConfig {
    pub fn new(config_dir: PathBuf, data_dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            config_dir,
            data_dir,
            secrets,
            keychain_timeout: None,
            retry: None,
        }
    }
}

/// The shared state of the operations.
pub struct Ops {
    /// Folders, profiles, keychain, run registry, queues, history, checkpoints.
    pub ctx: Arc<Context>,
    /// Start-up notices ("the history file was damaged and set aside").
    notices: Mutex<Vec<String>>,
    /// The built-in demo organization, started by `start_demo` (once per process).
    pub(crate) demo: tokio::sync::OnceCell<genesys_sim::Sim>,
}

impl std::fmt::Debug for Ops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ops")
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}

impl Ops {
    /// Open the state (recovering from a previous crash, see `Context::open`).
    /// Blocking (files, locks): call it before the async work starts.
    pub fn open(config: OpsConfig) -> Self {
        let (mut ctx, notices) = Context::open(config.config_dir, config.data_dir, config.secrets);
        if let Some(t) = config.keychain_timeout {
            ctx.secrets.set_timeout(t);
        }
        ctx.retry = config.retry;
        Self {
            ctx: Arc::new(ctx),
            notices: Mutex::new(notices),
            demo: tokio::sync::OnceCell::new(),
        }
    }

    /// The start-up notices.
    pub fn notices(&self) -> Vec<String> {
        self.notices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Run blocking work (keychain over D-Bus, file writes) off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Context) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let ctx = self.ctx.clone();
        tokio::task::spawn_blocking(move || f(&ctx))
            .await
            .map_err(|e| Error::internal("The app failed unexpectedly.").with_cause(e))?
    }
}
