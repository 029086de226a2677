//! The run registry: one [`CancellationToken`] per running export, keyed by
//! the run id the UI minted, removed by a drop guard on every exit path
//! (success, error, cancel, panic).
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

#[derive(Debug)]
struct Entry {
    token: CancellationToken,
    /// Who started the run (e.g. the window label), so closing it can cancel its runs.
    owner: Option<String>,
}

/// Running exports by run id. Cheap to clone (shared inside).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    runs: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    fn runs(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding this lock cannot leave the map inconsistent
        // (each operation is a single insert/remove), so poisoning is ignored.
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Register a new run. Fails if a run with the same id is still active.
    pub fn register(&self, run_id: &str, owner: Option<&str>) -> Result<RunGuard> {
        let run_id = run_id.trim();
        if run_id.is_empty() {
            return Err(Error::invalid("runId", "The export has no run id."));
        }
        let mut runs = self.runs();
        if runs.contains_key(run_id) {
            return Err(Error::invalid(
                "runId",
                "This export is already running. Wait for it to finish or cancel it.",
            ));
        }
        let token = CancellationToken::new();
        runs.insert(
            run_id.to_string(),
            Entry {
                token: token.clone(),
                owner: owner.map(str::to_string),
            },
        );
        Ok(RunGuard {
            registry: self.clone(),
            run_id: run_id.to_string(),
            token,
        })
    }

    /// Cancel one run. `false` when no run with that id is active.
    pub fn cancel(&self, run_id: &str) -> bool {
        match self.runs().get(run_id) {
            Some(entry) => {
                entry.token.cancel();
                true
            }
            None => false,
        }
    }

    /// Cancel every active run; returns how many were cancelled.
    pub fn cancel_all(&self) -> usize {
        let runs = self.runs();
        runs.values().for_each(|e| e.token.cancel());
        runs.len()
    }

    /// Cancel the runs started by `owner` (e.g. a window that is closing).
    pub fn cancel_owned_by(&self, owner: &str) -> usize {
        let runs = self.runs();
        let mine: Vec<_> = runs
            .values()
            .filter(|e| e.owner.as_deref() == Some(owner))
            .collect();
        mine.iter().for_each(|e| e.token.cancel());
        mine.len()
    }

    /// Ids of the active runs (sorted).
    pub fn active(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.runs().keys().cloned().collect();
        ids.sort();
        ids
    }

    /// Number of active runs started by `owner`.
    pub fn active_owned_by(&self, owner: &str) -> usize {
        self.runs()
            .values()
            .filter(|e| e.owner.as_deref() == Some(owner))
            .count()
    }

    pub fn is_active(&self, run_id: &str) -> bool {
        self.runs().contains_key(run_id)
    }
}

/// Keeps a run registered while alive; dropping it (on any exit path,
/// including a panic unwinding through the run) removes the entry.
#[derive(Debug)]
pub struct RunGuard {
    registry: Registry,
    run_id: String,
    token: CancellationToken,
}

impl RunGuard {
    /// The run's cancellation token (cancelled by [`Registry::cancel`]).
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    pub fn run_id(&self) -> &str {
        &self.run_id
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        self.registry.runs().remove(&self.run_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_removes_entry_and_cancel_reaches_token() {
        let reg = Registry::new();
        let guard = reg.register("r1", Some("main")).unwrap();
        assert!(reg.is_active("r1"));
        assert!(reg.register("r1", None).is_err(), "duplicates are refused");
        let token = guard.token();
        assert!(!token.is_cancelled());
        assert!(reg.cancel("r1"));
        assert!(token.is_cancelled());
        drop(guard);
        assert!(!reg.is_active("r1"));
        assert!(!reg.cancel("r1"), "nothing left to cancel");
    }

    #[test]
    fn guard_removes_entry_on_panic() {
        let reg = Registry::new();
        let reg2 = reg.clone();
        let result = std::panic::catch_unwind(move || {
            let _guard = reg2.register("boom", None).unwrap();
            panic!("export crashed");
        });
        assert!(result.is_err());
        assert!(reg.active().is_empty());
    }

    #[test]
    fn cancel_all_and_by_owner() {
        let reg = Registry::new();
        let a = reg.register("a", Some("main")).unwrap();
        let b = reg.register("b", Some("other")).unwrap();
        assert_eq!(reg.active_owned_by("main"), 1);
        assert_eq!(reg.cancel_owned_by("main"), 1);
        assert!(a.token().is_cancelled());
        assert!(!b.token().is_cancelled());
        assert_eq!(reg.cancel_all(), 2);
        assert!(b.token().is_cancelled());
        assert!(reg.register("  ", None).is_err());
    }
}
