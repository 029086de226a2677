//! Checkpoints of running exports, one JSON file per run under
//! `data_dir/checkpoints/`, so an export interrupted by a crash can be resumed.
//!
//! The checkpoint holds the run's frozen plan (the resolved range, the
//! profile and connection as they were, the destination), written before the
//! first request, and is updated as the run progresses. It is removed when the
//! run ends (done, failed or cancelled); one that survives belongs to an
//! interrupted run.
//!
//! While a run executes, its process holds an OS file lock on
//! `checkpoints/<run_id>.lock` ([`RunLock`]). Another process (the app and the
//! CLI share these folders) can so tell a live run from an interrupted one:
//! the lock goes away with the process, even after `kill -9` or power loss.
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::files::{read_json, write_json_atomic};
use super::RunPlan;
use crate::error::{Error, ErrorKind, Result};
use crate::export::ResumeState;

/// The resume checkpoint of a run: its frozen plan and destination, and the
/// last durable point of its export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RunCheckpoint {
    pub version: u32,
    pub run_id: String,
    pub plan: RunPlan,
    pub destination: PathBuf,
    pub replace: bool,
    pub keep_partial: bool,
    pub started_at: DateTime<Utc>,
    /// The last durable point of the export (absent until the first rows are on disk).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<ResumeState>,
}

/// The checkpoint folder.
#[derive(Debug, Clone)]
pub struct Checkpoints {
    dir: PathBuf,
}

impl Checkpoints {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            dir: data_dir.join("checkpoints"),
        }
    }

    /// The folder of the checkpoints and run locks.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, run_id: &str) -> Result<PathBuf> {
        let safe = !run_id.is_empty()
            && run_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe {
            return Err(Error::invalid(
                "runId",
                "A run id may only contain letters, digits, '-' and '_'.",
            ));
        }
        Ok(self.dir.join(format!("{run_id}.json")))
    }

    /// Save (or replace) a run's checkpoint atomically.
    pub fn save<T: Serialize>(&self, run_id: &str, value: &T) -> Result<()> {
        write_json_atomic(&self.path(run_id)?, value)
    }

    /// A run's checkpoint, if it has one.
    pub fn load<T: DeserializeOwned>(&self, run_id: &str) -> Result<Option<T>> {
        read_json(&self.path(run_id)?)
    }

    pub fn exists(&self, run_id: &str) -> bool {
        self.path(run_id).map(|p| p.exists()).unwrap_or(false)
    }

    fn lock_path(&self, run_id: &str) -> Result<PathBuf> {
        Ok(self.path(run_id)?.with_extension("lock"))
    }

    /// Mark `run_id` as running in this process until the returned lock is
    /// dropped. Fails when another process (or another run here) holds it.
    pub fn hold(&self, run_id: &str) -> Result<RunLock> {
        let path = self.lock_path(run_id)?;
        crate::private_fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io("Cannot create the resume folder", &e))?;
        let file = crate::private_fs::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("Cannot create the run's lock file", &e))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { file, path }),
            Err(TryLockError::WouldBlock) => Err(Error::new(
                ErrorKind::InvalidInput,
                "This export is already running (in another window or from the command line). Wait for it to finish.",
            )),
            Err(TryLockError::Error(e)) => Err(Error::io("Cannot lock the run's lock file", &e)),
        }
    }

    /// True while some process holds `run_id`'s [`RunLock`].
    pub fn is_live(&self, run_id: &str) -> bool {
        let Ok(path) = self.lock_path(run_id) else {
            return false;
        };
        let Ok(file) = File::options().write(true).open(&path) else {
            return false; // no lock file: nobody runs it
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                false
            }
            Err(TryLockError::WouldBlock) => true,
            Err(TryLockError::Error(_)) => false,
        }
    }

    /// The runs that have a checkpoint.
    pub fn run_ids(&self) -> Vec<String> {
        self.files_ending(".json")
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    /// The lock files in the folder (held or left by a killed process), by run id.
    pub fn lock_files(&self) -> Vec<(String, PathBuf)> {
        self.files_ending(".lock")
    }

    fn files_ending(&self, suffix: &str) -> Vec<(String, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                let id = name.strip_suffix(suffix)?;
                self.path(id).ok()?;
                Some((id.to_string(), e.path()))
            })
            .collect()
    }

    /// The folder where a run's fetch keeps what it has read
    /// (`genesys::FetchOptions::store`), so a resume reads it there instead
    /// of asking Genesys again: `<run_id>.fetched/` next to the checkpoint.
    pub fn fetched_dir(&self, run_id: &str) -> Result<PathBuf> {
        Ok(self.path(run_id)?.with_extension("fetched"))
    }

    /// Forget a run's checkpoint and what its fetch kept (missing is fine).
    pub fn remove(&self, run_id: &str) -> Result<()> {
        match std::fs::remove_dir_all(self.fetched_dir(run_id)?) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove a run's fetched data: {e}"),
        }
        match std::fs::remove_file(self.path(run_id)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("Cannot remove the resume point", &e)),
        }
    }
}

/// Held while a run executes (see the module docs); removes its lock file when dropped.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_remove() {
        let dir = tempfile::tempdir().unwrap();
        let c = Checkpoints::new(dir.path());
        assert_eq!(c.load::<Vec<u32>>("r1").unwrap(), None);
        c.save("r1", &vec![1u32, 2]).unwrap();
        assert!(c.exists("r1"));
        assert_eq!(c.load::<Vec<u32>>("r1").unwrap(), Some(vec![1, 2]));
        c.save("r1", &vec![3u32]).unwrap();
        assert_eq!(c.load::<Vec<u32>>("r1").unwrap(), Some(vec![3]));
        let fetched = c.fetched_dir("r1").unwrap();
        assert_eq!(fetched, dir.path().join("checkpoints/r1.fetched"));
        std::fs::create_dir_all(fetched.join("w1")).unwrap();
        std::fs::write(fetched.join("w1/run-1"), b"x").unwrap();
        c.remove("r1").unwrap();
        c.remove("r1").unwrap();
        assert!(!c.exists("r1"));
        assert!(!fetched.exists(), "the run's fetched data goes with it");
        assert!(c.save("../evil", &1).is_err());
    }

    #[test]
    fn a_held_run_is_live_until_its_lock_drops() {
        let dir = tempfile::tempdir().unwrap();
        let c = Checkpoints::new(dir.path());
        assert!(!c.is_live("r1"));
        let lock = c.hold("r1").unwrap();
        assert!(c.is_live("r1"));
        assert!(!c.is_live("r2"));
        // A second holder (another process, or the same run twice) is refused.
        let e = c.hold("r1").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("already running"), "{}", e.message);
        drop(lock);
        assert!(!c.is_live("r1"));
        assert!(!dir.path().join("checkpoints/r1.lock").exists());
        let again = c.hold("r1").unwrap();
        assert!(c.is_live("r1"));
        drop(again);
        assert!(c.hold("../evil").is_err());
    }
}
