//! [`TauriHost`]: the desktop window as a `genesys_ops::Host`: native
//! dialogs shown from Rust (the UI needs no dialog permission), the opener
//! plugin, the run's progress `Channel`, the window as the owner of its runs.
//!
//! Test seams (debug builds only, never in a release; no IPC argument reaches them):
//! - [`DialogAnswers`] in the app's state (`AppOptions::dialogs`): the save
//!   dialog is not shown and its answer is used (the command tests).
//! - `GENESYS_EXPORT_TEST_SAVE_PATH`: the save dialog is not shown and that
//!   path is used instead (a folder gets the suggested file name; the value
//!   `cancel` acts as if the user cancelled); `GENESYS_EXPORT_TEST_OPEN_PATH`
//!   does the same for the open dialog. The end-to-end tests use them.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use genesys_core::jobs::{EventSink, ExportEvent};
use genesys_core::{Error, ErrorKind, Result};
use genesys_ops::{Chosen, Host, OpenDialog, SaveDialog};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// The save dialog's answer, set by a test instead of a person (debug builds
/// only; see `AppOptions::dialogs`).
#[derive(Debug, Default)]
pub struct DialogAnswers {
    /// `Some`: the dialog answers this without being shown.
    pub save: Mutex<Option<Chosen>>,
}

impl DialogAnswers {
    /// The save dialog answers `path`; `replace`: the person confirmed
    /// replacing an existing file (the native dialog asks).
    pub fn save_to(&self, path: impl Into<PathBuf>, replace: bool) {
        *self.save.lock().unwrap_or_else(|e| e.into_inner()) = Some(Chosen {
            path: path.into(),
            replace,
        });
    }

    fn save_answer(&self) -> Option<Chosen> {
        self.save.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// One command call from a window.
pub struct TauriHost<R: Runtime> {
    app: AppHandle<R>,
    window: String,
    channel: Option<Channel<ExportEvent>>,
}

impl<R: Runtime> TauriHost<R> {
    /// A host for a call from `window` (its label owns the runs it starts);
    /// a run's events go to `channel`.
    pub fn for_window(window: &tauri::Window<R>, channel: Option<Channel<ExportEvent>>) -> Self {
        Self {
            app: window.app_handle().clone(),
            window: window.label().to_string(),
            channel,
        }
    }

    /// A test's answer for the save dialog (debug builds only).
    fn given_save(&self) -> Option<Chosen> {
        if !cfg!(debug_assertions) {
            return None;
        }
        self.app
            .try_state::<Arc<DialogAnswers>>()
            .and_then(|a| a.save_answer())
    }
}

/// The env seam's answer, if the seam is on (debug builds only).
fn seam(var: &str, file_name: &str) -> Option<Option<PathBuf>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let value = std::env::var(var).ok()?;
    if value.trim().is_empty() || value == "cancel" {
        return Some(None);
    }
    let path = PathBuf::from(value);
    Some(Some(if path.is_dir() {
        path.join(file_name)
    } else {
        path
    }))
}

impl<R: Runtime> Host for TauriHost<R> {
    async fn choose_save_path(&self, d: SaveDialog) -> Option<Chosen> {
        if let Some(chosen) = self.given_save() {
            return Some(chosen);
        }
        // The native dialog asks before replacing a file: a chosen path is confirmed.
        let confirmed = |path| Chosen {
            path,
            replace: true,
        };
        if let Some(answer) = seam("GENESYS_EXPORT_TEST_SAVE_PATH", &d.file_name) {
            return answer.map(confirmed);
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let extensions: Vec<&str> = d.filter.extensions.iter().map(String::as_str).collect();
        let mut builder = self
            .app
            .dialog()
            .file()
            .set_title(&d.title)
            .set_file_name(&d.file_name)
            .set_can_create_directories(true)
            .add_filter(&d.filter.name, &extensions);
        if let Some(folder) = d.folder.as_deref().filter(|f| f.is_dir()) {
            builder = builder.set_directory(folder);
        }
        builder.save_file(move |chosen| {
            let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
        });
        rx.await.ok().flatten().map(confirmed)
    }

    async fn choose_open_path(&self, d: OpenDialog) -> Option<PathBuf> {
        if let Some(answer) = seam("GENESYS_EXPORT_TEST_OPEN_PATH", "") {
            return answer;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let extensions: Vec<&str> = d.filter.extensions.iter().map(String::as_str).collect();
        self.app
            .dialog()
            .file()
            .set_title(&d.title)
            .add_filter(&d.filter.name, &extensions)
            .pick_file(move |chosen| {
                let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
            });
        rx.await.ok().flatten()
    }

    fn open_file(&self, path: &Path) -> Result<()> {
        self.app
            .opener()
            .open_path(path.display().to_string(), None::<String>)
            .map_err(|e| {
                Error::new(
                    ErrorKind::Io,
                    "The file could not be opened. Open it from its folder instead.",
                )
                .with_cause(e)
            })
    }

    fn show_in_folder(&self, path: &Path) -> Result<()> {
        self.app.opener().reveal_item_in_dir(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!(
                    "The folder could not be shown. The file is at {}.",
                    path.display()
                ),
            )
            .with_cause(e)
        })
    }

    fn run_events(&self) -> EventSink {
        match self.channel.clone() {
            Some(channel) => std::sync::Arc::new(move |event| {
                if let Err(e) = channel.send(event) {
                    tracing::debug!(error = %e, "progress channel closed");
                }
            }),
            None => genesys_ops::host::no_events(),
        }
    }

    fn owner(&self) -> Option<String> {
        Some(self.window.clone())
    }

    fn app_version(&self) -> String {
        self.app.package_info().version.to_string()
    }

    fn log_dir(&self) -> Option<PathBuf> {
        self.app.path().app_log_dir().ok()
    }
}
