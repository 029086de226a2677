//! The run history: the last [`MAX_RUNS`] runs, newest first, in
//! `history.json` in the app's data folder (written atomically).
//!
//! A run is recorded as `running` when it starts and updated when it ends; a
//! run still `running` when the app starts again was interrupted (crash, power
//! loss) and is marked `interrupted` by [`History::recover`].
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::files::{read_json, set_aside, write_json_atomic};
use crate::error::Result;

/// How many runs are kept.
pub const MAX_RUNS: usize = 100;
const VERSION: u32 = 1;

/// How a run ended (or that it is still going).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HistoryStatus {
    Running,
    Done,
    Failed,
    Cancelled,
    /// The app stopped while the run was going (crash, power loss, kill).
    Interrupted,
}

/// One run in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub run_id: String,
    /// Empty for an ad-hoc run (CLI flags).
    pub profile_id: String,
    pub profile_name: String,
    #[serde(default)]
    pub connection_id: String,
    /// RFC 3339 in the profile's time zone.
    pub from: String,
    pub to: String,
    pub status: HistoryStatus,
    pub rows: u64,
    pub conversations: u64,
    pub duration_ms: u64,
    /// The destination file.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub error: Option<String>,
    #[ts(type = "string")]
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    runs: Vec<HistoryEntry>,
}

/// The history file. All operations are serialised by an internal lock;
/// every change also takes an OS file lock (`history.json.lock`) and re-reads
/// the file, so the app and the CLI never lose each other's runs.
#[derive(Debug)]
pub struct History {
    path: PathBuf,
    lock: Mutex<()>,
}

impl History {
    /// The history kept in `data_dir/history.json`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            path: data_dir.join("history.json"),
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The OS file lock for one change (shared with other processes).
    fn lock_for_change(&self) -> Result<crate::profiles::lockfile::FileLock> {
        crate::profiles::lockfile::lock_for_change(&self.path, crate::profiles::lockfile::LOCK_WAIT)
    }

    fn read(&self) -> Result<Vec<HistoryEntry>> {
        Ok(read_json::<HistoryFile>(&self.path)?
            .map(|f| f.runs)
            .unwrap_or_default())
    }

    fn write(&self, mut runs: Vec<HistoryEntry>) -> Result<()> {
        runs.truncate(MAX_RUNS);
        write_json_atomic(
            &self.path,
            &HistoryFile {
                version: VERSION,
                runs,
            },
        )
    }

    /// All runs, newest first.
    pub fn list(&self) -> Result<Vec<HistoryEntry>> {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.read()
    }

    /// One run by id.
    pub fn get(&self, run_id: &str) -> Result<Option<HistoryEntry>> {
        Ok(self.list()?.into_iter().find(|e| e.run_id == run_id))
    }

    /// Insert or update a run (matched by run id); a new run goes first.
    pub fn record(&self, entry: HistoryEntry) -> Result<()> {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let _file = self.lock_for_change()?;
        let mut runs = self.read()?;
        match runs.iter_mut().find(|e| e.run_id == entry.run_id) {
            Some(slot) => *slot = entry,
            None => runs.insert(0, entry),
        }
        self.write(runs)
    }

    /// Remove a run.
    pub fn remove(&self, run_id: &str) -> Result<()> {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let _file = self.lock_for_change()?;
        let mut runs = self.read()?;
        runs.retain(|e| e.run_id != run_id);
        self.write(runs)
    }

    /// At start-up: every run still `running` was interrupted; mark it so.
    /// A damaged file is set aside (returned as a notice) and history starts empty.
    pub fn recover(&self) -> (Vec<HistoryEntry>, Option<String>) {
        self.recover_except(|_| false)
    }

    /// [`History::recover`], leaving alone the runs for which `live` is true
    /// (running in another process that shares this folder).
    pub fn recover_except(
        &self,
        live: impl Fn(&str) -> bool,
    ) -> (Vec<HistoryEntry>, Option<String>) {
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let _file = match self.lock_for_change() {
            Ok(f) => f,
            Err(e) => return (Vec::new(), Some(e.message)),
        };
        let mut runs = match self.read() {
            Ok(runs) => runs,
            Err(e) => {
                let aside = set_aside(&self.path);
                let notice = format!(
                    "The export history could not be read and was set aside{}: {}",
                    aside
                        .map(|p| format!(" as {}", p.display()))
                        .unwrap_or_default(),
                    e.message
                );
                return (Vec::new(), Some(notice));
            }
        };
        let mut interrupted = Vec::new();
        for run in runs.iter_mut() {
            if run.status == HistoryStatus::Running && !live(&run.run_id) {
                run.status = HistoryStatus::Interrupted;
                run.error = Some("The app stopped while this export was running.".into());
                interrupted.push(run.clone());
            }
        }
        if !interrupted.is_empty() {
            if let Err(e) = self.write(runs) {
                return (interrupted, Some(e.message));
            }
        }
        (interrupted, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, status: HistoryStatus) -> HistoryEntry {
        HistoryEntry {
            run_id: id.into(),
            profile_id: "p".into(),
            profile_name: "Voice".into(),
            connection_id: "c".into(),
            from: "2026-01-01T00:00:00+00:00".into(),
            to: "2026-01-02T00:00:00+00:00".into(),
            status,
            rows: 1,
            conversations: 1,
            duration_ms: 5,
            path: "/tmp/x.csv".into(),
            error: None,
            started_at: Utc::now(),
        }
    }

    #[test]
    fn keeps_the_last_100_newest_first_and_updates_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::new(dir.path());
        assert!(h.list().unwrap().is_empty());
        for i in 0..105 {
            h.record(entry(&format!("r{i}"), HistoryStatus::Done))
                .unwrap();
        }
        let runs = h.list().unwrap();
        assert_eq!(runs.len(), MAX_RUNS);
        assert_eq!(runs[0].run_id, "r104");
        assert_eq!(runs[99].run_id, "r5");
        let mut e = entry("r104", HistoryStatus::Failed);
        e.error = Some("boom".into());
        h.record(e).unwrap();
        let runs = h.list().unwrap();
        assert_eq!(runs.len(), MAX_RUNS);
        assert_eq!(runs[0].status, HistoryStatus::Failed);
        h.remove("r104").unwrap();
        assert_eq!(h.get("r104").unwrap(), None);
    }

    #[test]
    fn running_becomes_interrupted_and_corrupt_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let h = History::new(dir.path());
        h.record(entry("done", HistoryStatus::Done)).unwrap();
        h.record(entry("crashed", HistoryStatus::Running)).unwrap();
        let (interrupted, notice) = h.recover();
        assert_eq!(notice, None);
        assert_eq!(interrupted.len(), 1);
        assert_eq!(interrupted[0].run_id, "crashed");
        let saved = h.get("crashed").unwrap().unwrap();
        assert_eq!(saved.status, HistoryStatus::Interrupted);
        assert_eq!(h.get("done").unwrap().unwrap().status, HistoryStatus::Done);

        std::fs::write(h.path(), b"{ not json").unwrap();
        let (interrupted, notice) = h.recover();
        assert!(interrupted.is_empty());
        assert!(notice.unwrap().contains("set aside"));
        assert!(h.list().unwrap().is_empty());
        let aside = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("corrupt"));
        assert!(aside);
    }
}
