//! [`TauriHost`]: the desktop window as a `genesys_ops::Host`: native
//! dialogs shown from Rust (the UI needs no dialog permission), the opener
//! plugin, the run's progress `Channel`, the window as the owner of its runs.
//!
//! Test seams (debug builds only, never in a release):
//! - `GENESYS_EXPORT_TEST_SAVE_PATH`: the save dialog is not shown and that
//!   path is used instead (a folder gets the suggested file name; the value
//!   `cancel` acts as if the user cancelled); `GENESYS_EXPORT_TEST_OPEN_PATH`
//!   does the same for the open dialog. The end-to-end tests use them.
//! - `start_export`'s `destination`/`replace` parameters ([`Given`]): the
//!   command tests use them.
use std::path::{Path, PathBuf};

use genesys_core::jobs::{EventSink, ExportEvent};
use genesys_core::{Error, ErrorKind, Result};
use genesys_ops::{Chosen, Host, OpenDialog, SaveDialog};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// A destination given by the caller instead of the save dialog (debug builds only).
#[derive(Debug, Default)]
pub struct Given {
    pub destination: Option<String>,
    pub replace: Option<bool>,
}

/// One command call from a window.
pub struct TauriHost<R: Runtime> {
    app: AppHandle<R>,
    window: Option<String>,
    channel: Option<Channel<ExportEvent>>,
    given: Given,
}

impl<R: Runtime> TauriHost<R> {
    /// A host for a call from `window` (its label owns the runs it starts).
    pub fn new(app: &AppHandle<R>, window: Option<&tauri::Window<R>>) -> Self {
        Self {
            app: app.clone(),
            window: window.map(|w| w.label().to_string()),
            channel: None,
            given: Given::default(),
        }
    }

    /// A host for a run whose events go to `channel`.
    pub fn for_run(window: &tauri::Window<R>, channel: Channel<ExportEvent>) -> Self {
        Self {
            channel: Some(channel),
            ..Self::new(window.app_handle(), Some(window))
        }
    }

    /// With the command tests' given destination (debug builds only).
    pub fn with_given(mut self, given: Given) -> Self {
        if cfg!(debug_assertions) {
            self.given = given;
        }
        self
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
        if let Some(dest) = self.given.destination.as_deref() {
            if !dest.trim().is_empty() {
                return Some(Chosen {
                    path: PathBuf::from(dest),
                    replace: self.given.replace.unwrap_or(false),
                });
            }
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
        self.window.clone()
    }

    fn app_version(&self) -> String {
        self.app.package_info().version.to_string()
    }

    fn log_dir(&self) -> Option<PathBuf> {
        self.app.path().app_log_dir().ok()
    }
}
