//! "Open file" and "Show in folder" for finished exports, done in Rust so the
//! UI needs no opener permission. Only files this app exported (found in the
//! history) can be opened: the UI cannot use these commands to launch
//! arbitrary programs.
use std::path::{Path, PathBuf};

use genesys_core::jobs::HistoryStatus;
use genesys_core::ErrorKind;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use super::AppState;
use crate::error::{CmdError, CmdResult};

/// Check that `path` is a file a finished export wrote and that it still exists.
pub fn exported_file(state: &AppState, path: &str) -> CmdResult<PathBuf> {
    let known = state
        .ctx
        .history
        .list()?
        .into_iter()
        .any(|e| e.status == HistoryStatus::Done && Path::new(&e.path) == Path::new(path));
    if !known {
        return Err(CmdError::invalid(
            "path",
            "Only files exported by this app can be opened from here.",
        ));
    }
    let p = PathBuf::from(path);
    if !p.is_file() {
        return Err(CmdError::new(
            ErrorKind::NotFound,
            format!("{path} is no longer there. It may have been moved or deleted."),
        ));
    }
    Ok(p)
}

/// `open_file`: open an exported file with the system's default program.
#[tauri::command]
pub fn open_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<()> {
    let p = exported_file(&state, &path)?;
    app.opener()
        .open_path(p.display().to_string(), None::<String>)
        .map_err(|e| {
            CmdError::new(
                ErrorKind::Io,
                format!("The file could not be opened ({e}). Open it from its folder instead."),
            )
        })
}

/// `show_in_folder`: show an exported file in the system's file manager.
#[tauri::command]
pub fn show_in_folder<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<()> {
    let p = exported_file(&state, &path)?;
    app.opener().reveal_item_in_dir(&p).map_err(|e| {
        CmdError::new(
            ErrorKind::Io,
            format!(
                "The folder could not be shown ({e}). The file is at {}.",
                p.display()
            ),
        )
    })
}
