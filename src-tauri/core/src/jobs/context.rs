//! [`Context`]: what a run needs from its host (the app or the CLI): folders,
//! the run registry, the per-connection queue, the history and checkpoints.
use std::path::PathBuf;

use super::{Checkpoints, ConnectionLocks, History, HistoryEntry, HistoryStatus, Registry};
use crate::error::Result;

/// Shared by every run of one app (or CLI) process.
#[derive(Debug)]
pub struct Context {
    /// Profiles, connections and settings live here.
    pub config_dir: PathBuf,
    /// History and resume checkpoints live here.
    pub data_dir: PathBuf,
    pub registry: Registry,
    pub locks: ConnectionLocks,
    pub history: History,
    pub checkpoints: Checkpoints,
}

impl Context {
    /// Open the context and recover from a previous crash: runs left
    /// `running` become `interrupted`. Returns start-up notices for the user.
    pub fn open(config_dir: PathBuf, data_dir: PathBuf) -> (Self, Vec<String>) {
        let history = History::new(&data_dir);
        let (_interrupted, notice) = history.recover();
        let ctx = Self {
            checkpoints: Checkpoints::new(&data_dir),
            config_dir,
            data_dir,
            registry: Registry::new(),
            locks: ConnectionLocks::new(),
            history,
        };
        (ctx, notice.into_iter().collect())
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
