//! One export at a time per OAuth client: the Genesys rate limit is per
//! client, so a second export with the same client waits (visibly) for the
//! first. Within a process through a Tokio mutex; with
//! [`ConnectionLocks::shared_in`] also across processes that share the folder
//! (the app and the CLI), through an OS file lock per client.
use std::collections::HashMap;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OwnedMutexGuard;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// How often a run queued behind another process checks its turn.
const POLL: Duration = Duration::from_millis(250);

/// Per-client locks. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ConnectionLocks {
    locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Lock files for other processes, when shared.
    dir: Option<PathBuf>,
}

/// Held while an export runs with a client.
#[derive(Debug)]
pub struct ConnectionTurn {
    _guard: OwnedMutexGuard<()>,
    /// Unlocked by the OS when closed (or when the process dies).
    _file: Option<File>,
}

impl ConnectionLocks {
    /// Locks within this process only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Locks shared with every process that uses `dir` too.
    pub fn shared_in(dir: &Path) -> Self {
        Self {
            dir: Some(dir.to_path_buf()),
            ..Self::default()
        }
    }

    fn lock_for(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key.to_string()).or_default().clone()
    }

    /// Wait for this client's turn (`key`: anything naming the OAuth client,
    /// e.g. its environment and client id). Calls `on_queued` once if another
    /// export holds it; returns `Cancelled` if `cancel` fires while waiting.
    pub async fn acquire(
        &self,
        key: &str,
        cancel: &CancellationToken,
        on_queued: impl FnOnce(),
    ) -> Result<ConnectionTurn> {
        let mut on_queued = Some(on_queued);
        let mut queued = || {
            if let Some(f) = on_queued.take() {
                f()
            }
        };
        let lock = self.lock_for(key);
        let guard = match lock.clone().try_lock_owned() {
            Ok(guard) => guard,
            Err(_) => {
                queued();
                tokio::select! {
                    guard = lock.lock_owned() => guard,
                    _ = cancel.cancelled() => return Err(Error::cancelled()),
                }
            }
        };
        let Some(dir) = &self.dir else {
            return Ok(ConnectionTurn {
                _guard: guard,
                _file: None,
            });
        };
        let file = match open_lock_file(dir, key) {
            Ok(f) => f,
            Err(e) => {
                // Never fail an export over a lock file; it only paces runs.
                tracing::warn!("cannot use the cross-process export lock: {e}");
                return Ok(ConnectionTurn {
                    _guard: guard,
                    _file: None,
                });
            }
        };
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(ConnectionTurn {
                        _guard: guard,
                        _file: Some(file),
                    })
                }
                Err(TryLockError::WouldBlock) => queued(),
                Err(TryLockError::Error(e)) => {
                    tracing::warn!("cannot take the cross-process export lock: {e}");
                    return Ok(ConnectionTurn {
                        _guard: guard,
                        _file: None,
                    });
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = cancel.cancelled() => return Err(Error::cancelled()),
            }
        }
    }
}

fn open_lock_file(dir: &Path, key: &str) -> std::io::Result<File> {
    crate::private_fs::create_dir_all(dir)?;
    crate::private_fs::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(format!("{:016x}.lock", fnv1a(key))))
}

/// A stable file name for a key (FNV-1a, 64 bits): the same in every process
/// and version, unlike `std`'s hasher.
fn fnv1a(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[tokio::test]
    async fn second_waits_and_is_told_and_can_be_cancelled() {
        let locks = ConnectionLocks::new();
        let cancel = CancellationToken::new();
        let first = locks
            .acquire("c1", &cancel, || panic!("free"))
            .await
            .unwrap();
        // Another connection is independent.
        let _other = locks
            .acquire("c2", &cancel, || panic!("free"))
            .await
            .unwrap();

        let queued = Arc::new(AtomicBool::new(false));
        let q = queued.clone();
        let locks2 = locks.clone();
        let waiter = tokio::spawn(async move {
            let c = CancellationToken::new();
            locks2
                .acquire("c1", &c, move || q.store(true, Ordering::SeqCst))
                .await
                .map(|_| ())
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(queued.load(Ordering::SeqCst));
        assert!(!waiter.is_finished());
        drop(first);
        waiter.await.unwrap().unwrap();

        // Cancel while queued.
        let _held = locks.acquire("c1", &cancel, || {}).await.unwrap();
        let c = CancellationToken::new();
        c.cancel();
        let err = locks.acquire("c1", &c, || {}).await.unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Cancelled);
    }

    /// Two `shared_in` instances on one folder behave like two processes
    /// (OS file locks belong to the open file, not to the process).
    #[tokio::test]
    async fn other_processes_sharing_the_folder_queue_too() {
        let dir = tempfile::tempdir().unwrap();
        let app = ConnectionLocks::shared_in(dir.path());
        let cli = ConnectionLocks::shared_in(dir.path());
        let never = CancellationToken::new();
        let first = app
            .acquire("env|c1", &never, || panic!("free"))
            .await
            .unwrap();
        // Another client is independent.
        let _other = cli
            .acquire("env|c2", &never, || panic!("free"))
            .await
            .unwrap();

        let queued = Arc::new(AtomicBool::new(false));
        let q = queued.clone();
        let waiter = tokio::spawn(async move {
            let c = CancellationToken::new();
            cli.acquire("env|c1", &c, move || q.store(true, Ordering::SeqCst))
                .await
                .map(|_| ())
        });
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(queued.load(Ordering::SeqCst), "told it is queued");
        assert!(!waiter.is_finished(), "waits for the other process");
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("gets its turn once the other run ends")
            .unwrap()
            .unwrap();

        // Cancel while queued behind another process.
        let _held = app.acquire("env|c1", &never, || {}).await.unwrap();
        let other = ConnectionLocks::shared_in(dir.path());
        let c = CancellationToken::new();
        let c2 = c.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            c2.cancel();
        });
        let err = other.acquire("env|c1", &c, || {}).await.unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Cancelled);
    }
}
