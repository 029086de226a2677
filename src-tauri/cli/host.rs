//! [`TerminalHost`]: the command line as a `genesys_ops::Host`. Its "dialogs"
//! answer with the paths given on the command line, a run's events draw the
//! progress bar (or log lines), notes go to stderr, and the OS scheduler runs
//! this very program.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use genesys_core::jobs::{EventSink, ExportEvent};
use genesys_core::Result;
use genesys_ops::host::unsupported;
use genesys_ops::{Chosen, Host, OpenDialog, SaveDialog};

use crate::progress::Progress;

pub struct TerminalHost {
    progress: Progress,
    save_to: Option<Chosen>,
    open: Option<PathBuf>,
}

impl TerminalHost {
    /// A host drawing progress on stderr (nothing with `quiet`).
    pub fn new(quiet: bool) -> Self {
        Self {
            progress: Progress::new(quiet),
            save_to: None,
            open: None,
        }
    }

    /// Files are saved to `path` (an existing one replaced only with `replace`).
    pub fn saving_to(mut self, path: PathBuf, replace: bool) -> Self {
        self.save_to = Some(Chosen { path, replace });
        self
    }

    /// The file to open is `path`.
    pub fn opening(mut self, path: PathBuf) -> Self {
        self.open = Some(path);
        self
    }

    /// A line above the progress bar.
    pub fn say(&self, line: &str) {
        self.progress.say(line);
    }

    /// Remove the progress bar.
    pub fn finish(&self) {
        self.progress.finish();
    }
}

impl Host for TerminalHost {
    async fn choose_save_path(&self, _dialog: SaveDialog) -> Option<Chosen> {
        self.save_to.clone()
    }

    async fn choose_open_path(&self, _dialog: OpenDialog) -> Option<PathBuf> {
        self.open.clone()
    }

    fn open_file(&self, _path: &Path) -> Result<()> {
        Err(unsupported("open files (it runs without a desktop)"))
    }

    fn show_in_folder(&self, _path: &Path) -> Result<()> {
        Err(unsupported("show folders (it runs without a desktop)"))
    }

    fn run_events(&self) -> EventSink {
        let progress = self.progress.clone();
        Arc::new(move |e: ExportEvent| progress.event(&e))
    }

    fn note(&self, text: &str) {
        self.progress.say(text);
    }

    fn scheduled_program(&self) -> Result<PathBuf> {
        std::env::current_exe()
            .map_err(|e| genesys_core::Error::io("Cannot find the path of genesys-export-cli", &e))
    }
}
