//! One export at a time per connection: the Genesys rate limit is per OAuth
//! client, so a second export on the same connection waits (visibly) for the first.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// Per-connection locks. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct ConnectionLocks {
    locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

/// Held while an export runs on a connection.
#[derive(Debug)]
pub struct ConnectionTurn {
    _guard: OwnedMutexGuard<()>,
}

impl ConnectionLocks {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock_for(&self, connection_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(connection_id.to_string()).or_default().clone()
    }

    /// Wait for this connection's turn. Calls `on_queued` once if another
    /// export holds it; returns `Cancelled` if `cancel` fires while waiting.
    pub async fn acquire(
        &self,
        connection_id: &str,
        cancel: &CancellationToken,
        on_queued: impl FnOnce(),
    ) -> Result<ConnectionTurn> {
        let lock = self.lock_for(connection_id);
        if let Ok(guard) = lock.clone().try_lock_owned() {
            return Ok(ConnectionTurn { _guard: guard });
        }
        on_queued();
        tokio::select! {
            guard = lock.lock_owned() => Ok(ConnectionTurn { _guard: guard }),
            _ = cancel.cancelled() => Err(Error::cancelled()),
        }
    }
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
}
