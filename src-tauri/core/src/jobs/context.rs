//! [`Context`]: what a run needs from its host (the app or the CLI): folders,
//! saved profiles, the secret store, the run registry, the per-connection
//! queue, the history and checkpoints.
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use uuid::Uuid;

use super::{Checkpoints, ConnectionLocks, History, HistoryEntry, HistoryStatus, Registry};
use crate::error::{Error, ErrorKind, Result};
use crate::genesys::RetryPolicy;
use crate::profiles::{Connection, ConnectionView, Store};
use crate::secrets::{Keychain, Secret, SecretStore};

/// How long listing connections waits for the keychain in all before it
/// answers with what it knows (a locked keychain never holds up the list).
pub const LIST_KEYCHAIN_WAIT: Duration = Duration::from_millis(100);

/// Shared by every run of one app (or CLI) process.
pub struct Context {
    /// Profiles, connections and settings live here.
    pub config_dir: PathBuf,
    /// History and resume checkpoints live here.
    pub data_dir: PathBuf,
    /// Client secrets (the OS keychain; in tests a `MemoryStore`), reached
    /// through [`Keychain`]: every call on its own thread, with a timeout.
    pub secrets: Arc<Keychain>,
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
        // Created (or narrowed) private before anything is written in it.
        if let Err(e) = crate::private_fs::create_dir_all(&data_dir) {
            tracing::warn!("cannot create the data folder {}: {e}", data_dir.display());
        }
        let (store, store_notices) = Store::open(&config_dir);
        let mut notices: Vec<String> = store_notices.iter().map(|n| n.to_string()).collect();
        let history = History::new(&data_dir);
        let checkpoints = Checkpoints::new(&data_dir);
        // Temp files of writes a crash interrupted (older than a minute).
        crate::atomic::remove_stray_temps(history.path());
        crate::atomic::remove_stray_temps_in(checkpoints.dir());
        // Runs another process is executing right now are not interrupted.
        let (_interrupted, notice) = history.recover_except(|id| checkpoints.is_live(id));
        notices.extend(notice);
        // Shared with other processes using this data folder (app and CLI).
        let locks = ConnectionLocks::shared_in(&data_dir.join("locks"));
        let ctx = Self {
            checkpoints,
            config_dir,
            data_dir,
            secrets: Arc::new(Keychain::new(secrets)),
            registry: Registry::new(),
            locks,
            history,
            retry: None,
            store: Mutex::new(store),
            started_at,
        };
        // What runs killed long ago left behind (see `jobs::sweep`).
        if let Some(cutoff) = started_at.checked_sub(super::STALE_AFTER) {
            ctx.sweep(super::Sweep::OlderThan(cutoff));
        }
        (ctx, notices)
    }

    /// The saved connections, profiles and settings (held briefly: never across
    /// an `.await`, never during a keychain call), with any change another
    /// process (the CLI) saved meanwhile.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        store.refresh();
        store
    }

    /// Add or update a connection (see [`Store::save_connection`]), with the
    /// keychain call made while no lock is held: the store is checked, the
    /// secret saved (with the keychain's timeout), then the change is saved.
    pub fn save_connection(
        &self,
        conn: Connection,
        secret: Option<Secret>,
    ) -> Result<ConnectionView> {
        let plan = self.store().prepare_connection(conn, secret.as_ref())?;
        if let Some(s) = &secret {
            self.secrets.set(&plan.account(), s)?;
        }
        let saved = self.store().finish_connection(&plan);
        let saved = saved.inspect_err(|_| plan.undo_secret(self.secrets.as_ref()))?;
        Ok(self.connection_view(saved, Instant::now() + LIST_KEYCHAIN_WAIT))
    }

    /// Delete a connection and its keychain entry (see
    /// [`Store::delete_connection`]), the keychain call made while no lock is held.
    pub fn delete_connection(&self, id: Uuid) -> Result<()> {
        let conn = self.store().prepare_delete_connection(id)?;
        if !conn.is_demo {
            self.secrets.delete(&id.to_string())?;
        }
        let done = self.store().finish_delete_connection(id);
        done
    }

    /// One connection as the UI lists it, asking the keychain until `deadline`.
    pub fn connection_view(&self, connection: Connection, deadline: Instant) -> ConnectionView {
        if connection.is_demo {
            return ConnectionView {
                connection,
                has_secret: true,
                secret_unknown: false,
            };
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        let presence = self.secrets.presence(&connection.id.to_string(), wait);
        ConnectionView {
            connection,
            has_secret: presence.unwrap_or(false),
            secret_unknown: presence.is_none(),
        }
    }

    /// When this process opened the context.
    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }

    /// Interrupted runs that still have a checkpoint and that no process is
    /// resuming right now (offered for resume).
    pub fn pending_resumes(&self) -> Result<Vec<HistoryEntry>> {
        Ok(self
            .history
            .list()?
            .into_iter()
            .filter(|e| {
                e.status == HistoryStatus::Interrupted
                    && self.checkpoints.exists(&e.run_id)
                    && !self.checkpoints.is_live(&e.run_id)
            })
            .collect())
    }

    /// Forget an interrupted run: its temp file, row journal and lock file
    /// (see [`super::Sweep::Run`]), then its checkpoint. It stays in the
    /// history as interrupted. Refused while some process runs it.
    pub fn discard_resume(&self, run_id: &str) -> Result<()> {
        if self.checkpoints.is_live(run_id) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "This export is running now (in another window or from the command line), so it cannot be discarded.",
            ));
        }
        self.sweep(super::Sweep::Run(run_id));
        self.checkpoints.remove(run_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    fn running(id: &str) -> HistoryEntry {
        HistoryEntry {
            run_id: id.into(),
            profile_id: "p".into(),
            profile_name: "Sales".into(),
            connection_id: "c".into(),
            from: "2026-01-01T00:00:00Z".into(),
            to: "2026-01-02T00:00:00Z".into(),
            status: HistoryStatus::Running,
            rows: 0,
            conversations: 0,
            duration_ms: 0,
            path: "/tmp/x.csv".into(),
            error: None,
            started_at: chrono::Utc::now(),
        }
    }

    /// The app and the CLI share these folders: a run another process is
    /// executing must not be marked interrupted, offered for resume, or have
    /// its temp file removed; once that process is gone, it is all three.
    #[test]
    fn a_run_live_in_another_process_is_not_interrupted() {
        let dirs = tempfile::tempdir().unwrap();
        let open = || {
            Context::open(
                dirs.path().join("config"),
                dirs.path().join("data"),
                Arc::new(MemoryStore::new()),
            )
            .0
        };
        let first = open();
        let lock = first.checkpoints.hold("run-a").unwrap();
        let out = dirs.path().join("out");
        let destination = serde_json::json!({ "destination": out.join("x.csv") });
        first.checkpoints.save("run-a", &destination).unwrap();
        first.history.record(running("run-a")).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        let temp = out.join(".genesys-export-run-a.tmp");
        std::fs::write(&temp, b"rows").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));

        // Another process starts while run-a runs.
        let second = open();
        let status = |ctx: &Context| ctx.history.list().unwrap()[0].status;
        assert_eq!(status(&second), HistoryStatus::Running);
        assert!(second.pending_resumes().unwrap().is_empty());
        // Even a sweep of everything older than now leaves it alone.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        second.sweep(crate::jobs::Sweep::OlderThan(later));
        assert!(temp.exists(), "a live run's temp file was removed");

        // The first process dies (its lock goes with it).
        drop(lock);
        drop(first);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let third = open();
        assert_eq!(status(&third), HistoryStatus::Interrupted);
        assert_eq!(third.pending_resumes().unwrap().len(), 1);
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        third.sweep(crate::jobs::Sweep::OlderThan(later));
        assert!(!temp.exists(), "an interrupted run's stale temp file stays");
    }
}
