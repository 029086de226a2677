//! [`TestHost`]: a `Host` with no desktop: dialogs answered from what the
//! test set, files "opened" into a list, events collected, a clock the test
//! controls (and that can move while a dialog is open). It proves the
//! operations run without Tauri.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use genesys_core::jobs::{EventSink, ExportEvent};
use genesys_core::secrets::MemoryStore;
use genesys_core::Result;
use genesys_ops::{Chosen, Host, OpenDialog, Ops, OpsConfig, SaveDialog};

#[derive(Default)]
pub struct TestHost {
    /// What the save dialog answers (`None`: the person cancels).
    pub save_answer: Mutex<Option<Chosen>>,
    /// What the open dialog answers.
    pub open_answer: Mutex<Option<PathBuf>>,
    /// The save dialogs shown.
    pub save_dialogs: Mutex<Vec<SaveDialog>>,
    /// Files opened / shown in their folder.
    pub opened: Mutex<Vec<PathBuf>>,
    pub shown: Mutex<Vec<PathBuf>>,
    /// Every event of a run.
    pub events: Arc<Mutex<Vec<ExportEvent>>>,
    /// The clock; `None` = the real one.
    pub clock: Mutex<Option<DateTime<Utc>>>,
    /// How far the clock moves while the save dialog is open.
    pub dialog_takes: Mutex<Option<Duration>>,
    pub owner: Option<String>,
}

impl TestHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// The save dialog answers `path` (replacing confirmed).
    pub fn saving_to(path: impl Into<PathBuf>) -> Self {
        let host = Self::new();
        *host.save_answer.lock().unwrap() = Some(Chosen {
            path: path.into(),
            replace: true,
        });
        host
    }

    pub fn opening(path: impl Into<PathBuf>) -> Self {
        let host = Self::new();
        *host.open_answer.lock().unwrap() = Some(path.into());
        host
    }

    pub fn at(self, now: DateTime<Utc>) -> Self {
        *self.clock.lock().unwrap() = Some(now);
        self
    }

    pub fn events(&self) -> Vec<ExportEvent> {
        self.events.lock().unwrap().clone()
    }
}

impl Host for TestHost {
    async fn choose_save_path(&self, dialog: SaveDialog) -> Option<Chosen> {
        self.save_dialogs.lock().unwrap().push(dialog);
        if let Some(d) = *self.dialog_takes.lock().unwrap() {
            let mut clock = self.clock.lock().unwrap();
            *clock = Some(clock.unwrap_or_else(Utc::now) + d);
        }
        self.save_answer.lock().unwrap().clone()
    }

    async fn choose_open_path(&self, _dialog: OpenDialog) -> Option<PathBuf> {
        self.open_answer.lock().unwrap().clone()
    }

    fn open_file(&self, path: &Path) -> Result<()> {
        self.opened.lock().unwrap().push(path.to_path_buf());
        Ok(())
    }

    fn show_in_folder(&self, path: &Path) -> Result<()> {
        self.shown.lock().unwrap().push(path.to_path_buf());
        Ok(())
    }

    fn run_events(&self) -> EventSink {
        let events = self.events.clone();
        Arc::new(move |e| events.lock().unwrap().push(e))
    }

    fn owner(&self) -> Option<String> {
        self.owner.clone()
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.lock().unwrap().unwrap_or_else(Utc::now)
    }
}

/// Operations on temp folders with an in-memory keychain.
pub struct TestOps {
    pub ops: Ops,
    pub secrets: Arc<MemoryStore>,
    pub dirs: tempfile::TempDir,
}

impl TestOps {
    pub fn new() -> Self {
        let dirs = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemoryStore::new());
        let ops = Ops::open(OpsConfig::new(
            dirs.path().join("config"),
            dirs.path().join("data"),
            secrets.clone(),
        ));
        Self { ops, secrets, dirs }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dirs.path().join(name)
    }
}
