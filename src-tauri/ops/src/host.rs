//! [`Host`]: what an operation needs that only its host has.
//!
//! An operation runs on behalf of one caller: a window of the desktop app,
//! the command line, or a test. Everything else (profiles, the keychain, the
//! runs) is in [`crate::Ops`]; the host supplies only what differs between
//! those callers: the save and open dialogs, opening a file or its folder,
//! where a run's events go, who owns a run, and the clock. Hosts: the Tauri
//! window (`src-tauri/host.rs`), the terminal (`src-tauri/cli/host.rs`) and
//! the tests' `TestHost` (`src-tauri/ops/tests/common`).
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use genesys_core::jobs::{EventSink, ExportEvent};
use genesys_core::{Error, ErrorKind, Result};

/// What a save dialog should look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveDialog {
    pub title: String,
    /// The suggested file name.
    pub file_name: String,
    /// The folder to start in, when known.
    pub folder: Option<PathBuf>,
    pub filter: FileFilter,
}

/// What an open dialog should look like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDialog {
    pub title: String,
    pub filter: FileFilter,
}

/// A dialog's file type filter, e.g. `CSV` / `["csv"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFilter {
    pub name: String,
    pub extensions: Vec<String>,
}

impl FileFilter {
    pub fn new(name: &str, extensions: &[&str]) -> Self {
        Self {
            name: name.to_string(),
            extensions: extensions.iter().map(|e| e.to_string()).collect(),
        }
    }
}

/// Where the person chose to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub path: PathBuf,
    /// The person confirmed replacing an existing file there (the native
    /// dialog asks; the command line has `--replace`).
    pub replace: bool,
}

/// An event sink that drops everything (a host with no progress display).
pub fn no_events() -> EventSink {
    Arc::new(|_: ExportEvent| {})
}

/// The error of a host that cannot do something (e.g. a terminal has no file manager).
pub fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("This part of Genesys Export cannot {what}."),
    )
}

/// What only a host has. Operations are generic over it (no `dyn`), so a host
/// may answer dialogs asynchronously; `Send + Sync` because the desktop runs
/// operations on a multi-threaded runtime.
pub trait Host: Send + Sync {
    /// Ask where to save a file; `None` when the person cancelled.
    fn choose_save_path(&self, dialog: SaveDialog) -> impl Future<Output = Option<Chosen>> + Send;

    /// Ask for a file to open; `None` when the person cancelled.
    fn choose_open_path(&self, dialog: OpenDialog) -> impl Future<Output = Option<PathBuf>> + Send;

    /// Open a file with the system's default program.
    fn open_file(&self, path: &Path) -> Result<()>;

    /// Show a file in the system's file manager.
    fn show_in_folder(&self, path: &Path) -> Result<()>;

    /// Where the events of a run started by this call go (the app's progress
    /// channel, the terminal's progress bar). Default: nowhere.
    fn run_events(&self) -> EventSink {
        no_events()
    }

    /// Who owns runs started by this call (the desktop: the window's label,
    /// so closing the window cancels them). Default: nobody.
    fn owner(&self) -> Option<String> {
        None
    }

    /// A line of information for the person while an operation works
    /// ("Looking up queues…", "Resuming the interrupted export…"): the
    /// terminal prints it; the desktop logs it.
    fn note(&self, text: &str) {
        tracing::info!("{text}");
    }

    /// The command-line program the OS scheduler runs for a schedule (the
    /// CLI itself, or the one installed beside the app).
    fn scheduled_program(&self) -> Result<PathBuf> {
        Err(unsupported("schedule exports"))
    }

    /// The clock (presets such as "yesterday" and file names resolve against it).
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// The version shown in About.
    fn app_version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_string()
    }

    /// Where this host writes its log, if it has one.
    fn log_dir(&self) -> Option<PathBuf> {
        None
    }

    /// Open a web address in the browser (sign-in will need it).
    fn open_url(&self, url: &str) -> Result<()> {
        let _ = url;
        Err(unsupported("open a web page"))
    }

    /// Show a desktop notification (schedules will need it).
    fn notify(&self, title: &str, body: &str) -> Result<()> {
        let _ = (title, body);
        Err(unsupported("show a notification"))
    }
}
