//! Native file dialogs, shown from Rust so the UI needs no dialog permission.
//!
//! Test seam (debug builds only, never in a release): when
//! `GENESYS_EXPORT_TEST_SAVE_PATH` is set, the save dialog is not shown and
//! that path is used instead (a folder gets the suggested file name; the
//! value `cancel` acts as if the user cancelled). `GENESYS_EXPORT_TEST_OPEN_PATH`
//! does the same for the open dialog. The end-to-end tests use them.
use std::path::{Path, PathBuf};

use tauri::Runtime;
use tauri_plugin_dialog::DialogExt;

/// What a save dialog should look like.
pub struct SaveDialog<'a> {
    pub title: &'a str,
    pub file_name: &'a str,
    pub folder: Option<&'a Path>,
    /// Filter name and extensions, e.g. `("CSV", &["csv"])`.
    pub filter: (&'a str, &'a [&'a str]),
}

/// The seam's answer, if the seam is on (debug builds only).
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

/// Ask where to save; `None` when the user cancelled.
pub async fn save_path<R: Runtime>(
    app: &tauri::AppHandle<R>,
    d: SaveDialog<'_>,
) -> Option<PathBuf> {
    if let Some(answer) = seam("GENESYS_EXPORT_TEST_SAVE_PATH", d.file_name) {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut builder = app
        .dialog()
        .file()
        .set_title(d.title)
        .set_file_name(d.file_name)
        .set_can_create_directories(true)
        .add_filter(d.filter.0, d.filter.1);
    if let Some(folder) = d.folder.filter(|f| f.is_dir()) {
        builder = builder.set_directory(folder);
    }
    builder.save_file(move |chosen| {
        let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// Ask for a file to open; `None` when the user cancelled.
pub async fn open_path<R: Runtime>(
    app: &tauri::AppHandle<R>,
    title: &str,
    filter: (&str, &[&str]),
) -> Option<PathBuf> {
    if let Some(answer) = seam("GENESYS_EXPORT_TEST_OPEN_PATH", "") {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title(title)
        .add_filter(filter.0, filter.1)
        .pick_file(move |chosen| {
            let _ = tx.send(chosen.and_then(|p| p.into_path().ok()));
        });
    rx.await.ok().flatten()
}
