//! [`Context`]: what a run needs from its host (the app or the CLI): folders,
//! saved profiles, the secret store, the run registry, the per-connection
//! queue, the history and checkpoints.
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::{Checkpoints, ConnectionLocks, History, HistoryEntry, HistoryStatus, Registry};
use crate::error::Result;
use crate::genesys::RetryPolicy;
use crate::profiles::Store;
use crate::secrets::SecretStore;

/// Shared by every run of one app (or CLI) process.
pub struct Context {
    /// Profiles, connections and settings live here.
    pub config_dir: PathBuf,
    /// History and resume checkpoints live here.
    pub data_dir: PathBuf,
    /// Client secrets (the OS keychain; in tests a `MemoryStore`).
    pub secrets: Arc<dyn SecretStore>,
    pub registry: Registry,
    pub locks: ConnectionLocks,
    pub history: History,
    pub checkpoints: Checkpoints,
    /// Overrides the clients' retry policy (the CLI's `--max-retries`,
    /// `--max-retry-after`); `None` = the defaults.
    pub retry: Option<RetryPolicy>,
    store: Mutex<Store>,
    started_at: SystemTime,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("config_dir", &self.config_dir)
            .field("data_dir", &self.data_dir)
            .field("active_runs", &self.registry.active())
            .finish_non_exhaustive()
    }
}

impl Context {
    /// Open the profiles and the history, recovering from a previous crash
    /// (runs left `running` become `interrupted`). Returns start-up notices
    /// for the user (damaged files set aside, ...); the app starts anyway.
    pub fn open(
        config_dir: PathBuf,
        data_dir: PathBuf,
        secrets: Arc<dyn SecretStore>,
    ) -> (Self, Vec<String>) {
        let started_at = SystemTime::now();
        let (store, store_notices) = Store::open(&config_dir);
        let mut notices: Vec<String> = store_notices.iter().map(|n| n.to_string()).collect();
        let history = History::new(&data_dir);
        let (_interrupted, notice) = history.recover();
        notices.extend(notice);
        let ctx = Self {
            checkpoints: Checkpoints::new(&data_dir),
            config_dir,
            data_dir,
            secrets,
            registry: Registry::new(),
            locks: ConnectionLocks::new(),
            history,
            retry: None,
            store: Mutex::new(store),
            started_at,
        };
        (ctx, notices)
    }

    /// The saved connections, profiles and settings (held briefly: never across an `.await`).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When this process opened the context.
    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }

    /// Interrupted runs that still have a checkpoint (offered for resume).
    pub fn pending_resumes(&self) -> Result<Vec<HistoryEntry>> {
        Ok(self
            .history
            .list()?
            .into_iter()
            .filter(|e| {
                e.status == HistoryStatus::Interrupted && self.checkpoints.exists(&e.run_id)
            })
            .collect())
    }

    /// Forget an interrupted run's checkpoint; it stays in the history as interrupted.
    pub fn discard_resume(&self, run_id: &str) -> Result<()> {
        self.checkpoints.remove(run_id)
    }
}
